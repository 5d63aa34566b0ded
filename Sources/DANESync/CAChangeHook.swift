import Foundation
import Logging

/// Runs `sync.on_ca_change` after `ca.pem` changed (design.md: e.g. restarting FreeRADIUS,
/// whose eap module reads `ca_file` only at start). The command is split on white space and
/// executed directly — no shell — so nothing from DNS or the policy is ever interpreted.
public enum CAChangeHook {
    public static func run(_ command: String, logger: Logger) async {
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let executable = words.first else { return }
        let process = Process()
        process.executableURL = URL(
            fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? Array(words.dropFirst()) : words
        do {
            try process.run()
        } catch {
            logger.error("on_ca_change failed to start", metadata: ["command": "\(command)", "error": "\(error)"])
            return
        }
        // Wait off the cooperative pool: a restart may take seconds.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        let status = process.terminationStatus
        if status == 0 {
            logger.notice("on_ca_change ran", metadata: ["command": "\(command)", "exit": "0"])
        } else {
            logger.error("on_ca_change failed", metadata: ["command": "\(command)", "exit": "\(status)"])
        }
    }
}
