/// The per-name rule of a sync pass: from the class of the validated DNS answer
/// (``TLSAAnswer/classify(requireDNSSEC:)``) and what became of each full certificate, decide
/// ``NameOutcome``. Pure, so the fault matrix is tested with values.
public enum NameDecision {
    public static func decide(
        answer: TLSAAnswer, requireDNSSEC: Bool, candidates: [CandidateCertificate]
    ) -> NameOutcome {
        let name = answer.name
        let response: DNSResponse
        switch answer.classify(requireDNSSEC: requireDNSSEC) {
        case .unavailable(.timedOut): return .error("DNS lookup of \(name) timed out")
        case .unavailable(.resolverFailed(let why)): return .error("resolver failed for \(name): \(why)")
        case .unavailable(.rcode(let rcode)): return .error("DNS answered \(rcode) for \(name)")
        case .bogus(let why): return .bogus("DNSSEC validation failed for \(name): \(why ?? "bogus")")
        case .insecure:
            return .insecure("\(name) is not DNSSEC-signed (insecure) and dns.require_dnssec is on")
        case .nxdomain: return .withdrawn("\(name) does not exist (NXDOMAIN)")
        case .nodata: return .withdrawn("\(name) has no TLSA record (NODATA)")
        case .records(let r): response = r
        }

        let pins = response.records.filter(\.isPin)
        var hashes: [String] = []
        var issuances: [CertificateIssuance] = []
        var cas: [String] = []
        var failures: [String] = []
        var unusable: [String] = []
        for candidate in candidates {
            switch candidate.verdict {
            case .accepted(let fingerprints):
                hashes.append(candidate.hash)
                if let issuance = candidate.issuance { issuances.append(issuance) }
                cas.append(contentsOf: fingerprints)
            case .discoveryFailed(let why), .outsideValidity(let why): failures.append(why)
            case .unusable(let why): unusable.append(why)
            }
        }
        if !hashes.isEmpty {
            return .ok(NameAcceptance(hashes: hashes, pins: pins, caFingerprints: cas, issuances: issuances))
        }
        if !failures.isEmpty { return .error(failures.joined(separator: "; ")) }
        if !pins.isEmpty { return .ok(NameAcceptance(hashes: [], pins: pins, caFingerprints: [])) }
        let trustAnchors = response.records.filter(\.usage.isTrustAnchor)
        if !trustAnchors.isEmpty && trustAnchors.count == response.records.count && unusable.isEmpty {
            // design.md "Admission and failure rules": a CA, not a device, is published there.
            return .error(
                "\(name) publishes only trust-anchor records (usages 0, 2), which name a CA, not the device: "
                    + trustAnchors.map(\.description).joined(separator: ", "))
        }
        var reasons = unusable + response.malformed
        let ignored = response.records.filter { !$0.carriesDiscoverableCertificate && !$0.isPin }
        if !ignored.isEmpty {
            reasons.append("records not used: \(ignored.map(\.description).joined(separator: ", "))")
        }
        return .withdrawn(
            "\(name) has no usable TLSA record" + (reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; "))
        )
    }
}
