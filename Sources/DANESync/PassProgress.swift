import Foundation

/// How far a pass is: names examined of the policy's, and how many of them are not `ok`.
public struct PassProgress: Equatable, Sendable {
    public var done: Int
    public var total: Int
    public var failures: Int

    public typealias Report = @Sendable (PassProgress) -> Void

    public init(done: Int, total: Int, failures: Int) {
        self.done = done
        self.total = total
        self.failures = failures
    }

    /// The terminal line: `names 41200/100000 (41%)  9870 names/s  ETA 6s  failures 3`.
    public func line(elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let percent = total > 0 ? done * 100 / total : 100
        var text = "names \(done)/\(total) (\(percent)%)  \(Int(rate.rounded())) names/s"
        if rate > 0, done < total {
            text += "  ETA \(DurationText.format(.seconds(Int64((Double(total - done) / rate).rounded(.up)))))"
        }
        return text + "  failures \(failures)"
    }
}

/// One refreshing line on stderr while a pass runs (design.md "Command line"): redrawn at most
/// ten times a second, erased when the pass ends; one pass only (`run` shows its first, the long
/// one, and then stays quiet). Only for a terminal: `make()` gives `nil` when stderr is not
/// one, so logs and journald never see it.
public final class TerminalProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let clock = ContinuousClock()
    private var started: ContinuousClock.Instant?
    private var lastDrawn: ContinuousClock.Instant?
    private var shown = false
    private var retired = false

    /// A reporter when stderr is a terminal, else `nil`.
    public static func make() -> TerminalProgress? { StandardError.isTerminal ? TerminalProgress() : nil }

    public var report: PassProgress.Report { { [self] in self.update($0) } }

    private func update(_ progress: PassProgress) {
        lock.withLock {
            guard !retired else { return }
            let now = clock.now
            let start = started ?? now
            started = start
            let finished = progress.done >= progress.total
            if !finished, let last = lastDrawn, now - last < .milliseconds(100) { return }
            lastDrawn = now
            // \r and "erase to end of line" (ECMA-48 EL): the line is redrawn in place.
            let text = finished ? "\r\u{1B}[K" : "\r\u{1B}[K" + progress.line(elapsed: now - start)
            shown = !finished
            StandardError.write(text)
            retired = finished
        }
    }

    /// Erases a line left by a pass that ended early (an error, a signal); no more are drawn.
    public func clear() {
        lock.withLock {
            retired = true
            guard shown else { return }
            shown = false
            StandardError.write("\r\u{1B}[K")
        }
    }
}
