/// What a certificate looks like to TLSA matching (RFC 6698 §2.1.2–2.1.3): its DER, its
/// SubjectPublicKeyInfo DER, and their digests. Built at the edge (DANEDigest) so that the
/// matching rule itself stays a pure comparison.
public struct CertificateBinding: Hashable, Sendable {
    public var der: [UInt8]
    public var spki: [UInt8]
    public var sha256: [UInt8]
    public var sha512: [UInt8]
    public var spkiSHA256: [UInt8]
    public var spkiSHA512: [UInt8]
    /// The subjectAltName dNSNames (RFC 5280 §4.2.1.6), for the SAN rule of PKIX pins.
    public var sanDNSNames: [String]

    public init(
        der: [UInt8], spki: [UInt8], sha256: [UInt8], sha512: [UInt8], spkiSHA256: [UInt8], spkiSHA512: [UInt8],
        sanDNSNames: [String] = []
    ) {
        self.der = der
        self.spki = spki
        self.sha256 = sha256
        self.sha512 = sha512
        self.spkiSHA256 = spkiSHA256
        self.spkiSHA512 = spkiSHA512
        self.sanDNSNames = sanDNSNames
    }

    /// The trust-map hash: SHA-256 of the DER, lowercase hex (the data of a `3 0 1` record).
    public var hashHex: String { Hex.encode(sha256) }
}

extension TLSARecord {
    /// Whether `certificate` is the one this record's selector and matching type describe.
    /// Unassigned selectors and matching types never match (RFC 6698 §4.1: unusable records).
    public func matches(_ certificate: CertificateBinding) -> Bool {
        let expected: [UInt8]
        switch (selector, matchingType) {
        case (.cert, .full): expected = certificate.der
        case (.cert, .sha256): expected = certificate.sha256
        case (.cert, .sha512): expected = certificate.sha512
        case (.spki, .full): expected = certificate.spki
        case (.spki, .sha256): expected = certificate.spkiSHA256
        case (.spki, .sha512): expected = certificate.spkiSHA512
        default: return false
        }
        return expected == data
    }
}
