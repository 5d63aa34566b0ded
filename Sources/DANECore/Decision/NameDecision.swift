/// The per-name rule of a sync pass: from the validated DNS answer and what became of each
/// full certificate, decide ``NameOutcome``. Pure, so the fault matrix is tested with values.
public enum NameDecision {
    public static func decide(
        answer: TLSAAnswer, requireDNSSEC: Bool, candidates: [CandidateCertificate]
    ) -> NameOutcome {
        let response: DNSResponse
        switch answer.result {
        case .timedOut: return .error("DNS lookup of \(answer.name) timed out")
        case .failed(let why): return .error("resolver failed for \(answer.name): \(why)")
        case .response(let r): response = r
        }
        // RFC 4035 §4.3: bogus data is never used, whatever else it says.
        if response.security == .bogus {
            return .bogus("DNSSEC validation failed for \(answer.name): \(response.whyBogus ?? "bogus")")
        }
        switch response.rcode {
        case .noError, .nameError: break
        default: return .error("DNS answered \(response.rcode) for \(answer.name)")
        }
        if response.security == .insecure && requireDNSSEC {
            return .insecure("\(answer.name) is not DNSSEC-signed (insecure) and dns.require_dnssec is on")
        }
        if response.rcode == .nameError { return .withdrawn("\(answer.name) does not exist (NXDOMAIN)") }
        if response.isNoData { return .withdrawn("\(answer.name) has no TLSA record (NODATA)") }

        let pins = response.records.filter(\.isPin)
        var hashes: [String] = []
        var cas: [String] = []
        var failures: [String] = []
        var unusable: [String] = []
        for candidate in candidates {
            switch candidate.verdict {
            case .accepted(let fingerprints):
                hashes.append(candidate.hash)
                cas.append(contentsOf: fingerprints)
            case .discoveryFailed(let why): failures.append(why)
            case .unusable(let why): unusable.append(why)
            }
        }
        if !hashes.isEmpty {
            return .ok(NameAcceptance(hashes: hashes, pins: pins, caFingerprints: cas))
        }
        if !failures.isEmpty { return .error(failures.joined(separator: "; ")) }
        if !pins.isEmpty { return .ok(NameAcceptance(hashes: [], pins: pins, caFingerprints: [])) }
        var reasons = unusable + response.malformed
        let ignored = response.records.filter { !$0.carriesDiscoverableCertificate && !$0.isPin }
        if !ignored.isEmpty {
            reasons.append("records not used: \(ignored.map(\.description).joined(separator: ", "))")
        }
        return .withdrawn(
            "\(answer.name) has no usable TLSA record" + (reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; "))
        )
    }
}
