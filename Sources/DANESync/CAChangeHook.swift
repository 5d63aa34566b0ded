import DANESystem
import Foundation
import Logging

/// Runs `sync.on_ca_change` after `ca.pem` changed (design.md "Configuration": e.g.
/// restarting FreeRADIUS, whose eap module reads `ca_file` only at start). The command is
/// split on white space and executed directly — no shell — so nothing from DNS or the policy
/// is ever interpreted. ``ChildProcess`` spawns it and kills it after ``timeLimit``.
public enum CAChangeHook {
    public static let timeLimit: Duration = .seconds(120)

    public static func run(_ command: String, logger: Logger) async {
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !words.isEmpty else { return }
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
        } else {
            logger.error("on_ca_change failed", metadata: ["command": "\(command)", "status": "\(status)"])
        }
    }
}
