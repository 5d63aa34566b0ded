import DANECore
import DANEDigest
import DANEPublish
import DANESync
import Foundation
import Logging
import Testing

/// The agent end to end against the lab (knot with signed zones, nginx CA host): every test
/// drives the real `Agent` (libunbound, libcurl, files) or the built `danesync once`, with its
/// own output directory and policy, and checks the four outputs of design.md "Outputs".
///
/// `sensor4._device.example.com` is the one name a test withdraws (ResolverTests withdraws it
/// too, in the same lab), so only the withdrawal test lists it in its policy.
@Suite(.serialized)
struct AgentTests {
    @Test func test_aPass_publishesTheOrganisationsCAs_andTheRightHashPerNetworkAndName() async throws {
        let workspace = try AgentWorkspace("publish")
        defer { workspace.remove() }
        try workspace.writePolicy(LabNames.everythingButSensor4)

        let summary = try await workspace.pass()
        #expect(summary.exitCode == 1, "fault, bogus and insecure names fail the pass")
        #expect(Set(summary.report.written) == ["ca.d", "ca.pem", "trustmap", "status.json"])

        let published = workspace.published
        let expectedCAs = try LabPKI.fingerprints(["int", "root", "org2-root"])
        #expect(try published.caPEMFingerprints() == expectedCAs)
        #expect(try published.caPEMCountByOpenSSL() == 3, "FreeRADIUS (OpenSSL) reads every CA of ca.pem")
        #expect(try published.caDirectoryFingerprints() == expectedCAs)
        for unwanted in try LabPKI.fingerprints(["rogue-root", "web-ca"] + LabPKI.faultRoots) {
            #expect(try !published.caPEMFingerprints().contains(unwanted))
        }

        var expected: Set<TrustMapLine> = []
        for name in LabNames.sensors123 {
            expected.insert(TrustMapLine(network: "corp-iot", name: name, hashes: [try LabPKI.deviceHash(name)]))
        }
        expected.insert(TrustMapLine(network: "*", name: LabNames.cam7, hashes: [try LabPKI.deviceHash(LabNames.cam7)]))
        let entries = try published.trustMap()
        #expect(Set(entries.map(TrustMapLine.init)) == expected)
        // sensor3 also publishes `3 1 1`: kept as a pin beside its hash.
        #expect(entries.first { $0.name.text == LabNames.sensor3 }?.pins.map(\.presentation).first?.hasPrefix("3 1 1 ") == true)

        // The reader daneverify uses finds each entry by binary search, and only on its network.
        let sensor1 = try DeviceName(LabNames.sensor1)
        #expect(try published.lookup(network: "corp-iot", name: sensor1)?.hashes == [try LabPKI.deviceHash(LabNames.sensor1)])
        #expect(try published.lookup(network: "guest", name: sensor1) == nil)
        #expect(try published.lookup(network: "*", name: DeviceName(LabNames.cam7)) != nil)

        let status = try published.status()
        for name in LabNames.sensors123 + [LabNames.cam7] {
            #expect(status.state(of: name) == "ok", "\(name)")
        }
        #expect(status.counts.ok == 4)
        #expect(Set(status.cas.map(\.sha256)) == expectedCAs)
    }

    @Test func test_secondPassWithNothingChanged_rewritesNoOutput_andDoesNotRunOnCAChange() async throws {
        let workspace = try AgentWorkspace("unchanged")
        defer { workspace.remove() }
        try workspace.writePolicy(LabNames.everythingButSensor4)
        let marker = workspace.root.appendingPathComponent("ca-changed").path
        let settings = ["sync.on_ca_change": "/usr/bin/touch \(marker)"]

        let first = try await workspace.pass(set: settings)
        #expect(first.report.caChanged)
        #expect(FileManager.default.fileExists(atPath: marker), "on_ca_change runs after ca.pem changed")
        try FileManager.default.removeItem(atPath: marker)
        let before = try workspace.published.identities()
        #expect(before.keys.contains("ca.pem") && before.keys.contains("trustmap"))
        #expect(before.keys.filter { $0.hasPrefix("ca.d/") }.count == 6, "3 CA files + 3 hash links")

        let second = try await workspace.pass(set: settings)
        #expect(second.report.written.allSatisfy { $0 == "status.json" }, "written: \(second.report.written)")
        #expect(!second.report.caChanged)
        #expect(try workspace.published.identities() == before, "same inode and mtime for ca.pem, ca.d/*, trustmap")
        #expect(!FileManager.default.fileExists(atPath: marker), "on_ca_change must not run when ca.pem is unchanged")
    }

