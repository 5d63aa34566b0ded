import DANECore
import Testing

/// design.md "Configuration": every key, its default, its type, and errors that name the key.
struct ConfigParserTests {
    /// The example from design.md "Configuration", verbatim.
    static let designExample = """
        policy:
          file: /etc/danesync/policy.yaml          # exactly one of file / url
          # url: https://policy.example.net/wifi.json
          # url_headers: {Authorization: "Bearer …"}
          # tls_ca_file: /etc/ssl/certs/ca-certificates.crt
        dns:
          trust_anchor_file: /usr/share/dns/root.key   # DS or DNSKEY lines, as unbound reads them
          forwarders: []                           # ["127.0.0.1@5353"]; empty = full recursion; loopback forwarders
                                                   # must work as given (libunbound's do-not-query-localhost off for them)
          unbound_conf: null                       # optional extra unbound.conf for libunbound (stub-zones …)
          require_dnssec: true
          timeout: 5s
        discovery:
          tls_ca_file: null                        # CA bundle for HTTPS to authority hosts (default: system)
          connect_to: {}                           # {"device.example.net:443": "127.0.0.1:8443"} like curl --connect-to
          max_bytes: 65536
          timeout: 10s
        output:
          dir: /var/lib/danesync                   # ca.pem, ca.d/, trustmap, status.json inside
        sync:
          interval: 300s
          jitter: 10%
          concurrency: 32
          grace: 1h                                # keep last-good entry through SERVFAIL/timeouts this long
          on_ca_change: null                       # e.g. "systemctl restart freeradius"
        verify:
          live_check: required                     # required | if-available | off
          timeout: 2s
        disconnect:                                # RFC 5176 on revocation (see "Revocation and disconnect"); off while sessions_dir is null
          sessions_dir: null                       # e.g. /var/lib/danesync/sessions: daneverify records each accepted session here
          command: /usr/libexec/danesync/disconnect  # run per session to disconnect; exit 0 ACK, 1 NAK, else no answer
          timeout: 10s                             # per command run
          session_max_age: 7d                      # records not refreshed by an authentication for this long are dropped
          nas: []                                  # [{address: 192.0.2.10, port: 3799, secret_file: /etc/danesync/nas.secret}]
        metrics:
          listen: null                             # e.g. 127.0.0.1:9464 → Prometheus text at /metrics
        """

    static func problems(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        do {
            let config = try ConfigParser.parse(text)
            Issue.record("expected the configuration to be refused, got \(config)", sourceLocation: sourceLocation)
            return []
        } catch {
            return error.problems
        }
    }

