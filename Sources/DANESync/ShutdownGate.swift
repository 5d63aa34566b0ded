import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The write end of the gate's pipe, for the signal handler (which cannot capture context).
nonisolated(unsafe) private var signalPipe: Int32 = -1

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
    private var installed = false

    /// Takes SIGTERM and SIGINT from their default (kill the process) to this gate. Call it
    /// first thing in a command: a signal that arrives before would kill the process.
    ///
    /// A plain `sigaction` handler that only writes the signal's number to a pipe (`write` is
    /// async-signal-safe), read by a thread of the gate's own: no disposition is ever set to
    /// SIG_IGN, so there is no moment in which a signal is lost (Dispatch signal sources need
    /// SIG_IGN first, and a signal between the two was ignored for good).
    public func install() {
        lock.withLock {
            guard !installed else { return }
            installed = true
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { return }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            signalPipe = ends[1]
            let reader = ends[0]
            Thread.detachNewThread { [self] in
                var number: UInt8 = 0
                while true {
                    let n = read(reader, &number, 1)
                    if n == 1 { stop(signal: Int32(number)) }
                    if n == 0 || (n < 0 && errno != EINTR) { return }
                }
            }
            for signalNumber in [SIGTERM, SIGINT] {
                var action = sigaction()
                action.__sigaction_handler.sa_handler = { number in
                    var byte = UInt8(truncatingIfNeeded: number)
                    _ = write(signalPipe, &byte, 1)
                }
                sigemptyset(&action.sa_mask)
                action.sa_flags = SA_RESTART
                sigaction(signalNumber, &action, nil)
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
