import DANECore
import DANEPublish
import DANESync
import DANETestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// The disconnect step over real files (design.md "Revocation and disconnect"): records in a
/// sessions directory, the trust map just published, and a stand-in for the command that
/// answers as told and remembers what it was asked.
struct SessionSweepTests {
    static let now: Int64 = 1_700_000_600
    static let sensor = try! DeviceName("sensor1._device.example.com")
    static let hash = String(repeating: "ab", count: 32)
    static let kept = try! DeviceName("kept._device.example.com")
    static let ap1 = Config.Disconnect.NAS(address: "192.0.2.10", secretFile: "/etc/danesync/ap1.secret")

    /// A sessions directory and a trust map in a scratch directory, and what the sweep sends.
    final class World: Sendable {
        let directory: String
        let sessions: String
        let answers: Mutex<[String: DisconnectDecision.Result]> = Mutex([:])
        let asked: Mutex<[String]> = Mutex([])

        init(entries: [TrustMapEntry]) throws {
            directory = try Scratch.created("session-sweep")
            sessions = directory + "/sessions"
            try FileManager.default.createDirectory(atPath: sessions, withIntermediateDirectories: true)
            try Data(TrustMapWriter.render(entries, generated: now)).write(to: URL(fileURLWithPath: trustMap))
        }

        var trustMap: String { directory + "/trustmap" }

        func write(_ record: SessionRecord, as file: String) throws {
            try Data(record.line).write(to: URL(fileURLWithPath: sessions + "/" + file))
        }

