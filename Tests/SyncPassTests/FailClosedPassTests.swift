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
        let directory = try Scratch.created("danesync-status")
        defer { try? FileManager.default.removeItem(atPath: directory) }
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
        let taken = ["good", "upper", "short", "future", "weird"].compactMap {
            readBack.take(try! DeviceName("\($0)._device.example.com"))?.name.text
        }
        #expect(taken == ["good._device.example.com"])
        #expect(readBack.rejected.count == 5, "\(readBack.rejected)")
        #expect(readBack.rejected.contains { $0.contains("upper") && $0.contains("64 lowercase hex") })
        #expect(readBack.rejected.contains { $0.contains("future") && $0.contains("future") })
        #expect(readBack.rejected.contains { $0.contains("line 6") && $0.contains("unknown state") })

        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: directory + "/status.json"))
        #expect(
            FileStore(directory: directory).previousRecords(now: now, clockSkew: .zero)
                .take(try DeviceName("good._device.example.com")) == nil)
    }

    // MARK: one writer

    @Test func test_outputLock_admitsOneWriter_andTheSecondFailsAtOnce() throws {
        let scratch = try Scratch.created("danesync-lock")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let directory = scratch + "/out"
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
        let directory = try Scratch.created("danesync-hook")
        defer { try? FileManager.default.removeItem(atPath: directory) }
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
        #expect(
            await CAChangeHook.runIfPending(second, command: "false", store: store, logger: Self.quiet)
                == CAChangeHook.Outcome(ran: false, settled: false))
        #expect(FileManager.default.fileExists(atPath: marker))
        #expect(StatusDocument.read(directory + "/status.json")?.onCAChangePendingSince == 1)

        // And the next: it succeeds, and nothing is pending any more.
        let third = try publish()
        #expect(
            await CAChangeHook.runIfPending(third, command: "true", store: store, logger: Self.quiet)
                == CAChangeHook.Outcome(ran: true, settled: true))
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(try publish().caChangePendingSince == nil)
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

/// design.md "Admission and failure rules": certificates and CAs outside their validity period
/// (± `sync.clock_skew`) are not published; the reason names the date.
struct ValidityTests {
    static let name = SyncPassTests.sensor1

    /// Grace bridges an outage of DNS or of the CA host; it never keeps a certificate the pass
    /// itself found expired, however long `sync.grace` is (1 h, then 3 days here).
    @Test(arguments: [3600, 3 * 86_400])
    func test_expiredDeviceCertificate_isError_namingTheDate_andNotPublished_whateverTheGrace(
        _ grace: Int
    ) async throws {
        let world = try PassFixture(names: [Self.name.text], grace: .seconds(grace))
        let device = try world.pki.device(Self.name.text, lifetime: .seconds(86_400))
        world.resolver.publish(Self.name, [TestCertificates.daneEE(device)])
        #expect(world.state(Self.name, in: try await world.pass()) == .ok)

        world.clock.advance(by: .seconds(2 * 86_400))
        let expired = try await world.pass()
        #expect(world.state(Self.name, in: expired) == .error)
        let why = try #require(world.lastError(Self.name, in: expired))
        #expect(why.contains("expired on ") && why.contains("T"), "\(why)")
        #expect(try world.published(Self.name) == nil)
    }

    @Test func test_notYetValidDeviceCertificate_isError_namingTheDate_andNotPublished() async throws {
        let world = try PassFixture(names: [Self.name.text])
        let device = try world.pki.device(Self.name.text)
        world.resolver.publish(Self.name, [TestCertificates.daneEE(device)])
        // The certificate's notBefore is an hour ago: a day earlier it is not valid yet.
        world.clock.advance(by: .seconds(-86_400))
        let early = try await world.pass()
        #expect(world.state(Self.name, in: early) == .error)
        let why = try #require(world.lastError(Self.name, in: early))
        #expect(why.contains("is not valid before "), "\(why)")
        #expect(try world.published(Self.name) == nil)
    }

    @Test func test_withinClockSkew_isStillValid() async throws {
        let world = try PassFixture(names: [Self.name.text])
        let device = try world.pki.device(Self.name.text, lifetime: .seconds(86_400))
        world.resolver.publish(Self.name, [TestCertificates.daneEE(device)])
        // One minute past notAfter; sync.clock_skew defaults to 5 minutes.
        world.clock.advance(by: .seconds(86_400 - 3600 + 60))
        #expect(world.state(Self.name, in: try await world.pass()) == .ok)
    }

