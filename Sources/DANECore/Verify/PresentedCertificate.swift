/// What `daneverify` is shown of the device's certificate
/// (design.md "Admission and failure rules"): the certificate itself, which FreeRADIUS's verify hook writes to a file, or the
/// facts FreeRADIUS passes to the second gate as attributes — serial and issuer key identifier.
public enum PresentedCertificate: Sendable {
    case certificate(CertificateBinding)
    case issuance(serial: String, authorityKeyIdentifier: String)

    /// How the rejection lines name it.
    public var shown: String {
        switch self {
        case .certificate(let binding): return "certificate sha256 \(binding.hashHex)"
        case .issuance(let serial, let aki): return "certificate (serial \(serial), issuer key \(aki))"
        }
    }
}

/// Where the trust map admitted a certificate: the network key (an SSID or `*`) and the
/// published hash the live check looks for in DNS.
public struct Admission: Equatable, Sendable {
    public var network: String
    public var sha256: String

    public init(network: String, sha256: String) {
        self.network = network
        self.sha256 = sha256
    }
}
