import CUnbound
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

    /// Frees `result`.
    init(unboundError err: Int32, result: UnsafeMutablePointer<ub_result>?) {
        defer { if let result { ub_resolve_free(result) } }
        guard err == 0, let result else {
            outcome = .failed(err == 0 ? "libunbound returned no result" : unboundErrorText(err))
            return
        }
        let r = result.pointee
        var records: [[UInt8]] = []
        if r.havedata != 0, let data = r.data, let lengths = r.len {
            var index = 0
            while let item = data[index] {
                let count = Int(lengths[index])
                records.append(
                    item.withMemoryRebound(to: UInt8.self, capacity: count) {
                        Array(UnsafeBufferPointer(start: $0, count: count))
                    })
                index += 1
            }
        }
        outcome = .response(
            rcode: DNSRcode(Int(r.rcode)), security: r.secure == 1 ? .secure : r.bogus == 1 ? .bogus : .insecure,
            records: records)
    }
}
