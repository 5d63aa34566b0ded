import DANECore
import DANESync
import DANETestSupport
import Foundation
import Testing

/// `disconnect.command` as the agent runs it (design.md "Revocation and disconnect"): the
/// session in the environment, the secret only as a path, the exit code as the answer.
struct DisconnectCommandTests {
    static let nas = Config.Disconnect.NAS(address: "192.0.2.10", port: 3799, secretFile: "/etc/danesync/ap1.secret")
    static let session = SessionRecord(
        time: 1, name: try! DeviceName("sensor1._device.example.com"), network: "corp-iot",
        sha256: String(repeating: "ab", count: 32), nas: "192.0.2.10", callingStationId: "02-00-00-00-00-01",
        userName: "anonymous@example.com", acctSessionId: "5F3A")

    /// A shell script in a scratch directory (removed when the test ends); its path.
    static func script(_ body: String, in directory: String) throws -> String {
        let path = directory + "/command-\(UUID().uuidString.prefix(8))"
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    @Test func test_theSessionReachesTheCommand_inItsEnvironment() async throws {
        let directory = try Scratch.created("disconnect-command")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let command = try Self.script(
            #"echo "$DANESYNC_NAS_ADDRESS $DANESYNC_NAS_PORT $DANESYNC_SECRET_FILE $DANESYNC_USER_NAME $DANESYNC_CALLING_STATION_ID $DANESYNC_ACCT_SESSION_ID $DANESYNC_NAME $DANESYNC_NETWORK $1""#,
            in: directory)
        let (result, detail) = await DisconnectCommand.run(
            command + " extra", nas: Self.nas, session: Self.session, timeout: .seconds(10))
        #expect(result == .ack)
        #expect(
            detail
                == "192.0.2.10 3799 /etc/danesync/ap1.secret anonymous@example.com 02-00-00-00-00-01 5F3A sensor1._device.example.com corp-iot extra; exit 0"
        )
    }

    @Test func test_exitCodes_andTimeouts_areTheAnswers() async throws {
        let directory = try Scratch.created("disconnect-command")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (body, expected) in [
            ("echo NAK; exit 1", DisconnectDecision.Result.nak), ("exit 2", .noAnswer), ("kill -9 $$", .noAnswer),
        ] {
            let (result, _) = await DisconnectCommand.run(
                try Self.script(body, in: directory), nas: Self.nas, session: Self.session, timeout: .seconds(10))
            #expect(result == expected, "\(body)")
        }
        let (result, detail) = await DisconnectCommand.run(
            try Self.script("sleep 30", in: directory), nas: Self.nas, session: Self.session,
            timeout: .milliseconds(300))
        #expect(result == .noAnswer && detail.contains("timed out"), "\(detail)")
        let (missing, why) = await DisconnectCommand.run(
            "/nonexistent/disconnect", nas: Self.nas, session: Self.session, timeout: .seconds(1))
        #expect(missing == .noAnswer && why.contains("cannot start"), "\(why)")
    }
}
