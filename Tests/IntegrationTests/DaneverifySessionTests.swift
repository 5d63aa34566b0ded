import DANECore
import DANETestSupport
import Foundation
import Testing

/// The hook's half of disconnect (design.md "Revocation and disconnect"): an accept records
/// its session, as one record per station; an accept it cannot record is refused (2).
@Suite(.serialized)
struct DaneverifySessionTests {
    typealias Fixture = VerifyLab

    static let onCorpIoT = "AA-BB-CC-DD-EE-FF:corp-iot"

    static func config(sessions: String) throws -> String {
        try Fixture.config(
            extra: """
                disconnect:
                  sessions_dir: \(sessions)
                  nas: [{address: 192.0.2.10, secret_file: /nonexistent/secret}]

                """)
    }

    static func verify(
        config: String, identity: String = LabNames.sensor1, device: String = LabNames.sensor1, session: [String]
    ) throws -> Command.Output {
        try Fixture.run(
            [
                "--config", config, "--identity", identity, "--cert", try Fixture.device(device), "--called-station-id",
                onCorpIoT,
            ] + session)
    }

    static func records(in directory: String) throws -> [SessionRecord] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted().compactMap { name in
            guard name.hasSuffix(SessionRecord.fileSuffix) else { return nil }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
            return try SessionRecord.parse(Array(bytes)).get()
        }
    }

    @Test func test_anAccept_recordsItsSession_oneRecordPerStation() throws {
        let sessions = try Scratch.created("sessions")
        defer { try? FileManager.default.removeItem(atPath: sessions) }
        let config = try Self.config(sessions: sessions)
        let session = ["--nas-ip-address", "192.0.2.10", "--calling-station-id", "02-00-00-00-00-01"]
        try Self.verify(config: config, session: session + ["--acct-session-id", "A1"]).expect(.accept)
        try Self.verify(config: config, session: session + ["--acct-session-id", "A2"]).expect(.accept)
        let records = try Self.records(in: sessions)
        #expect(records.count == 1, "a re-authentication replaces the station's record")
        let record = try #require(records.first)
        #expect(record.name.text == LabNames.sensor1 && record.network == "corp-iot")
        #expect(record.nas == "192.0.2.10" && record.callingStationId == "02-00-00-00-00-01")
        #expect(record.acctSessionId == "A2" && record.userName == LabNames.sensor1)
        #expect(record.sha256 == (try LabPKI.sha256OfDER(Fixture.device(LabNames.sensor1))))
        #expect(abs(record.time - Int64(Date().timeIntervalSince1970)) < 60)

        // An anonymous identity records the name the certificate was admitted as, and the NAI.
        try Self.verify(
            config: config, identity: "anonymous@example.com",
            session: ["--nas-ip-address", "192.0.2.10", "--calling-station-id", "02-00-00-00-00-02"]
        ).expect(.accept)
        let anonymous = try Self.records(in: sessions).first { $0.callingStationId == "02-00-00-00-00-02" }
        #expect(anonymous?.name.text == LabNames.sensor1 && anonymous?.userName == "anonymous@example.com")
    }

    @Test func test_aRejectRecordsNothing() throws {
        let sessions = try Scratch.created("sessions")
        defer { try? FileManager.default.removeItem(atPath: sessions) }
        try Self.verify(
            config: try Self.config(sessions: sessions), device: LabNames.sensor2,
            session: ["--nas-ip-address", "192.0.2.10"]
        ).expect(.notPublished)
        #expect(try Self.records(in: sessions).isEmpty)
    }

    @Test func test_anAcceptThatCannotBeRecorded_isRefused2() throws {
        let sessions = try Scratch.created("sessions")
        defer { try? FileManager.default.removeItem(atPath: sessions) }
        let config = try Self.config(sessions: sessions)
        let missing = try Self.verify(config: config, session: [])
        missing.expect(.usage)
        #expect(missing.line.contains("--nas-ip-address is missing"), "\(missing.line)")
        try Self.verify(config: config, session: ["--nas-ip-address", "ap1.example.net"]).expect(.usage)

        let gone = try Self.verify(
            config: try Self.config(sessions: sessions + "/nonexistent"), session: ["--nas-ip-address", "192.0.2.10"])
        gone.expect(.usage)
        #expect(gone.line.contains("cannot record the session"), "\(gone.line)")
    }

    @Test func test_withoutSessionsDir_theSessionArgumentsAreIgnored() throws {
        try Self.verify(
            config: try Fixture.config(),
            session: ["--nas-ip-address", "192.0.2.10", "--calling-station-id", "x", "--acct-session-id", "y"]
        ).expect(.accept)
    }
}
