/// What a validating resolver says about the TLSA RRset at a name: everything the per-name
/// decision and the live check need, and nothing about how it was obtained.
public struct TLSAAnswer: Equatable, Sendable {
    public enum Result: Equatable, Sendable {
        /// A DNS response arrived (any rcode).
        case response(DNSResponse)
        /// No response within the configured timeout.
        case timedOut
        /// The resolver itself failed (unbound error text).
        case failed(String)
    }

    public var name: DeviceName
    public var result: Result

    public init(name: DeviceName, result: Result) {
        self.name = name
        self.result = result
    }
}

/// A DNS response, after local DNSSEC validation.
public struct DNSResponse: Equatable, Sendable {
    public var rcode: DNSRcode
    public var security: DNSSECState
    /// libunbound's `why_bogus`, for bogus answers.
    public var whyBogus: String?
    /// The TLSA records that parsed.
    public var records: [TLSARecord]
    /// Records that did not parse, with the reason.
    public var malformed: [String]
    /// TTL of the RRset (0 when there is no data).
    public var ttl: UInt32

    public init(
        rcode: DNSRcode, security: DNSSECState, whyBogus: String? = nil, records: [TLSARecord] = [],
        malformed: [String] = [], ttl: UInt32 = 0
    ) {
        self.rcode = rcode
        self.security = security
        self.whyBogus = whyBogus
        self.records = records
        self.malformed = malformed
        self.ttl = ttl
    }

    /// NOERROR without TLSA data (RFC 2308 §2.2 NODATA).
    public var isNoData: Bool { rcode == .noError && records.isEmpty && malformed.isEmpty }
}

/// RFC 1035 §4.1.1 response codes the decision distinguishes.
public enum DNSRcode: Equatable, Sendable, CustomStringConvertible {
    case noError
    case serverFailure
    case nameError
    case refused
    case other(Int)

    public init(_ value: Int) {
        switch value {
        case 0: self = .noError
        case 2: self = .serverFailure
        case 3: self = .nameError
        case 5: self = .refused
        default: self = .other(value)
        }
    }

    public var description: String {
        switch self {
        case .noError: return "NOERROR"
        case .serverFailure: return "SERVFAIL"
        case .nameError: return "NXDOMAIN"
        case .refused: return "REFUSED"
        case .other(let v): return "RCODE\(v)"
        }
    }
}

/// RFC 4035 §4.3 security status of validated data.
public enum DNSSECState: String, Equatable, Sendable {
    case secure
    case insecure
    case bogus
}
