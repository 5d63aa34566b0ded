import DANECertify
import DANECore
import DANEPublish
import DANESync
import DANETestSupport
import Foundation
import Logging
import Testing

/// design.md "Admission and failure rules", the agent's side, as values: what a pass publishes
/// when nothing is usable, what grace may keep, what is read back, one writer, and an
/// `on_ca_change` that is never lost.
struct FailClosedPassTests {
    static let sensor1 = SyncPassTests.sensor1
    static let quiet = Logger(label: "fail-closed-test") { _ in SwiftLogNoOpLogHandler() }

    // MARK: an empty trust set keeps FreeRADIUS running

    @Test func test_passWithNoUsableName_publishesOnePlaceholderCA_thatTrustsNothing() async throws {
        let world = try PassFixture(names: [Self.sensor1.text])
        world.resolver.answer(Self.sensor1, with: .servfail)
        let first = try await world.pass()
        #expect(world.state(Self.sensor1, in: first) == .error)
        let placeholder = try #require(first.status.cas.first)
        #expect(first.status.cas.count == 1)
        #expect(placeholder.subject.contains(PlaceholderCA.commonName))
        #expect(world.store.caFingerprints == [placeholder.sha256])

        // The same placeholder pass after pass: ca.pem and on_ca_change stay quiet.
        try world.store.acknowledgeCAChange()
        let second = try await world.pass()
        #expect(second.status.cas.map(\.sha256) == [placeholder.sha256])
        #expect(!second.report.caChanged)

        // A real CA replaces it.
        try world.publishDevice(Self.sensor1)
        let third = try await world.pass()
        #expect(world.store.caFingerprints == Set(world.pki.chain.map(\.sha256Hex)))
        #expect(third.report.caChanged)
    }

    @Test func test_placeholderCA_isASelfSignedCA_whoseKeyIsGone() throws {
        let placeholder = try PlaceholderCA.make()
        #expect(placeholder.isCA)
        #expect(placeholder.isSelfSigned)
        #expect(PlaceholderCA.isPlaceholder(placeholder))
        #expect(try !PlaceholderCA.isPlaceholder(TestCertificates().root))
        // Two placeholders share nothing: each key existed only to sign itself.
        #expect(try PlaceholderCA.make().subjectKeyIdentifier != placeholder.subjectKeyIdentifier)
    }

    // MARK: "revoke everyone"

    @Test func test_policyListingZeroNames_publishesAnEmptyTrustMap_andExits0() async throws {
        var world = try PassFixture(names: [Self.sensor1.text])
        try world.publishDevice(Self.sensor1)
        _ = try await world.pass()
        #expect(try world.published(Self.sensor1) != nil)

        world.policy = try PolicyParser.parse("networks: {}\n")
        let revoked = try await world.pass()
        #expect(revoked.status.names.isEmpty)
        #expect(revoked.exitCode == 0)
        #expect(try world.published(Self.sensor1) == nil)
        #expect(revoked.status.cas.count == 1 && revoked.status.cas[0].subject.contains(PlaceholderCA.commonName))
    }

    // MARK: grace never keeps what DNS securely replaced

    @Test func test_staleName_keepsOnlyWhatTheSecureAnswerStillPublishes() async throws {
        let world = try PassFixture(names: [Self.sensor1.text])
        let old = try world.publishDevice(Self.sensor1)
        _ = try await world.pass()
        #expect(try world.published(Self.sensor1) == [old.sha256Hex])

        // DNS now securely publishes a new certificate from an issuer whose CA host is down:
        // the name is in error, and the replaced certificate must not live on through grace.
        let other = try TestCertificates(organisation: "Rekeyed")
        let new = try other.device(Self.sensor1.text)
        world.resolver.publish(Self.sensor1, [TestCertificates.daneEE(new)])
        world.clock.advance(by: .seconds(60))
        let replaced = try await world.pass()
        #expect(world.state(Self.sensor1, in: replaced) == .error)
        #expect(try world.published(Self.sensor1) == nil)

        // Whereas a certificate the secure answer still publishes keeps its grace.
        world.resolver.publish(Self.sensor1, [TestCertificates.daneEE(old), TestCertificates.daneEE(new)])
        world.clock.advance(by: .seconds(60))
        _ = try await world.pass()
        world.chains.fail(
            world.pki.intermediate.subjectKeyIdentifier, with: .fetchFailed(url: "https://x", .status(503)))
        world.clock.advance(by: .seconds(60))
        let kept = try await world.pass()
        #expect(world.state(Self.sensor1, in: kept) == .stale)
        #expect(try world.published(Self.sensor1) == [old.sha256Hex])
    }

    @Test func test_nameRecordAdvance_dropsReplacedHashes_andGivesNoGraceWhenNoneRemain() throws {
        let name = Self.sensor1
        let previous = NameRecord(
            name: name, state: .ok, hashes: ["a", "b"], caFingerprints: ["c"], since: 100, lastOK: 100)
        let partly = NameRecord.advance(
            previous, name: name, outcome: .error("CA host down"), now: 200, grace: 3600,
            securelyPublished: .init(hashes: ["b", "z"], pins: []))
        #expect(partly.state == .stale && partly.hashes == ["b"])
        let none = NameRecord.advance(
            previous, name: name, outcome: .error("CA host down"), now: 200, grace: 3600,
            securelyPublished: .init(hashes: ["z"], pins: []))
        #expect(none.state == .error && none.hashes.isEmpty)
        let unknown = NameRecord.advance(previous, name: name, outcome: .error("SERVFAIL"), now: 200, grace: 3600)
        #expect(unknown.state == .stale && unknown.hashes == ["a", "b"])
    }

