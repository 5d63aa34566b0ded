import DANECertify
import DANECore
import DANEDiscover
import Foundation

/// `danesync lookup`'s report of one ``NameExamination``, as plain values for text and JSON.
/// It restates what the pass decided; it decides nothing itself.
public struct LookupReport: Encodable, Sendable {
    public struct Certificate: Encodable, Sendable {
        public var record: String
        public var subject: String?
        public var issuer: String?
        public var san: [String]?
        public var aki: String?
        public var ski: String?
        public var sha256: String
        public var notBefore: String?
        public var notAfter: String?
        public var caURL: String?
        public var chain: [String]?
        public var verdict: String
    }

    public var name: String
    public var rcode: String?
    public var dnssec: String?
    public var whyBogus: String?
    public var ttl: UInt32?
    public var records: [String]
    public var certificates: [Certificate]
    /// The state a pass would give the name before grace: ok, withdrawn, bogus, insecure, error.
    public var verdict: String
    public var reason: String?

    public var isOK: Bool { verdict == NameRecord.State.ok.rawValue }

    public init(_ examination: NameExamination) {
        name = examination.name.text
        records = []
        if case .response(let response) = examination.answer.result {
            rcode = response.rcode.description
            dnssec = response.security.rawValue
            whyBogus = response.whyBogus
            ttl = response.ttl
            records = response.records.map(\.presentation) + response.malformed.map { "malformed: \($0)" }
        }
        let security = dnssec ?? "unavailable"
        certificates = examination.certificates.map { Self.certificate($0, answerSecurity: security) }
        switch examination.outcome {
        case .ok: verdict = NameRecord.State.ok.rawValue
        case .withdrawn(let why): (verdict, reason) = (NameRecord.State.withdrawn.rawValue, why)
        case .bogus(let why): (verdict, reason) = (NameRecord.State.bogus.rawValue, why)
        case .insecure(let why): (verdict, reason) = (NameRecord.State.insecure.rawValue, why)
        case .error(let why): (verdict, reason) = (NameRecord.State.error.rawValue, why)
        }
    }

    static func certificate(_ examination: CertificateExamination, answerSecurity: String) -> Certificate {
        let verdict: String
        switch examination.verdict {
        case nil: verdict = "not checked: answer is \(answerSecurity)"
        case .accepted: verdict = "chain ok"
        case .unusable(let why): verdict = "unusable: \(why)"
        case .discoveryFailed(let why): verdict = "chain failed: \(why)"
        case .outsideValidity(let why): verdict = "outside validity: \(why)"
        }
        var out = Certificate(
            record: examination.record.description, sha256: examination.hash, caURL: examination.caURL,
            chain: examination.chain.isEmpty ? nil : examination.chain.map { "\($0.subject) sha256 \($0.sha256Hex)" },
            verdict: verdict)
        if let facts = examination.facts {
            let iso = ISO8601DateFormatter()
            out.subject = facts.subject
            out.issuer = facts.issuer
            out.san = facts.sanDNSNames
            out.aki = facts.authorityKeyIdentifier.map(KeyIdentifier.format)
            out.ski = KeyIdentifier.format(facts.subjectKeyIdentifier)
            out.notBefore = iso.string(from: facts.notValidBefore)
            out.notAfter = iso.string(from: facts.notValidAfter)
        }
        return out
    }
}