    /// The single problem of `text`, which must mention every one of `words`.
    static func expectOneProblem(
        _ text: String, mentioning words: String..., sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let problems = problems(text, sourceLocation: sourceLocation)
        #expect(problems.count == 1, "\(problems)", sourceLocation: sourceLocation)
        for word in words {
            #expect(
                problems.first?.contains(word) == true, "\"\(word)\" not in \(problems)", sourceLocation: sourceLocation
            )
        }
    }

    static let policyFile = "policy:\n  file: /etc/danesync/policy.yaml\n"

    static func withPolicy(_ rest: String) -> String { policyFile + rest }

    // MARK: whole files

    @Test func test_designExample_parsesWithEveryValue() throws {
        let config = try ConfigParser.parse(Self.designExample)
        #expect(config.policy.location == .file("/etc/danesync/policy.yaml"))
        #expect(config.policy.urlHeaders.isEmpty)
        #expect(config.policy.tlsCAFile == nil)
        #expect(config.dns.trustAnchorFile == "/usr/share/dns/root.key")
        #expect(config.dns.forwarders == [])
        #expect(config.dns.unboundConf == nil)
        #expect(config.dns.requireDNSSEC == true)
        #expect(config.dns.timeout == .seconds(5))
        #expect(config.discovery.tlsCAFile == nil)
        #expect(config.discovery.connectTo == [:])
        #expect(config.discovery.maxBytes == 65536)
        #expect(config.discovery.timeout == .seconds(10))
        #expect(config.output.dir == "/var/lib/danesync")
        #expect(config.sync.interval == .seconds(300))
        #expect(config.sync.jitter == 0.1)
        #expect(config.sync.concurrency == 32)
        #expect(config.sync.grace == .seconds(3600))
        #expect(config.sync.onCAChange == nil)
        #expect(config.verify.liveCheck == .required)
        #expect(config.verify.timeout == .seconds(2))
        #expect(config.metrics.listen == nil)
        #expect(config.trustMapPath == "/var/lib/danesync/trustmap")
        #expect(config.statusPath == "/var/lib/danesync/status.json")
    }

    @Test func test_minimalConfig_getsEveryDefaultOfTheDesign() throws {
        let minimal = try ConfigParser.parse(Self.policyFile)
        let example = try ConfigParser.parse(Self.designExample)
        #expect(minimal == example)
    }

    @Test func test_everyKeySetOtherThanDefault_isRead() throws {
        let config = try ConfigParser.parse(
            """
            policy:
              url: https://policy.example.net/wifi.json
              url_headers: {Authorization: "Bearer abc", X-Site: lab}
              tls_ca_file: /etc/ssl/policy-ca.pem
            dns:
              trust_anchor_file: /var/lib/lab/anchors
              forwarders: ["127.0.0.1@5353", "::1", "192.0.2.53"]
              unbound_conf: /etc/danesync/unbound.conf
              require_dnssec: no
              timeout: 500ms
            discovery:
              tls_ca_file: /var/lib/lab/web-ca.pem
              connect_to: {"device.example.net:443": "127.0.0.1:8443", "device.example.com:443": "[::1]:8443"}
              max_bytes: 4096
              timeout: 3s
            output:
              dir: /tmp/danesync-out
            sync:
              interval: 10m
              jitter: 25%
              concurrency: 4
              grace: 0s
              on_ca_change: systemctl restart freeradius
            verify:
              live_check: if-available
              timeout: 1500ms
            metrics:
              listen: 127.0.0.1:9464
            """)
        #expect(config.policy.location == .url("https://policy.example.net/wifi.json"))
        #expect(config.policy.urlHeaders == ["Authorization": "Bearer abc", "X-Site": "lab"])
        #expect(config.policy.tlsCAFile == "/etc/ssl/policy-ca.pem")
        #expect(config.dns.trustAnchorFile == "/var/lib/lab/anchors")
        #expect(config.dns.unboundConf == "/etc/danesync/unbound.conf")
        #expect(config.dns.requireDNSSEC == false)
        #expect(config.dns.timeout == .milliseconds(500))
        #expect(config.discovery.tlsCAFile == "/var/lib/lab/web-ca.pem")
        #expect(
            config.discovery.connectTo == [
                "device.example.net:443": "127.0.0.1:8443", "device.example.com:443": "[::1]:8443",
            ])
        #expect(config.discovery.maxBytes == 4096)
        #expect(config.discovery.timeout == .seconds(3))
        #expect(config.output.dir == "/tmp/danesync-out")
        #expect(config.sync.interval == .seconds(600))
        #expect(config.sync.jitter == 0.25)
        #expect(config.sync.concurrency == 4)
        #expect(config.sync.grace == .zero)
        #expect(config.sync.onCAChange == "systemctl restart freeradius")
        #expect(config.verify.liveCheck == .ifAvailable)
        #expect(config.verify.timeout == .milliseconds(1500))
        #expect(config.metrics.listen == ListenAddress("127.0.0.1:9464"))
        #expect(config.metrics.listen?.description == "127.0.0.1:9464")
    }

    // MARK: durations

    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("5s", .seconds(5)), ("10m", .seconds(600)), ("1h", .seconds(3600)),
        ("2d", .seconds(172_800)),
    ])
    func test_durations_areReadInEachUnit(_ text: String, _ duration: Duration) throws {
        #expect(DurationText.parse(text) == duration)
        let config = try ConfigParser.parse(Self.withPolicy("dns:\n  timeout: \(text)\nsync:\n  interval: \(text)\n"))
        #expect(config.dns.timeout == duration)
        #expect(config.sync.interval == duration)
        #expect(DurationText.format(duration) == text)
    }

    @Test(arguments: ["5 seconds", "5", "-1s", "1.5s", "s", "5S", "", "5sec", "1h30m", "9999999999s"])
    func test_badDuration_isRefusedNamingTheKey(_ text: String) {
        Self.expectOneProblem(Self.withPolicy("dns:\n  timeout: \"\(text)\"\n"), mentioning: "dns.timeout", "duration")
    }

    @Test func test_zeroDuration_isRefusedExceptForGrace() throws {
        Self.expectOneProblem(Self.withPolicy("sync:\n  interval: 0s\n"), mentioning: "sync.interval")
        #expect(try ConfigParser.parse(Self.withPolicy("sync:\n  grace: 0s\n")).sync.grace == .zero)
    }

    @Test func test_durationFormat_usesTheLargestExactUnit() {
        #expect(DurationText.format(.milliseconds(1500)) == "1500ms")
        #expect(DurationText.format(.seconds(90)) == "90s")
        #expect(DurationText.format(.seconds(7200)) == "2h")
        #expect(DurationText.format(.zero) == "0s")
        #expect(Duration.seconds(2).millisecondsRoundedUp == 2000)
        #expect(Duration.microseconds(1).millisecondsRoundedUp == 1)
        #expect(Duration.microseconds(2001).millisecondsRoundedUp == 3)
        #expect(Duration.zero.millisecondsRoundedUp == 0)
    }

    // MARK: unknown keys and wrong types

    @Test func test_unknownTopLevelKey_isRefusedByName() {
        Self.expectOneProblem(
            Self.withPolicy("resolver:\n  timeout: 5s\n"), mentioning: "unknown key \"resolver\"", "line 3")
    }

    @Test func test_unknownNestedKey_isRefusedByItsPath() {
        Self.expectOneProblem(
            Self.withPolicy("dns:\n  forwarder: [\"127.0.0.1\"]\n"), mentioning: "unknown key \"dns.forwarder\"",
            "forwarders")
        Self.expectOneProblem("policy:\n  file: /p\n  path: /q\n", mentioning: "unknown key \"policy.path\"")
        Self.expectOneProblem(Self.withPolicy("verify:\n  livecheck: off\n"), mentioning: "verify.livecheck")
    }

    @Test func test_keyGivenTwice_isRefused() {
        Self.expectOneProblem(
            Self.withPolicy("dns:\n  timeout: 5s\n  timeout: 6s\n"), mentioning: "dns.timeout", "twice")
    }

    @Test func test_listForTimeout_isExplained() {
        Self.expectOneProblem(Self.withPolicy("dns:\n  timeout: [5s]\n"), mentioning: "dns.timeout", "a list", "line 4")
    }

    @Test func test_textForConcurrency_isExplained() {
        Self.expectOneProblem(
            Self.withPolicy("sync:\n  concurrency: many\n"), mentioning: "sync.concurrency", "whole number", "\"many\"")
        Self.expectOneProblem(Self.withPolicy("sync:\n  concurrency: 0\n"), mentioning: "sync.concurrency")
        Self.expectOneProblem(Self.withPolicy("discovery:\n  max_bytes: 1.5\n"), mentioning: "discovery.max_bytes")
    }

    @Test func test_sectionNotAMapping_isExplained() {
        Self.expectOneProblem(Self.withPolicy("dns: 5s\n"), mentioning: "dns", "expected a mapping")
        Self.expectOneProblem(Self.withPolicy("sync:\n  - 5s\n"), mentioning: "sync", "a list")
    }

    @Test func test_topLevelNotAMapping_isRefused() {
        Self.expectOneProblem("- policy\n", mentioning: "must be a mapping")
        Self.expectOneProblem("", mentioning: "must be a mapping")
    }

    @Test func test_malformedYAML_isRefusedWithALine() {
        let problems = Self.problems("policy:\n  file: [unclosed\n")
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("line ") == true, "\(problems)")
    }

    @Test func test_everyProblem_isReportedAtOnce() {
        let problems = Self.problems(
            """
            policy:
              file: /p
            dns:
              timeout: 5 seconds
              forwarder: []
            sync:
              concurrency: many
            bogus: 1
            """)
        #expect(problems.count == 4, "\(problems)")
    }

    // MARK: enumerations and booleans

    @Test(arguments: [
        ("off", Config.LiveCheck.off), ("\"off\"", .off), ("if-available", .ifAvailable), ("required", .required),
    ])
    func test_liveCheck_readsEachMode_evenYAML11PlainOff(_ text: String, _ mode: Config.LiveCheck) throws {
        #expect(try ConfigParser.parse(Self.withPolicy("verify:\n  live_check: \(text)\n")).verify.liveCheck == mode)
    }

    @Test(arguments: ["no", "false", "Required", "ifavailable", "[off]"])
    func test_liveCheck_otherValues_areRefused(_ text: String) {
        Self.expectOneProblem(
            Self.withPolicy("verify:\n  live_check: \(text)\n"), mentioning: "verify.live_check", "if-available")
    }

    @Test(arguments: [("no", false), ("false", false), ("off", false), ("yes", true), ("true", true), ("on", true)])
    func test_requireDNSSEC_readsYAMLBooleans(_ text: String, _ value: Bool) throws {
        #expect(try ConfigParser.parse(Self.withPolicy("dns:\n  require_dnssec: \(text)\n")).dns.requireDNSSEC == value)
    }

    @Test func test_requireDNSSEC_notABoolean_isRefused() {
        Self.expectOneProblem(
            Self.withPolicy("dns:\n  require_dnssec: maybe\n"), mentioning: "dns.require_dnssec", "true or false")
    }

    // MARK: policy source

    @Test func test_bothPolicyFileAndURL_isRefused() {
        Self.expectOneProblem(
            "policy:\n  file: /p\n  url: https://x.example/p.json\n", mentioning: "policy", "exactly one", "not both")
    }

    @Test func test_neitherPolicyFileNorURL_isRefused() {
        Self.expectOneProblem("policy:\n  tls_ca_file: /etc/ssl/ca.pem\n", mentioning: "exactly one of file or url")
        Self.expectOneProblem("policy:\n", mentioning: "exactly one of file or url")
        Self.expectOneProblem("dns:\n  timeout: 5s\n", mentioning: "policy: missing")
    }

    @Test func test_plainHTTPPolicyURL_isRefused() {
        Self.expectOneProblem(
            "policy:\n  url: http://policy.example.net/wifi.json\n", mentioning: "policy.url", "https://")
    }

    /// A header value must not smuggle a second header into the request (CR, LF or CRLF).
    /// Swift reads "\r\n" as one Character, equal to neither "\r" nor "\n".
    @Test(arguments: ["a\\nX-Evil: 1", "a\\rX-Evil: 1", "a\\r\\nX-Evil: 1"])
    func test_urlHeaderValueOnMoreThanOneLine_isRefused(_ escaped: String) {
        Self.expectOneProblem(
            "policy:\n  url: https://p.example/x\n  url_headers: {Authorization: \"\(escaped)\"}\n",
            mentioning: "policy.url_headers.Authorization")
    }

    // MARK: jitter

    @Test(arguments: [("10%", 0.1), ("0%", 0.0), ("50%", 0.5), ("2.5%", 0.025)])
    func test_jitter_isAPercentage(_ text: String, _ value: Double) throws {
        #expect(try ConfigParser.parse(Self.withPolicy("sync:\n  jitter: \(text)\n")).sync.jitter == value)
    }

    @Test(arguments: ["10", "0.1", "60%", "-5%", "%", "ten%"])
    func test_badJitter_isRefused(_ text: String) {
        Self.expectOneProblem(
            Self.withPolicy("sync:\n  jitter: \"\(text)\"\n"), mentioning: "sync.jitter", "percentage")
    }
}