    // MARK: status.json is untrusted input

    @Test func test_statusReadBack_dropsEntriesThatBreakARule_andKeepsTheRest() throws {
        let directory = try Self.scratch("status")
        let hash = String(repeating: "ab", count: 32)
        let now: Int64 = 1_800_000_000
        func entry(_ name: String, hashes: [String] = [hash], state: String = "ok", since: Int64 = now - 60) -> String {
            let list = hashes.map { "\"\($0)\"" }.joined(separator: ",")
            return
                #"{"ca_fingerprints":[],"hashes":[\#(list)],"last_ok":\#(since),"name":"\#(name)","networks":["corp"],"pins":[],"since":\#(since),"state":"\#(state)"}"#
        }
        let lines = [
            entry("good._device.example.com"),
            entry("upper._device.example.com", hashes: [hash.uppercased()]),
            entry("short._device.example.com", hashes: ["abcd"]),
            entry("future._device.example.com", since: now + 3600),
            entry("weird._device.example.com", state: "trusted-forever"),
            entry("not a name"),
        ]
        let text =
            #"{"cas":[],"counts":{"bogus":0,"error":0,"insecure":0,"ok":6,"stale":0,"withdrawn":0},"duration_seconds":0,"names":["#
            + "\n" + lines.joined(separator: ",\n") + "\n" + #"],"policy_source":"t","time":1,"version":1}"# + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/status.json"))

        let readBack = FileStore(directory: directory).previousRecords(now: now, clockSkew: .seconds(300))
        #expect(readBack.records.keys.map(\.text) == ["good._device.example.com"])
        #expect(readBack.rejected.count == 5, "\(readBack.rejected)")
        #expect(readBack.rejected.contains { $0.contains("upper") && $0.contains("64 lowercase hex") })
        #expect(readBack.rejected.contains { $0.contains("future") && $0.contains("future") })
        #expect(readBack.rejected.contains { $0.contains("line 6") && $0.contains("unknown state") })

        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: directory + "/status.json"))
        #expect(FileStore(directory: directory).previousRecords(now: now, clockSkew: .zero).records.isEmpty)
    }

    // MARK: one writer

    @Test func test_outputLock_admitsOneWriter_andTheSecondFailsAtOnce() throws {
        let directory = try Self.scratch("lock") + "/out"
        let first = try OutputLock(directory: directory)
        #expect(throws: OutputLock.Failure.self) { try OutputLock(directory: directory) }
        do {
            _ = try OutputLock(directory: directory)
        } catch {
            #expect(error.description.contains("another process holds output.dir \(directory)"))
        }
        withExtendedLifetime(first) {}
    }

    // MARK: on_ca_change is not lost

    @Test func test_onCAChange_thatFails_orNeverRan_runsAgainAfterTheNextPass_untilItSucceeds() async throws {
        let directory = try Self.scratch("hook")
        let store = FileStore(directory: directory)
        let pki = try TestCertificates()
        func publish() throws -> PublishReport {
            let status = StatusDocument(
                time: 1, durationSeconds: 0, policySource: "t", policyError: nil, records: [], networks: { _ in [] },
                cas: [])
            return try store.publish(Outputs(cas: pki.chain, trustMap: [], status: status, generated: 1))
        }
        let marker = directory + "/" + Config.OutputFile.caChangePending

        // The process "dies" after the rename of ca.pem, before the hook ran.
        let first = try publish()
        #expect(first.caChanged && first.caChangePendingSince == 1)
        #expect(FileManager.default.fileExists(atPath: marker))

        // Next pass: ca.pem unchanged, the change still pending; the hook fails.
        let second = try publish()
        #expect(!second.caChanged && second.caChangePendingSince == 1)
        #expect(await !CAChangeHook.runIfPending(second, command: "false", store: store, logger: Self.quiet))
        #expect(FileManager.default.fileExists(atPath: marker))
        #expect(StatusDocument.read(directory + "/status.json")?.onCAChangePendingSince == 1)

        // And the next: it succeeds, and nothing is pending any more.
        let third = try publish()
        #expect(await CAChangeHook.runIfPending(third, command: "true", store: store, logger: Self.quiet))
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(try publish().caChangePendingSince == nil)
    }

    static func scratch(_ label: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "danesync-\(label)-\(UUID().uuidString.prefix(8))"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }
}

/// The second gate's key (design.md "Admission and failure rules"): every published certificate
/// reaches the trust map with its serial and issuer key identifier, and keeps them through grace.
struct GateKeyTests {
    @Test func test_publishedCertificate_carriesSerialAndIssuerKeyID_throughGrace() async throws {
        let name = SyncPassTests.sensor1
        let world = try PassFixture(names: [name.text])
        let device = try world.publishDevice(name)
        let expected = CertificateIssuance(
            sha256: device.sha256Hex, serial: device.serialHex,
            authorityKeyIdentifier: Hex.encode(world.pki.intermediate.subjectKeyIdentifier))
        _ = try await world.pass()
        let entry = try #require(try world.store.trustMapEntry(network: PassFixture.network, name: name))
        #expect(entry.issuances == [expected])
        #expect(
            entry.issuance(serial: device.serialHex, authorityKeyIdentifier: expected.authorityKeyIdentifier) != nil)

        world.resolver.answer(name, with: .servfail)
        world.clock.advance(by: .seconds(60))
        let stale = try await world.pass()
        #expect(world.state(name, in: stale) == .stale)
        #expect(try world.store.trustMapEntry(network: PassFixture.network, name: name)?.issuances == [expected])
    }
}
