import DANECore
import Testing

/// The fault matrix of a sync pass (design.md "Protocol facts", "Configuration" `sync.grace`, "Outputs" states), as values.
struct NameDecisionTests {
    static let name = try! DeviceName("sensor1._device.example.com")
    static let certificate = TLSARecord(
        usage: .daneEE, selector: .cert, matchingType: .full, data: [0x30, 0x03, 0x01, 0x02, 0x03])
    static let pin = TLSARecord(
        usage: .daneEE, selector: .spki, matchingType: .sha256, data: [UInt8](repeating: 7, count: 32))
    static let hashA = String(repeating: "a", count: 64)
    static let hashB = String(repeating: "b", count: 64)
    static let caRoot = String(repeating: "c", count: 64)
    static let caInt = String(repeating: "d", count: 64)

    static func answer(
        _ rcode: DNSRcode = .noError, _ security: DNSSECState = .secure, records: [TLSARecord] = [certificate],
        malformed: [String] = [], whyBogus: String? = nil
    ) -> TLSAAnswer {
        TLSAAnswer(
            name: name,
            result: .response(
                DNSResponse(
                    rcode: rcode, security: security, whyBogus: whyBogus, records: records, malformed: malformed,
                    ttl: 300)))
    }

    static func accepted(_ hash: String = hashA, cas: [String] = [caInt, caRoot]) -> CandidateCertificate {
        CandidateCertificate(record: certificate, hash: hash, verdict: .accepted(caFingerprints: cas))
    }

    static func failed(
        _ why: String = "GET https://device.example.com/.well-known/ca/3f.pem: HTTP 404"
    ) -> CandidateCertificate {
        CandidateCertificate(record: certificate, hash: hashB, verdict: .discoveryFailed(why))
    }

    static func unusable(_ why: String = "SAN lacks sensor1._device.example.com") -> CandidateCertificate {
        CandidateCertificate(record: certificate, hash: hashB, verdict: .unusable(why))
    }

    static func decide(
        _ answer: TLSAAnswer, requireDNSSEC: Bool = true, _ candidates: [CandidateCertificate] = [accepted()]
    ) -> NameOutcome {
        NameDecision.decide(answer: answer, requireDNSSEC: requireDNSSEC, candidates: candidates)
    }

    /// The reason text of a non-ok outcome.
    static func reason(_ outcome: NameOutcome) -> String {
        switch outcome {
        case .ok: return ""
        case .withdrawn(let why), .bogus(let why), .insecure(let why), .error(let why): return why
        }
    }

    // MARK: decide

