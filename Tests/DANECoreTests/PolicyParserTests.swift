import DANECore
import Testing

/// design.md "Policy": YAML, JSON or `SSID|name` lines, chosen by content; every bad entry
/// reported with its line.
struct PolicyParserTests {
    static func name(_ text: String) -> DeviceName { try! DeviceName(text) }
    static func names(_ texts: String...) -> [DeviceName] { texts.map(name) }

    static func problems(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        do {
            let policy = try PolicyParser.parse(text)
            Issue.record("expected the policy to be refused, got \(policy)", sourceLocation: sourceLocation)
            return []
        } catch {
            return error.problems
        }
    }

    // MARK: the three forms

    @Test func test_yamlNetworksForm_isRead() throws {
        let policy = try PolicyParser.parse(
            """
            networks:
              corp-iot:                 # matched against the SSID
                - sensor1._device.example.com
                - cam7._device.example.org
              "*":
                - admin-laptop._device.example.com
            """)
        #expect(policy.networks["corp-iot"] == Self.names("cam7._device.example.org", "sensor1._device.example.com"))
        #expect(policy.networks["*"] == Self.names("admin-laptop._device.example.com"))
        #expect(policy.networks.count == 2)
        #expect(policy.names.count == 3)
        #expect(policy.networks(of: Self.name("Sensor1._device.example.com")) == ["corp-iot"])
    }

    @Test func test_jsonForm_isRead() throws {
        let policy = try PolicyParser.parse(
            """
            {
              "networks": {
                "corp-iot": ["sensor1._device.example.com", "sensor2._device.example.com"],
                "*": ["admin-laptop._device.example.com"]
              }
            }
            """)
        #expect(policy.networks["corp-iot"] == Self.names("sensor1._device.example.com", "sensor2._device.example.com"))
        #expect(policy.networks["*"] == Self.names("admin-laptop._device.example.com"))
    }

