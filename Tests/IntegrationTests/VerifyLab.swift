import DANECore
import DANEDigest
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

// MARK: - Fixture

/// A lab of its own for these tests (scripts/lab/up.sh in a temp dir, torn down at exit):
/// they withdraw records with dns.sh, and the shared `Lab` serves other suites in parallel.
/// The trust map comes from one real `danesync once` into `<lab>/verify-tests/out`.
enum VerifyLab {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private static let lab: Result<String, Failure> = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("danesync-verify-lab-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let status = (try? script("up.sh", dir))?.status ?? -1
        atexit {
            if case .success(let dir) = VerifyLab.lab {
                _ = try? VerifyLab.script("down.sh", dir)
                try? FileManager.default.removeItem(atPath: dir)
            }
        }
        guard status == 0 else { return .failure(Failure(description: "scripts/lab/up.sh \(dir) failed (\(status))")) }
        try? FileManager.default.createDirectory(atPath: dir + "/verify-tests", withIntermediateDirectories: true)
        return .success(dir)
    }()

    static func directory() throws -> String { try lab.get() }

    /// A scripts/lab script, run with `execute` (posix_spawn + waitpid): Foundation's `Process`
    /// can miss the child's exit inside a static initializer under swift-testing and hang.
    @discardableResult
    static func script(_ name: String, _ arguments: String...) throws -> Run {
        try execute(Lab.repository.appendingPathComponent("scripts/lab/\(name)").path, arguments.map { Array($0.utf8) })
    }

    static func path(_ relative: String) -> String { ((try? lab.get()) ?? "/nonexistent") + "/" + relative }

    static func scratch(_ name: String) -> String { path("verify-tests/" + name) }

    /// The directory holding `danesync` and `daneverify`: `DANESYNC_BIN`, else next to the test
    /// bundle (`swift test` builds every product there), else `.build/debug`.
    static let binaries: String = {
        if let dir = ProcessInfo.processInfo.environment["DANESYNC_BIN"], !dir.isEmpty { return dir }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
        if FileManager.default.isExecutableFile(atPath: me + "/daneverify") { return me }
        return Lab.repository.appendingPathComponent(".build/debug").path
    }()

