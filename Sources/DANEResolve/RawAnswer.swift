import DANECore

/// RFC 4034 §5: the DS resource record type.
let dsRRType: Int32 = 43

/// A validated answer of any type as libunbound gives it: the rcode, the DNSSEC state and each
/// record's rdata (the agent's DS lookups for ``ZoneAnchors``).
public struct RawAnswer: Sendable {
    public enum Outcome: Sendable, Equatable {
        case response(rcode: DNSRcode, security: DNSSECState, records: [[UInt8]])
        case timedOut
        case failed(String)
    }

    public var outcome: Outcome

    public init(outcome: Outcome) { self.outcome = outcome }

    /// The `type` records in one event-mode callback (``EventAnswer``).
    init(event: EventAnswer, type: Int32) {
        switch event.message(type: type) {
        case nil: outcome = .response(rcode: DNSRcode(Int(event.rcode)), security: event.state, records: [])
        case .failure(let unparsable): outcome = .failed(unparsable.description)
        case .success(let message):
            outcome = .response(rcode: DNSRcode(Int(message.rcode)), security: event.state, records: message.rdata)
        }
    }
}
