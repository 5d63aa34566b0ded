import DANECore
import DANEPublish
import DANESystem
import Foundation
import Logging

/// Runs `sync.on_ca_change` after `ca.pem` changed (design.md "Configuration": e.g.
/// restarting FreeRADIUS, whose eap module reads `ca_file` only at start). The command is
/// split on white space and executed directly — no shell — so nothing from DNS or the policy
/// is ever interpreted. ``ChildProcess`` spawns it and kills it after ``timeLimit``.
public enum CAChangeHook {
    public static let timeLimit: Duration = .seconds(120)

    /// Runs the command; whether it exited 0.
    public static func run(_ command: String, logger: Logger) async -> Bool {
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !words.isEmpty else { return true }
        let status = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            // Waiting blocks a thread: keep it off the cooperative pool.
            Thread.detachNewThread {
                let status: String
                do {
                    status = try ChildProcess.run(words, timeLimit: timeLimit).description
                } catch {
                    status = "\(error)"
                }
                continuation.resume(returning: status)
            }
        }
        if status == "exit 0" {
            logger.notice("on_ca_change ran", metadata: ["command": "\(command)", "status": "\(status)"])
            return true
        }
        logger.error(
            "on_ca_change failed; it runs again after the next pass",
            metadata: ["command": "\(command)", "status": "\(status)"])
        return false
    }

    /// What ``runIfPending(_:command:store:logger:)`` did.
    public struct Outcome: Equatable, Sendable {
        /// Whether the command ran and exited 0; `nil` when it did not run.
        public var ran: Bool?
        /// Whether nothing is pending any more.
        public var settled: Bool

        public init(ran: Bool?, settled: Bool) {
            self.ran = ran
            self.settled = settled
        }
    }

    /// Runs `command` while a `ca.pem` change awaits it — this pass's, or an earlier one's whose
    /// hook failed or whose process died before it ran — and clears the pending marker only
    /// once it succeeded (design.md "Admission and failure rules"). Without a command there is
    /// nothing to wait for.
    @discardableResult
    public static func runIfPending(
        _ report: PublishReport, command: String?, store: any OutputStore, logger: Logger
    ) async -> Outcome {
        guard let since = report.caChangePendingSince else { return Outcome(ran: nil, settled: true) }
        var ran: Bool?
        if let command {
            if !report.caChanged {
                logger.warning(
                    "on_ca_change pending since an earlier pass; running it again",
                    metadata: ["since": "\(UnixTime.rfc3339(since))", "command": "\(command)"])
            }
            ran = await run(command, logger: logger)
            guard ran == true else { return Outcome(ran: ran, settled: false) }
        }
        do {
            try store.acknowledgeCAChange()
            return Outcome(ran: ran, settled: true)
        } catch {
            logger.error("cannot clear the on_ca_change pending marker", metadata: ["reason": "\(error)"])
            return Outcome(ran: ran, settled: false)
        }
    }
}
