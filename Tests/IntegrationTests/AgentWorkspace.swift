import DANECore
import DANEDigest
import DANEPublish
import DANESync
import DANETestSupport
import Foundation
import Logging
import Testing

// MARK: - The lab's names and PKI

enum LabNames {
    static let sensor1 = "sensor1._device.example.com"
    static let sensor2 = "sensor2._device.example.com"
    static let sensor3 = "sensor3._device.example.com"
    static let sensor4 = "sensor4._device.example.com"
    static let cam7 = "cam7._device.example.org"
    static let bogus = "broken._device.example.edu"
    static let insecure = "plain._device.example.net"
    static let sensors123 = [sensor1, sensor2, sensor3]

    struct Fault {
        var name: String
        /// Words the error must carry: the rule that was broken.
        var reasonMentions: [String]
    }

    static let faults = [
        Fault(name: "wrongski._device.example.com", reasonMentions: ["SKI", "wanted"]),
        Fault(name: "missing._device.example.com", reasonMentions: ["404"]),
        Fault(name: "garbage._device.example.com", reasonMentions: ["not a PEM certificate"]),
        Fault(name: "oversize._device.example.com", reasonMentions: ["larger than", "max_bytes"]),
        Fault(name: "redirect._device.example.com", reasonMentions: ["redirect", "http://"]),
    ]

    /// The lab's own policy (scripts/lab/up.sh) without sensor4.
    static let everythingButSensor4: [String: [String]] = [
        "corp-iot": sensors123 + [insecure, bogus] + faults.map(\.name),
        "*": [cam7],
    ]
}

/// Facts about the lab's PKI taken with the `openssl` command line, independently of the code
/// under test.
enum LabPKI {
    static let faultRoots = ["fault-wrongski", "fault-404", "fault-garbage", "fault-oversize", "fault-redirect"]

    /// SHA-256 of a PEM file's certificate DER: `openssl x509 -outform DER | sha256sum`.
    static func sha256OfDER(_ pemFile: String) throws -> String {
        let result = try Command.run(
            "/bin/sh", ["-c", "openssl x509 -in \"$1\" -outform DER | sha256sum", "sh", pemFile])
        guard result.status == 0, let hash = result.stdoutText.split(separator: " ").first, hash.count == 64 else {
            throw Command.Failure("sha256 of \(pemFile): \(result.stderr)")
        }
        return String(hash)
    }

    /// Fingerprints of lab CAs by their file name under pki/ca.
    static func fingerprints(_ cas: [String]) throws -> Set<String> {
        Set(try cas.map { try sha256OfDER(Lab.path("pki/ca/\($0).pem")) })
    }

    static func deviceHash(_ name: String) throws -> String {
        try sha256OfDER(Lab.path("pki/devices/\(name).pem"))
    }
}

// MARK: - A test's own configuration, policy and output directory

/// A fresh directory holding one test's `danesync.yaml` (a copy of the lab's, with `output.dir`
/// and `policy.file` pointing inside), `policy.yaml` and `out/`.
struct AgentWorkspace {
    let root: URL

