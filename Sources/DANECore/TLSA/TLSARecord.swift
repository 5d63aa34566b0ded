/// One TLSA resource record's data (RFC 6698 §2.1): usage, selector, matching type and the
/// certificate association data.
public struct TLSARecord: Hashable, Sendable, CustomStringConvertible {
    public var usage: TLSAUsage
    public var selector: TLSASelector
    public var matchingType: TLSAMatchingType
    public var data: [UInt8]

    public init(usage: TLSAUsage, selector: TLSASelector, matchingType: TLSAMatchingType, data: [UInt8]) {
        self.usage = usage
        self.selector = selector
        self.matchingType = matchingType
        self.data = data
    }

    /// Parses wire-format RDATA (RFC 6698 §2.1): three octets then the association data.
    public init(rdata: [UInt8]) throws(TLSARecordError) {
        guard rdata.count >= 3 else { throw .truncated(length: rdata.count) }
        self.init(
            usage: TLSAUsage(rdata[0]), selector: TLSASelector(rdata[1]),
            matchingType: TLSAMatchingType(rdata[2]), data: Array(rdata[3...]))
        try validateLength()
    }

    /// Parses presentation format (RFC 6698 §2.2): `3 0 0 3082…`, the hex possibly split by
    /// white space or wrapped in parentheses as zone files do.
    public init(presentation: String) throws(TLSARecordError) {
        let tokens = presentation.split(whereSeparator: {
            $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "(" || $0 == ")"
        })
        guard tokens.count >= 4 else { throw .missingFields(found: tokens.count) }
        var fields: [UInt8] = []
        for (name, token) in zip(["usage", "selector", "matching type"], tokens.prefix(3)) {
            guard let value = UInt8(token) else { throw .badField(name: name, value: String(token)) }
            fields.append(value)
        }
        let hex = tokens.dropFirst(3).joined()
        guard let data = Hex.decode(hex) else { throw .badHex }
        self.init(
            usage: TLSAUsage(fields[0]), selector: TLSASelector(fields[1]),
            matchingType: TLSAMatchingType(fields[2]), data: data)
        try validateLength()
    }

    private func validateLength() throws(TLSARecordError) {
        if let expected = matchingType.digestLength, data.count != expected {
            throw .digestLength(matchingType: matchingType, expected: expected, found: data.count)
        }
        if data.isEmpty { throw .emptyData }
    }

    /// RFC 6698 §2.2 presentation form, hex lowercase.
    public var presentation: String {
        "\(usage.value) \(selector.value) \(matchingType.value) \(Hex.encode(data))"
    }

    /// `3 0 0 …` with the data shortened, for logs.
    public var description: String {
        let hex = Hex.encode(data.prefix(8))
        return "\(usage.value) \(selector.value) \(matchingType.value) \(hex)\(data.count > 8 ? "…" : "")"
    }

    /// A full DER certificate (selector 0, matching 0) with a usage the design discovers from
    /// (design.md "Protocol facts": 3 DANE-EE, 4 PKIX-CD).
    public var carriesDiscoverableCertificate: Bool {
        selector == .cert && matchingType == .full && (usage == .daneEE || usage == .pkixCD)
    }

    /// Digest records kept as pins for verification (design.md "Protocol facts": x 0 1, x 1 1, x 0 2, x 1 2).
    /// Only end-entity usages (1, 3, 4): a trust-anchor digest names a CA, not the device.
    public var isPin: Bool {
        (matchingType == .sha256 || matchingType == .sha512) && (selector == .cert || selector == .spki)
            && (usage == .pkixEE || usage == .daneEE || usage == .pkixCD)
    }

    /// Fields whose values RFC 6698/7218 (and pkix-cd) do not define, for reporting.
    public var unknownFields: [String] {
        var out: [String] = []
        if case .unassigned(let v) = usage { out.append("usage \(v)") }
        if case .unassigned(let v) = selector { out.append("selector \(v)") }
        if case .unassigned(let v) = matchingType { out.append("matching type \(v)") }
        return out
    }
}

/// Why TLSA data could not be read.
public enum TLSARecordError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(length: Int)
    case missingFields(found: Int)
    case badField(name: String, value: String)
    case badHex
    case emptyData
    case digestLength(matchingType: TLSAMatchingType, expected: Int, found: Int)

    public var description: String {
        switch self {
        case .truncated(let length):
            return "TLSA rdata is \(length) octets, needs at least 3 (usage, selector, matching type)"
        case .missingFields(let found):
            return "TLSA text has \(found) fields, needs usage, selector, matching type and data"
        case .badField(let name, let value): return "TLSA \(name) \"\(value)\" is not a number 0-255"
        case .badHex: return "TLSA association data is not valid hex"
        case .emptyData: return "TLSA association data is empty"
        case .digestLength(let type, let expected, let found):
            return "TLSA \(type) data is \(found) octets, expected \(expected)"
        }
    }
}
