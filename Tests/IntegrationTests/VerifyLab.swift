import DANECore
import DANEDigest
import DANETestSupport
import Foundation
import Testing

// MARK: - Fixture

/// A lab of its own for these tests (scripts/lab/up.sh in a temp dir, torn down at exit):
/// they withdraw records with dns.sh, and the shared `Lab` serves other suites in parallel.
/// The trust map comes from one real `danesync once` into `<lab>/verify-tests/out`.
enum VerifyLab {
    private static let lab: Result<String, Command.Failure> = {
        let dir = Scratch.directory("danesync-verify-lab").path
        atexit {
            if case .success(let dir) = VerifyLab.lab {
                Lab.script("down.sh", dir)
                try? FileManager.default.removeItem(atPath: dir)
            }
        }
        do { try Lab.up(dir) } catch { return .failure(Command.Failure("\(error)")) }
        try? FileManager.default.createDirectory(atPath: dir + "/verify-tests", withIntermediateDirectories: true)
        return .success(dir)
    }()

    static func directory() throws -> String { try lab.get() }

    static func path(_ relative: String) -> String { ((try? lab.get()) ?? "/nonexistent") + "/" + relative }

    static func scratch(_ name: String) -> String { path("verify-tests/" + name) }

    /// One `danesync once` pass over the lab policy into `verify-tests/out` (exit 1: the lab
    /// policy holds names that fail on purpose).
    private static let published: Result<String, Command.Failure> = {
        do {
            let lab = try directory()
            let out = scratch("out")
            let config = try String(contentsOfFile: lab + "/danesync.yaml", encoding: .utf8)
                .replacingOccurrences(of: "  dir: \(lab)/out\n", with: "  dir: \(out)\n")
            guard config.contains(out) else {
                return .failure(Command.Failure("cannot point output.dir of \(lab)/danesync.yaml elsewhere"))
            }
            let configPath = scratch("danesync.yaml")
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
            let run = try Command.run(Repository.binary("danesync"), ["once", "--config", configPath])
            guard run.status == 0 || run.status == 1, FileManager.default.fileExists(atPath: out + "/trustmap") else {
                return .failure(Command.Failure("danesync once exited \(run.status): \(run.stderr.suffix(2000))"))
            }
            return .success(out)
        } catch {
            return .failure(Command.Failure("\(error)"))
        }
    }()

    static func publishedOutput() throws -> String { try published.get() }

