import DANECore
import DANEResolve
import DANEResolvePool
import DANESystem
import Foundation
import Testing

/// UnboundResolver against the lab's knot (scripts/lab/dns.sh): real DNSSEC validation of
/// signed, unsigned and tampered zones, NXDOMAIN and NODATA proofs, deadlines, withdrawal.
@Suite(.serialized)
struct ResolverTests {
    /// The lab's DNS settings: its zones' DS records as trust anchor, knot as the only forwarder.
    static func labDNS(timeout: Duration = .seconds(3)) -> Config.DNS {
        var dns = Self.defaultDNS()
        dns.trustAnchorFile = Lab.path("dns/trust-anchors")
        dns.forwarders = ["127.0.0.1@\(Lab.env("dns/dns.env", "DNS_PORT"))"]
        dns.timeout = timeout
        return dns
    }

    /// `Config.DNS` with the contract's defaults (its initializer is internal to DANECore).
    static func defaultDNS() -> Config.DNS {
        try! ConfigParser.parse("policy:\n  file: /dev/null\n").dns
    }

    static func name(_ text: String) -> DeviceName { try! DeviceName(text) }

    static func response(_ answer: TLSAAnswer, sourceLocation: SourceLocation = #_sourceLocation) throws -> DNSResponse
    {
        guard case .response(let response) = answer.result else {
            Issue.record("expected a DNS response, got \(answer.result)", sourceLocation: sourceLocation)
            throw CancellationError()
        }
        return response
    }

    /// `usage selector matching` of each record, sorted.
    static func kinds(_ response: DNSResponse) -> [String] {
        response.records.map { "\($0.usage.value) \($0.selector.value) \($0.matchingType.value)" }.sorted()
    }

    @Test func test_signedZone_answersSecure_withThePublishedRecords() async throws {
        let resolver = try UnboundResolver(dns: Self.labDNS(), maxInFlight: 8)
        async let one = resolver.lookupTLSA(Self.name("sensor1._device.example.com"))
        async let two = resolver.lookupTLSA(Self.name("sensor2._device.example.com"))
        async let three = resolver.lookupTLSA(Self.name("Sensor3._device.example.com."))
        async let cam = resolver.lookupTLSA(Self.name("cam7._device.example.org"))
        let answers = await [one, two, three, cam]

        let expected = [["3 0 0"], ["4 0 0"], ["3 0 0", "3 1 1"], ["3 0 0"]]
        for (answer, kinds) in zip(answers, expected) {
            let response = try Self.response(answer)
            #expect(response.rcode == .noError, "\(answer.name)")
            #expect(response.security == .secure, "\(answer.name)")
            #expect(Self.kinds(response) == kinds, "\(answer.name)")
            #expect(response.malformed.isEmpty)
            #expect(response.ttl > 0 && response.ttl <= 60)
        }
        let sensor3 = try Self.response(answers[2])
        let full = try #require(sensor3.records.first { $0.matchingType == .full })
        #expect(full.data.first == 0x30, "3 0 0 carries a DER certificate")
        #expect(sensor3.records.first { $0.matchingType == .sha256 }?.data.count == 32)
    }

    @Test func test_unsignedZone_answersInsecure() async throws {
        let resolver = try UnboundResolver(dns: Self.labDNS(), maxInFlight: 4)
        let response = try Self.response(await resolver.lookupTLSA(Self.name("plain._device.example.net")))
        #expect(response.rcode == .noError)
        #expect(response.security == .insecure)
        #expect(Self.kinds(response) == ["3 0 0"])
    }

    @Test func test_tamperedZone_answersBogus_withAReason() async throws {
        let resolver = try UnboundResolver(dns: Self.labDNS(), maxInFlight: 4)
        let response = try Self.response(await resolver.lookupTLSA(Self.name("broken._device.example.edu")))
        #expect(response.security == .bogus)
        let reason = try #require(response.whyBogus)
        #expect(!reason.isEmpty)
    }

    /// example.info was signed with a validity window that closed in 2020 (`ldns-signzone -i/-e`).
    @Test func test_expiredSignatures_answerBogus_sayingExpired() async throws {
        let resolver = try UnboundResolver(dns: Self.labDNS(), maxInFlight: 4)
        let response = try Self.response(await resolver.lookupTLSA(Self.name("expired._device.example.info")))
        #expect(response.security == .bogus)
        let reason = try #require(response.whyBogus)
        #expect(reason.contains("expired"), "\(reason)")
        #expect(
            TLSAAnswer(name: Self.name("expired._device.example.info"), result: .response(response))
                .classify(requireDNSSEC: true) == .bogus(reason))
    }

    @Test func test_nonexistentName_isASecureNXDOMAIN() async throws {
        let resolver = try UnboundResolver(dns: Self.labDNS(), maxInFlight: 4)
        let response = try Self.response(await resolver.lookupTLSA(Self.name("nosuch._device.example.com")))
        #expect(response.rcode == .nameError)
        #expect(response.security == .secure)
        #expect(response.records.isEmpty)
        #expect(response.ttl == 0)
    }

    @Test func test_nameWithoutTLSA_isASecureNODATA() async throws {
        let resolver = try UnboundResolver(dns: Self.labDNS(), maxInFlight: 4)
        let response = try Self.response(await resolver.lookupTLSA(Self.name("nodata._device.example.com")))
        #expect(response.isNoData)
        #expect(response.security == .secure)
    }

