import DANECertify
import DANEDigest

/// The rule for a CA fetched from `https://<authority>/.well-known/ca/<AKI>.pem`
/// (design.md "Protocol facts"): it is accepted only if
///
/// 1. its SubjectKeyIdentifier equals the AKI the URL asked for (RFC 5280 §4.2.1.2; computed
///    as SHA-1 of the subjectPublicKey when the extension is absent, see ``CertificateFacts``),
/// 2. it is a CA (basicConstraints cA = TRUE, RFC 5280 §4.2.1.9), and
/// 3. the child's signature verifies with its key (RFC 5280 §6.1.3 (a)(1)).
///
/// The URL only says where to look; these checks are what bind the CA to the device.
public enum CAAcceptance {
    /// `nil` if `candidate`, fetched from `url` for `keyIdentifier`, may issue `child`; with no
    /// child (a chain walked from a known leaf's issuer), rules 1 and 2 only.
    public static func refusal(
        of candidate: CertificateFacts, fetchedFrom url: String,
        for keyIdentifier: [UInt8], child: CertificateFacts?
    ) -> DiscoveryError? {
        guard candidate.subjectKeyIdentifier == keyIdentifier else {
            return .subjectKeyIdentifierMismatch(
                url: url, found: candidate.subjectKeyIdentifier, wanted: keyIdentifier)
        }
        guard candidate.isCA else { return .notACA(url: url, subject: candidate.subject) }
        guard let child else { return nil }
        guard child.isSigned(by: candidate) else {
            return .signatureDoesNotVerify(url: url, child: child.subject, issuer: candidate.subject)
        }
        return nil
    }

    /// The CA a body at a CA URL carries: its first PEM certificate.
    ///
    /// The first, not "exactly one": publishers often serve a chain file, and the PoC reads the
    /// first certificate. Anything after it is never trusted, because every level of the chain
    /// is fetched from its own URL and checked on its own. A non-certificate PEM block, or a
    /// body without any, is an error.
    public static func certificate(
        in body: [UInt8], fetchedFrom url: String
    ) -> Result<CertificateFacts, DiscoveryError> {
        let ders: [[UInt8]]
        do {
            ders = try PEM.certificates(in: body)
        } catch {
            return .failure(.notACertificate(url: url, error))
        }
        do {
            return .success(try CertificateFacts(der: ders[0]))
        } catch {
            return .failure(.unusableCertificate(url: url, error))
        }
    }
}
