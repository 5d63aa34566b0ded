import DANECore
import DANETestSupport
import Testing

@testable import DANEResolve

/// libunbound's event-mode answers (a DNS message, RFC 1035 §4.1) read as threaded mode's
/// `ub_result` was: the message's RCODE, the TLSA (or, for `zone-anchors`, DS) rdata at the
/// query name after its CNAMEs, and the least TTL — on messages built here byte by byte.
struct EventAnswerTests {
    static let query = "a._device.example.com"

    static func name(_ text: String) -> [UInt8] {
        text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    static func record(_ owner: String, type: UInt16, ttl: UInt32, rdata: [UInt8]) -> [UInt8] {
        name(owner) + be16(type) + be16(1) + be16(UInt16(ttl >> 16)) + be16(UInt16(ttl & 0xffff))
            + be16(UInt16(rdata.count)) + rdata
    }

    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }

    /// A response to `query` of `type` (TLSA unless given) with `rcode` and the given answer records.
    static func message(rcode: UInt8 = 0, type: UInt16 = 52, answers: [[UInt8]]) -> [UInt8] {
        [0, 0, 0x81, 0x80 | rcode] + be16(1) + be16(UInt16(answers.count)) + be16(0) + be16(0)
            + name(query) + be16(type) + be16(1) + answers.joined()
    }

    static let tlsa: [UInt8] = [3, 1, 1] + [UInt8](repeating: 0xab, count: 32)

    static func answer(_ packet: [UInt8]?, rcode: Int32 = 0, security: Int32 = 2) throws -> TLSAAnswer {
        let name = try DeviceName(query)
        guard let packet else {
            return TLSAAnswer(name: name, event: EventAnswer(rcode: rcode, packet: nil, security: security))
        }
        return packet.withUnsafeBytes {
            TLSAAnswer(name: name, event: EventAnswer(rcode: rcode, packet: $0, security: security))
        }
    }

    static func response(_ answer: TLSAAnswer) throws -> DNSResponse {
        guard case .response(let response) = answer.result else {
            throw Command.Failure("not a response: \(answer.result)")
        }
        return response
    }

    @Test func test_recordsAtTheQueryName_afterItsCNAME_withTheLeastTTL() throws {
        let packet = Self.message(answers: [
            Self.record(Self.query, type: 5, ttl: 300, rdata: Self.name("b._device.example.com")),
            Self.record("b._device.example.com", type: 52, ttl: 60, rdata: Self.tlsa),
            Self.record("c._device.example.com", type: 52, ttl: 30, rdata: Self.tlsa),
        ])
        let response = try Self.response(Self.answer(packet))
        #expect(response.rcode == .noError)
        #expect(response.security == .secure)
        #expect(response.records == [try TLSARecord(rdata: Self.tlsa)], "only the CNAME target's record")
        #expect(response.ttl == 30, "no longer than any record in the answer")
    }

    @Test func test_truncatedRdata_isMalformed_notDropped() throws {
        let packet = Self.message(answers: [Self.record(Self.query, type: 52, ttl: 60, rdata: [3, 1, 1, 0xab])])
        let response = try Self.response(Self.answer(packet))
        #expect(response.records.isEmpty)
        #expect(response.malformed.count == 1)
    }

    @Test func test_nxdomain_isTheMessagesRcode_andBogusStaysBogus() throws {
        let nxdomain = try Self.response(Self.answer(Self.message(rcode: 3, answers: [])))
        #expect(nxdomain.rcode == .nameError)
        #expect(nxdomain.security == .secure)
        #expect(nxdomain.ttl == 0)
        let bogus = try Self.response(
            Self.answer(
                Self.message(answers: [Self.record(Self.query, type: 52, ttl: 60, rdata: Self.tlsa)]), security: 1))
        #expect(bogus.security == .bogus)
        let indeterminate = try Self.response(Self.answer(Self.message(answers: []), security: 0))
        #expect(indeterminate.security == .insecure)
    }

    @Test func test_libunboundsOwnFailure_isItsRcode_andGarbageFails() throws {
        let failed = try Self.response(Self.answer(nil, rcode: 2, security: 0))
        #expect(failed.rcode == .serverFailure)
        #expect(failed.records.isEmpty)
        let garbage = try Self.answer([0x12, 0x34, 0x81])
        guard case .failed(let why) = garbage.result else {
            Issue.record("garbage answered \(garbage.result)")
            return
        }
        #expect(why.contains("does not parse"))
    }

    /// A bogus verdict is never lost to a message ldns cannot read (it would count as
    /// unavailable: accepted on the trust map alone with `live_check: if-available`); and no
    /// error without a message is no answer, not NODATA.
    @Test func test_bogusUnreadableMessage_staysBogus_andNoMessageIsNoAnswer() throws {
        let answer = try Self.answer([0x12, 0x34, 0x81], security: 1)
        let bogus = try Self.response(answer)
        #expect(bogus.security == .bogus)
        #expect(bogus.records.isEmpty)
        guard case .bogus = answer.classify(requireDNSSEC: true) else {
            Issue.record("classified \(answer.classify(requireDNSSEC: true))")
            return
        }
        let nothing = try Self.answer(nil, rcode: 0, security: 2)
        guard case .failed(let why) = nothing.result else {
            Issue.record("no message answered \(nothing.result)")
            return
        }
        #expect(why.contains("neither an error nor a message"))
    }

    /// The agent's DS lookups (`zone-anchors`) read the same messages for type 43 (RFC 4034 §5).
    @Test func test_delegationSigners_areTheDSRdata_withTheVerdictBeside() {
        let ds1: [UInt8] = [0x57, 0xcf, 13, 2] + [UInt8](repeating: 0x2e, count: 32)
        let ds2: [UInt8] = [0x12, 0x34, 13, 2] + [UInt8](repeating: 0x3f, count: 32)
        func raw(_ packet: [UInt8]?, rcode: Int32 = 0, security: Int32 = 2) -> RawAnswer.Outcome {
            guard let packet else {
                return RawAnswer(event: EventAnswer(rcode: rcode, packet: nil, security: security), type: 43).outcome
            }
            return packet.withUnsafeBytes {
                RawAnswer(event: EventAnswer(rcode: rcode, packet: $0, security: security), type: 43).outcome
            }
        }
        let signed = Self.message(
            type: 43,
            answers: [
                Self.record(Self.query, type: 43, ttl: 3600, rdata: ds1),
                Self.record(Self.query, type: 52, ttl: 60, rdata: Self.tlsa),
                Self.record(Self.query, type: 43, ttl: 3600, rdata: ds2),
            ])
        #expect(raw(signed) == .response(rcode: .noError, security: .secure, records: [ds1, ds2]))
        #expect(raw(signed, security: 1) == .response(rcode: .noError, security: .bogus, records: [ds1, ds2]))
        #expect(raw(Self.message(type: 43, answers: [])) == .response(rcode: .noError, security: .secure, records: []))
        #expect(raw(nil, rcode: 2, security: 0) == .response(rcode: .serverFailure, security: .insecure, records: []))
        guard case .failed(let why) = raw([0x12, 0x34, 0x81]) else {
            Issue.record("garbage answered")
            return
        }
        #expect(why.contains("does not parse"))
    }
}
