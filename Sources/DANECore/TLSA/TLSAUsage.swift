/// The certificate usage field of a TLSA record (RFC 6698 §2.1.1), with the acronyms of
/// RFC 7218 §2.1, plus `pkix-cd` (4, draft-wilson-dane-pkix-cd), used by the DANCE PoC for
/// "PKIX certificate published in DNS" and not IANA-assigned.
public enum TLSAUsage: Hashable, Sendable, CustomStringConvertible {
    case pkixTA
    case pkixEE
    case daneTA
    case daneEE
    case pkixCD
    case unassigned(UInt8)

    public init(_ value: UInt8) {
        switch value {
        case 0: self = .pkixTA
        case 1: self = .pkixEE
        case 2: self = .daneTA
        case 3: self = .daneEE
        case 4: self = .pkixCD
        default: self = .unassigned(value)
        }
    }

    public var value: UInt8 {
        switch self {
        case .pkixTA: return 0
        case .pkixEE: return 1
        case .daneTA: return 2
        case .daneEE: return 3
        case .pkixCD: return 4
        case .unassigned(let value): return value
        }
    }

    /// The PKIX end-entity usages, 1 PKIX-EE and 4 PKIX-CD, whose certificate must carry the
    /// identity in a SAN dNSName (design.md "Protocol facts"; RFC 6698 §2.1.1 leaves the name
    /// check to PKIX for these, and DANE-EE, 3, binds the key alone, RFC 7671 §5.1).
    public var requiresSANMatch: Bool { self == .pkixEE || self == .pkixCD }

    /// The trust-anchor usages, 0 PKIX-TA and 2 DANE-TA: they name a CA, never the device's own
    /// certificate, so they are neither pins nor discovered (RFC 7671 §5.2).
    public var isTrustAnchor: Bool { self == .pkixTA || self == .daneTA }

    public var description: String {
        switch self {
        case .pkixTA: return "pkix-ta"
        case .pkixEE: return "pkix-ee"
        case .daneTA: return "dane-ta"
        case .daneEE: return "dane-ee"
        case .pkixCD: return "pkix-cd"
        case .unassigned(let value): return "unassigned(\(value))"
        }
    }
}

/// The selector field (RFC 6698 §2.1.2, RFC 7218 §2.2).
public enum TLSASelector: Hashable, Sendable, CustomStringConvertible {
    case cert
    case spki
    case unassigned(UInt8)

    public init(_ value: UInt8) {
        switch value {
        case 0: self = .cert
        case 1: self = .spki
        default: self = .unassigned(value)
        }
    }

    public var value: UInt8 {
        switch self {
        case .cert: return 0
        case .spki: return 1
        case .unassigned(let value): return value
        }
    }

    public var description: String {
        switch self {
        case .cert: return "cert"
        case .spki: return "spki"
        case .unassigned(let value): return "unassigned(\(value))"
        }
    }
}

/// The matching type field (RFC 6698 §2.1.3, RFC 7218 §2.3).
public enum TLSAMatchingType: Hashable, Sendable, CustomStringConvertible {
    case full
    case sha256
    case sha512
    case unassigned(UInt8)

    public init(_ value: UInt8) {
        switch value {
        case 0: self = .full
        case 1: self = .sha256
        case 2: self = .sha512
        default: self = .unassigned(value)
        }
    }

    public var value: UInt8 {
        switch self {
        case .full: return 0
        case .sha256: return 1
        case .sha512: return 2
        case .unassigned(let value): return value
        }
    }

    /// Length of the association data the type implies, if fixed.
    public var digestLength: Int? {
        switch self {
        case .sha256: return 32
        case .sha512: return 64
        case .full, .unassigned: return nil
        }
    }

    public var description: String {
        switch self {
        case .full: return "full"
        case .sha256: return "sha2-256"
        case .sha512: return "sha2-512"
        case .unassigned(let value): return "unassigned(\(value))"
        }
    }
}