    @Test func test_withdrawnName_leavesTheTrustMapAtTheNextPass_andComesBackWhenRestored() async throws {
        let workspace = try AgentWorkspace("withdraw")
        defer { workspace.remove() }
        try workspace.writePolicy(["corp-iot": [LabNames.sensor1, LabNames.sensor4]])
        let sensor4 = try DeviceName(LabNames.sensor4)
        let hash = try LabPKI.deviceHash(LabNames.sensor4)

        _ = try await workspace.pass()
        #expect(try workspace.published.lookup(network: "corp-iot", name: sensor4)?.hashes == [hash])

        #expect(Lab.script("dns.sh", "withdraw", Lab.directory.path, sensor4.text) == 0)
        var restored = false
        defer { if !restored { Lab.script("dns.sh", "restore", Lab.directory.path, sensor4.text) } }

        // Each pass builds its Agent afresh, as `danesync once` does: a cold resolver cache.
        _ = try await workspace.pass()
        var status = try workspace.published.status()
        #expect(status.state(of: LabNames.sensor4) == "withdrawn")
        let reason = status.name(LabNames.sensor4)?.lastError ?? ""
        #expect(reason.contains("NXDOMAIN") || reason.contains("NODATA") || reason.contains("no usable TLSA"), "\(reason)")
        #expect(try workspace.published.lookup(network: "corp-iot", name: sensor4) == nil)
        #expect(try workspace.published.trustMap().map(\.name.text) == [LabNames.sensor1])

        #expect(Lab.script("dns.sh", "restore", Lab.directory.path, sensor4.text) == 0)
        restored = true
        _ = try await workspace.pass()
        status = try workspace.published.status()
        #expect(status.state(of: LabNames.sensor4) == "ok")
        #expect(try workspace.published.lookup(network: "corp-iot", name: sensor4)?.hashes == [hash])
    }

    @Test func test_bogusAndInsecureNames_neverEnterTheTrustMap_andSayWhy() async throws {
        let workspace = try AgentWorkspace("dnssec")
        defer { workspace.remove() }
        // plain.… sits in the unsigned zone; broken.… in a signed zone whose TLSA rdata was altered.
        try workspace.writePolicy([
            "corp-iot": [LabNames.sensor1, LabNames.bogus, LabNames.insecure], "*": [LabNames.bogus, LabNames.insecure],
        ])

        let summary = try await workspace.pass()
        #expect(summary.exitCode == 1)
        let names = try workspace.published.trustMap().map(\.name.text)
        #expect(names == [LabNames.sensor1])

        let status = try workspace.published.status()
        #expect(status.state(of: LabNames.bogus) == "bogus")
        #expect(status.name(LabNames.bogus)?.lastError?.contains("DNSSEC validation failed") == true)
        #expect(status.state(of: LabNames.insecure) == "insecure")
        let insecure = status.name(LabNames.insecure)?.lastError ?? ""
        #expect(insecure.contains("insecure") && insecure.contains("require_dnssec"), "\(insecure)")
        #expect(status.name(LabNames.bogus)?.hashes == [])
        #expect(status.name(LabNames.insecure)?.hashes == [])
    }

    @Test func test_faultyCAHosts_giveErrorNamingTheRule_andAddNoCA() async throws {
        let workspace = try AgentWorkspace("faults")
        defer { workspace.remove() }
        try workspace.writePolicy(["corp-iot": [LabNames.sensor1] + LabNames.faults.map(\.name)])

        _ = try await workspace.pass()
        let status = try workspace.published.status()
        for fault in LabNames.faults {
            let entry = try #require(status.name(fault.name))
            #expect(entry.state == "error", "\(fault.name)")
            let reason = entry.lastError ?? ""
            for word in fault.reasonMentions {
                #expect(reason.contains(word), "\(fault.name): reason \"\(reason)\" lacks \"\(word)\"")
            }
            #expect(reason.contains("https://device.example.com/.well-known/ca/"), "the reason names the URL: \(reason)")
        }
        let expectedCAs = try LabPKI.fingerprints(["int", "root"])
        #expect(try workspace.published.caPEMFingerprints() == expectedCAs, "only sensor1's chain; nothing from a fault host")
        #expect(try workspace.published.caDirectoryFingerprints() == expectedCAs)
        #expect(try workspace.published.trustMap().map(\.name.text) == [LabNames.sensor1])
    }