    init(_ label: String) throws {
        root = Scratch.directory("danesync-agent-\(label)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    var output: String { root.appendingPathComponent("out").path }
    var policyPath: String { root.appendingPathComponent("policy.yaml").path }
    var configPath: String { root.appendingPathComponent("danesync.yaml").path }
    var published: PublishedOutputs { PublishedOutputs(directory: output) }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// Writes the policy (YAML, networks sorted) by rename, as an admin's editor would.
    func writePolicy(_ networks: [String: [String]]) throws {
        var text = "networks:\n"
        for network in networks.keys.sorted() {
            text += "  \"\(network)\":\n"
            for name in networks[network]! { text += "    - \(name)\n" }
        }
        let temp = policyPath + ".new"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temp))
        guard rename(temp, policyPath) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Writes `danesync.yaml`: the lab's, with this workspace's output and policy, `set` keys
    /// (`section.key` → YAML value) replaced or added and `remove` keys dropped.
    @discardableResult
    func writeConfig(set: [String: String] = [:], remove: Set<String> = []) throws -> Config {
        var values = set
        values["output.dir"] = output
        values["policy.file"] = policyPath
        let text = Self.edit(
            try String(contentsOfFile: Lab.path("danesync.yaml"), encoding: .utf8), set: values, remove: remove)
        try Data(text.utf8).write(to: URL(fileURLWithPath: configPath))
        return try ConfigParser.parse(text)
    }

    /// `danesync once` over this workspace's config, as its own process: exit code and stderr
    /// are what cron or a systemd timer would see.
    func runOnce() throws -> Command.Output {
        try Command.run(Repository.binary("danesync"), ["once", "--config", configPath])
    }

    /// One pass with a fresh ``Agent`` (cold resolver cache, fresh policy source): what
    /// `danesync once` does.
    func pass(set: [String: String] = [:], remove: Set<String> = []) async throws -> SyncPass.Summary {
        let config = try writeConfig(set: set, remove: remove)
        let agent = try Agent(config: config, logger: Logger(label: "danesync-test") { _ in SwiftLogNoOpLogHandler() })
        return try await agent.pass()
    }

    /// Line edit of the lab's two-level YAML: top-level `section:` lines, then `  key: value`.
    static func edit(_ yaml: String, set: [String: String], remove: Set<String>) -> String {
        var pending = set
        var out: [String] = []
        var section: String?
        func flush() {
            guard let section else { return }
            for key in pending.keys.sorted() where key.hasPrefix(section + ".") {
                out.append("  \(key.dropFirst(section.count + 1)): \(pending.removeValue(forKey: key)!)")
            }
        }
        for line in yaml.split(separator: "\n") {
            if !line.hasPrefix(" ") && line.hasSuffix(":") {
                flush()
                section = String(line.dropLast())
                out.append(String(line))
                continue
            }
            if let section, line.hasPrefix("  "), let colon = line.firstIndex(of: ":") {
                let leaf = line.dropFirst(2)[..<colon].trimmingCharacters(in: .whitespaces)
                let key = section + "." + leaf
                if remove.contains(key) { continue }
                if let value = pending.removeValue(forKey: key) {
                    out.append("  \(leaf): \(value)")
                    continue
                }
            }
            out.append(String(line))
        }
        flush()
        for section in Set(pending.keys.compactMap { $0.split(separator: ".").first.map(String.init) }).sorted() {
            out.append("\(section):")
            for key in pending.keys.sorted() where key.hasPrefix(section + ".") {
                out.append("  \(key.dropFirst(section.count + 1)): \(pending[key]!)")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }
}

/// One trust map line as a comparable value.
struct TrustMapLine: Hashable, CustomStringConvertible {
    var network: String
    var name: String
    var hashes: [String]

    init(network: String, name: String, hashes: [String]) {
        self.network = network
        self.name = name
        self.hashes = hashes
    }

    init(_ entry: TrustMapEntry) {
        self.init(network: entry.network, name: entry.name.text, hashes: entry.hashes)
    }

    var description: String { "\(network) \(name) \(hashes)" }
}

// MARK: - Reading what a pass published

struct PublishedOutputs {
    let directory: String

    func path(_ name: String) -> String { directory + "/" + name }

    func data(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path(name)))
    }

    /// Every trust map entry, after the full check daneverify's writer and `status` rely on.
    func trustMap() throws -> [TrustMapEntry] {
        try data(Config.OutputFile.trustMap).withUnsafeBytes { try TrustMapReader(bytes: $0).validateAll() }
    }

    /// The lookup `daneverify` makes.
    func lookup(network: String, name: DeviceName) throws -> TrustMapEntry? {
        try data(Config.OutputFile.trustMap).withUnsafeBytes {
            try TrustMapReader(bytes: $0).lookup(network: network, name: name)
        }
    }

    func status() throws -> StatusDocument {
        try JSONDecoder().decode(StatusDocument.self, from: data(Config.OutputFile.status))
    }

    /// SHA-256 of every certificate in ca.pem (an empty file holds none).
    func caPEMFingerprints() throws -> Set<String> {
        let bytes = Array(try data(Config.OutputFile.caPEM))
        if bytes.isEmpty { return [] }
        return Set(try PEM.certificates(in: bytes).map { Hex.encode(Digest.sha256($0)) })
    }

    /// How many certificates OpenSSL itself loads from ca.pem, as FreeRADIUS' `ca_file` would.
    func caPEMCountByOpenSSL() throws -> Int {
        let result = try Command.run(
            "/usr/bin/openssl", ["storeutl", "-noout", "-certs", path(Config.OutputFile.caPEM)])
        guard result.status == 0 else { throw Command.Failure("openssl storeutl ca.pem: \(result.stderr)") }
        let total = result.stdoutText.split(separator: "\n").first { $0.hasPrefix("Total found:") }
        return Int(total?.split(separator: " ").last ?? "") ?? -1
    }

    /// Fingerprints of the CA files in ca.d (each must hold exactly one certificate).
    func caDirectoryFingerprints() throws -> Set<String> {
        let dir = path(Config.OutputFile.caDirectory)
        var out: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: dir) where !Self.isHashLink(file) {
            let ders = try PEM.certificates(in: Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file))))
            #expect(
                ders.count == 1, "ca.d/\(file) holds \(ders.count) certificates; rehash ignores all but one-per-file")
            let fingerprint = Hex.encode(Digest.sha256(ders[0]))
            #expect(file == fingerprint + ".pem", "ca.d/\(file) is named by its SHA-256")
            out.insert(fingerprint)
        }
        return out
    }

    static func isHashLink(_ name: String) -> Bool {
        let parts = name.split(separator: ".")
        return parts.count == 2 && parts[0].count == 8 && parts[0].allSatisfy(\.isHexDigit) && Int(parts[1]) != nil
    }

    /// ca.d as `openssl rehash` would make it: every `<8 hex>.<n>` link resolves to a CA file
    /// whose `openssl x509 -subject_hash` is the link's name, each CA file has exactly one link,
    /// the CA files are exactly `expecting`, and `openssl rehash` run on a copy of the CA files
    /// makes the same links.
    func checkCADirectoryLikeRehash(expecting: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let dir = path(Config.OutputFile.caDirectory)
        let fm = FileManager.default
        #expect(try caDirectoryFingerprints() == expecting, sourceLocation: sourceLocation)
        let entries = try fm.contentsOfDirectory(atPath: dir)
        #expect(
            entries.allSatisfy { !$0.hasPrefix(".") }, "no temp files left: \(entries)", sourceLocation: sourceLocation)
        var links: [String: String] = [:]
        for link in entries where Self.isHashLink(link) {
            let target = try fm.destinationOfSymbolicLink(atPath: dir + "/" + link)
            #expect(!target.contains("/"), "\(link) points inside ca.d", sourceLocation: sourceLocation)
            #expect(
                fm.fileExists(atPath: dir + "/" + target), "\(link) → \(target) resolves",
                sourceLocation: sourceLocation)
            let hash = try Command.run(
                "/usr/bin/openssl", ["x509", "-subject_hash", "-noout", "-in", dir + "/" + target])
            #expect(
                link.hasPrefix(hash.text + "."),
                "\(link) → \(target)", sourceLocation: sourceLocation)
            links[link] = target
        }
        let files = Set(entries.filter { !Self.isHashLink($0) })
        #expect(Set(links.values) == files, "every CA file has a link", sourceLocation: sourceLocation)
        #expect(links.count == files.count, "exactly one link per CA file", sourceLocation: sourceLocation)

        let copy = Scratch.directory("rehash").path
        try fm.createDirectory(atPath: copy, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: copy) }
        for file in files { try fm.copyItem(atPath: dir + "/" + file, toPath: copy + "/" + file) }
        let rehash = try Command.run("/usr/bin/openssl", ["rehash", copy])
        #expect(rehash.status == 0, "\(rehash.stderr)", sourceLocation: sourceLocation)
        var theirs: [String: String] = [:]
        for link in try fm.contentsOfDirectory(atPath: copy) where Self.isHashLink(link) {
            theirs[link] = try fm.destinationOfSymbolicLink(atPath: copy + "/" + link)
        }
        #expect(links == theirs, "openssl rehash makes the same links", sourceLocation: sourceLocation)
    }

    /// Inode and modification time of ca.pem, trustmap and everything in ca.d (links not followed).
    func identities() throws -> [String: FileIdentity] {
        var out: [String: FileIdentity] = [:]
        for name in [Config.OutputFile.caPEM, Config.OutputFile.trustMap] { out[name] = try FileIdentity(path(name)) }
        let dir = Config.OutputFile.caDirectory
        for name in try FileManager.default.contentsOfDirectory(atPath: path(dir)) {
            out[dir + "/" + name] = try FileIdentity(path(dir + "/" + name))
        }
        return out
    }

    /// The bytes of every output (ca.d links as their targets).
    func snapshot() throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in [Config.OutputFile.caPEM, Config.OutputFile.trustMap, Config.OutputFile.status] {
            out[name] = try data(name)
        }
        let dir = Config.OutputFile.caDirectory
        for name in try FileManager.default.contentsOfDirectory(atPath: path(dir)) {
            let full = path(dir + "/" + name)
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: full) {
                out[dir + "/" + name] = Data(("→ " + target).utf8)
            } else {
                out[dir + "/" + name] = try Data(contentsOf: URL(fileURLWithPath: full))
            }
        }
        return out
    }
}

struct FileIdentity: Equatable, CustomStringConvertible {
    var inode: UInt64
    var modified: Date

    init(_ path: String) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        modified = attributes[.modificationDate] as? Date ?? .distantPast
    }

    var description: String { "inode \(inode) mtime \(modified.timeIntervalSince1970)" }
}

extension StatusDocument {
    func name(_ text: String) -> Name? { names.first { $0.name == text } }
    func state(of text: String) -> NameRecord.State? { name(text)?.state }
}
