import DANECore
import Testing

/// design.md "Configuration": the keys that name hosts, addresses and ports —
/// `dns.forwarders`, `discovery.connect_to`, `metrics.listen`/`textfile` and `disconnect` (its
/// NAS list) — read as given and refused with the key named. The rest: ConfigParserTests.
struct ConfigAddressTests {
    @Test func test_metricsListen_takesIPLiteralsWithAPort_andTextfileAnAbsolutePath() throws {
        let six = try ConfigParser.parse(
            ConfigParserTests.withPolicy(
                "metrics:\n  listen: \"[::1]:9464\"\n  textfile: /var/lib/node/danesync.prom\n"))
        #expect(six.metrics.listen?.host == "::1" && six.metrics.listen?.port == 9464)
        #expect(six.metrics.textfile == "/var/lib/node/danesync.prom")
        for bad in [
            "localhost:9464", "127.0.0.1", "127.0.0.1:0", "1.2.3.4@53:9464", "127.0.0.1:70000", "::1:9464",
            "[nothex]:1", ":9464",
        ] {
            ConfigParserTests.expectOneProblem(
                ConfigParserTests.withPolicy("metrics:\n  listen: \"\(bad)\"\n"), mentioning: "metrics.listen")
        }
        ConfigParserTests.expectOneProblem(
            ConfigParserTests.withPolicy("metrics:\n  textfile: danesync.prom\n"), mentioning: "metrics.textfile")
    }

    @Test func test_disconnect_readsEveryKey_andNASList() throws {
        let config = try ConfigParser.parse(
            ConfigParserTests.policyFile + """

                disconnect:
                  sessions_dir: /var/lib/danesync/sessions
                  command: /usr/local/bin/kick --fast
                  timeout: 3s
                  session_max_age: 2d
                  nas:
                    - {address: 192.0.2.10, secret_file: /etc/danesync/ap1.secret}
                    - address: "2001:db8::1"
                      port: 1700
                      secret_file: /etc/danesync/ap2.secret
                """)
        #expect(config.disconnect.sessionsDir == "/var/lib/danesync/sessions")
        #expect(config.disconnect.command == "/usr/local/bin/kick --fast")
        #expect(config.disconnect.timeout == .seconds(3))
        #expect(config.disconnect.sessionMaxAge == .seconds(2 * 86400))
        #expect(
            config.disconnect.nas == [
                .init(address: "192.0.2.10", secretFile: "/etc/danesync/ap1.secret"),
                .init(address: "2001:db8::1", port: 1700, secretFile: "/etc/danesync/ap2.secret"),
            ])
    }

    @Test func test_disconnect_refusesARelativeDirectory_aNASWithoutAddressOrSecret_andAHostName() {
        let problems = ConfigParserTests.problems(
            ConfigParserTests.policyFile + """

                disconnect:
                  sessions_dir: sessions
                  nas:
                    - {address: ap1.example.net, secret_file: /s}
                    - {address: 192.0.2.1}
                    - {address: 192.0.2.2, secret_file: /s, port: 70000}
                """)
        #expect(problems.contains { $0.contains("disconnect.sessions_dir: expected an absolute path") })
        #expect(problems.contains { $0.contains("disconnect.nas[0].address: expected an IPv4 or IPv6 address") })
        #expect(problems.contains { $0.contains("disconnect.nas[1]: needs address and secret_file") })
        #expect(problems.contains { $0.contains("disconnect.nas[2].port") })
    }

    @Test func test_loopbackForwarders_areThoseOnThisHost() {
        #expect(
            Forwarder.isLoopback("127.0.0.1@5353") && Forwarder.isLoopback("127.8.0.2") && Forwarder.isLoopback("::1"))
        #expect(!Forwarder.isLoopback("192.0.2.53") && !Forwarder.isLoopback("::2@53") && !Forwarder.isLoopback("x"))
    }

    @Test func test_forwarders_areKeptAsGiven() throws {
        let config = try ConfigParser.parse(
            ConfigParserTests.withPolicy("dns:\n  forwarders: [\"127.0.0.1@5353\", \"::1\"]\n"))
        #expect(config.dns.forwarders == ["127.0.0.1@5353", "::1"])
    }

    // MARK: forwarders and connect_to

    @Test(arguments: [
        "localhost", "1.2.3.4@99999", "1.2.3.4@0", "300.1.1.1", "1.2.3", "1.2.3.4@", "@53", "dns.example.net@53",
        "1.2.3.4@53@53",
    ])
    func test_badForwarder_isRefusedNamingItsIndex(_ forwarder: String) {
        ConfigParserTests.expectOneProblem(
            ConfigParserTests.withPolicy("dns:\n  forwarders: [\"127.0.0.1\", \"\(forwarder)\"]\n"),
            mentioning: "dns.forwarders[1]",
            "IP address")
    }

    @Test(arguments: ["127.0.0.1@5353", "::1", "::1@53", "192.0.2.1", "2001:db8::1@5353"])
    func test_goodForwarder_isAccepted(_ forwarder: String) {
        #expect(Forwarder.isValid(forwarder))
    }

    @Test func test_forwardersNotAList_isRefused() {
        ConfigParserTests.expectOneProblem(
            ConfigParserTests.withPolicy("dns:\n  forwarders: 127.0.0.1@5353\n"), mentioning: "dns.forwarders", "list")
    }

    @Test func test_badConnectTo_isRefused() {
        ConfigParserTests.expectOneProblem(
            ConfigParserTests.withPolicy("discovery:\n  connect_to: {\"device.example.net\": \"127.0.0.1:8443\"}\n"),
            mentioning: "host:port")
        ConfigParserTests.expectOneProblem(
            ConfigParserTests.withPolicy("discovery:\n  connect_to: {\"device.example.net:443\": \"127.0.0.1\"}\n"),
            mentioning: "host:port")
    }
}
