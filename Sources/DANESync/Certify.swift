import DANECertify
import DANECore
import DANEDigest
import DANEDiscover

/// One full certificate from a TLSA record, and what the Certify and Discover steps made of it.
public struct CertificateExamination: Sendable {
    public var record: TLSARecord
    /// SHA-256 of the certificate DER, lowercase hex (what the trust map lists).
    public var hash: String
    /// `nil` when the record's data is not a certificate swift-certificates can read.
    public var facts: CertificateFacts?
    /// The CA URL of its issuer (design.md "Protocol facts"), when it has an AKI.
    public var caURL: String?
    /// The chain discovery accepted, issuer first; empty otherwise.
    public var chain: [CertificateFacts]
    /// The decision's input, or `nil` when the answer is not one a pass certifies (bogus,
    /// insecure under `require_dnssec`, …): then the certificate is shown but not checked.
    public var verdict: CandidateCertificate.Verdict?

    /// The value ``NameDecision`` weighs.
    var candidate: CandidateCertificate? {
        verdict.map { CandidateCertificate(record: record, hash: hash, verdict: $0, issuance: issuance) }
    }

    /// Serial and issuer key identifier, for the second gate (design.md "Admission and failure rules").
    var issuance: CertificateIssuance? {
        guard let facts, let aki = facts.authorityKeyIdentifier else { return nil }
        // The issuer's SKI is this AKI (discovery checked it): share the CA's stored string.
        let akiHex = chain.first.map(\.subjectKeyIdentifierHex) ?? Hex.encode(aki)
        return CertificateIssuance(sha256: hash, serial: facts.serialHex, authorityKeyIdentifier: akiHex)
    }
}

/// The Certify step for one name: every full certificate its TLSA records carry is parsed,
/// SAN-checked for PKIX usages (design.md "Protocol facts"), and — when `chains` is given — has
/// its chain discovered.
enum Certify {
    struct Result {
        var certificates: [CertificateExamination]
        /// CAs of accepted chains, by SHA-256 fingerprint.
        var cas: [String: CertificateFacts]
    }

    static func examine(
        name: DeviceName, records: [TLSARecord], chains: (any ChainSource)?, validity: ValidityCheck
    ) async -> Result {
        var result = Result(certificates: [], cas: [:])
        let authority = try? AuthorityHost(for: name)
        // One certificate may appear in several records (3 0 0 and 4 0 0): discover it once.
        var seen: [String: (CandidateCertificate.Verdict, [CertificateFacts])] = [:]
        for record in records where record.carriesDiscoverableCertificate {
            let facts: CertificateFacts
            do {
                facts = try CertificateFacts(der: record.data)
            } catch {
                result.certificates.append(
                    CertificateExamination(
                        record: record, hash: Hex.encode(Digest.sha256(record.data)), facts: nil, caURL: nil,
                        chain: [], verdict: chains == nil ? nil : .unusable("record \(record): \(error)")))
                continue
            }
            var examination = CertificateExamination(
                record: record, hash: facts.sha256Hex, facts: facts,
                caURL: facts.authorityKeyIdentifier.flatMap { aki in authority.map { $0.caURL(keyIdentifier: aki) } },
                chain: [], verdict: nil)
            defer { result.certificates.append(examination) }
            guard let chains else { continue }
            if record.usage.requiresSANMatch && !facts.sanContains(name) {
                let san = facts.sanDNSNames.isEmpty ? "no dNSName" : facts.sanDNSNames.joined(separator: ", ")
                examination.verdict = .unusable("\(record.usage) certificate SAN lacks \(name) (has \(san))")
                continue
            }
            if let problem = validity.problem(with: facts) {
                examination.verdict = .outsideValidity("certificate \(problem)")
                continue
            }
            if let (verdict, chain) = seen[facts.sha256Hex] {
                (examination.verdict, examination.chain) = (verdict, chain)
                continue
            }
            switch await chains.chain(for: facts, name: name) {
            case .success(let cas):
                if let problem = cas.lazy.compactMap(validity.problem(with:)).first {
                    examination.verdict = .outsideValidity("CA \(problem)")
                    break
                }
                for ca in cas { result.cas[ca.sha256Hex] = ca }
                (examination.verdict, examination.chain) = (.accepted(caFingerprints: cas.map(\.sha256Hex)), cas)
            case .failure(let error):
                examination.verdict = .discoveryFailed(error.description)
            }
            seen[facts.sha256Hex] = (examination.verdict!, examination.chain)
        }
        return result
    }
}
