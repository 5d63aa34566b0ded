import DANECertify
import DANECore
import DANEDiscover
import DANESync
import DANETestSupport
import Testing

/// A whole pass with the doubles (design.md "Outputs", "Configuration" `sync.grace`,
/// "Protocol facts"): what is published, what is kept through faults, what is dropped at once.
struct SyncPassTests {
    static let sensor1 = try! DeviceName("sensor1._device.example.com")
    static let sensor2 = try! DeviceName("sensor2._device.example.com")

    // MARK: grace

    @Test func test_okName_staysPublishedAsStale_throughSERVFAILAndTimeout_thenErrorAfterGrace() async throws {
        let world = try PassFixture(names: [Self.sensor1.text], grace: .seconds(3600))
        let device = try world.publishDevice(Self.sensor1)

        let first = try await world.pass()
        #expect(world.state(Self.sensor1, in: first) == .ok)
        #expect(try world.published(Self.sensor1) == [device.sha256Hex])

        // SERVFAIL ten minutes later, then a timeout ten minutes after that: stale, still published.
        for (result, reason) in [(TLSAAnswer.Result.servfail, "SERVFAIL"), (.timedOut, "timed out")] {
            world.clock.advance(by: .seconds(600))
            world.resolver.answer(Self.sensor1, with: result)
            let summary = try await world.pass()
            #expect(world.state(Self.sensor1, in: summary) == .stale, "\(reason)")
            #expect(world.lastError(Self.sensor1, in: summary)?.contains(reason) == true)
            #expect(try world.published(Self.sensor1) == [device.sha256Hex], "\(reason)")
        }

        // 3,601 s after the last ok pass: past sync.grace.
        world.clock.advance(by: .seconds(2401))
        let expired = try await world.pass()
        #expect(world.state(Self.sensor1, in: expired) == .error)
        #expect(try world.published(Self.sensor1) == nil)
        #expect(world.publishesOnlyThePlaceholderCA)
    }

    @Test func test_staleName_keepsItsCAs_fromThePreviousPass() async throws {
        let world = try PassFixture(names: [Self.sensor1.text])
        try world.publishDevice(Self.sensor1)
        _ = try await world.pass()
        let cas = Set(world.pki.chain.map(\.sha256Hex))
        #expect(world.store.caFingerprints == cas)

        // The CA host is down too: this pass fetches nothing, the stale name still needs its CAs.
        world.resolver.answer(Self.sensor1, with: .servfail)
        world.chains.fail(
            world.pki.intermediate.subjectKeyIdentifier,
            with: .fetchFailed(url: "https://device.example.com", .status(500)))
        world.clock.advance(by: .seconds(60))
        let stale = try await world.pass()
        #expect(world.state(Self.sensor1, in: stale) == .stale)
        #expect(world.store.caFingerprints == cas)
        #expect(Set(stale.status.cas.map(\.sha256)) == cas)
        #expect(!stale.report.caChanged)
    }

    // MARK: dropped at once

    @Test(arguments: [("NXDOMAIN", TLSAAnswer.Result.nxdomain), ("NODATA", .nodata)])
    func test_withdrawnName_dropsAtOnce(_ label: String, _ result: TLSAAnswer.Result) async throws {
        let world = try PassFixture(names: [Self.sensor1.text, Self.sensor2.text])
        try world.publishDevice(Self.sensor1)
        try world.publishDevice(Self.sensor2)
        _ = try await world.pass()
        #expect(try world.published(Self.sensor1) != nil)

        world.resolver.answer(Self.sensor1, with: result)
        world.clock.advance(by: .seconds(60))
        let next = try await world.pass()
        #expect(world.state(Self.sensor1, in: next) == .withdrawn)
        #expect(world.lastError(Self.sensor1, in: next)?.contains(label) == true)
        #expect(try world.published(Self.sensor1) == nil, "withdrawn within grace is still dropped")
        // The policy still lists it: the map says since when it is withdrawn (the hook's 14).
        #expect(try world.withdrawnAt(Self.sensor1) == next.status.time)
        #expect(try world.published(Self.sensor2) != nil)
        #expect(next.exitCode == 0, "a revocation is the system working")
    }

    @Test(arguments: [DNSSECState.bogus, .insecure])
    func test_bogusOrInsecureAnswer_neverPublishes_evenAfterAnOKPass(_ security: DNSSECState) async throws {
        let world = try PassFixture(names: [Self.sensor1.text])
        let device = try world.publishDevice(Self.sensor1)
        _ = try await world.pass()
        #expect(try world.published(Self.sensor1) == [device.sha256Hex])

        // The same records, now failing validation (or unsigned while DNSSEC is required).
        world.resolver.publish(Self.sensor1, [TestCertificates.daneEE(device)], security: security)
        world.clock.advance(by: .seconds(60))
        let next = try await world.pass()
        #expect(world.state(Self.sensor1, in: next) == (security == .bogus ? .bogus : .insecure))
        #expect(try world.published(Self.sensor1) == nil)
        #expect(world.publishesOnlyThePlaceholderCA)
        #expect(await world.chains.fetchCount == 1, "a bogus or insecure answer is never certified")
    }