    @Test func test_silentForwarder_timesOutWithinTheConfiguredTimeout() async throws {
        let silent = try SilentUDPServer()
        defer { silent.close() }
        var dns = Self.labDNS(timeout: .seconds(1))
        dns.forwarders = ["127.0.0.1@\(silent.port)"]
        let resolver = try UnboundResolver(dns: dns, maxInFlight: 4)

        let clock = ContinuousClock()
        let start = clock.now
        async let first = resolver.lookupTLSA(Self.name("sensor1._device.example.com"))
        async let second = resolver.lookupTLSA(Self.name("sensor2._device.example.com"))
        let answers = await [first, second]
        let elapsed = clock.now - start

        for answer in answers { #expect(answer.result == .timedOut) }
        #expect(elapsed >= .milliseconds(950))
        #expect(elapsed < .milliseconds(1500))

        // The resolver stays usable after cancelling: a later query gets its own deadline.
        let again = await resolver.lookupTLSA(Self.name("sensor4._device.example.com"))
        #expect(again.result == .timedOut)
    }

    @Test func test_moreCallersThanSlots_areAllAnswered() async throws {
        let resolver = try UnboundResolver(dns: Self.labDNS(), maxInFlight: 2)
        let names = ["sensor1", "sensor2", "sensor3", "sensor4", "nosuch", "nodata"].map {
            Self.name("\($0)._device.example.com")
        }
        let answers = await withTaskGroup(of: TLSAAnswer.self) { group in
            for name in names + names { group.addTask { await resolver.lookupTLSA(name) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 12)
        for answer in answers {
            #expect(try Self.response(answer).security == .secure, "\(answer.name)")
        }
    }

    @Test func test_missingTrustAnchorFile_isASetupError() throws {
        var dns = Self.labDNS()
        dns.trustAnchorFile = Lab.path("dns/no-such-trust-anchors")
        #expect(throws: ResolverSetupError.self) { try UnboundResolver(dns: dns, maxInFlight: 4) }
        #expect(throws: ResolverSetupError.self) {
            try UnboundLookup.tlsa(
                Self.name("sensor1._device.example.com"), dns: dns, deadline: Deadline(after: .seconds(1)))
        }
        do {
            _ = try UnboundResolver(dns: dns, maxInFlight: 4)
        } catch {
            #expect(error.description.contains("no-such-trust-anchors"))
        }
    }

    @Test func test_trustAnchorFileWithOnlyComments_isASetupError() throws {
        let path = Lab.path("dns/comments-only.key")
        try "; no anchors here\n\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var dns = Self.labDNS()
        dns.trustAnchorFile = path
        #expect(throws: ResolverSetupError.trustAnchorEmpty(path: path)) {
            try UnboundResolver(dns: dns, maxInFlight: 4)
        }
    }

    @Test func test_unboundConf_aloneConfiguresForwardingAndAnchors() async throws {
        var dns = Self.labDNS()
        dns.forwarders = []
        dns.unboundConf = Lab.path("dns/unbound.conf")
        let resolver = try UnboundResolver(dns: dns, maxInFlight: 4)
        let response = try Self.response(await resolver.lookupTLSA(Self.name("sensor1._device.example.com")))
        #expect(response.security == .secure)
        #expect(Self.kinds(response) == ["3 0 0"])
    }

    @Test func test_withdrawnRecord_disappearsFromTheNextLookup() async throws {
        let name = Self.name("sensor4._device.example.com")
        let before = try Self.response(await UnboundResolver(dns: Self.labDNS(), maxInFlight: 4).lookupTLSA(name))
        #expect(before.security == .secure)
        #expect(Self.kinds(before) == ["3 0 0"])

        #expect(Lab.script("dns.sh", "withdraw", Lab.directory.path, name.text) == 0)
        defer { Lab.script("dns.sh", "restore", Lab.directory.path, name.text) }

        // A fresh resolver has a cold cache, as the next sync pass and every hook run do.
        let after = try Self.response(await UnboundResolver(dns: Self.labDNS(), maxInFlight: 4).lookupTLSA(name))
        #expect(after.records.isEmpty)
        #expect(after.security == .secure, "the absence is proven, not merely unanswered")
        #expect(after.rcode == .nameError || after.isNoData)
    }

    @Test func test_oneShotTLSALookup_answersSecure_forTheHook() throws {
        let answer = try UnboundLookup.tlsa(
            Self.name("sensor1._device.example.com"), dns: Self.labDNS(), deadline: Deadline(after: .seconds(2)))
        let response = try Self.response(answer)
        #expect(response.security == .secure)
        #expect(Self.kinds(response) == ["3 0 0"])
    }

    @Test func test_oneShotTLSALookup_timesOut_againstASilentForwarder() throws {
        let silent = try SilentUDPServer()
        defer { silent.close() }
        var dns = Self.labDNS()
        dns.forwarders = ["127.0.0.1@\(silent.port)"]
        let clock = ContinuousClock()
        let start = clock.now
        let answer = try UnboundLookup.tlsa(
            Self.name("sensor1._device.example.com"), dns: dns, deadline: Deadline(after: .milliseconds(500)))
        let elapsed = clock.now - start
        #expect(answer.result == .timedOut)
        #expect(elapsed < .milliseconds(1000))
    }
}
