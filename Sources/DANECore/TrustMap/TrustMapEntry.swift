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
    /// Serial and issuer key identifier of each listed hash, for the second gate; sorted by
    /// hash. A hash without one (a map of format 1) cannot pass the gate.
    public var issuances: [CertificateIssuance]
    /// Unix seconds since which DNS no longer publishes the name: such an entry lists nothing
    /// and admits nothing; it is there so that the hook can say "withdrawn" (14) rather than
    /// "not allowed" (12) (design.md "Revocation and disconnect"). `nil` when published.
    public var withdrawnAt: Int64?

    public static let anyNetwork = "*"

    /// The entry of a name listed for `network` whose record DNS withdrew at `since`.
    public static func withdrawn(network: String, name: DeviceName, since: Int64) -> TrustMapEntry {
        TrustMapEntry(network: network, name: name, hashes: [], pins: [], withdrawnAt: since)
    }

    public init(
        network: String, name: DeviceName, hashes: [String], pins: [TLSARecord], issuances: [CertificateIssuance] = [],
        withdrawnAt: Int64? = nil
    ) {
        self.network = network
        self.name = name
        self.withdrawnAt = withdrawnAt
        self.issuances = issuances.count <= 1 ? issuances : Array(Set(issuances)).sorted { $0.sha256 < $1.sha256 }
        // One hash and no pins is the common case: keep the caller's storage.
        self.hashes = hashes.count <= 1 ? hashes : Array(Set(hashes)).sorted()
        self.pins = pins.count <= 1 ? pins : Array(Set(pins)).sorted { $0.presentation < $1.presentation }
    }

    /// Whether the presented certificate is one this entry accepts: its SHA-256 is listed, or
    /// it matches a pin — and a pin of a PKIX usage (1, 4) only if the certificate's SAN
    /// dNSNames include the name (design.md "Protocol facts"; the agent never sees the
    /// certificate behind a digest, the hook does).
    public func accepts(_ certificate: CertificateBinding) -> Bool {
        hashes.contains(certificate.hashHex)
            || pins.contains {
                $0.matches(certificate) && (!$0.usage.requiresSANMatch || name.appears(in: certificate.sanDNSNames))
            }
    }

    /// Whether the certificate FreeRADIUS describes by serial and issuer key identifier is one
    /// this entry lists (the second gate); the issuance, whose hash the live check looks for.
    public func issuance(serial: String, authorityKeyIdentifier: String) -> CertificateIssuance? {
        issuances.first {
            $0.serial == serial && $0.authorityKeyIdentifier == authorityKeyIdentifier && hashes.contains($0.sha256)
        }
    }
}
