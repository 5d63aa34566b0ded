import DANECore
import DANEDigest
import DANETestSupport
import Foundation
import Testing

/// `daneverify`, the FreeRADIUS hook, run as a process exactly as FreeRADIUS runs it (argv, no
/// shell), against a lab and a trust map published by a real `danesync once`: every exit code
/// of design.md "Command line". Hostile input, anonymous identities and unusable input files have
/// suites of their own (DaneverifyHostileInputTests, DaneverifyIdentityTests, DaneverifyFileTests).
@Suite(.serialized)
struct DaneverifyTests {
    typealias Fixture = VerifyLab

    static let onCorpIoT = "AA-BB-CC-DD-EE-FF:corp-iot"

    /// sensor1, with its own certificate, on corp-iot against the trust map in `output`.
    static func verifySensor1OnCorpIoT(output: String) throws -> Command.Output {
        try Fixture.verify(
            config: Fixture.config(output: output), identity: LabNames.sensor1,
            cert: Fixture.device(LabNames.sensor1), csid: onCorpIoT)
    }

    // MARK: 0 accept

    @Test func test_publishedDevice_onItsNetwork_isAccepted() throws {
        let config = try Fixture.config()
        let run = try Fixture.verify(
            config: config, identity: LabNames.sensor1, cert: Fixture.device(LabNames.sensor1), csid: Self.onCorpIoT)
        run.expect(.accept)
        #expect(run.line == "accept \(LabNames.sensor1) corp-iot \(try Fixture.hash(Fixture.device(LabNames.sensor1)))")
    }

    @Test func test_pkixCDDevice_isAccepted() throws {
        try Fixture.verify(
            config: Fixture.config(), identity: LabNames.sensor2, cert: Fixture.device(LabNames.sensor2),
            csid: Self.onCorpIoT
        )
        .expect(.accept)
    }

    @Test(arguments: ["AA-BB-CC-DD-EE-FF:corp-iot", "aabbccddeeff:corp-iot", "AA:BB:CC:DD:EE:FF:corp-iot"])
    func test_everyMACSpelling_yieldsTheSSID(csid: String) throws {
        try Fixture.verify(
            config: Fixture.config(), identity: LabNames.sensor1, cert: Fixture.device(LabNames.sensor1), csid: csid
        )
        .expect(.accept)
    }

    @Test func test_identity_comparesCaseInsensitively_andIgnoresTheTrailingDot() throws {
        let run = try Fixture.verify(
            config: Fixture.config(), identity: "SENSOR1._Device.Example.COM.", cert: Fixture.device(LabNames.sensor1),
            csid: Self.onCorpIoT)
        run.expect(.accept)
        #expect(run.line.hasPrefix("accept \(LabNames.sensor1) corp-iot "))
    }

    @Test(arguments: ["AA-BB-CC-DD-EE-FF:corp-iot", "AA-BB-CC-DD-EE-FF:lobby", "AA-BB-CC-DD-EE-FF", nil])
    func test_nameUnderStar_isAcceptedOnEveryNetwork_andWithoutSSID(csid: String?) throws {
        let run = try Fixture.verify(
            config: Fixture.config(), identity: LabNames.cam7, cert: Fixture.device(LabNames.cam7), csid: csid)
        run.expect(.accept)
        #expect(run.line.hasPrefix("accept \(LabNames.cam7) * "))
    }

    @Test func test_liveCheckOff_acceptsOnTheTrustMapAlone() throws {
        try Fixture.verify(
            config: Fixture.config(liveCheck: "off", dns: Fixture.deadDNS(port: 9)), identity: LabNames.sensor1,
            cert: Fixture.device(LabNames.sensor1), csid: Self.onCorpIoT
        ).expect(.accept)
    }

    // MARK: 2 usage / configuration

    @Test func test_missingArguments_isAUsageError() throws {
        let cert = try Fixture.device(LabNames.sensor1)
        let config = try Fixture.config()
        let cases: [[String]] = [
            [],
            ["--config", config],
            ["--config", config, "--identity", LabNames.sensor1],
            ["--identity", LabNames.sensor1, "--cert", cert],
            ["--config", config, "--identity", LabNames.sensor1, "--cert"],
        ]
        for arguments in cases {
            try Fixture.run(arguments).expect(.usage, "\(arguments)")
        }
    }

    @Test func test_unknownOrRepeatedFlag_isAUsageError() throws {
        let cert = try Fixture.device(LabNames.sensor1)
        let config = try Fixture.config()
        let base = ["--config", config, "--identity", LabNames.sensor1, "--cert", cert]
        try Fixture.run(base + ["--verbose"]).expect(.usage)
        try Fixture.run(base + ["--called-station-id", Self.onCorpIoT, "--nas", "x"]).expect(.usage)
        try Fixture.run(base + ["--identity", LabNames.sensor2]).expect(.usage)
        try Fixture.run(base + ["extra"]).expect(.usage)
    }