    @Test func test_resolverFailure_keepsTheLastGoodEntryWithinGrace_andDropsItAfter() async throws {
        let workspace = try AgentWorkspace("grace")
        defer { workspace.remove() }
        let names = [LabNames.sensor1, LabNames.sensor2, LabNames.cam7]
        try workspace.writePolicy(["corp-iot": [LabNames.sensor1, LabNames.sensor2], "*": [LabNames.cam7]])

        let first = try await workspace.pass()
        #expect(first.exitCode == 0)
        let good = try workspace.published.trustMap()
        let goodCAs = try workspace.published.caPEMFingerprints()
        #expect(good.count == 3 && goodCAs.count == 3)

        // A forwarder that never answers, and no unbound.conf (whose forward-zone names knot).
        let silent = try SilentUDPServer()
        defer { silent.close() }
        let dead: [String: String] = ["dns.forwarders": "[\"127.0.0.1@\(silent.port)\"]", "dns.timeout": "1s"]

        let second = try await workspace.pass(set: dead.merging(["sync.grace": "1h"]) { $1 }, remove: ["dns.unbound_conf"])
        #expect(second.exitCode == 1)
        var status = try workspace.published.status()
        for name in names {
            #expect(status.state(of: name) == "stale", "\(name)")
            #expect(status.name(name)?.lastError?.contains("timed out") == true, "\(status.name(name)?.lastError ?? "-")")
        }
        #expect(try workspace.published.trustMap() == good, "stale names stay published")
        #expect(try workspace.published.caPEMFingerprints() == goodCAs, "and so do the CAs they rely on")
        #expect(try workspace.published.caPEMCountByOpenSSL() == 3)

        // grace 0 s: the last ok pass is at least a second old, so the entries go.
        try await Task.sleep(for: .milliseconds(1100))
        _ = try await workspace.pass(set: dead.merging(["sync.grace": "0s"]) { $1 }, remove: ["dns.unbound_conf"])
        status = try workspace.published.status()
        for name in names {
            #expect(status.state(of: name) == "error", "\(name)")
        }
        #expect(try workspace.published.trustMap().isEmpty)
        #expect(try workspace.published.caPEMFingerprints().isEmpty)
        #expect(try workspace.published.caDirectoryFingerprints().isEmpty)
    }

    @Test func test_caDirectory_isWhatOpenSSLRehashMakes_andLosesCAsThatDisappear() async throws {
        let workspace = try AgentWorkspace("cadir")
        defer { workspace.remove() }
        try workspace.writePolicy(LabNames.everythingButSensor4)
        _ = try await workspace.pass()
        try workspace.published.checkCADirectoryLikeRehash(expecting: try LabPKI.fingerprints(["int", "root", "org2-root"]))

        // Only cam7 left: its org2-root stays, the example.com intermediate and root go.
        try workspace.writePolicy(["*": [LabNames.cam7]])
        let summary = try await workspace.pass()
        #expect(summary.report.written.contains("ca.d"))
        try workspace.published.checkCADirectoryLikeRehash(expecting: try LabPKI.fingerprints(["org2-root"]))
        #expect(try workspace.published.caPEMFingerprints() == LabPKI.fingerprints(["org2-root"]))
    }

    @Test func test_unreadablePolicy_exitsTwo_andPublishesNothingNew() async throws {
        let workspace = try AgentWorkspace("nopolicy")
        defer { workspace.remove() }
        try workspace.writePolicy(["*": [LabNames.cam7, LabNames.sensor1]])
        try workspace.writeConfig()
        let good = try AgentBinary.once(config: workspace.configPath)
        #expect(good.status == 0, "\(good.stderr)")
        let before = try workspace.published.snapshot()
        let identities = try workspace.published.identities()

        // Missing, then present but not a policy: both are "nothing usable" for a fresh process.
        try FileManager.default.removeItem(atPath: workspace.policyPath)
        let missing = try AgentBinary.once(config: workspace.configPath)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains(workspace.policyPath), "\(missing.stderr)")

