/// What one (network, name) may present: the SHA-256 hashes of the certificates accepted
/// for it, and the digest TLSA records published at the name (pins).
public struct TrustMapEntry: Hashable, Sendable {
    /// An SSID, or `"*"` for every network.
    public var network: String
    public var name: DeviceName
    /// Lowercase hex SHA-256 of accepted certificate DERs, sorted.
    public var hashes: [String]
    /// Digest records (`x 0 1`, `x 1 1`, `x 0 2`, `x 1 2`), sorted by presentation.
    public var pins: [TLSARecord]

    public static let anyNetwork = "*"

    public init(network: String, name: DeviceName, hashes: [String], pins: [TLSARecord]) {
        self.network = network
        self.name = name
        // One hash and no pins is the common case: keep the caller's storage.
        self.hashes = hashes.count <= 1 ? hashes : Array(Set(hashes)).sorted()
        self.pins = pins.count <= 1 ? pins : Array(Set(pins)).sorted { $0.presentation < $1.presentation }
    }

    /// Whether the presented certificate is one this entry accepts: its SHA-256 is listed, or
    /// it matches a pin.
    public func accepts(_ certificate: CertificateBinding) -> Bool {
        hashes.contains(certificate.hashHex) || pins.contains { $0.matches(certificate) }
    }
}