    @Test func test_expiredCA_isError_andLeavesCAPEM_evenForAStaleName() async throws {
        let world = try PassFixture(names: [Self.name.text])
        let device = try world.pki.device(Self.name.text, lifetime: .seconds(800 * 86_400))
        world.resolver.publish(Self.name, [TestCertificates.daneEE(device)])
        _ = try await world.pass()
        #expect(world.store.caFingerprints == Set(world.pki.chain.map(\.sha256Hex)))

        // A year and a day later the CAs (valid for a year) have expired.
        world.clock.advance(by: .seconds(366 * 86_400))
        let fresh = try await world.pass()
        #expect(world.state(Self.name, in: fresh) == .error)
        #expect(world.lastError(Self.name, in: fresh)?.contains("CA ") == true)
        #expect(world.publishesOnlyThePlaceholderCA)

        // Through grace (SERVFAIL), a stale name keeps its hashes but never an expired CA.
        let second = try PassFixture(names: [Self.name.text], grace: .seconds(1000 * 86_400))
        let other = try second.pki.device(Self.name.text, lifetime: .seconds(800 * 86_400))
        second.resolver.publish(Self.name, [TestCertificates.daneEE(other)])
        _ = try await second.pass()
        second.resolver.answer(Self.name, with: .servfail)
        second.clock.advance(by: .seconds(366 * 86_400))
        let stale = try await second.pass()
        #expect(second.state(Self.name, in: stale) == .stale)
        #expect(second.publishesOnlyThePlaceholderCA)
    }
}

/// design.md "Admission and failure rules": partial failure stays partial.
struct PartialFailureTests {
    @Test func test_CAThatCannotBePublished_dropsTheNamesThatNeedIt_andTheRestPublishes() async throws {
        let (sensor1, sensor2) = (SyncPassTests.sensor1, SyncPassTests.sensor2)
        let world = try PassFixture(names: [sensor1.text, sensor2.text])
        try world.publishDevice(sensor1)
        let other = try TestCertificates(organisation: "Unhashable")
        world.chains.serve(other.chain)
        world.resolver.publish(sensor2, [TestCertificates.daneEE(try other.device(sensor2.text))])
        world.store.refused = [other.intermediate.sha256Hex: "OpenSSL cannot hash its subject"]

        let summary = try await world.pass()
        #expect(world.state(sensor1, in: summary) == .ok)
        #expect(try world.published(sensor1) != nil)
        #expect(world.state(sensor2, in: summary) == .error)
        #expect(world.lastError(sensor2, in: summary)?.contains("cannot be published") == true)
        #expect(try world.published(sensor2) == nil)
        #expect(world.store.caFingerprints == Set(world.pki.chain.map(\.sha256Hex)))
    }
}

/// The gate names a device's issuer by key identifier: two keys under one identifier must never
/// both be in `ca.pem` (design.md "Admission and failure rules").
struct KeyIdentifierCollisionTests {
    @Test func test_newCAReusingAPublishedKeyIdentifier_isRefused_withTheNamesThatNeedIt() async throws {
        let victim = SyncPassTests.sensor1
        let attacker = try DeviceName("cam1._device.example.org")
        let world = try PassFixture(names: [victim.text, attacker.text])
        try world.publishDevice(victim)
        _ = try await world.pass()

        // Another organisation publishes a CA under the same key identifier, with its own key.
        let impostor = try TestCertificates(
            organisation: "Impostor", intermediateKeyIdentifier: world.pki.intermediate.subjectKeyIdentifier)
        world.chains.serve(impostor.chain, authority: "device.example.org")
        world.resolver.publish(attacker, [TestCertificates.daneEE(try impostor.device(attacker.text))])
        let summary = try await world.pass()

        #expect(world.state(victim, in: summary) == .ok)
        #expect(world.state(attacker, in: summary) == .error)
        #expect(world.lastError(attacker, in: summary)?.contains("shares key identifier") == true)
        #expect(world.store.caFingerprints == Set(world.pki.chain.map(\.sha256Hex)))
    }
}