    @Test func test_badConfigFile_isAUsageError() throws {
        let cert = try Fixture.device(LabNames.sensor1)
        let missing = Fixture.scratch("no-such-config.yaml")
        let notYAML = try Fixture.write("not-yaml.yaml", "policy: [unclosed\n  : : :\n\t\u{1}")
        let unknownKey = try Fixture.write(
            "unknown-key.yaml",
            try String(contentsOfFile: Fixture.config(), encoding: .utf8) + "bogus_section:\n  x: 1\n")
        let badLiveCheck = try Fixture.config(liveCheck: "sometimes")
        for config in [missing, notYAML, unknownKey, badLiveCheck, "/", "/dev/null"] {
            try Fixture.verify(config: config, identity: LabNames.sensor1, cert: cert, csid: Self.onCorpIoT).expect(
                .usage, config)
        }
    }

    /// A trust anchor record libunbound cannot parse fails its validator at the first query
    /// (UB_INITFAIL): a setup error in every mode, never an unavailable resolver that
    /// `if-available` would accept through on the trust map alone.
    @Test func test_trustAnchorRecordLibunboundCannotRead_isASetupError_evenIfAvailable() throws {
        let lab = try Fixture.directory()
        let anchors = try Fixture.write("unparsable-trust-anchors", "this is not a DS record\n")
        let dns = try Fixture.labDNS().replacingOccurrences(of: "\(lab)/dns/trust-anchors", with: anchors)
            .replacingOccurrences(of: "  unbound_conf: \(lab)/dns/unbound.conf\n", with: "")
        for liveCheck in ["required", "if-available"] {
            let run = try Fixture.verify(
                config: Fixture.config(liveCheck: liveCheck, dns: dns), identity: LabNames.sensor1,
                cert: Fixture.device(LabNames.sensor1), csid: Self.onCorpIoT)
            run.expect(.usage, liveCheck)
            #expect(run.stdoutText.contains("resolver setup: libunbound could not initialise"), "\(run.stdoutText)")
        }
    }

    @Test func test_help_printsUsage_andExits2_becauseOnlyAnAcceptExits0() throws {
        let run = try Fixture.run(["--help"])
        #expect(run.status == VerifyVerdict.Code.usage.rawValue)
        #expect(run.stdoutText.hasPrefix("usage: daneverify"))
        #expect(run.stdoutText.contains(VerifyVerdict.Code.table))
    }

    // MARK: 12 not allowed

    @Test func test_nameNotInPolicy_rejects12() throws {
        try Fixture.verify(
            config: Fixture.config(), identity: "nosuch._device.example.com", cert: Fixture.device(LabNames.sensor1),
            csid: Self.onCorpIoT
        ).expect(.notAllowed)
    }

    @Test(arguments: [
        "AA-BB-CC-DD-EE-FF:guest", "AA-BB-CC-DD-EE-FF:CORP-IOT", "AA-BB-CC-DD-EE-FF:corp-iot ", "AA-BB-CC-DD-EE-FF", "",
        nil,
    ])
    func test_nameListedForOneNetwork_isRejectedElsewhere_andWithoutSSID(csid: String?) throws {
        try Fixture.verify(
            config: Fixture.config(), identity: LabNames.sensor1, cert: Fixture.device(LabNames.sensor1), csid: csid
        )
        .expect(.notAllowed, csid ?? "no --called-station-id")
    }

    // MARK: 13 wrong certificate

    @Test func test_rogueCertificateForAPublishedName_rejects13() throws {
        let rogue = Fixture.path("pki/rogue/\(LabNames.sensor1).pem")
        let run = try Fixture.verify(
            config: Fixture.config(), identity: LabNames.sensor1, cert: rogue, csid: Self.onCorpIoT)
        run.expect(.notPublished)
        #expect(run.line.contains(try Fixture.hash(rogue)), "the rejection names the presented hash")
    }

    @Test func test_anotherDevicesCertificate_rejects13() throws {
        try Fixture.verify(
            config: Fixture.config(), identity: LabNames.sensor1, cert: Fixture.device(LabNames.sensor2),
            csid: Self.onCorpIoT
        )
        .expect(.notPublished)
    }

