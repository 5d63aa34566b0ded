/// What one sync pass concluded about one device name (design.md "Outputs": the states of
/// `status.json`, before grace is applied).
public enum NameOutcome: Equatable, Sendable {
    /// Usable: certificate hashes whose CA chain was discovered and checked, pins, and the
    /// SHA-256 fingerprints of the CAs the hashes rely on.
    case ok(NameAcceptance)
    /// Proven gone: a secure NXDOMAIN/NODATA, or no usable record. Dropped at once.
    case withdrawn(String)
    /// DNSSEC validation failed. Never used; dropped at once.
    case bogus(String)
    /// Unsigned answer while `dns.require_dnssec` is on. Dropped at once.
    case insecure(String)
    /// Could not tell (SERVFAIL, timeout, CA fetch failure): the last-good entry may be kept
    /// for `sync.grace`.
    case error(String)
}

public struct NameAcceptance: Equatable, Sendable {
    public var hashes: [String]
    public var pins: [TLSARecord]
    public var caFingerprints: [String]
    /// Serial and issuer key identifier of each accepted certificate (the second gate's key).
    public var issuances: [CertificateIssuance]

    public init(
        hashes: [String], pins: [TLSARecord], caFingerprints: [String], issuances: [CertificateIssuance] = []
    ) {
        self.hashes = Array(Set(hashes)).sorted()
        self.pins = Array(Set(pins)).sorted { $0.presentation < $1.presentation }
        self.caFingerprints = Array(Set(caFingerprints)).sorted()
        self.issuances = Array(Set(issuances)).sorted { $0.sha256 < $1.sha256 }
    }
}

/// A full certificate found in a TLSA record, and what certification and discovery made of it.
public struct CandidateCertificate: Equatable, Sendable {
    public enum Verdict: Equatable, Sendable {
        /// Chain discovered and checked; the CA fingerprints (issuer first).
        case accepted(caFingerprints: [String])
        /// The certificate itself is unusable for this name (not parseable, SAN lacks the name).
        case unusable(String)
        /// Discovery failed (fetch error, wrong SKI, bad signature …): the cause may be fixed
        /// later, so it is an error, not a withdrawal.
        case discoveryFailed(String)
        /// The certificate or a CA of its chain is outside its validity period
        /// (design.md "Admission and failure rules"): an error that names the date.
        case outsideValidity(String)
    }

    public var record: TLSARecord
    /// SHA-256 of the DER, lowercase hex.
    public var hash: String
    public var verdict: Verdict
    /// Its serial and issuer key identifier, when the certificate could be read.
    public var issuance: CertificateIssuance?

    public init(record: TLSARecord, hash: String, verdict: Verdict, issuance: CertificateIssuance? = nil) {
        self.record = record
        self.hash = hash
        self.verdict = verdict
        self.issuance = issuance
    }
}
