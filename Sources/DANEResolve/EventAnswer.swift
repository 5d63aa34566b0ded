import CDNSAnswer
import DANECore

/// What libunbound's event-mode callback (`ub_event_callback_type`, unbound-event.h) hands
/// over: its own failure as an RCODE, else the validated response as a DNS message, with the
/// DNSSEC verdict beside it (2 secure, 1 bogus, 0 anything else).
package struct EventAnswer {
    package var rcode: Int32
    /// Valid only during the callback.
    package var packet: UnsafeRawBufferPointer?
    package var security: Int32
    package var whyBogus: String?

    package init(rcode: Int32, packet: UnsafeRawBufferPointer?, security: Int32, whyBogus: String? = nil) {
        self.rcode = rcode
        self.packet = packet
        self.security = security
        self.whyBogus = whyBogus
    }

    /// The callback's own arguments (`ub_event_callback_type`), valid during the callback.
    package init(
        rcode: Int32, packet: UnsafeMutableRawPointer?, length: Int32, security: Int32,
        whyBogus: UnsafeMutablePointer<CChar>?
    ) {
        self.init(
            rcode: rcode, packet: packet.map { UnsafeRawBufferPointer(start: $0, count: Int(max(0, length))) },
            security: security, whyBogus: whyBogus.map { String(cString: $0) })
    }

    /// RFC 4035 §4.3: only a secure verdict is secure (a tampered answer still carries its
    /// records, with the bogus verdict); anything else is insecure.
    var state: DNSSECState { security == 2 ? .secure : security == 1 ? .bogus : .insecure }

    /// The message read by ldns: its RCODE, the least TTL of the answer and authority sections,
    /// and the rdata of the `type` records at the query name after its CNAMEs. `nil` for
    /// libunbound's own failure (a non-zero ``rcode``, no message); `.failure` when there is no
    /// message without such a failure, or it does not parse.
    func message(type: Int32) -> Result<(rcode: Int32, ttl: UInt32, rdata: [[UInt8]]), Unparsable>? {
        guard rcode == 0 else { return nil }
        guard let packet, let start = packet.baseAddress else {
            return .failure(Unparsable(description: "libunbound returned neither an error nor a message"))
        }
        var parsed = dsync_dns_answer()
        guard
            dsync_dns_answer_parse(start.assumingMemoryBound(to: UInt8.self), packet.count, UInt16(type), &parsed) == 0
        else { return .failure(Unparsable(description: "libunbound's answer does not parse as a DNS message")) }
        defer { dsync_dns_answer_free(&parsed) }
        let rdata = (0..<parsed.count).map {
            Array(UnsafeBufferPointer(start: parsed.rdata[$0], count: parsed.sizes[$0]))
        }
        return .success((parsed.rcode, parsed.ttl, rdata))
    }

    struct Unparsable: Error {
        let description: String
    }
}

extension TLSAAnswer {
    /// The TLSA answer in one event-mode callback. A non-zero `rcode` is libunbound's own
    /// failure (SERVFAIL, no message); otherwise the RCODE is the message's, so a proven
    /// non-existence is `secure` with rcode 3.
    package init(name: DeviceName, event: EventAnswer) {
        switch event.message(type: tlsaRRType) {
        case nil:
            self.init(
                name: name,
                result: .response(
                    DNSResponse(
                        rcode: DNSRcode(Int(event.rcode)), security: event.state, whyBogus: event.whyBogus,
                        records: [], malformed: [], ttl: 0)))
        case .failure(let unparsable) where event.state == .bogus:
            // Bogus stays bogus (RFC 4035 §4.3), even when ldns cannot read what libunbound
            // refused: as `.failed` it would count as unavailable — accepted on the trust map
            // alone with `live_check: if-available`, kept stale by the agent.
            self.init(
                name: name,
                result: .response(
                    DNSResponse(
                        rcode: .noError, security: .bogus, whyBogus: event.whyBogus, records: [],
                        malformed: [unparsable.description], ttl: 0)))
        case .failure(let unparsable):
            self.init(name: name, result: .failed(unparsable.description))
        case .success(let message):
            let (records, malformed) = DNSResponse.tlsaRecords(message.rdata)
            self.init(
                name: name,
                result: .response(
                    DNSResponse(
                        rcode: DNSRcode(Int(message.rcode)), security: event.state, whyBogus: event.whyBogus,
                        records: records, malformed: malformed, ttl: message.ttl)))
        }
    }
}