        try Data("networks: [this, is, a, list]\n".utf8).write(to: URL(fileURLWithPath: workspace.policyPath))
        let malformed = try AgentBinary.once(config: workspace.configPath)
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("policy"), "\(malformed.stderr)")

        #expect(try workspace.published.snapshot() == before, "every output, status.json included, is unchanged")
        #expect(try workspace.published.identities() == identities)
    }
}

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
        let result = try Shell.run("/bin/sh", ["-c", "openssl x509 -in \"$1\" -outform DER | sha256sum", "sh", pemFile])
        guard result.status == 0, let hash = result.stdout.split(separator: " ").first, hash.count == 64 else {
            throw Shell.Failure("sha256 of \(pemFile): \(result.stderr)")
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
        root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "danesync-agent-\(label)-\(UUID().uuidString.prefix(8))")
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
        let text = Self.edit(try String(contentsOfFile: Lab.path("danesync.yaml"), encoding: .utf8), set: values, remove: remove)
        try Data(text.utf8).write(to: URL(fileURLWithPath: configPath))
        return try ConfigParser.parse(text)
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
        try data(Config.OutputFile.trustMap).withUnsafeBytes { try TrustMapReader(bytes: $0).lookup(network: network, name: name) }
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
        let result = try Shell.run("/usr/bin/openssl", ["storeutl", "-noout", "-certs", path(Config.OutputFile.caPEM)])
        guard result.status == 0 else { throw Shell.Failure("openssl storeutl ca.pem: \(result.stderr)") }
        let total = result.stdout.split(separator: "\n").first { $0.hasPrefix("Total found:") }
        return Int(total?.split(separator: " ").last ?? "") ?? -1
    }

    /// Fingerprints of the CA files in ca.d (each must hold exactly one certificate).
    func caDirectoryFingerprints() throws -> Set<String> {
        let dir = path(Config.OutputFile.caDirectory)
        var out: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: dir) where !Self.isHashLink(file) {
            let ders = try PEM.certificates(in: Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file))))
            #expect(ders.count == 1, "ca.d/\(file) holds \(ders.count) certificates; rehash ignores all but one-per-file")
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
        #expect(entries.allSatisfy { !$0.hasPrefix(".") }, "no temp files left: \(entries)", sourceLocation: sourceLocation)
        var links: [String: String] = [:]
        for link in entries where Self.isHashLink(link) {
            let target = try fm.destinationOfSymbolicLink(atPath: dir + "/" + link)
            #expect(!target.contains("/"), "\(link) points inside ca.d", sourceLocation: sourceLocation)
            #expect(fm.fileExists(atPath: dir + "/" + target), "\(link) → \(target) resolves", sourceLocation: sourceLocation)
            let hash = try Shell.run("/usr/bin/openssl", ["x509", "-subject_hash", "-noout", "-in", dir + "/" + target])
            #expect(link.hasPrefix(hash.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "."), "\(link) → \(target)", sourceLocation: sourceLocation)
            links[link] = target
        }
        let files = Set(entries.filter { !Self.isHashLink($0) })
        #expect(Set(links.values) == files, "every CA file has a link", sourceLocation: sourceLocation)
        #expect(links.count == files.count, "exactly one link per CA file", sourceLocation: sourceLocation)

        let copy = fm.temporaryDirectory.appendingPathComponent("rehash-\(UUID().uuidString.prefix(8))").path
        try fm.createDirectory(atPath: copy, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: copy) }
        for file in files { try fm.copyItem(atPath: dir + "/" + file, toPath: copy + "/" + file) }
        let rehash = try Shell.run("/usr/bin/openssl", ["rehash", copy])
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
    func state(of text: String) -> String? { name(text)?.state }
}

// MARK: - Processes

enum Shell {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program to completion; stdout and stderr go through files, so neither can fill
    /// a pipe and stall it.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        let fm = FileManager.default
        let base = fm.temporaryDirectory.appendingPathComponent("shell-\(UUID().uuidString)")
        let outPath = base.path + ".out"
        let errPath = base.path + ".err"
        guard fm.createFile(atPath: outPath, contents: nil), fm.createFile(atPath: errPath, contents: nil) else {
            throw Failure("cannot create \(base.path).out/.err")
        }
        defer {
            try? fm.removeItem(atPath: outPath)
            try? fm.removeItem(atPath: errPath)
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: fm.contents(atPath: outPath) ?? Data(), as: UTF8.self),
            stderr: String(decoding: fm.contents(atPath: errPath) ?? Data(), as: UTF8.self))
    }
}

/// The `danesync` executable this test run built.
enum AgentBinary {
    static var path: String { Lab.repository.appendingPathComponent(".build/debug/danesync").path }

    static func once(config: String) throws -> Shell.Result {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Shell.Failure("\(path) is missing: build it (swift build --build-tests) before the tests")
        }
        return try Shell.run(path, ["once", "--config", config])
    }
}
