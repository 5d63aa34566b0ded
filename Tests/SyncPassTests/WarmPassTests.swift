import DANECore
import DANEDiscover
import DANESync
import DANETestSupport
import Testing

/// `danesync run`'s warm passes (``WarmNames``, design.md "Configuration"): inside the answer's
/// TTL an `ok` name is not looked up again, and revocation is seen no later than the TTL; a
/// changed CA or an expiring certificate is seen at once, as in a cold pass.
struct WarmPassTests {
    static let sensor1 = try! DeviceName("sensor1._device.example.com")
    static let sensor2 = try! DeviceName("sensor2._device.example.com")

    /// A fixture whose passes keep names warm, with both sensors published (answer TTL 300 s).
    static func world() throws -> PassFixture {
        var world = try PassFixture(names: [sensor1.text, sensor2.text])
        world.warm = WarmNames()
        try world.publishDevice(sensor1)
        try world.publishDevice(sensor2)
        return world
    }

    @Test func test_insideTheTTL_anOKNameIsNotLookedUpAgain_andStaysPublishedTheSame() async throws {
        let world = try Self.world()
        let first = try await world.pass()
        let hashes = try world.published(Self.sensor1)
        world.clock.advance(by: .seconds(60))
        let second = try await world.pass()
        #expect(world.resolver.lookups(of: Self.sensor1) == 1)
        #expect(world.state(Self.sensor1, in: second) == .ok)
        #expect(try world.published(Self.sensor1) == hashes)
        #expect(second.status.cas == first.status.cas, "the chain is walked again and published")
        #expect(second.answers[.secure] == 2, "a warm name counts the secure answer it holds")
        let since = { (summary: SyncPass.Summary) in summary.status.names.first { $0.name == Self.sensor1.text }?.since
        }
        #expect(since(second) == since(first))
    }

    @Test func test_aWithdrawalIsSeen_byThePassAfterTheTTL() async throws {
        let world = try Self.world()
        _ = try await world.pass()
        world.resolver.answer(Self.sensor1, with: .nxdomain)
        world.clock.advance(by: .seconds(299))
        #expect(world.state(Self.sensor1, in: try await world.pass()) == .ok, "inside the TTL, DNS may still say so")
        world.clock.advance(by: .seconds(1))
        let after = try await world.pass()
        #expect(world.state(Self.sensor1, in: after) == .withdrawn)
        #expect(try world.published(Self.sensor1) == nil)
        #expect(world.resolver.lookups(of: Self.sensor1) == 2)
    }

    @Test func test_aCAThatIsGone_isSeenAtOnce_insideTheTTL() async throws {
        let world = try Self.world()
        _ = try await world.pass()
        world.chains.fail(
            world.pki.intermediate.subjectKeyIdentifier,
            with: .fetchFailed(url: "https://device.example.com", .status(404)))
        world.clock.advance(by: .seconds(60))
        let second = try await world.pass()
        #expect(world.resolver.lookups(of: Self.sensor1) == 2, "the warm check failed: looked up cold")
        #expect(world.state(Self.sensor1, in: second) == .stale)
        #expect(world.lastError(Self.sensor1, in: second)?.contains("404") == true)
    }

    @Test func test_aCertificateExpiringInsideTheTTL_isNotKeptWarm() async throws {
        var world = try PassFixture(names: [Self.sensor1.text])
        world.warm = WarmNames()
        let device = try world.pki.device(Self.sensor1.text, lifetime: .seconds(120))
        // An hour's TTL: the certificate (and clock_skew after it) ends well inside it.
        world.resolver.answer(
            Self.sensor1,
            with: .response(
                DNSResponse(rcode: .noError, security: .secure, records: [TestCertificates.daneEE(device)], ttl: 3600)))
        _ = try await world.pass()
        world.clock.advance(by: .seconds(180) + world.config.sync.clockSkew)
        let later = try await world.pass()
        #expect(world.resolver.lookups(of: Self.sensor1) == 2)
        #expect(world.state(Self.sensor1, in: later) == .error)
        #expect(try world.published(Self.sensor1) == nil)
    }

    @Test func test_namesLeavingThePolicy_leaveTheWarmNames() async throws {
        var world = try Self.world()
        _ = try await world.pass()
        #expect(world.warm?.count == 2)
        world.policy = Policy(networks: [PassFixture.network: [Self.sensor2]])
        _ = try await world.pass()
        #expect(world.warm?.count == 1)
    }
}