    @Test func test_secureRecord_withAcceptedCandidate_isOK() {
        #expect(
            Self.decide(Self.answer())
                == .ok(NameAcceptance(hashes: [Self.hashA], pins: [], caFingerprints: [Self.caInt, Self.caRoot])))
    }

    @Test func test_bogusAnswer_isBogus_evenWithRecordsAndAcceptedCandidates() {
        let outcome = Self.decide(Self.answer(.noError, .bogus, whyBogus: "signature expired"))
        guard case .bogus(let why) = outcome else {
            Issue.record("expected bogus, got \(outcome)")
            return
        }
        #expect(why.contains("signature expired") && why.contains("sensor1._device.example.com"))
        guard case .bogus = Self.decide(Self.answer(.nameError, .bogus), requireDNSSEC: false) else {
            Issue.record("a bogus NXDOMAIN must be bogus")
            return
        }
        guard case .bogus = Self.decide(Self.answer(.serverFailure, .bogus)) else {
            Issue.record("a bogus SERVFAIL must be bogus")
            return
        }
    }

    @Test func test_insecureAnswer_isInsecure_whenDNSSECIsRequired() {
        let outcome = Self.decide(Self.answer(.noError, .insecure), requireDNSSEC: true)
        guard case .insecure(let why) = outcome else {
            Issue.record("expected insecure, got \(outcome)")
            return
        }
        #expect(why.contains("require_dnssec"))
    }

    @Test func test_insecureAnswer_isOK_whenDNSSECIsNotRequired() {
        guard case .ok(let acceptance) = Self.decide(Self.answer(.noError, .insecure), requireDNSSEC: false) else {
            Issue.record("expected ok")
            return
        }
        #expect(acceptance.hashes == [Self.hashA])
    }

    @Test func test_secureNXDOMAIN_isWithdrawn() {
        let outcome = Self.decide(Self.answer(.nameError, records: []), [])
        guard case .withdrawn(let why) = outcome else {
            Issue.record("expected withdrawn, got \(outcome)")
            return
        }
        #expect(why.contains("NXDOMAIN"))
    }

    @Test func test_insecureNXDOMAIN_isWithdrawn_whenDNSSECIsNotRequired_andInsecure_whenItIs() {
        guard case .withdrawn = Self.decide(Self.answer(.nameError, .insecure, records: []), requireDNSSEC: false, [])
        else {
            Issue.record("expected withdrawn")
            return
        }
        guard case .insecure = Self.decide(Self.answer(.nameError, .insecure, records: []), requireDNSSEC: true, [])
        else {
            Issue.record("expected insecure")
            return
        }
    }

    @Test func test_secureNODATA_isWithdrawn() {
        let outcome = Self.decide(Self.answer(.noError, records: []), [])
        guard case .withdrawn(let why) = outcome else {
            Issue.record("expected withdrawn, got \(outcome)")
            return
        }
        #expect(why.contains("NODATA"))
    }

    @Test(arguments: [DNSRcode.serverFailure, .refused, .other(4)])
    func test_failureRcode_isError_notInsecure(_ rcode: DNSRcode) {
        // unbound reports SERVFAIL as neither secure nor bogus: it must not count as insecure.
        for security in [DNSSECState.secure, .insecure] {
            let outcome = Self.decide(Self.answer(rcode, security, records: []), [])
            guard case .error(let why) = outcome else {
                Issue.record("expected error for \(rcode) \(security), got \(outcome)")
                continue
            }
            #expect(why.contains(rcode.description))
        }
    }

    @Test func test_timeout_isError() {
        let outcome = Self.decide(TLSAAnswer(name: Self.name, result: .timedOut), [])
        #expect(outcome == .error("DNS lookup of sensor1._device.example.com timed out"))
    }

    @Test func test_resolverFailure_isError() {
        let outcome = Self.decide(TLSAAnswer(name: Self.name, result: .failed("out of memory")), [])
        guard case .error(let why) = outcome else {
            Issue.record("expected error, got \(outcome)")
            return
        }
        #expect(why.contains("out of memory"))
    }

    @Test func test_discoveryFailure_isError_soGraceApplies() {
        let outcome = Self.decide(
            Self.answer(), [Self.failed("CA at https://device.example.com/.well-known/ca/3f.pem has SKI ab, wanted 3f")]
        )
        guard case .error(let why) = outcome else {
            Issue.record("expected error, got \(outcome)")
            return
        }
        #expect(why.contains("wanted 3f"))
    }

    @Test func test_SANUnusableOnly_isWithdrawn_withTheReason() {
        let outcome = Self.decide(Self.answer(), [Self.unusable()])
        guard case .withdrawn(let why) = outcome else {
            Issue.record("expected withdrawn, got \(outcome)")
            return
        }
        #expect(why.contains("SAN lacks sensor1._device.example.com"))
    }

    @Test func test_pinsOnly_isOKWithPins() {
        let outcome = Self.decide(Self.answer(records: [Self.pin]), [])
        #expect(outcome == .ok(NameAcceptance(hashes: [], pins: [Self.pin], caFingerprints: [])))
    }

    @Test func test_acceptedCandidate_carriesThePinsToo() {
        let outcome = Self.decide(Self.answer(records: [Self.certificate, Self.pin]), [Self.accepted()])
        #expect(
            outcome
                == .ok(
                    NameAcceptance(hashes: [Self.hashA], pins: [Self.pin], caFingerprints: [Self.caInt, Self.caRoot])))
    }

    @Test func test_oneAcceptedAmongSeveralFailing_isOK_withOnlyTheAcceptedHash() {
        let outcome = Self.decide(
            Self.answer(records: [Self.certificate, Self.certificate, Self.certificate]),
            [Self.failed(), Self.unusable(), Self.accepted(Self.hashA, cas: [Self.caRoot])])
        #expect(outcome == .ok(NameAcceptance(hashes: [Self.hashA], pins: [], caFingerprints: [Self.caRoot])))
    }

    @Test func test_onlyRecordsOfUnusedKinds_isWithdrawn_namingThem() {
        let spkiFull = TLSARecord(usage: .daneEE, selector: .spki, matchingType: .full, data: [1, 2, 3])
        let outcome = Self.decide(Self.answer(records: [spkiFull]), [])
        guard case .withdrawn(let why) = outcome else {
            Issue.record("expected withdrawn, got \(outcome)")
            return
        }
        #expect(why.contains("records not used") && why.contains("3 1 0"))
    }

    @Test func test_onlyMalformedRecords_isWithdrawn_namingTheProblem() {
        let outcome = Self.decide(Self.answer(records: [], malformed: ["TLSA rdata is 2 octets"]), [])
        guard case .withdrawn(let why) = outcome else {
            Issue.record("expected withdrawn, got \(outcome)")
            return
        }
        #expect(why.contains("TLSA rdata is 2 octets"))
    }

    @Test func test_acceptance_isSortedAndDeduplicated() {
        let acceptance = NameAcceptance(
            hashes: [Self.hashB, Self.hashA, Self.hashB], pins: [Self.pin, Self.pin],
            caFingerprints: [Self.caRoot, Self.caInt, Self.caRoot])
        #expect(acceptance.hashes == [Self.hashA, Self.hashB])
        #expect(acceptance.pins == [Self.pin])
        #expect(acceptance.caFingerprints == [Self.caRoot, Self.caInt].sorted())
    }

    // MARK: advance (grace)

    static let grace: Int64 = 3600
    static let okOutcome = NameOutcome.ok(NameAcceptance(hashes: [hashA], pins: [pin], caFingerprints: [caRoot]))

    static func advance(_ previous: NameRecord?, _ outcome: NameOutcome, at now: Int64) -> NameRecord {
        NameRecord.advance(previous, name: name, outcome: outcome, now: now, grace: grace)
    }

    @Test func test_ok_publishesTheHashes_andSinceIsKeptWhileOK() {
        let first = Self.advance(nil, Self.okOutcome, at: 1000)
        #expect(first.state == .ok)
        #expect(first.hashes == [Self.hashA])
        #expect(first.pins == [Self.pin])
        #expect(first.caFingerprints == [Self.caRoot])
        #expect(first.since == 1000)
        #expect(first.lastOK == 1000)
        #expect(first.isPublished)
        let second = Self.advance(first, Self.okOutcome, at: 1300)
        #expect(second.since == 1000)
        #expect(second.lastOK == 1300)
    }

    @Test func test_errorWithinGrace_afterOK_isStale_keepingTheHashes() {
        let ok = Self.advance(nil, Self.okOutcome, at: 1000)
        let stale = Self.advance(ok, .error("SERVFAIL"), at: 1000 + Self.grace)
        #expect(stale.state == .stale)
        #expect(stale.hashes == [Self.hashA])
        #expect(stale.pins == [Self.pin])
        #expect(stale.isPublished)
        #expect(stale.since == 1000 + Self.grace)
        #expect(stale.lastOK == 1000)
        #expect(stale.lastError == "SERVFAIL")
    }

    @Test func test_staleThroughRepeatedErrors_keepsItsSince_untilGraceEnds() {
        let ok = Self.advance(nil, Self.okOutcome, at: 1000)
        let stale1 = Self.advance(ok, .error("timeout"), at: 1300)
        let stale2 = Self.advance(stale1, .error("timeout again"), at: 1600)
        #expect(stale2.state == .stale)
        #expect(stale2.since == 1300)
        #expect(stale2.lastError == "timeout again")
        let expired = Self.advance(stale2, .error("still failing"), at: 1000 + Self.grace + 1)
        #expect(expired.state == .error)
        #expect(expired.hashes.isEmpty && expired.pins.isEmpty && expired.caFingerprints.isEmpty)
        #expect(!expired.isPublished)
        #expect(expired.since == 1000 + Self.grace + 1)
        #expect(expired.lastOK == 1000)
    }

    @Test func test_errorAfterGrace_isError_withNoHashes() {
        let ok = Self.advance(nil, Self.okOutcome, at: 1000)
        let error = Self.advance(ok, .error("SERVFAIL"), at: 1000 + Self.grace + 1)
        #expect(error.state == .error)
        #expect(error.hashes.isEmpty)
        #expect(!error.isPublished)
        #expect(error.lastError == "SERVFAIL")
    }

    @Test func test_errorWithoutHistory_isError_andSinceIsKept() {
        let first = Self.advance(nil, .error("timeout"), at: 1000)
        #expect(first.state == .error)
        #expect(first.lastOK == nil)
        let second = Self.advance(first, .error("timeout"), at: 1300)
        #expect(second.since == 1000)
    }

    @Test func test_withdrawnBogusOrInsecure_afterOK_dropAtOnce() {
        let ok = Self.advance(nil, Self.okOutcome, at: 1000)
        for (outcome, state) in [
            (NameOutcome.withdrawn("NXDOMAIN"), NameRecord.State.withdrawn), (.bogus("bad sig"), .bogus),
            (.insecure("unsigned"), .insecure),
        ] {
            let next = Self.advance(ok, outcome, at: 1001)
            #expect(next.state == state)
            #expect(next.hashes.isEmpty && next.pins.isEmpty)
            #expect(!next.isPublished)
            #expect(next.since == 1001)
            #expect(next.lastOK == 1000)
            #expect(next.lastError == Self.reason(outcome))
            // and the state's since is kept while it holds
            #expect(Self.advance(next, outcome, at: 2000).since == 1001)
        }
    }

    @Test func test_withdrawnDuringStale_dropsAtOnce() {
        let ok = Self.advance(nil, Self.okOutcome, at: 1000)
        let stale = Self.advance(ok, .error("timeout"), at: 1100)
        let withdrawn = Self.advance(stale, .withdrawn("NODATA"), at: 1200)
        #expect(withdrawn.state == .withdrawn)
        #expect(!withdrawn.isPublished)
    }

    @Test func test_okAfterStale_isOK_sinceRestarts() {
        let ok = Self.advance(nil, Self.okOutcome, at: 1000)
        let stale = Self.advance(ok, .error("timeout"), at: 1100)
        let again = Self.advance(stale, Self.okOutcome, at: 1200)
        #expect(again.state == .ok)
        #expect(again.since == 1200)
        #expect(again.lastError == nil)
    }

    @Test func test_nameWithOnlyTrustAnchorRecords_isError_notOK() {
        let anchors = [
            TLSARecord(usage: .daneTA, selector: .spki, matchingType: .sha256, data: [UInt8](repeating: 1, count: 32)),
            TLSARecord(usage: .pkixTA, selector: .cert, matchingType: .full, data: [0x30, 0x00]),
        ]
        let outcome = NameDecision.decide(answer: Self.answer(records: anchors), requireDNSSEC: true, candidates: [])
        guard case .error(let why) = outcome else {
            Issue.record("expected error, got \(outcome)")
            return
        }
        #expect(why.contains("only trust-anchor records"), "\(why)")
    }
}
