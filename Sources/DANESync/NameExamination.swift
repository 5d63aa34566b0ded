import DANECertify
import DANECore

/// Everything one pass looks at and concludes for one name: the validated answer, its class,
/// each certificate with its facts, chain and verdict, and the outcome. The pass keeps the
/// outcome and the CAs; `danesync lookup` shows all of it, so it explains exactly what a pass
/// would do (design.md "Command line").
public struct NameExamination: Sendable {
    public var name: DeviceName
    public var answer: TLSAAnswer
    public var answerClass: TLSAAnswer.Class
    public var certificates: [CertificateExamination]
    /// CAs of the accepted chains, by SHA-256 fingerprint.
    public var cas: [String: CertificateFacts]
    public var outcome: NameOutcome

    /// What the answer publishes, when it is secure: the limit of what grace may keep. A
    /// certificate the pass found outside its validity (or under an expired CA) or unusable for
    /// the name is not in it: grace bridges a CA host's outage, never a certificate that may no
    /// longer be published (design.md "Admission and failure rules").
    public var securelyPublished: NameRecord.Publication? {
        guard case .records(let response) = answerClass, response.security == .secure else { return nil }
        let usable = certificates.filter { certificate in
            switch certificate.verdict {
            case .outsideValidity, .unusable: false
            case .accepted, .discoveryFailed, nil: true
            }
        }
        return NameRecord.Publication(hashes: Set(usable.map(\.hash)), pins: Set(response.records.filter(\.isPin)))
    }
}

extension SyncPass {
    /// Resolve → Certify → Discover → decide for one name. Publishes nothing.
    ///
    /// Only an answer classified as `.records` is certified against the chain source: bogus
    /// data is never used, and neither is an unsigned answer while DNSSEC is required
    /// (design.md "Protocol facts"). The certificates of other answers are parsed, to be
    /// shown, but not checked.
    public func examine(_ name: DeviceName) async -> NameExamination {
        let validity = ValidityCheck(now: clock.now(), clockSkew: config.sync.clockSkew)
        let answer = await resolver.lookupTLSA(name)
        let answerClass = answer.classify(requireDNSSEC: config.dns.requireDNSSEC)
        let certified: Certify.Result
        switch answerClass {
        case .records(let response):
            certified = await Certify.examine(
                name: name, records: response.records, chains: chains, validity: validity)
        case .bogus, .insecure:
            if case .response(let response) = answer.result {
                certified = await Certify.examine(
                    name: name, records: response.records, chains: nil, validity: validity)
            } else {
                certified = Certify.Result(certificates: [], cas: [:])
            }
        case .unavailable, .nxdomain, .nodata:
            certified = Certify.Result(certificates: [], cas: [:])
        }
        let outcome = NameDecision.decide(
            answer: answer, requireDNSSEC: config.dns.requireDNSSEC,
            candidates: certified.certificates.compactMap(\.candidate))
        return NameExamination(
            name: name, answer: answer, answerClass: answerClass, certificates: certified.certificates,
            cas: certified.cas, outcome: outcome)
    }
}
