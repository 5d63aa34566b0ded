import DANECore
import DANETestSupport
import Foundation
import Testing

/// `danesync check` (design.md "Command line"): validates config and policy without network,
/// prints what would be synced, and refuses bad input with exit 2 and one stderr line per problem.
/// Runs the built binary on the shipped `policy-examples/` and on broken variants of them.
struct CheckCommandTests {
    // MARK: fixtures

    static let examples = Repository.root.appendingPathComponent("policy-examples")
    static let exampleNames = [
        "admin-laptop._device.example.com", "cam7._device.example.org", "sensor1._device.example.com",
        "sensor2._device.example.com",
    ]

    /// A temporary directory holding a trust anchor file, removed when the test ends.
    final class Workspace {
        let directory: URL
        init() throws {
            directory = Scratch.directory("danesync-check")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try write(
                "root.key", ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n")
        }
        deinit { try? FileManager.default.removeItem(at: directory) }

        @discardableResult
        func write(_ name: String, _ text: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }

        var trustAnchor: String { directory.appendingPathComponent("root.key").path }

        /// `policy-examples/danesync.yaml` pointed at `policy` and at this workspace's trust anchor
        /// and output directory, with `extra` appended to the text (for broken variants).
        func config(policy: String, replacing: [(String, String)] = []) throws -> String {
            var text = try String(
                contentsOf: CheckCommandTests.examples.appendingPathComponent("danesync.yaml"), encoding: .utf8)
            text = text.replacingOccurrences(of: "file: /etc/danesync/policy.yaml", with: "file: \(policy)")
            text = text.replacingOccurrences(
                of: "trust_anchor_file: /usr/share/dns/root.key", with: "trust_anchor_file: \(trustAnchor)")
            text = text.replacingOccurrences(
                of: "dir: /var/lib/danesync", with: "dir: \(directory.appendingPathComponent("out").path)")
            for (old, new) in replacing {
                precondition(text.contains(old), "\(old) not in danesync.yaml")
                text = text.replacingOccurrences(of: old, with: new)
            }
            return try write("danesync.yaml", text)
        }
    }

    /// `danesync check --config CONFIG` with the binary this build made.
    static func check(config: String) throws -> Command.Output {
        try Command.run(Repository.binary("danesync"), ["check", "--config", config])
    }

    /// Runs check and expects exit 2 with exactly one `danesync: …` line on stderr holding every word.
    static func expectRefusal(
        config: String, mentioning words: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let result = try check(config: config)
        #expect(
            result.status == 2, "stdout: \(result.stdoutText) stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderrLines.count == 1, "\(result.stderrLines)", sourceLocation: sourceLocation)
        let line = result.stderrLines.first ?? ""
        #expect(line.hasPrefix("danesync: "), "\(line)", sourceLocation: sourceLocation)
        for word in words {
            #expect(line.contains(word), "\"\(word)\" not in \(line)", sourceLocation: sourceLocation)
        }
    }

    // MARK: the shipped examples

    @Test(arguments: ["corp.yaml", "corp.json", "corp.txt"])
    func test_eachPolicyExample_checksOK_andListsItsNames(_ example: String) throws {
        let workspace = try Workspace()
        let config = try workspace.config(policy: Self.examples.appendingPathComponent(example).path)
        let result = try Self.check(config: config)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(result.stdoutText.contains("policy: 2 network(s), 4 name(s)"), "\(result.stdoutText)")
        #expect(result.stdoutText.contains("network corp-iot: 3 name(s)"), "\(result.stdoutText)")
        #expect(result.stdoutText.contains("network * (every network): 1 name(s)"), "\(result.stdoutText)")
        for name in Self.exampleNames {
            #expect(result.stdoutText.contains("  \(name)\n"), "\(name) not in \(result.stdoutText)")
        }
    }

    @Test func test_threeExampleForms_sayTheSame() throws {
        let policies = try ["corp.yaml", "corp.json", "corp.txt"].map { file in
            try PolicyParser.parse(String(contentsOf: Self.examples.appendingPathComponent(file), encoding: .utf8))
        }
        #expect(policies[0] == policies[1])
        #expect(policies[0] == policies[2])
        #expect(policies[0].names.map(\.text) == Self.exampleNames)
        #expect(policies[0].networks.keys.sorted() == ["*", "corp-iot"])
    }