    @Test func test_compactJSON_isRead() throws {
        let policy = try PolicyParser.parse(
            #"{"networks":{"corp-iot":["sensor1._device.example.com"],"*":["admin-laptop._device.example.com"]}}"#)
        #expect(policy.networks["corp-iot"] == Self.names("sensor1._device.example.com"))
        #expect(policy.networks["*"] == Self.names("admin-laptop._device.example.com"))
    }

    @Test func test_pipeLines_withCommentsAndBlankLines_areRead() throws {
        let policy = try PolicyParser.parse(
            """
            # reference-PoC policy
            corp-iot|sensor1._device.example.com

              # indented comment
            corp-iot|cam7._device.example.org
            Guest WiFi|visitor._device.example.com
            *|admin-laptop._device.example.com

            """)
        #expect(policy.networks["corp-iot"] == Self.names("cam7._device.example.org", "sensor1._device.example.com"))
        #expect(policy.networks["Guest WiFi"] == Self.names("visitor._device.example.com"))
        #expect(policy.networks["*"] == Self.names("admin-laptop._device.example.com"))
        #expect(policy.networks.count == 3)
    }

    /// A policy saved with CRLF line ends (an editor on Windows) must read like one with LF.
    /// Swift treats "\r\n" as one Character, so splitting a String on "\n" does not split it.
    @Test func test_pipeLines_withCRLFLineEnds_areRead() throws {
        let policy = try PolicyParser.parse(
            "# comment\r\ncorp-iot|sensor1._device.example.com\r\n*|admin._device.example.com\r\n")
        #expect(policy.networks["corp-iot"] == Self.names("sensor1._device.example.com"))
        #expect(policy.networks["*"] == Self.names("admin._device.example.com"))
    }

    @Test func test_yaml_withCRLFLineEnds_isRead() throws {
        let policy = try PolicyParser.parse("networks:\r\n  corp-iot:\r\n    - sensor1._device.example.com\r\n")
        #expect(policy.networks["corp-iot"] == Self.names("sensor1._device.example.com"))
    }

    @Test func test_pipeLines_nameIsTrimmed_ssidIsKeptVerbatim() throws {
        let policy = try PolicyParser.parse("corp-iot|  sensor1._device.example.com  \n")
        #expect(policy.networks["corp-iot"] == Self.names("sensor1._device.example.com"))
    }

    @Test func test_formIsDetectedByContent_notByComments() throws {
        let yamlAfterComments = try PolicyParser.parse("# a|b\n\nnetworks:\n  x:\n    - a._d.example.com\n")
        #expect(yamlAfterComments.networks["x"] == Self.names("a._d.example.com"))
        let linesAfterComments = try PolicyParser.parse("# networks:\nx|a._d.example.com\n")
        #expect(linesAfterComments.networks["x"] == Self.names("a._d.example.com"))
        let yamlDocument = try PolicyParser.parse("---\nnetworks:\n  x: [a._d.example.com]\n")
        #expect(yamlDocument.networks["x"] == Self.names("a._d.example.com"))
    }

    // MARK: merging

    @Test func test_duplicates_areMerged_andNamesDeduplicatedCaseInsensitively() throws {
        let yaml = try PolicyParser.parse(
            """
            networks:
              corp-iot:
                - sensor1._device.example.com
                - Sensor1._DEVICE.example.com.
                - sensor1._device.example.com
              "*": [admin._device.example.com, ADMIN._device.example.com]
            """)
        #expect(yaml.networks["corp-iot"] == Self.names("sensor1._device.example.com"))
        #expect(yaml.networks["*"] == Self.names("admin._device.example.com"))

        let lines = try PolicyParser.parse(
            "corp|a._device.example.com\ncorp|A._device.example.com.\ncorp|b._device.example.com\nother|a._device.example.com\n"
        )
        #expect(lines.networks["corp"] == Self.names("a._device.example.com", "b._device.example.com"))
        #expect(lines.names == Self.names("a._device.example.com", "b._device.example.com"))
        #expect(lines.networks(of: Self.name("a._device.example.com")) == ["corp", "other"])
    }

    @Test func test_networkKeys_areCaseSensitive() throws {
        let policy = try PolicyParser.parse("Corp|a._device.example.com\ncorp|b._device.example.com\n")
        #expect(policy.networks["Corp"] == Self.names("a._device.example.com"))
        #expect(policy.networks["corp"] == Self.names("b._device.example.com"))
    }

    // MARK: refusals

    @Test func test_everyBadEntry_isReportedWithItsLine() {
        let problems = Self.problems(
            """
            networks:
              corp-iot:
                - sensor1._device.example.com
                - nounderscore.example.com
                - bad$name._device.example.com
              "*":
                - _device.example.com
            """)
        #expect(problems.count == 3, "\(problems)")
        #expect(problems.first { $0.hasPrefix("line 4:") }?.contains("nounderscore.example.com") == true, "\(problems)")
        #expect(problems.first { $0.hasPrefix("line 5:") }?.contains("\"$\"") == true, "\(problems)")
        #expect(problems.first { $0.hasPrefix("line 7:") }?.contains("networks.*") == true, "\(problems)")
    }

    @Test func test_everyBadLine_isReportedWithItsLine() {
        let problems = Self.problems(
            """
            corp|a._device.example.com
            corp a._device.example.com
            corp|b.example.com
            |c._device.example.com
            corp|
            """)
        #expect(problems.count == 4, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("line 2:") && $0.contains("no \"|\"") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("line 3:") && $0.contains("b.example.com") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("line 4:") && $0.contains("SSID") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("line 5:") && $0.contains("empty") }, "\(problems)")
    }

    @Test func test_lineWithoutPipe_isRefusedNamingTheLine() {
        let problems = Self.problems("# devices\ncorp|a._device.example.com\nsensor1._device.example.com\n")
        #expect(problems == ["line 3: expected \"SSID|name\", found no \"|\""])
    }

    @Test func test_nameWithoutUnderscoreLabel_isRefused() {
        let problems = Self.problems("networks:\n  corp:\n    - sensor1.device.example.com\n")
        #expect(problems.count == 1)
        #expect(problems.first?.contains("no label starting with \"_\"") == true, "\(problems)")
        #expect(problems.first?.contains("line 3") == true, "\(problems)")
    }

    @Test func test_oversizeLabel_isRefused() {
        let label = String(repeating: "x", count: 64)
        let problems = Self.problems("corp|\(label)._device.example.com\n")
        #expect(problems.count == 1)
        #expect(problems.first?.contains("64 octets") == true, "\(problems)")
    }

    @Test(arguments: ["", "\n\n", "# nothing here\n", "  \r\n# only comments\r\n", "---\n"])
    func test_policyWithoutContent_isRefused_asPossiblyTruncated(_ text: String) {
        #expect(Self.problems(text) == ["the policy has no content (empty or only comments); it may be truncated"])
    }

    @Test(arguments: ["networks: {}\n", "networks:\n  corp:\n", "{\"networks\": {\"corp\": []}}", "{\"networks\": {}}"])
    func test_policyListingZeroNames_isValid_revokingEveryone(_ text: String) throws {
        let policy = try PolicyParser.parse(text)
        #expect(policy.names.isEmpty)
    }

    @Test(arguments: ["networks: [a._d.example.com]\n", "networks: corp\n", "{\"networks\": []}"])
    func test_networksNotAMapping_isRefused(_ text: String) {
        let problems = Self.problems(text)
        #expect(problems.count == 1)
        #expect(problems.first?.contains("networks: expected a mapping") == true, "\(problems)")
    }

    @Test func test_networkValueNotAList_isRefused() {
        let problems = Self.problems("networks:\n  corp: a._device.example.com\n")
        #expect(problems.first?.contains("networks.corp: expected a list") == true, "\(problems)")
    }

    @Test func test_unknownTopLevelKey_isRefused() {
        let problems = Self.problems("networks:\n  corp: [a._device.example.com]\nversion: 2\n")
        #expect(problems == ["line 3: unknown key \"version\" (expected \"networks\")"])
        #expect(
            Self.problems(#"{"network": {"corp": ["a._device.example.com"]}}"#).first?.contains(
                "unknown key \"network\"") == true)
    }

    @Test func test_mappingWithoutNetworks_isRefused() {
        #expect(Self.problems("{}") == ["the policy has no \"networks\" key"])
    }

    @Test func test_malformedYAMLOrJSON_isRefusedWithALine() {
        let problems = Self.problems("{\"networks\": {\"corp\": [\"a._device.example.com\"}\n")
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("line ") == true, "\(problems)")
    }

    @Test func test_emptyNetworkKey_isRefused() {
        let problems = Self.problems("networks:\n  \"\": [a._device.example.com]\n")
        #expect(problems.first?.contains("empty") == true, "\(problems)")
    }

    @Test func test_nonScalarName_isRefused() {
        let problems = Self.problems("networks:\n  corp:\n    - [a._device.example.com]\n    - ~\n")
        #expect(problems.count == 2, "\(problems)")
    }
}
