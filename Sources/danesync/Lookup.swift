import ArgumentParser
import DANECertify
import DANECore
import DANEDiscover
import DANEResolve
import DANESync
import Foundation

struct Lookup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Explain one name: TLSA records and DNSSEC state, certificates, SAN, AKI, CA URLs, chain verdict, hash.")

    @Argument(help: "Device name, e.g. sensor1._device.example.com") var name: String
    @OptionGroup var options: ConfigOption
    @Flag(help: "Machine-readable output.") var json = false

    func run() async throws {
        let config = try await exitingOnFailure { try Loaded.config(options.config) }
        let deviceName: DeviceName
        let resolver: UnboundResolver
        do {
            deviceName = try DeviceName(name)
            resolver = try UnboundResolver(dns: config.dns, maxInFlight: 4)
        } catch {
            printError("danesync: \(name): \(error)")
            throw ExitCode(2)
        }
        let answer = await resolver.lookupTLSA(deviceName)
        let walker = CAChainWalker(fetcher: CurlFetcher(concurrency: 2), discovery: config.discovery)
        let report = await LookupReport.make(name: deviceName, answer: answer, config: config, walker: walker)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            FileHandle.standardOutput.write(try encoder.encode(report) + Data("\n".utf8))
        } else {
            print(report.text, terminator: "")
        }
        if report.verdict != "ok" { throw ExitCode(1) }
    }
}

/// What `lookup` shows, as text or JSON.
struct LookupReport: Encodable {
    struct Certificate: Encodable {
        var record: String
        var subject: String?
        var issuer: String?
        var san: [String]?
        var aki: String?
        var ski: String?
        var sha256: String
        var notBefore: String?
        var notAfter: String?
        var caURL: String?
        var chain: [String]?
        var verdict: String
    }

    var name: String
    var rcode: String?
    var dnssec: String?
    var whyBogus: String?
    var ttl: UInt32?
    var records: [String]
    var certificates: [Certificate]
    var verdict: String
    var reason: String?

    static func make(name: DeviceName, answer: TLSAAnswer, config: Config, walker: CAChainWalker) async -> LookupReport
    {
        var report = LookupReport(name: name.text, records: [], certificates: [], verdict: "error")
        var candidates: [CandidateCertificate] = []
        if case .response(let response) = answer.result {
            report.rcode = response.rcode.description
            report.dnssec = response.security.rawValue
            report.whyBogus = response.whyBogus
            report.ttl = response.ttl
            report.records = response.records.map(\.presentation) + response.malformed.map { "malformed: \($0)" }
            let usable = response.security == .secure || (response.security == .insecure && !config.dns.requireDNSSEC)
            for record in response.records where record.carriesDiscoverableCertificate {
                var cert = Certificate(record: record.description, sha256: "", verdict: "")
                guard let facts = try? CertificateFacts(der: record.data) else {
                    cert.verdict = "not a usable certificate"
                    report.certificates.append(cert)
                    continue
                }
                let iso = ISO8601DateFormatter()
                cert.subject = facts.subject
                cert.issuer = facts.issuer
                cert.san = facts.sanDNSNames
                cert.aki = facts.authorityKeyIdentifier.map(KeyIdentifier.format)
                cert.ski = KeyIdentifier.format(facts.subjectKeyIdentifier)
                cert.sha256 = facts.sha256Hex
                cert.notBefore = iso.string(from: facts.notValidBefore)
                cert.notAfter = iso.string(from: facts.notValidAfter)
                if let aki = facts.authorityKeyIdentifier, let host = try? AuthorityHost(for: name) {
                    cert.caURL = host.caURL(keyIdentifier: aki)
                }
                if record.usage.requiresSANMatch && !facts.sanContains(name) {
                    cert.verdict = "unusable: SAN lacks \(name)"
                    candidates.append(.init(record: record, hash: facts.sha256Hex, verdict: .unusable(cert.verdict)))
                } else if !usable {
                    cert.verdict = "not checked: answer is \(response.security.rawValue)"
                } else {
                    switch await walker.chain(for: facts, name: name) {
                    case .success(let cas):
                        cert.chain = cas.map { "\($0.subject) sha256 \($0.sha256Hex)" }
                        cert.verdict = "chain ok"
                        candidates.append(
                            .init(
                                record: record, hash: facts.sha256Hex,
                                verdict: .accepted(caFingerprints: cas.map(\.sha256Hex))))
                    case .failure(let error):
                        cert.verdict = "chain failed: \(error)"
                        candidates.append(
                            .init(record: record, hash: facts.sha256Hex, verdict: .discoveryFailed(error.description)))
                    }
                }
                report.certificates.append(cert)
            }
        }
        switch NameDecision.decide(answer: answer, requireDNSSEC: config.dns.requireDNSSEC, candidates: candidates) {
        case .ok: report.verdict = "ok"
        case .withdrawn(let why): (report.verdict, report.reason) = ("withdrawn", why)
        case .bogus(let why): (report.verdict, report.reason) = ("bogus", why)
        case .insecure(let why): (report.verdict, report.reason) = ("insecure", why)
        case .error(let why): (report.verdict, report.reason) = ("error", why)
        }
        return report
    }

    var text: String {
        var out = "\(name)\n"
        out += "  DNS: \(rcode ?? "no answer"), DNSSEC \(dnssec ?? "unknown")\(ttl.map { ", TTL \($0)" } ?? "")\n"
        if let whyBogus { out += "  bogus: \(whyBogus)\n" }
        for record in records { out += "  TLSA \(record.count > 80 ? String(record.prefix(80)) + "…" : record)\n" }
        for cert in certificates {
            out += "  certificate from \(cert.record)\n"
            if let subject = cert.subject { out += "    subject:  \(subject)\n" }
            if let issuer = cert.issuer { out += "    issuer:   \(issuer)\n" }
            if let san = cert.san { out += "    SAN:      \(san.joined(separator: ", "))\n" }
            if let aki = cert.aki { out += "    AKI:      \(aki)\n" }
            if let ski = cert.ski { out += "    SKI:      \(ski)\n" }
            out += "    SHA-256:  \(cert.sha256)\n"
            if let nb = cert.notBefore, let na = cert.notAfter { out += "    valid:    \(nb) to \(na)\n" }
            if let url = cert.caURL { out += "    CA URL:   \(url)\n" }
            for ca in cert.chain ?? [] { out += "    CA:       \(ca)\n" }
            out += "    verdict:  \(cert.verdict)\n"
        }
        out += "verdict: \(verdict)\(reason.map { " — \($0)" } ?? "")\n"
        return out
    }
}