    @Test func test_exampleConfig_isTheDesignDefaults() throws {
        let text = try String(contentsOf: Self.examples.appendingPathComponent("danesync.yaml"), encoding: .utf8)
        #expect(try ConfigParser.parse(text) == ConfigParser.parse("policy:\n  file: /etc/danesync/policy.yaml\n"))
    }

    // MARK: refusals

    @Test func test_nameWithoutUnderscoreLabel_isRefused() throws {
        let workspace = try Workspace()
        let policy = try workspace.write(
            "policy.txt", "corp-iot|sensor1._device.example.com\ncorp-iot|sensor2.device.example.com\n")
        try Self.expectRefusal(
            config: workspace.config(policy: policy),
            mentioning: ["line 2", "sensor2.device.example.com", "no label starting with \"_\""])
    }

    @Test func test_oversizeLabel_isRefused() throws {
        let workspace = try Workspace()
        let label = String(repeating: "s", count: 64)
        let policy = try workspace.write("policy.yaml", "networks:\n  corp-iot:\n    - \(label)._device.example.com\n")
        try Self.expectRefusal(config: workspace.config(policy: policy), mentioning: ["line 3", "64 octets", "63"])
    }

    @Test func test_badDuration_isRefused() throws {
        let workspace = try Workspace()
        let config = try workspace.config(
            policy: Self.examples.appendingPathComponent("corp.yaml").path,
            replacing: [("timeout: 5s", "timeout: 5 seconds")])
        try Self.expectRefusal(config: config, mentioning: ["dns.timeout", "5 seconds", "duration"])
    }

    @Test func test_unknownConfigKey_isRefused() throws {
        let workspace = try Workspace()
        let config = try workspace.config(
            policy: Self.examples.appendingPathComponent("corp.yaml").path,
            replacing: [("  forwarders: []", "  forwarder: []")])
        try Self.expectRefusal(config: config, mentioning: ["unknown key \"dns.forwarder\""])
    }

    @Test func test_policyWithoutContent_isRefused() throws {
        let workspace = try Workspace()
        let policy = try workspace.write("policy.yaml", "# nothing yet\n")
        try Self.expectRefusal(config: workspace.config(policy: policy), mentioning: ["no content", "truncated"])
    }

    @Test func test_policyLineWithoutPipe_isRefused() throws {
        let workspace = try Workspace()
        let policy = try workspace.write(
            "policy.txt", "# devices\ncorp-iot|sensor1._device.example.com\nsensor2._device.example.com\n")
        try Self.expectRefusal(config: workspace.config(policy: policy), mentioning: ["line 3", "no \"|\""])
    }

    @Test func test_missingPolicyFile_isRefused() throws {
        let workspace = try Workspace()
        let missing = workspace.directory.appendingPathComponent("nope.yaml").path
        try Self.expectRefusal(config: workspace.config(policy: missing), mentioning: [missing, "cannot read"])
    }

    @Test func test_missingConfigFile_isRefused() throws {
        let workspace = try Workspace()
        let missing = workspace.directory.appendingPathComponent("nope.yaml").path
        try Self.expectRefusal(config: missing, mentioning: [missing])
    }

    @Test func test_unreadableTrustAnchor_isRefused() throws {
        let workspace = try Workspace()
        let config = try workspace.config(policy: Self.examples.appendingPathComponent("corp.yaml").path)
        try FileManager.default.removeItem(atPath: workspace.trustAnchor)
        try Self.expectRefusal(config: config, mentioning: ["dns.trust_anchor_file"])
    }

    @Test func test_severalProblems_areEachOneLine() throws {
        let workspace = try Workspace()
        let config = try workspace.config(
            policy: Self.examples.appendingPathComponent("corp.yaml").path,
            replacing: [("timeout: 5s", "timeout: 5 seconds"), ("  concurrency: 32", "  concurrency: many")])
        let result = try Self.check(config: config)
        #expect(result.status == 2)
        #expect(result.stderrLines.count == 2, "\(result.stderrLines)")
        #expect(result.stderrLines.allSatisfy { $0.hasPrefix("danesync: config ") })
    }
}
