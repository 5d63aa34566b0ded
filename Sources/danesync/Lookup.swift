import ArgumentParser
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
        let logger = AgentLogging.bootstrap(level: .error)
        let (agent, deviceName) = try await exitingOnFailure {
            let config = try Loaded.config(options.config)
            let deviceName: DeviceName
            do {
                deviceName = try DeviceName(name)
            } catch {
                throw Loaded.failure(["\(name): \(error)"])
            }
            return (try Agent(config: config, logger: logger), deviceName)
        }
        let report = LookupReport(await agent.examine(deviceName))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            FileHandle.standardOutput.write(try encoder.encode(report) + Data("\n".utf8))
        } else {
            print(report.text, terminator: "")
        }
        if !report.isOK { throw ExitCode(1) }
    }
}

/// The text form: the report's values, one per line.
extension LookupReport {
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
