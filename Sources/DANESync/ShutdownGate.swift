import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM and SIGINT stop `danesync run` and `once` within 2 s with exit 0, and a pass they
/// interrupt publishes nothing (design.md "Admission and failure rules").
///
/// Every output is replaced by rename, so a process that ends before publishing leaves the
/// previous outputs exactly as they were: on a signal the gate exits at once — lookups and CA
/// fetches in flight (a CA host that hangs for `discovery.timeout`) are simply abandoned. A
/// publish that has begun is finished first, so the outputs never mix two passes; a pending
/// `on_ca_change` stays marked and runs after the next pass.
public final class ShutdownGate: @unchecked Sendable {
    /// The process's gate: signals are per process.
    public static let process = ShutdownGate()

    private let lock = NSLock()
    private var publishing = false
    private var stopping = false
    private var sources: [DispatchSourceSignal] = []

    /// Takes SIGTERM and SIGINT from their default (kill the process) to this gate. Call it
    /// first thing in a command: a signal that arrives before would kill the process.
    public func install() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for signalNumber in [SIGTERM, SIGINT] {
                // The disposition must not kill the process; Dispatch still sees the signal.
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { [weak self] in self?.stop(signal: signalNumber) }
                source.resume()
                sources.append(source)
            }
        }
    }

    private func stop(signal: Int32) {
        let exitNow = lock.withLock {
            stopping = true
            return !publishing
        }
        let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
        if exitNow {
            Self.leave("danesync: \(name): stopping; this pass publishes nothing")
        } else {
            FileHandle.standardError.write(Data("danesync: \(name): stopping after the publish in progress\n".utf8))
        }
    }

    /// Runs `publish` unless a stop was requested (then throws `CancellationError`); a stop
    /// requested while it runs takes effect when it returns.
    public func publishing<T>(_ publish: () throws -> T) throws -> T {
        try lock.withLock {
            guard !stopping else { throw CancellationError() }
            publishing = true
        }
        defer {
            let exitNow = lock.withLock {
                publishing = false
                return stopping
            }
            if exitNow { Self.leave("danesync: stopping; the publish in progress completed") }
        }
        return try publish()
    }

    private static func leave(_ line: String) -> Never {
        FileHandle.standardError.write(Data((line + "\n").utf8))
        exit(0)
    }
}
