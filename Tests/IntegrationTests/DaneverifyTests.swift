import DANECore
import DANEDigest
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `daneverify`, the FreeRADIUS hook, run as a process exactly as FreeRADIUS runs it (argv, no
/// shell), against a lab and a trust map published by a real `danesync once`. Every exit code
/// of design.md "Command line", and hostile input: whatever comes in, the hook prints exactly
/// one line, never accepts on an error path, and never executes anything.
@Suite(.serialized)
struct DaneverifyTests {
    typealias Fixture = VerifyLab

    static let sensor1 = "sensor1._device.example.com"
    static let sensor2 = "sensor2._device.example.com"
    static let sensor4 = "sensor4._device.example.com"
    static let cam7 = "cam7._device.example.org"
    static let broken = "broken._device.example.edu"
    static let plain = "plain._device.example.net"
    static let onCorpIoT = "AA-BB-CC-DD-EE-FF:corp-iot"

    // MARK: 0 accept

    @Test func test_publishedDevice_onItsNetwork_isAccepted() throws {
        let config = try Fixture.config()
        let run = try Fixture.verify(
            config: config, identity: Self.sensor1, cert: Fixture.device(Self.sensor1), csid: Self.onCorpIoT)
        run.expect(.accept)
        #expect(run.line == "accept \(Self.sensor1) corp-iot \(try Fixture.hash(Fixture.device(Self.sensor1)))")
    }

    @Test func test_pkixCDDevice_isAccepted() throws {
        try Fixture.verify(
            config: Fixture.config(), identity: Self.sensor2, cert: Fixture.device(Self.sensor2), csid: Self.onCorpIoT
        )
        .expect(.accept)
    }

    @Test(arguments: ["AA-BB-CC-DD-EE-FF:corp-iot", "aabbccddeeff:corp-iot", "AA:BB:CC:DD:EE:FF:corp-iot"])
    func test_everyMACSpelling_yieldsTheSSID(csid: String) throws {
        try Fixture.verify(
            config: Fixture.config(), identity: Self.sensor1, cert: Fixture.device(Self.sensor1), csid: csid
        )
        .expect(.accept)
    }

    @Test func test_identity_comparesCaseInsensitively_andIgnoresTheTrailingDot() throws {
        let run = try Fixture.verify(
            config: Fixture.config(), identity: "SENSOR1._Device.Example.COM.", cert: Fixture.device(Self.sensor1),
            csid: Self.onCorpIoT)
        run.expect(.accept)
        #expect(run.line.hasPrefix("accept \(Self.sensor1) corp-iot "))
    }

    @Test(arguments: ["AA-BB-CC-DD-EE-FF:corp-iot", "AA-BB-CC-DD-EE-FF:lobby", "AA-BB-CC-DD-EE-FF", nil])
    func test_nameUnderStar_isAcceptedOnEveryNetwork_andWithoutSSID(csid: String?) throws {
        let run = try Fixture.verify(
            config: Fixture.config(), identity: Self.cam7, cert: Fixture.device(Self.cam7), csid: csid)
        run.expect(.accept)
        #expect(run.line.hasPrefix("accept \(Self.cam7) * "))
    }

    @Test func test_liveCheckOff_acceptsOnTheTrustMapAlone() throws {
        try Fixture.verify(
            config: Fixture.config(liveCheck: "off", dns: Fixture.deadDNS(port: 9)), identity: Self.sensor1,
            cert: Fixture.device(Self.sensor1), csid: Self.onCorpIoT
        ).expect(.accept)
    }

    // MARK: 2 usage / configuration

    @Test func test_missingArguments_isAUsageError() throws {
        let cert = try Fixture.device(Self.sensor1)
        let config = try Fixture.config()
        let cases: [[String]] = [
            [],
            ["--config", config],
            ["--config", config, "--identity", Self.sensor1],
            ["--identity", Self.sensor1, "--cert", cert],
            ["--config", config, "--identity", Self.sensor1, "--cert"],
        ]
        for arguments in cases {
            try Fixture.run(arguments).expect(.usage, "\(arguments)")
        }
    }

    @Test func test_unknownOrRepeatedFlag_isAUsageError() throws {
        let cert = try Fixture.device(Self.sensor1)
        let config = try Fixture.config()
        let base = ["--config", config, "--identity", Self.sensor1, "--cert", cert]
        try Fixture.run(base + ["--verbose"]).expect(.usage)
        try Fixture.run(base + ["--called-station-id", Self.onCorpIoT, "--nas", "x"]).expect(.usage)
        try Fixture.run(base + ["--identity", Self.sensor2]).expect(.usage)
        try Fixture.run(base + ["extra"]).expect(.usage)
    }

    @Test func test_badConfigFile_isAUsageError() throws {
        let cert = try Fixture.device(Self.sensor1)
        let missing = Fixture.scratch("no-such-config.yaml")
        let notYAML = try Fixture.write("not-yaml.yaml", "policy: [unclosed\n  : : :\n\t\u{1}")
        let unknownKey = try Fixture.write(
            "unknown-key.yaml",
            try String(contentsOfFile: Fixture.config(), encoding: .utf8) + "bogus_section:\n  x: 1\n")
        let badLiveCheck = try Fixture.config(liveCheck: "sometimes")
        for config in [missing, notYAML, unknownKey, badLiveCheck, "/", "/dev/null"] {
            try Fixture.verify(config: config, identity: Self.sensor1, cert: cert, csid: Self.onCorpIoT).expect(
                .usage, config)
        }
    }

    // MARK: 10 trust map

    @Test func test_missingTrustMap_rejects10() throws {
        let empty = try Fixture.outputDirectory("no-trustmap", trustMap: nil)
        try Fixture.verify(
            config: Fixture.config(output: empty), identity: Self.sensor1, cert: Fixture.device(Self.sensor1),
            csid: Self.onCorpIoT
        ).expect(.trustMap)
    }

    @Test func test_truncatedTrustMap_rejects10() throws {
        let good = try Fixture.publishedTrustMap()
        for (label, cut) in [
            ("half", good.count / 2), ("last-octet", good.count - 1), ("header-only", good.firstIndex(of: 0x0a)! + 1),
            ("empty", 0),
        ] {
            let dir = try Fixture.outputDirectory("truncated-\(label)", trustMap: Array(good.prefix(cut)))
            try Fixture.verify(
                config: Fixture.config(output: dir), identity: Self.sensor1, cert: Fixture.device(Self.sensor1),
                csid: Self.onCorpIoT
            ).expect(.trustMap, label)
        }
    }

    @Test func test_corruptTrustMapLine_rejects10() throws {
        let good = try Fixture.publishedTrustMap()
        let key = Array("corp-iot\t\(Self.sensor1)\t".utf8)
        let start = try #require(Fixture.find(key, in: good), "the published trust map lists sensor1 on corp-iot")
        // Flip one hash digit of the very line the lookup lands on: its checksum must catch it.
        var corrupt = good
        let at = start + key.count + 10
        corrupt[at] = corrupt[at] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        let dir = try Fixture.outputDirectory("corrupt-line", trustMap: corrupt)
        try Fixture.verify(
            config: Fixture.config(output: dir), identity: Self.sensor1, cert: Fixture.device(Self.sensor1),
            csid: Self.onCorpIoT
        ).expect(.trustMap)

        var badMagic = good
        badMagic[0] ^= 0x20
        let magicDir = try Fixture.outputDirectory("bad-magic", trustMap: badMagic)
        try Fixture.verify(
            config: Fixture.config(output: magicDir), identity: Self.sensor1, cert: Fixture.device(Self.sensor1),
            csid: Self.onCorpIoT
        ).expect(.trustMap)
    }

    @Test func test_trustMapThatIsADirectory_rejects10() throws {
        let dir = try Fixture.outputDirectory("trustmap-dir", trustMap: nil)
        try FileManager.default.createDirectory(atPath: dir + "/trustmap", withIntermediateDirectories: true)
        try Fixture.verify(
            config: Fixture.config(output: dir), identity: Self.sensor1, cert: Fixture.device(Self.sensor1),
            csid: Self.onCorpIoT
        ).expect(.trustMap)
    }

    // MARK: 11 certificate file

    @Test func test_unusableCertificateFile_rejects11() throws {
        let config = try Fixture.config()
        let notPEM = try Fixture.write("not-pem.txt", "hello, I am not a certificate\n")
        let garbagePEM = try Fixture.write(
            "garbage.pem", "-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGUgYXQgYWxs\n-----END CERTIFICATE-----\n")
        let derFile = Fixture.scratch("sensor1.der")
        try Data(Fixture.der(Fixture.device(Self.sensor1))).write(to: URL(fileURLWithPath: derFile))
        let cases = [
            ("missing", Fixture.scratch("no-such-cert.pem")),
            ("not PEM", notPEM),
            ("PEM private key, not a certificate", Fixture.path("pki/devices/\(Self.sensor1).key")),
            ("CERTIFICATE block holding garbage", garbagePEM),
            ("DER instead of PEM", derFile),
            ("a directory", Fixture.path("pki")),
            ("empty", "/dev/null"),
            ("endless zeros", "/dev/zero"),
        ]
        for (label, cert) in cases {
            try Fixture.verify(config: config, identity: Self.sensor1, cert: cert, csid: Self.onCorpIoT).expect(
                .certificate, label)
        }
    }

    // MARK: 12 not allowed

    @Test func test_nameNotInPolicy_rejects12() throws {
        try Fixture.verify(
            config: Fixture.config(), identity: "nosuch._device.example.com", cert: Fixture.device(Self.sensor1),
            csid: Self.onCorpIoT
        ).expect(.notAllowed)
    }

    @Test(arguments: [
        "AA-BB-CC-DD-EE-FF:guest", "AA-BB-CC-DD-EE-FF:CORP-IOT", "AA-BB-CC-DD-EE-FF:corp-iot ", "AA-BB-CC-DD-EE-FF", "",
        nil,
    ])
    func test_nameListedForOneNetwork_isRejectedElsewhere_andWithoutSSID(csid: String?) throws {
        try Fixture.verify(
            config: Fixture.config(), identity: Self.sensor1, cert: Fixture.device(Self.sensor1), csid: csid
        )
        .expect(.notAllowed, csid ?? "no --called-station-id")
    }

    // MARK: 13 wrong certificate

    @Test func test_rogueCertificateForAPublishedName_rejects13() throws {
        let rogue = Fixture.path("pki/rogue/\(Self.sensor1).pem")
        let run = try Fixture.verify(
            config: Fixture.config(), identity: Self.sensor1, cert: rogue, csid: Self.onCorpIoT)
        run.expect(.notPublished)
        #expect(run.line.contains(try Fixture.hash(rogue)), "the rejection names the presented hash")
    }

    @Test func test_anotherDevicesCertificate_rejects13() throws {
        try Fixture.verify(
            config: Fixture.config(), identity: Self.sensor1, cert: Fixture.device(Self.sensor2), csid: Self.onCorpIoT
        )
        .expect(.notPublished)
    }

    // MARK: 14 withdrawn (live check)

    @Test func test_withdrawnRecord_isRejectedAtTheNextAuthentication_14() throws {
        let config = try Fixture.config()
        let cert = try Fixture.device(Self.sensor4)
        try Fixture.verify(config: config, identity: Self.sensor4, cert: cert, csid: Self.onCorpIoT).expect(
            .accept, "before withdrawal")

        let lab = try Fixture.directory()
        #expect(try Fixture.script("dns.sh", "withdraw", lab, Self.sensor4).status == 0)
        defer {
            #expect((try? Fixture.script("dns.sh", "restore", lab, Self.sensor4))?.status == 0)
            let after = try? Fixture.verify(config: config, identity: Self.sensor4, cert: cert, csid: Self.onCorpIoT)
            #expect(after?.status == 0, "sensor4 is accepted again once its record is restored")
        }
        let run = try Fixture.verify(config: config, identity: Self.sensor4, cert: cert, csid: Self.onCorpIoT)
        run.expect(.withdrawn)
        #expect(run.line.contains(Self.sensor4))
    }

    @Test func test_trustMapEntryWithoutAMatchingRecord_rejects14() throws {
        // The trust map lists names for certificates DNS does not (or no longer) publish there:
        // a name that does not exist (NXDOMAIN), one without TLSA (NODATA), and a TLSA that does
        // not match the presented certificate.
        let sensor2Cert = try Fixture.device(Self.sensor2)
        let hash = try Fixture.hash(sensor2Cert)
        let names = ["nosuch._device.example.com", "nodata._device.example.com", Self.sensor1]
        let dir = try Fixture.craftedTrustMap(
            "live-mismatch",
            try names.map { try TrustMapEntry(network: "corp-iot", name: DeviceName($0), hashes: [hash], pins: []) })
        let config = try Fixture.config(output: dir)
        for name in names {
            try Fixture.verify(config: config, identity: name, cert: sensor2Cert, csid: Self.onCorpIoT).expect(
                .withdrawn, name)
        }
    }

    // MARK: 15 bogus / insecure (live check)

    @Test func test_bogusAndInsecureRecords_reject15() throws {
        let brokenCert = try Fixture.device(Self.broken)
        let plainCert = try Fixture.device(Self.plain)
        // Never published by danesync (bogus / insecure): craft entries so the live check is reached.
        let dir = try Fixture.craftedTrustMap(
            "dnssec",
            [
                TrustMapEntry(
                    network: "corp-iot", name: try DeviceName(Self.broken), hashes: [try Fixture.hash(brokenCert)],
                    pins: []),
                TrustMapEntry(
                    network: "corp-iot", name: try DeviceName(Self.plain), hashes: [try Fixture.hash(plainCert)],
                    pins: []),
            ])
        for liveCheck in ["required", "if-available"] {
            let config = try Fixture.config(output: dir, liveCheck: liveCheck)
            try Fixture.verify(config: config, identity: Self.broken, cert: brokenCert, csid: Self.onCorpIoT).expect(
                .dnssec, "bogus, \(liveCheck)")
            try Fixture.verify(config: config, identity: Self.plain, cert: plainCert, csid: Self.onCorpIoT).expect(
                .dnssec, "insecure, \(liveCheck)")
        }
    }

    @Test func test_publishedTrustMap_neverListsBogusOrInsecureNames() throws {
        try Fixture.verify(
            config: Fixture.config(), identity: Self.broken, cert: Fixture.device(Self.broken), csid: Self.onCorpIoT
        )
        .expect(oneOf: [.notAllowed, .notPublished])
        try Fixture.verify(
            config: Fixture.config(), identity: Self.plain, cert: Fixture.device(Self.plain), csid: Self.onCorpIoT
        )
        .expect(oneOf: [.notAllowed, .notPublished])
    }

    // MARK: 16 resolver failure / timeout

    @Test func test_unreachableResolver_rejects16_whenLiveCheckIsRequired_andAcceptsIfAvailable() throws {
        let silent = try SilentUDPServer()
        defer { silent.close() }
        let dead = try SilentUDPServer.deadPort()
        for (label, port) in [("dead port", dead), ("silent server", silent.port)] {
            let required = try Fixture.config(
                liveCheck: "required", dns: Fixture.deadDNS(port: port), verifyTimeout: "1s")
            let started = ContinuousClock.now
            try Fixture.verify(
                config: required, identity: Self.sensor1, cert: Fixture.device(Self.sensor1), csid: Self.onCorpIoT
            )
            .expect(.resolver, "\(label), required")
            #expect(ContinuousClock.now - started < .seconds(3), "\(label): the hook keeps its 1 s deadline")

            let ifAvailable = try Fixture.config(
                liveCheck: "if-available", dns: Fixture.deadDNS(port: port), verifyTimeout: "1s")
            let run = try Fixture.verify(
                config: ifAvailable, identity: Self.sensor1, cert: Fixture.device(Self.sensor1), csid: Self.onCorpIoT)
            run.expect(.accept, "\(label), if-available")
            #expect(!run.stderr.isEmpty, "\(label): the skipped live check is noted on stderr")
        }
    }

    // MARK: hostile input

    static let markers = [
        "/tmp/danesync-pwned", "/tmp/danesync-pwned-semicolon", "/tmp/danesync-pwned-backtick",
        "/tmp/danesync-pwned-pipe",
    ]

    static let hostileIdentities: [[UInt8]] =
        [
            "$(touch /tmp/danesync-pwned)",
            "a;touch /tmp/danesync-pwned-semicolon",
            "`touch /tmp/danesync-pwned-backtick`",
            "x|touch /tmp/danesync-pwned-pipe",
            "../../etc/passwd",
            "/etc/passwd",
            String(repeating: "A", count: 10_000),
            String(repeating: "sensor1.", count: 1_250) + "_device.example.com",
            "sensor1\\._device.example.com",
            "sensor1._device.example.com\\",
            "\\\\server\\share",
            "sensor1._device.example.com\naccept sensor1._device.example.com corp-iot 00",
            "sensor1._device.example.com\r",
            "sensor1._device.example.com ",
            " sensor1._device.example.com",
            "sensor1..device.example.com",
            "\u{1b}[31msensor1._device.example.com",
            "sénsor1._device.example.com",
            "sensor1._device.example.com\u{202e}",
            "%{User-Name}",
            "--help",
            "",
        ].map { Array($0.utf8) } + [
            [0xff, 0xfe, 0x00 + 0x41] + Array("._device.example.com".utf8),  // not UTF-8
            Array("sensor1".utf8) + [0xc0, 0xae] + Array("_device.example.com".utf8),  // overlong "."
            Array("sensor1._device.example.com".utf8) + [0x80],
        ]

    @Test func test_hostileIdentities_areRejected_withOneLine_andNothingRuns() throws {
        for marker in Self.markers { unlink(marker) }
        let config = try Fixture.config()
        let cert = try Fixture.device(Self.sensor1)
        for identity in Self.hostileIdentities {
            let shown = String(decoding: identity.prefix(60), as: UTF8.self).debugDescription
            let run = try Fixture.run(raw: [
                Array("--config".utf8), Array(config.utf8), Array("--identity".utf8), identity,
                Array("--cert".utf8), Array(cert.utf8), Array("--called-station-id".utf8), Array(Self.onCorpIoT.utf8),
            ])
            run.expect(.notAllowed, shown)
            #expect(run.stdout.count < 1024, "\(shown): the line is bounded (\(run.stdout.count) octets)")
        }
        for marker in Self.markers {
            #expect(access(marker, F_OK) != 0, "\(marker) must not exist: nothing may be executed")
        }
    }

    @Test func test_hostileCalledStationIds_grantNoNetwork() throws {
        let config = try Fixture.config()
        let cert = try Fixture.device(Self.sensor1)
        let hostile = [
            "AA-BB-CC-DD-EE-FF:$(touch /tmp/danesync-pwned)",
            "AA-BB-CC-DD-EE-FF:corp-iot\n",
            "AA-BB-CC-DD-EE-FF:corp-iot;guest",
            "AA-BB-CC-DD-EE-FF:*",
            "corp-iot",
            "AA-BB-CC-DD-EE-FF:" + String(repeating: "x", count: 10_000),
            "ZZ-BB-CC-DD-EE-FF:corp-iot",
        ]
        unlink(Self.markers[0])
        for csid in hostile {
            try Fixture.verify(config: config, identity: Self.sensor1, cert: cert, csid: csid).expect(
                .notAllowed, csid.debugDescription)
        }
        #expect(access(Self.markers[0], F_OK) != 0)
    }
}

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
