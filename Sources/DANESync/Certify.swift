import DANECertify
import DANECore
import DANEDigest

/// The Certify step for one name: every full certificate its TLSA records carry becomes a
/// ``CandidateCertificate`` — parsed, SAN-checked for PKIX usages, and its chain discovered.
enum Certify {
    struct Result {
        var candidates: [CandidateCertificate]
        /// CAs of accepted chains, by SHA-256 fingerprint.
        var cas: [String: CertificateFacts]
    }

    static func candidates(for name: DeviceName, records: [TLSARecord], chains: any ChainSource) async -> Result {
        var result = Result(candidates: [], cas: [:])
        // One certificate may appear in several records (3 0 0 and 4 0 0): discover it once.
        var seen: [String: CandidateCertificate.Verdict] = [:]
        for record in records where record.carriesDiscoverableCertificate {
            let facts: CertificateFacts
            do {
                facts = try CertificateFacts(der: record.data)
            } catch {
                let hash = Hex.encode(Digest.sha256(record.data))
                result.candidates.append(
                    CandidateCertificate(record: record, hash: hash, verdict: .unusable("record \(record): \(error)")))
                continue
            }
            if record.usage.requiresSANMatch && !facts.sanContains(name) {
                let san = facts.sanDNSNames.isEmpty ? "no dNSName" : facts.sanDNSNames.joined(separator: ", ")
                result.candidates.append(
                    CandidateCertificate(
                        record: record, hash: facts.sha256Hex,
                        verdict: .unusable("\(record.usage) certificate SAN lacks \(name) (has \(san))")))
                continue
            }
            if let verdict = seen[facts.sha256Hex] {
                result.candidates.append(CandidateCertificate(record: record, hash: facts.sha256Hex, verdict: verdict))
                continue
            }
            let verdict: CandidateCertificate.Verdict
            switch await chains.chain(for: facts, name: name) {
            case .chain(let cas):
                for ca in cas { result.cas[ca.sha256Hex] = ca }
                verdict = .accepted(caFingerprints: cas.map(\.sha256Hex))
            case .failed(let why):
                verdict = .discoveryFailed(why)
            }
            seen[facts.sha256Hex] = verdict
            result.candidates.append(CandidateCertificate(record: record, hash: facts.sha256Hex, verdict: verdict))
        }
        return result
    }
}
