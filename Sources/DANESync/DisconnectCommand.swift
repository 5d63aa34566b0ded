import DANECore
import DANESystem
import Foundation

/// Runs `disconnect.command` for one session (design.md "Revocation and disconnect"): no
/// shell — the command is split on white space like `sync.on_ca_change` — the session in the
/// environment, the NAS's secret only as the path of its file, killed after
/// `disconnect.timeout`. The exit code is the NAS's answer; the first line of the command's
/// output is the detail reported with it.
public enum DisconnectCommand {
    /// The result and its detail.
    public static func run(
        _ command: String, nas: Config.Disconnect.NAS, session: SessionRecord, timeout: Duration
    ) async -> (DisconnectDecision.Result, String) {
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !words.isEmpty else { return (.noAnswer, "disconnect.command is empty") }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("danesync-disconnect-\(UUID())").path
        let environment = Self.environment(nas: nas, session: session)
        return await withCheckedContinuation { continuation in
            // Waiting blocks a thread: keep it off the cooperative pool.
            Thread.detachNewThread {
                defer { unlink(output) }
                let termination: ChildProcess.Termination
                do {
                    termination = try ChildProcess.run(
                        words, stdin: .file("/dev/null"), stdout: .file(output), environment: environment,
                        timeLimit: timeout)
                } catch {
                    return continuation.resume(returning: (.noAnswer, "\(error)"))
                }
                let said = (try? FileBytes.read(output, limit: 1 << 16)).map { bytes in
                    PrintableText.oneLine(
                        String(decoding: bytes.prefix { $0 != 0x0a }, as: UTF8.self), limit: 200)
                }
                let result: DisconnectDecision.Result
                switch termination {
                case .exited(let code): result = DisconnectDecision.Result(exitCode: code)
                case .signalled, .timedOut: result = .noAnswer
                }
                let detail = [said, "\(termination)"].compactMap { $0?.isEmpty == false ? $0 : nil }
                    .joined(separator: "; ")
                continuation.resume(returning: (result, detail))
            }
        }
    }

    /// `PATH` (for `radclient`) and the session, by the names the contract gives them.
    static func environment(nas: Config.Disconnect.NAS, session: SessionRecord) -> [String] {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        return [
            "PATH=\(path)",
            "DANESYNC_NAS_ADDRESS=\(nas.address)",
            "DANESYNC_NAS_PORT=\(nas.port)",
            "DANESYNC_SECRET_FILE=\(nas.secretFile)",
            "DANESYNC_USER_NAME=\(session.userName)",
            "DANESYNC_CALLING_STATION_ID=\(session.callingStationId)",
            "DANESYNC_ACCT_SESSION_ID=\(session.acctSessionId)",
            "DANESYNC_NAME=\(session.name)",
            "DANESYNC_NETWORK=\(session.network)",
        ]
    }
}