    /// A certificate for example.com's sensor1 issued by example.org's CA, which is in ca.pem
    /// (cam7 relies on it): FreeRADIUS's chain check passes, so the hook's hash check is the
    /// barrier — by name and by the certificate's own SAN alike.
    @Test func test_certificateIssuedByAnotherOrganisationsPublishedCA_rejects13() throws {
        let base = Fixture.scratch("cross-org-sensor1")
        let ca = Fixture.path("pki/ca/org2-root")
        let mint = try Command.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-sha256",
                "-days", "30", "-subj", "/CN=\(LabNames.sensor1)", "-addext", "subjectAltName=DNS:\(LabNames.sensor1)",
                "-addext", "extendedKeyUsage=clientAuth", "-CA", ca + ".pem", "-CAkey", ca + ".key",
                "-keyout", base + ".key", "-out", base + ".pem",
            ])
        try #require(mint.status == 0, "\(mint.stderr)")
        for identity in [LabNames.sensor1, "anonymous@example.com"] {
            try Fixture.verify(config: Fixture.config(), identity: identity, cert: base + ".pem", csid: Self.onCorpIoT)
                .expect(.notPublished, identity)
        }
    }

    // MARK: 14 withdrawn (live check)

    @Test func test_withdrawnRecord_isRejectedAtTheNextAuthentication_14() throws {
        let config = try Fixture.config()
        let cert = try Fixture.device(LabNames.sensor4)
        try Fixture.verify(config: config, identity: LabNames.sensor4, cert: cert, csid: Self.onCorpIoT).expect(
            .accept, "before withdrawal")

        let lab = try Fixture.directory()
        #expect(Lab.script("dns.sh", "withdraw", lab, LabNames.sensor4) == 0)
        defer {
            #expect(Lab.script("dns.sh", "restore", lab, LabNames.sensor4) == 0)
            let after = try? Fixture.verify(
                config: config, identity: LabNames.sensor4, cert: cert, csid: Self.onCorpIoT)
            #expect(after?.status == 0, "sensor4 is accepted again once its record is restored")
        }
        let run = try Fixture.verify(config: config, identity: LabNames.sensor4, cert: cert, csid: Self.onCorpIoT)
        run.expect(.withdrawn)
        #expect(run.line.contains(LabNames.sensor4))
    }

    @Test func test_trustMapEntryWithoutAMatchingRecord_rejects14() throws {
        // The trust map lists names for certificates DNS does not (or no longer) publish there:
        // a name that does not exist (NXDOMAIN), one without TLSA (NODATA), and a TLSA that does
        // not match the presented certificate.
        let sensor2Cert = try Fixture.device(LabNames.sensor2)
        let hash = try Fixture.hash(sensor2Cert)
        let names = ["nosuch._device.example.com", "nodata._device.example.com", LabNames.sensor1]
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

    static let expiredSignatures = "expired._device.example.info"

    @Test func test_bogusAndInsecureRecords_reject15() throws {
        let brokenCert = try Fixture.device(LabNames.bogus)
        let plainCert = try Fixture.device(LabNames.insecure)
        // Never published by danesync (bogus / insecure): craft entries so the live check is reached.
        let dir = try Fixture.craftedTrustMap(
            "dnssec",
            [
                TrustMapEntry(
                    network: "corp-iot", name: try DeviceName(LabNames.bogus), hashes: [try Fixture.hash(brokenCert)],
                    pins: []),
                TrustMapEntry(
                    network: "corp-iot", name: try DeviceName(LabNames.insecure), hashes: [try Fixture.hash(plainCert)],
                    pins: []),
                // Its zone's RRSIGs expired in 2020; the record carries sensor1's certificate.
                TrustMapEntry(
                    network: "corp-iot", name: try DeviceName(Self.expiredSignatures),
                    hashes: [try Fixture.hash(Fixture.device(LabNames.sensor1))], pins: []),
            ])
        for liveCheck in ["required", "if-available"] {
            let config = try Fixture.config(output: dir, liveCheck: liveCheck)
            try Fixture.verify(config: config, identity: LabNames.bogus, cert: brokenCert, csid: Self.onCorpIoT).expect(
                .dnssec, "bogus, \(liveCheck)")
            try Fixture.verify(
                config: config, identity: Self.expiredSignatures, cert: Fixture.device(LabNames.sensor1),
                csid: Self.onCorpIoT
            ).expect(.dnssec, "expired RRSIG, \(liveCheck)")
            try Fixture.verify(config: config, identity: LabNames.insecure, cert: plainCert, csid: Self.onCorpIoT)
                .expect(
                    .dnssec, "insecure, \(liveCheck)")
        }
    }

    @Test func test_publishedTrustMap_neverListsBogusOrInsecureNames() throws {
        try Fixture.verify(
            config: Fixture.config(), identity: LabNames.bogus, cert: Fixture.device(LabNames.bogus),
            csid: Self.onCorpIoT
        )
        .expect(oneOf: [.notAllowed, .notPublished])
        try Fixture.verify(
            config: Fixture.config(), identity: LabNames.insecure, cert: Fixture.device(LabNames.insecure),
            csid: Self.onCorpIoT
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
                config: required, identity: LabNames.sensor1, cert: Fixture.device(LabNames.sensor1),
                csid: Self.onCorpIoT
            )
            .expect(.resolver, "\(label), required")
            #expect(ContinuousClock.now - started < .seconds(3), "\(label): the hook keeps its 1 s deadline")

            let ifAvailable = try Fixture.config(
                liveCheck: "if-available", dns: Fixture.deadDNS(port: port), verifyTimeout: "1s")
            let run = try Fixture.verify(
                config: ifAvailable, identity: LabNames.sensor1, cert: Fixture.device(LabNames.sensor1),
                csid: Self.onCorpIoT)
            run.expect(.accept, "\(label), if-available")
            #expect(!run.stderr.isEmpty, "\(label): the skipped live check is noted on stderr")
        }
    }
}
