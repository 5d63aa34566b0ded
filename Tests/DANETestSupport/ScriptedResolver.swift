import DANECore
import DANEResolve
import Foundation

/// A ``Resolver`` that answers from a script the test writes: per name, the result the next
/// lookups get. Names without a script get a secure NXDOMAIN. Counts lookups per name.
public final class ScriptedResolver: Resolver, @unchecked Sendable {
    private let lock = NSLock()
    private var results: [DeviceName: TLSAAnswer.Result] = [:]
    private var counts: [DeviceName: Int] = [:]
    private var lookupsLeft: Int?

    public init() {}

    /// From now on, `name` is answered with `result`.
    public func answer(_ name: DeviceName, with result: TLSAAnswer.Result) {
        lock.withLock { results[name] = result }
    }

    /// From now on, `name` publishes `records` under DNSSEC state `security`.
    public func publish(_ name: DeviceName, _ records: [TLSARecord], security: DNSSECState = .secure) {
        answer(name, with: .response(DNSResponse(rcode: .noError, security: security, records: records, ttl: 300)))
    }

    public func lookups(of name: DeviceName) -> Int { lock.withLock { counts[name] ?? 0 } }

    /// The server stops in the middle of a pass: the next `lookups` lookups are answered from
    /// the script, every later one times out.
    public func stop(afterLookups lookups: Int) { lock.withLock { lookupsLeft = lookups } }

    public func lookupTLSA(_ name: DeviceName) async -> TLSAAnswer {
        lock.withLock {
            counts[name, default: 0] += 1
            if let left = lookupsLeft {
                guard left > 0 else { return TLSAAnswer(name: name, result: .timedOut) }
                lookupsLeft = left - 1
            }
            return TLSAAnswer(
                name: name, result: results[name] ?? .response(DNSResponse(rcode: .nameError, security: .secure)))
        }
    }
}

extension TLSAAnswer.Result {
    public static let servfail = TLSAAnswer.Result.response(DNSResponse(rcode: .serverFailure, security: .insecure))
    public static let nxdomain = TLSAAnswer.Result.response(DNSResponse(rcode: .nameError, security: .secure))
    public static let nodata = TLSAAnswer.Result.response(DNSResponse(rcode: .noError, security: .secure))
}