    static func publishedTrustMap() throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: publishedOutput() + "/trustmap")))
    }

    static func device(_ name: String) throws -> String {
        _ = try directory()
        return path("pki/devices/\(name).pem")
    }

    static func der(_ pemPath: String) throws -> [UInt8] {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: pemPath)))
        guard let der = try PEM.certificates(in: bytes).first else {
            throw Command.Failure("no certificate in \(pemPath)")
        }
        return der
    }

    /// The certificate's SHA-256, lowercase hex: what the trust map lists.
    static func hash(_ pemPath: String) throws -> String { try CertificateBinding(der: der(pemPath)).hashHex }

    static func write(_ name: String, _ text: String) throws -> String {
        let file = scratch(name)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    /// A fresh output dir holding `trustMap` (or no trust map at all).
    static func outputDirectory(_ name: String, trustMap: [UInt8]?) throws -> String {
        let dir = scratch("out-" + name)
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if let trustMap { try Data(trustMap).write(to: URL(fileURLWithPath: dir + "/trustmap")) }
        return dir
    }

    static func craftedTrustMap(_ name: String, _ entries: [TrustMapEntry]) throws -> String {
        try outputDirectory(
            name, trustMap: TrustMapWriter.render(entries, generated: Int64(Date().timeIntervalSince1970)))
    }

    /// The lab's DNS settings (knot as forwarder, its zones' DS as trust anchors).
    static func labDNS() throws -> String {
        let lab = try directory()
        let port = Lab.env("dns/dns.env", "DNS_PORT", in: lab)
        return """
            dns:
              trust_anchor_file: \(lab)/dns/trust-anchors
              forwarders: ["127.0.0.1@\(port)"]
              unbound_conf: \(lab)/dns/unbound.conf
              require_dnssec: true
              timeout: 3s

            """
    }

    /// DNS settings whose only forwarder never answers: no unbound_conf, 1 s timeout.
    static func deadDNS(port: UInt16) throws -> String {
        """
        dns:
          trust_anchor_file: \(try directory())/dns/trust-anchors
          forwarders: ["127.0.0.1@\(port)"]
          require_dnssec: true
          timeout: 1s

        """
    }

    /// A hook config over `output` (default: the published trust map).
    static func config(
        output: String? = nil, liveCheck: String = "required", dns: String? = nil, verifyTimeout: String = "2s",
        maxAge: String = "1d", extra: String = ""
    ) throws -> String {
        let lab = try directory()
        let output = try output ?? publishedOutput()
        let text = """
            policy:
              file: \(lab)/policy.yaml
            \(try dns ?? labDNS())output:
              dir: \(output)
            verify:
              live_check: \(liveCheck)
              timeout: \(verifyTimeout)
              max_age: \(maxAge)
            \(extra)
            """
        let name = "config-\(Hex.encode(Digest.sha256(Array(text.utf8))).prefix(16)).yaml"
        let file = scratch(name)
        if !FileManager.default.fileExists(atPath: file) {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
        return file
    }

    // MARK: running the hook

    static func verify(config: String, identity: String, cert: String, csid: String?) throws -> Command.Output {
        var arguments = ["--config", config, "--identity", identity, "--cert", cert]
        if let csid { arguments += ["--called-station-id", csid] }
        return try run(arguments)
    }

    static func run(_ arguments: [String]) throws -> Command.Output { try run(raw: arguments.map { Array($0.utf8) }) }

    /// `daneverify` with byte arguments (not all of them are UTF-8), once this lab is up. A minute
    /// at most: the hook itself must answer within its `verify.timeout`.
    static func run(raw arguments: [[UInt8]]) throws -> Command.Output {
        _ = try directory()
        return try Command.run(Repository.binary("daneverify"), raw: arguments, timeLimit: .seconds(60))
    }
}

/// What every run of the hook must print, whatever the outcome.
extension Command.Output {
    /// The first newline-terminated line of stdout ("" when there is none).
    var line: String {
        guard let end = stdout.firstIndex(of: 0x0a) else { return "" }
        return String(decoding: stdout[..<end], as: UTF8.self)
    }

    /// Exactly one newline-terminated line of printable text, whatever the outcome.
    func expectOneLine(_ context: String, sourceLocation: SourceLocation) {
        let newlines = stdout.filter { $0 == 0x0a }.count
        #expect(
            newlines == 1 && stdout.last == 0x0a,
            "\(context): stdout must be exactly one line, got \(String(decoding: stdout, as: UTF8.self).debugDescription)",
            sourceLocation: sourceLocation)
        #expect(
            !stdout.dropLast().contains { $0 < 0x20 || $0 == 0x7f }, "\(context): control characters on stdout",
            sourceLocation: sourceLocation)
    }

    func expect(_ code: VerifyVerdict.Code, _ context: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        expect(oneOf: [code], context, sourceLocation: sourceLocation)
    }

    func expect(
        oneOf codes: [VerifyVerdict.Code], _ context: String = "", sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let context = context.isEmpty ? shown : context
        #expect(
            codes.map(\.rawValue).contains(status),
            "\(context): exit \(status), wanted \(codes.map(\.rawValue)); stdout \(line.debugDescription); stderr \(stderr.prefix(300).debugDescription)",
            sourceLocation: sourceLocation)
        expectOneLine(context, sourceLocation: sourceLocation)
        if status == VerifyVerdict.Code.accept.rawValue {
            #expect(line.hasPrefix("accept "), "\(context): \(line)", sourceLocation: sourceLocation)
        } else {
            #expect(
                line.hasPrefix("reject \(status) "), "\(context): the line starts with the exit code: \(line)",
                sourceLocation: sourceLocation)
        }
    }
}
