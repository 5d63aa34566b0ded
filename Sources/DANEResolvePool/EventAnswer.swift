import CDNSAnswer
import DANECore
import DANEResolve

/// What libunbound's event-mode callback (`ub_event_callback_type`, unbound-event.h) hands
/// over: its own failure as an RCODE, else the validated response as a DNS message, with the
/// DNSSEC verdict beside it (2 secure, 1 bogus, 0 anything else).
struct EventAnswer {
    var rcode: Int32
    /// Valid only during the callback.
    var packet: UnsafeRawBufferPointer?
    var security: Int32
    var whyBogus: String?
}

extension TLSAAnswer {
    /// The same answer threaded mode's `ub_result` gave (``DNSResponse/init(unbound:)``).
    ///
    /// Security follows RFC 4035 §4.3: only a secure verdict is secure (a tampered answer still
    /// carries its records, with the bogus verdict); anything else is insecure. A non-zero
    /// `rcode` is libunbound's own failure (SERVFAIL, no message); otherwise the RCODE is the
    /// message's, so a proven non-existence is `secure` with rcode 3.
    init(name: DeviceName, event: EventAnswer) {
        let security: DNSSECState = event.security == 2 ? .secure : event.security == 1 ? .bogus : .insecure
        guard event.rcode == 0, let packet = event.packet, let start = packet.baseAddress else {
            self.init(
                name: name,
                result: .response(
                    DNSResponse(
                        rcode: DNSRcode(Int(event.rcode)), security: security, whyBogus: event.whyBogus, records: [],
                        malformed: [], ttl: 0)))
            return
        }
        var parsed = dsync_dns_answer()
        guard
            dsync_dns_answer_parse(
                start.assumingMemoryBound(to: UInt8.self), packet.count, UInt16(tlsaRRType), &parsed) == 0
        else {
            self.init(name: name, result: .failed("libunbound's answer does not parse as a DNS message"))
            return
        }
        defer { dsync_dns_answer_free(&parsed) }
        let (records, malformed) = DNSResponse.tlsaRecords(
            (0..<parsed.count).map { Array(UnsafeBufferPointer(start: parsed.rdata[$0], count: parsed.sizes[$0])) })
        self.init(
            name: name,
            result: .response(
                DNSResponse(
                    rcode: DNSRcode(Int(parsed.rcode)), security: security, whyBogus: event.whyBogus,
                    records: records, malformed: malformed, ttl: parsed.ttl)))
    }
}