    @Test func test_bogusFirstPass_publishesNothing() async throws {
        let world = try PassFixture(names: [Self.sensor1.text])
        let device = try world.pki.device(Self.sensor1.text)
        world.resolver.publish(Self.sensor1, [TestCertificates.daneEE(device)], security: .bogus)
        let summary = try await world.pass()
        #expect(world.state(Self.sensor1, in: summary) == .bogus)
        #expect(try world.published(Self.sensor1) == nil)
        #expect(world.publishesOnlyThePlaceholderCA)
    }

    // MARK: CA discovery

    @Test func test_CAHostFault_keepsTheNameOut_andTheCAOut() async throws {
        let world = try PassFixture(names: [Self.sensor1.text, Self.sensor2.text])
        try world.publishDevice(Self.sensor1)
        // sensor2 is issued by another organisation's intermediate whose CA host answers 500.
        let other = try TestCertificates(organisation: "Other Org")
        let stranger = try other.device(Self.sensor2.text)
        world.resolver.publish(Self.sensor2, [TestCertificates.daneEE(stranger)])
        world.chains.fail(
            other.intermediate.subjectKeyIdentifier,
            with: .fetchFailed(url: "https://device.example.com/.well-known/ca/x.pem", .status(500)))

        let summary = try await world.pass()
        #expect(world.state(Self.sensor1, in: summary) == .ok)
        #expect(world.state(Self.sensor2, in: summary) == .error)
        #expect(world.lastError(Self.sensor2, in: summary)?.contains("500") == true)
        #expect(try world.published(Self.sensor2) == nil)
        #expect(world.store.caFingerprints == Set(world.pki.chain.map(\.sha256Hex)))
        #expect(!world.store.caFingerprints.contains(other.intermediate.sha256Hex))
        #expect(!world.store.caFingerprints.contains(other.root.sha256Hex))
    }

    @Test func test_PKIXCertificateWhoseSANLacksTheName_isNotPublished() async throws {
        let world = try PassFixture(names: [Self.sensor1.text])
        let device = try world.pki.device(Self.sensor1.text, sans: ["other._device.example.com"])
        let pkixCD = TLSARecord(usage: .pkixCD, selector: .cert, matchingType: .full, data: device.binding.der)
        world.resolver.publish(Self.sensor1, [pkixCD])
        let summary = try await world.pass()
        #expect(world.state(Self.sensor1, in: summary) == .withdrawn)
        #expect(world.lastError(Self.sensor1, in: summary)?.contains("SAN lacks") == true)
        #expect(try world.published(Self.sensor1) == nil)
    }

    // MARK: idempotence

    @Test func test_secondPassWithTheSameInputs_publishesNothingNew() async throws {
        let world = try PassFixture(names: [Self.sensor1.text, Self.sensor2.text])
        try world.publishDevice(Self.sensor1)
        try world.publishDevice(Self.sensor2)
        let first = try await world.pass()
        #expect(Set(first.report.written) == ["ca.d", "ca.pem", "trustmap", "status.json"])
        #expect(first.exitCode == 0)

        world.clock.advance(by: .seconds(300))
        let second = try await world.pass()
        #expect(second.report.written == ["status.json"])
        #expect(!second.report.caChanged)
        #expect(second.status.names.map(\.since) == first.status.names.map(\.since))
    }
}

/// `danesync lookup` (design.md "Command line") renders ``SyncPass/examine(_:)``: the same
/// Resolve → Certify → Discover → decide as a pass, publishing nothing.
struct LookupReportTests {
    @Test func test_lookup_showsTheChainAndVerdictThePassDecides_andPublishesNothing() async throws {
        let world = try PassFixture(names: [SyncPassTests.sensor1.text])
        let device = try world.publishDevice(SyncPassTests.sensor1)
        let report = LookupReport(await world.syncPass.examine(SyncPassTests.sensor1))
        #expect(report.isOK)
        #expect(report.dnssec == "secure")
        let certificate = try #require(report.certificates.first)
        #expect(certificate.sha256 == device.sha256Hex)
        #expect(certificate.verdict == "chain ok")
        #expect(certificate.chain?.count == 2)
        #expect(certificate.caURL?.hasPrefix("https://device.example.com/.well-known/ca/") == true)
        #expect(world.store.publishCount == 0)
    }

    @Test func test_lookup_ofABogusAnswer_showsTheCertificateUnchecked() async throws {
        let world = try PassFixture(names: [SyncPassTests.sensor1.text])
        let device = try world.pki.device(SyncPassTests.sensor1.text)
        world.resolver.publish(SyncPassTests.sensor1, [TestCertificates.daneEE(device)], security: .bogus)
        let report = LookupReport(await world.syncPass.examine(SyncPassTests.sensor1))
        #expect(report.verdict == "bogus")
        #expect(report.certificates.first?.verdict == "not checked: answer is bogus")
        #expect(report.certificates.first?.subject?.contains("sensor1") == true)
        #expect(await world.chains.fetchCount == 0)
    }
}