        var files: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: sessions)) ?? []).sorted() }

        func sweep(maxAge: Duration = .seconds(86400)) async -> [StatusDocument.Disconnect] {
            var config = Config.Disconnect()
            config.sessionsDir = sessions
            config.nas = [ap1]
            config.sessionMaxAge = maxAge
            let sweep = SessionSweep(
                config: config, trustMapPath: trustMap, logger: Logger(label: "sweep") { _ in SwiftLogNoOpLogHandler() }
            ) { [self] nas, session in
                asked.withLock { $0.append("\(session.name) \(nas.address)") }
                let answer = answers.withLock { $0[session.callingStationId] } ?? .ack
                return (answer, "told \(answer.rawValue)")
            }
            return await sweep.run(now: now)
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    static func session(
        _ name: DeviceName = sensor, station: String, nas: String = "192.0.2.10", time: Int64 = now - 60
    ) -> SessionRecord {
        SessionRecord(
            time: time, name: name, network: "corp-iot", sha256: hash, nas: nas,
            callingStationId: station, userName: name.text, acctSessionId: "S-\(station)")
    }

    static let published = TrustMapEntry(
        network: "corp-iot", name: kept, hashes: [hash], pins: [])

    @Test func test_revokedSessionsAreDisconnected_theRestKept_andAnsweredRecordsRemoved() async throws {
        let world = try World(entries: [Self.published, .withdrawn(network: "corp-iot", name: Self.sensor, since: 1)])
        defer { world.remove() }
        try world.write(Self.session(Self.kept, station: "02-00-00-00-00-01"), as: "a.session")
        try world.write(Self.session(station: "02-00-00-00-00-02"), as: "b.session")
        try world.write(Self.session(station: "02-00-00-00-00-03", nas: "192.0.2.99"), as: "c.session")
        try world.write(Self.session(Self.kept, station: "02-00-00-00-00-04", time: Self.now - 86401), as: "d.session")
        try Data("not a record\n".utf8).write(to: URL(fileURLWithPath: world.sessions + "/e.session"))
        try Data("unrelated\n".utf8).write(to: URL(fileURLWithPath: world.sessions + "/README"))

        let done = await world.sweep()
        #expect(
            done.map { "\($0.name) \($0.nas) \($0.result.rawValue)" } == [
                "sensor1._device.example.com 192.0.2.10 ack", "sensor1._device.example.com 192.0.2.99 unknown-nas",
            ])
        #expect(done.first?.acctSessionId == "S-02-00-00-00-00-02")
        #expect(done.first?.detail == "told ack")
        #expect(world.asked.withLock { $0 } == ["sensor1._device.example.com 192.0.2.10"])
        // Kept: the published device's session and a file that is not the sweep's.
        #expect(world.files == ["README", "a.session"])
    }

    @Test func test_noAnswer_keepsTheRecord_andTheNextSweepTriesAgain_untilANAK() async throws {
        let world = try World(entries: [])
        defer { world.remove() }
        try world.write(Self.session(station: "02-00-00-00-00-02"), as: "b.session")
        world.answers.withLock { $0["02-00-00-00-00-02"] = .noAnswer }

        #expect(await world.sweep().map(\.result) == [.noAnswer])
        #expect(world.files == ["b.session"])
        #expect(await world.sweep().map(\.result) == [.noAnswer])
        world.answers.withLock { $0["02-00-00-00-00-02"] = .nak }
        #expect(await world.sweep().map(\.result) == [.nak])
        #expect(world.files == [])
        #expect(world.asked.withLock { $0.count } == 3)
        #expect(await world.sweep().isEmpty)
    }

    @Test func test_aRecordTheHookReplacedMeanwhile_isNotRemoved() async throws {
        let world = try World(entries: [])
        defer { world.remove() }
        try world.write(Self.session(station: "02-00-00-00-00-02"), as: "b.session")
        var config = Config.Disconnect()
        config.sessionsDir = world.sessions
        config.nas = [Self.ap1]
        let renewed = Self.session(station: "02-00-00-00-00-02", time: Self.now)
        let sweep = SessionSweep(
            config: config, trustMapPath: world.trustMap,
            logger: Logger(label: "sweep") { _ in SwiftLogNoOpLogHandler() }
        ) { _, _ in
            // The station authenticated again while the request was out: a new session.
            try? world.write(renewed, as: "b.session")
            return (.ack, "")
        }
        #expect(await sweep.run(now: Self.now).map(\.result) == [.ack])
        #expect(world.files == ["b.session"])
    }

    @Test func test_withoutATrustMap_nothingIsJudged_orRemoved() async throws {
        let world = try World(entries: [])
        defer { world.remove() }
        try world.write(Self.session(station: "02-00-00-00-00-02"), as: "b.session")
        try FileManager.default.removeItem(atPath: world.trustMap)
        #expect(await world.sweep().isEmpty)
        #expect(world.files == ["b.session"])
        #expect(world.asked.withLock { $0.isEmpty })
    }

    @Test func test_disconnectOff_doesNothing() async {
        let sweep = SessionSweep(
            config: Config.Disconnect(), trustMapPath: "/nonexistent",
            logger: Logger(label: "sweep") { _ in SwiftLogNoOpLogHandler() }
        ) { _, _ in
            Issue.record("nothing may be sent")
            return (.ack, "")
        }
        #expect(await sweep.run(now: Self.now).isEmpty)
    }

    /// design.md "Revocation and disconnect", `once`: withdrawn names are the system working;
    /// a disconnect that got no answer (or could not be sent) is not.
    @Test func test_exitCode_zeroForWithdrawn_oneForAnUnansweredDisconnect() async throws {
        let world = try PassFixture(names: [Self.sensor.text])
        world.resolver.answer(Self.sensor, with: .nxdomain)
        var summary = try await world.pass()
        #expect(summary.status.counts.withdrawn == 1)
        #expect(summary.exitCode == 0)
        let record = Self.session(station: "02-00-00-00-00-02")
        summary.status.disconnects = [.init(record, result: .ack, detail: ""), .init(record, result: .nak, detail: "")]
        #expect(summary.exitCode == 0)
        for result in [DisconnectDecision.Result.noAnswer, .unknownNAS] {
            summary.status.disconnects = [
                .init(record, result: .ack, detail: ""), .init(record, result: result, detail: ""),
            ]
            #expect(summary.exitCode == 1, "\(result)")
        }
    }
}