    /// One `danesync once` pass over the lab policy into `verify-tests/out` (exit 1: the lab
    /// policy holds names that fail on purpose).
    private static let published: Result<String, Failure> = {
        do {
            let lab = try directory()
            let out = scratch("out")
            let config = try String(contentsOfFile: lab + "/danesync.yaml", encoding: .utf8)
                .replacingOccurrences(of: "  dir: \(lab)/out\n", with: "  dir: \(out)\n")
            guard config.contains(out) else {
                return .failure(Failure(description: "cannot point output.dir of \(lab)/danesync.yaml elsewhere"))
            }
            let configPath = scratch("danesync.yaml")
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
            let run = try execute(binaries + "/danesync", ["once", "--config", configPath].map { Array($0.utf8) })
            guard run.status == 0 || run.status == 1, FileManager.default.fileExists(atPath: out + "/trustmap") else {
                return .failure(Failure(description: "danesync once exited \(run.status): \(run.stderr.suffix(2000))"))
            }
            return .success(out)
        } catch {
            return .failure(Failure(description: "\(error)"))
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
            throw Failure(description: "no certificate in \(pemPath)")
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
        output: String? = nil, liveCheck: String = "required", dns: String? = nil, verifyTimeout: String = "2s"
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

            """
        let name = "config-\(Hex.encode(Digest.sha256(Array(text.utf8))).prefix(16)).yaml"
        let file = scratch(name)
        if !FileManager.default.fileExists(atPath: file) {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
        return file
    }

    // MARK: running the hook

    struct Run {
        var arguments: String
        var status: Int32
        var stdout: [UInt8]
        var stderr: String

        var lines: [Substring] {
            String(decoding: stdout, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        }
        var line: String { lines.first.map(String.init) ?? "" }

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

        func expect(
            _ code: VerifyVerdict.Code, _ context: String = "", sourceLocation: SourceLocation = #_sourceLocation
        ) {
            expect(oneOf: [code], context, sourceLocation: sourceLocation)
        }

        func expect(
            oneOf codes: [VerifyVerdict.Code], _ context: String = "", sourceLocation: SourceLocation = #_sourceLocation
        ) {
            let context = context.isEmpty ? arguments : context
            #expect(
                codes.map(\.rawValue).contains(status),
                "\(context): exit \(status), wanted \(codes.map(\.rawValue)); stdout \(line.debugDescription); stderr \(stderr.prefix(300).debugDescription)",
                sourceLocation: sourceLocation)
            expectOneLine(context, sourceLocation: sourceLocation)
            if codes == [.accept] {
                #expect(line.hasPrefix("accept "), "\(context): \(line)", sourceLocation: sourceLocation)
            } else {
                #expect(
                    line.hasPrefix("reject \(status) "), "\(context): the line starts with the exit code: \(line)",
                    sourceLocation: sourceLocation)
            }
        }
    }

    static func verify(config: String, identity: String, cert: String, csid: String?) throws -> Run {
        var arguments = ["--config", config, "--identity", identity, "--cert", cert]
        if let csid { arguments += ["--called-station-id", csid] }
        return try run(arguments)
    }

    static func run(_ arguments: [String]) throws -> Run { try run(raw: arguments.map { Array($0.utf8) }) }

    static func run(raw arguments: [[UInt8]]) throws -> Run {
        _ = try directory()
        return try execute(binaries + "/daneverify", arguments)
    }

    /// posix_spawn with byte-string arguments (not all of them are UTF-8), stdin from /dev/null,
    /// stdout and stderr into files (no pipe to drain), waiting at most 60 s.
    static func execute(_ executable: String, _ arguments: [[UInt8]]) throws -> Run {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(
                description:
                    "\(executable) is not built (swift build --product \(URL(fileURLWithPath: executable).lastPathComponent))"
            )
        }
        let id = UUID().uuidString
        let outPath = NSTemporaryDirectory() + "daneverify-test-\(id).out"
        let errPath = NSTemporaryDirectory() + "daneverify-test-\(id).err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let argv: [UnsafeMutablePointer<CChar>?] =
            ([Array(executable.utf8)] + arguments).map { bytes in
                let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
                for (index, byte) in bytes.enumerated() { pointer[index] = CChar(bitPattern: byte) }
                pointer[bytes.count] = 0
                return pointer
            } + [nil]
        defer { for pointer in argv { pointer?.deallocate() } }

        var pid: pid_t = 0
        let environment: [UnsafeMutablePointer<CChar>?] =
            ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in environment { free(pointer) } }
        let spawned = argv.withUnsafeBufferPointer { argv in
            environment.withUnsafeBufferPointer {
                posix_spawn(&pid, executable, &actions, nil, argv.baseAddress!, $0.baseAddress!)
            }
        }
        guard spawned == 0 else {
            throw Failure(description: "posix_spawn \(executable): \(String(cString: strerror(spawned)))")
        }

        var status: Int32 = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR { throw Failure(description: "waitpid: \(String(cString: strerror(errno)))") }
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw Failure(description: "\(executable) did not finish within 60 s")
            }
            usleep(2_000)
        }
        // WIFEXITED / WEXITSTATUS; a signal shows as its negated number.
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -(status & 0x7f)
        let shown = arguments.map { String(decoding: $0.prefix(80), as: UTF8.self) }.joined(separator: " ")
        return Run(
            arguments: shown, status: code,
            stdout: Array((try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()),
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}

extension Lab {
    /// A variable from an env file of the lab in `directory`.
    static func env(_ file: String, _ key: String, in directory: String) -> String {
        let text = (try? String(contentsOfFile: directory + "/" + file, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix(key + "=") {
            return String(line.dropFirst(key.count + 1))
        }
        return ""
    }
}
