import DANECertify
import DANECore
import DANEDigest

/// Why no CA chain was accepted for a device certificate. Every case names the rule and the
/// data (URL, key identifiers, subjects), so ``description`` is the one line an operator reads
/// in `status.json` and `danesync lookup`.
public enum DiscoveryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The device name has no authority host (design.md "Protocol facts": the host is the
    /// name up to and including its first `_` label).
    case noAuthorityHost(name: DeviceName, DeviceNameError)
    /// A certificate below the root has no Authority Key Identifier (RFC 5280 §4.2.1.1), so the
    /// CA URL, which is built from it, cannot be formed.
    case noAuthorityKeyIdentifier(subject: String)
    /// The GET of a CA URL failed (status, size, redirect, TLS, timeout).
    case fetchFailed(url: String, HTTPFailure)
    /// The body at a CA URL is not PEM with a CERTIFICATE first.
    case notACertificate(url: String, CertificateInputError)
    /// The certificate at a CA URL cannot be read or checked (malformed extension, key type).
    case unusableCertificate(url: String, CertificateFactsError)
    /// The CA's SubjectKeyIdentifier is not the AKI that its URL asked for.
    case subjectKeyIdentifierMismatch(url: String, found: [UInt8], wanted: [UInt8])
    /// The certificate at a CA URL is not a CA (basicConstraints cA is not TRUE, RFC 5280 §4.2.1.9).
    case notACA(url: String, subject: String)
    /// The child's signature does not verify with the fetched CA's key (RFC 5280 §6.1.3 (a)(1)).
    case signatureDoesNotVerify(url: String, child: String, issuer: String)
    /// The walk asked for a key identifier it already accepted higher up: the chain loops.
    case loop(url: String, keyIdentifier: [UInt8])
    /// No self-signed root within ``CAChainWalker/maxDepth`` CAs.
    case tooDeep(limit: Int, lastURL: String)

    public var description: String {
        switch self {
        case .noAuthorityHost(let name, let why):
            return "\(name) has no authority host for its CA URL: \(why)"
        case .noAuthorityKeyIdentifier(let subject):
            return "certificate \(subject) has no Authority Key Identifier, so its CA URL "
                + "(https://<authority>/.well-known/ca/<AKI>.pem) cannot be built"
        case .fetchFailed(let url, .tooLarge(let limit)):
            return "CA at \(url): body larger than \(limit) bytes (discovery.max_bytes)"
        case .fetchFailed(let url, let failure):
            return "CA at \(url): \(failure)"
        case .notACertificate(let url, let why):
            return "CA at \(url) is not a PEM certificate: \(why)"
        case .unusableCertificate(let url, let why):
            return "CA at \(url) is unusable: \(why)"
        case .subjectKeyIdentifierMismatch(let url, let found, let wanted):
            return "CA at \(url) has SKI \(KeyIdentifier.format(found)), wanted \(KeyIdentifier.format(wanted))"
        case .notACA(let url, let subject):
            return "CA at \(url) (\(subject)) is not a CA: basicConstraints cA is not TRUE"
        case .signatureDoesNotVerify(let url, let child, let issuer):
            return "CA at \(url) (\(issuer)) did not sign \(child): the signature does not verify with its key"
        case .loop(let url, let keyIdentifier):
            return
                "CA chain loops: \(url) asks again for SKI \(KeyIdentifier.format(keyIdentifier)), already in the chain"
        case .tooDeep(let limit, let lastURL):
            return "no self-signed root within \(limit) CAs (last fetched: \(lastURL))"
        }
    }
}
