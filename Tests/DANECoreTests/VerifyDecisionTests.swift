import DANECore
import Testing

/// daneverify's rules (design.md "Command line" exit codes, "Policy" matching at verify time),
/// driven the way the hook drives them: SSID from Called-Station-Id, trust-map lookups, live check.
struct VerifyDecisionTests {
    static let sensor = try! DeviceName("sensor1._device.example.com")
    static let admin = try! DeviceName("admin-laptop._device.example.com")

    static let certificate = CertificateBinding(
        der: [0x30, 0x03, 1, 2, 3], spki: [0x30, 0x01, 9], sha256: [UInt8](repeating: 0x11, count: 32),
        sha512: [UInt8](repeating: 0x22, count: 64), spkiSHA256: [UInt8](repeating: 0x33, count: 32),
        spkiSHA512: [UInt8](repeating: 0x44, count: 64))
    static let otherCertificate = CertificateBinding(
        der: [0x30, 0x03, 4, 5, 6], spki: [0x30, 0x01, 8], sha256: [UInt8](repeating: 0x55, count: 32),
        sha512: [UInt8](repeating: 0x66, count: 64), spkiSHA256: [UInt8](repeating: 0x77, count: 32),
        spkiSHA512: [UInt8](repeating: 0x88, count: 64))

    static let fullRecord = TLSARecord(usage: .daneEE, selector: .cert, matchingType: .full, data: certificate.der)
    static let spkiPin = TLSARecord(
        usage: .daneEE, selector: .spki, matchingType: .sha256, data: certificate.spkiSHA256)

    /// The trust map of the design's example policy: sensor1 on corp-iot, admin-laptop on "*".
    static let trustMap: [UInt8] = TrustMapWriter.render(
        [
            TrustMapEntry(network: "corp-iot", name: sensor, hashes: [certificate.hashHex], pins: []),
            TrustMapEntry(network: "*", name: admin, hashes: [certificate.hashHex], pins: []),
        ], generated: 1)

    /// What daneverify does before the live check.
    static func admit(
        _ name: DeviceName, calledStationId: String?, certificate: CertificateBinding = certificate,
        map: [UInt8] = trustMap
    ) throws -> Result<String, VerifyVerdict> {
        try map.withUnsafeBytes { raw in
            try VerifyDecision.admit(
                name: name, ssid: calledStationId.flatMap(CalledStationId.ssid(from:)),
                reader: TrustMapReader(bytes: raw), presented: .certificate(certificate)
            ).map(\.network)
        }
    }

    static func rejection(_ result: Result<String, VerifyVerdict>) -> VerifyVerdict? {
        if case .failure(let verdict) = result { return verdict }
        return nil
    }

    // MARK: trust map

    @Test func test_nameOnItsNetwork_isAdmittedUnderThatNetwork() throws {
        #expect(try Self.admit(Self.sensor, calledStationId: "AA-BB-CC-DD-EE-FF:corp-iot") == .success("corp-iot"))
        #expect(try Self.admit(Self.sensor, calledStationId: "aabbccddeeff:corp-iot") == .success("corp-iot"))
    }

    @Test func test_noSSID_meansOnlyStarEntriesApply() throws {
        for station in [nil, "AA-BB-CC-DD-EE-FF", "AA-BB-CC-DD-EE-FF:", "garbage"] as [String?] {
            let verdict = try #require(Self.rejection(Self.admit(Self.sensor, calledStationId: station)))
            #expect(verdict.code == .notAllowed)
            #expect(
                verdict.line
                    == "reject 12 sensor1._device.example.com is not allowed on any network (no SSID in Called-Station-Id)"
            )
            #expect(try Self.admit(Self.admin, calledStationId: station) == .success("*"))
        }
    }

    @Test func test_SSIDMatch_isExactAndCaseSensitive() throws {
        for ssid in ["Corp-IoT", "corp-iot ", "corp", "corp-iot2", "*"] {
            let verdict = try #require(
                Self.rejection(Self.admit(Self.sensor, calledStationId: "AA-BB-CC-DD-EE-FF:\(ssid)")), "\(ssid)")
            #expect(verdict.code == .notAllowed, "\(ssid)")
            #expect(verdict.line.hasPrefix("reject 12 "))
        }
    }

    @Test func test_starEntry_isAllowedOnEveryNetwork() throws {
        #expect(try Self.admit(Self.admin, calledStationId: "AA-BB-CC-DD-EE-FF:corp-iot") == .success("*"))
        #expect(try Self.admit(Self.admin, calledStationId: "AA-BB-CC-DD-EE-FF:Guest") == .success("*"))
    }

    @Test func test_unlistedName_isNotAllowed() throws {
        let stranger = try DeviceName("stranger._device.example.com")
        let verdict = try #require(Self.rejection(Self.admit(stranger, calledStationId: "AA-BB-CC-DD-EE-FF:corp-iot")))
        #expect(verdict.code == .notAllowed)
        #expect(verdict.line == "reject 12 stranger._device.example.com is not allowed on network \"corp-iot\"")
    }

    @Test func test_hashNotPublished_isRejected13() throws {
        let verdict = try #require(
            Self.rejection(
                Self.admit(
                    Self.sensor, calledStationId: "AA-BB-CC-DD-EE-FF:corp-iot", certificate: Self.otherCertificate)))
        #expect(verdict.code == .notPublished)
        #expect(verdict.code.rawValue == 13)
        #expect(
            verdict.line
                == "reject 13 certificate sha256 \(Self.otherCertificate.hashHex) is not published for sensor1._device.example.com"
        )
    }

    @Test func test_pinMatch_isAccepted_withoutAPublishedHash() throws {
        let map = TrustMapWriter.render(
            [TrustMapEntry(network: "corp-iot", name: Self.sensor, hashes: [], pins: [Self.spkiPin])], generated: 1)
        #expect(
            try Self.admit(Self.sensor, calledStationId: "AA-BB-CC-DD-EE-FF:corp-iot", map: map) == .success("corp-iot")
        )
        let verdict = try #require(
            Self.rejection(
                Self.admit(
                    Self.sensor, calledStationId: "AA-BB-CC-DD-EE-FF:corp-iot", certificate: Self.otherCertificate,
                    map: map)))
        #expect(verdict.code == .notPublished)
    }

    @Test func test_networkEntryWithOtherHash_fallsBackToStarEntry() {
        let networkEntry = TrustMapEntry(
            network: "corp-iot", name: Self.sensor, hashes: [Self.otherCertificate.hashHex], pins: [])
        let anyEntry = TrustMapEntry(network: "*", name: Self.sensor, hashes: [Self.certificate.hashHex], pins: [])
        let result = VerifyDecision.checkTrustMap(
            name: Self.sensor, ssid: "corp-iot", networkEntry: networkEntry, anyEntry: anyEntry,
            presented: .certificate(Self.certificate))
        #expect(result == .success(Admission(network: "*", sha256: Self.certificate.hashHex)))
    }

    // MARK: the second gate: FreeRADIUS's facts of the certificate

    static let issuance = CertificateIssuance(
        sha256: certificate.hashHex, serial: "6395cfa8", authorityKeyIdentifier: "1041903c")
    static let gateEntry = TrustMapEntry(
        network: "corp-iot", name: sensor, hashes: [certificate.hashHex], pins: [], issuances: [issuance])

    @Test func test_gate_admitsTheSerialAndIssuerOfAPublishedCertificate_only() {
        func check(_ serial: String, _ aki: String) -> Result<Admission, VerifyVerdict> {
            VerifyDecision.checkTrustMap(
                name: Self.sensor, ssid: "corp-iot", networkEntry: Self.gateEntry, anyEntry: nil,
                presented: .issuance(serial: serial, authorityKeyIdentifier: aki))
        }
        #expect(
            check("6395cfa8", "1041903c") == .success(Admission(network: "corp-iot", sha256: Self.certificate.hashHex)))
        for (serial, aki) in [("6395cfa9", "1041903c"), ("6395cfa8", "1041903d"), ("1041903c", "6395cfa8")] {
            guard case .failure(let verdict) = check(serial, aki) else {
                Issue.record("\(serial) \(aki) admitted")
                continue
            }
            #expect(verdict.code == .notPublished)
            #expect(verdict.line.contains("serial \(serial)"))
        }
        // A map of format 1 (hashes only) admits nothing through the gate.
        let legacy = TrustMapEntry(network: "corp-iot", name: Self.sensor, hashes: [Self.certificate.hashHex], pins: [])
        #expect(legacy.issuance(serial: "6395cfa8", authorityKeyIdentifier: "1041903c") == nil)
    }

    @Test func test_gateLiveCheck_findsTheAdmittedHash_inAFullOrSHA256Record_notInOtherKinds() {
        let admission = Admission(network: "corp-iot", sha256: Self.certificate.hashHex)
        func live(_ records: [TLSARecord]) -> VerifyVerdict {
            VerifyDecision.checkLive(
                answer: Self.answer(records: records),
                presented: .issuance(serial: "6395cfa8", authorityKeyIdentifier: "1041903c"),
                admitted: (Self.sensor, admission), mode: .required, requireDNSSEC: true, sha256: Self.fakeSHA256)
        }
        #expect(
            live([Self.fullRecord]).line == "accept sensor1._device.example.com corp-iot \(Self.certificate.hashHex)")
        #expect(
            live([TLSARecord(usage: .daneEE, selector: .cert, matchingType: .sha256, data: Self.certificate.sha256)])
                .code == .accept)
        // The key alone cannot be tied to serial and issuer; a trust anchor names a CA.
        #expect(live([Self.spkiPin]).code == .withdrawn)
        #expect(
            live([TLSARecord(usage: .daneTA, selector: .cert, matchingType: .sha256, data: Self.certificate.sha256)])
                .code == .withdrawn)
    }

    @Test func test_FreeRADIUSSerialAndKeyIdentifierForms_normalise() {
        #expect(CertificateIssuance.normalizedSerial("00AB:CD") == "abcd")
        #expect(CertificateIssuance.normalizedSerial("0x0") == "0")
        #expect(CertificateIssuance.normalizedSerial("") == nil)
        #expect(CertificateIssuance.normalizedSerial("12g4") == nil)
        #expect(CertificateIssuance.normalizedKeyIdentifier("40:80:3F:28") == "40803f28")
        #expect(CertificateIssuance.normalizedKeyIdentifier("keyid:40:80:3F:28\n") == "40803f28")
        #expect(CertificateIssuance.normalizedKeyIdentifier("40-80-3f-28") == "40803f28")
        #expect(CertificateIssuance.normalizedKeyIdentifier(" ") == nil)
        // An AKI that also names the issuer: FreeRADIUS joins OpenSSL's lines with a literal "\n".
        let full = #"keyid:13:05:A1:51\nDirName:/O=danesync lab/CN=danesync lab root\nserial:41:64:F7"#
        #expect(CertificateIssuance.normalizedKeyIdentifier(full) == "1305a151")
        #expect(CertificateIssuance.normalizedKeyIdentifier(#"keyid:13:05:A1:51\n"#) == "1305a151")
        #expect(CertificateIssuance.normalizedKeyIdentifier("keyid:13:05:A1:51\nDirName:/O=x\nserial:41") == "1305a151")
    }

    // MARK: live check

    static func answer(
        _ rcode: DNSRcode = .noError, _ security: DNSSECState = .secure, records: [TLSARecord] = [fullRecord]
    ) -> TLSAAnswer {
        TLSAAnswer(name: sensor, result: .response(DNSResponse(rcode: rcode, security: security, records: records)))
    }

    /// SHA-256 as the tests' fixed certificates define it (DANECore has no digest of its own).
    static func fakeSHA256(_ bytes: [UInt8]) -> [UInt8] {
        bytes == certificate.der ? certificate.sha256 : bytes == otherCertificate.der ? otherCertificate.sha256 : []
    }

    static func live(
        _ answer: TLSAAnswer, mode: Config.LiveCheck = .required, requireDNSSEC: Bool = true,
        certificate: CertificateBinding = certificate
    ) -> VerifyVerdict {
        VerifyDecision.checkLive(
            answer: answer, presented: .certificate(certificate),
            admitted: (sensor, Admission(network: "corp-iot", sha256: certificate.hashHex)), mode: mode,
            requireDNSSEC: requireDNSSEC, sha256: fakeSHA256)
    }

    @Test func test_secureMatchingRecord_accepts_withTheAcceptLine() {
        let verdict = Self.live(Self.answer())
        #expect(verdict.code == .accept)
        #expect(verdict.code.rawValue == 0)
        #expect(verdict.line == "accept sensor1._device.example.com corp-iot \(Self.certificate.hashHex)")
        #expect(verdict.note == nil)
    }

    @Test func test_anyMatchingRecordKind_accepts() {
        var named = Self.certificate
        named.sanDNSNames = [Self.sensor.text]
        for record in [
            Self.spkiPin,
            TLSARecord(usage: .pkixCD, selector: .cert, matchingType: .sha512, data: Self.certificate.sha512),
        ] {
            #expect(Self.live(Self.answer(records: [record]), certificate: named).code == .accept, "\(record)")
        }
    }

    /// Admitted by a hash an earlier DANE-EE record published, the certificate is now published
    /// only by a PKIX record whose SAN rule it fails: DNS no longer vouches for it under this name.
    @Test func test_PKIXRecordWhoseSANRuleTheCertificateFails_isWithdrawn14() {
        for usage in [TLSAUsage.pkixEE, .pkixCD] {
            let record = TLSARecord(usage: usage, selector: .cert, matchingType: .sha256, data: Self.certificate.sha256)
            #expect(Self.live(Self.answer(records: [record])).code == .withdrawn, "\(usage)")
        }
    }

    @Test func test_NXDOMAIN_isWithdrawn14() {
        let verdict = Self.live(Self.answer(.nameError, records: []))
        #expect(verdict.code == .withdrawn)
        #expect(verdict.line.hasPrefix("reject 14 ") && verdict.line.contains("NXDOMAIN"))
    }

    @Test func test_NODATA_isWithdrawn14() {
        let verdict = Self.live(Self.answer(.noError, records: []))
        #expect(verdict.code == .withdrawn)
        #expect(verdict.line.contains("NODATA"))
    }

    @Test func test_noMatchingRecord_isWithdrawn14() {
        let verdict = Self.live(Self.answer(), certificate: Self.otherCertificate)
        #expect(verdict.code == .withdrawn)
        #expect(verdict.line.contains(Self.otherCertificate.hashHex))
        // unassigned kinds carrying the right bytes do not count either
        let odd = TLSARecord(usage: .daneEE, selector: .unassigned(7), matchingType: .full, data: Self.certificate.der)
        #expect(Self.live(Self.answer(records: [odd])).code == .withdrawn)
    }

    @Test func test_bogus_isRejected15() {
        let verdict = Self.live(Self.answer(.noError, .bogus))
        #expect(verdict.code == .dnssec)
        #expect(verdict.line.hasPrefix("reject 15 "))
    }

    @Test func test_insecure_isRejected15_whenDNSSECIsRequired_andAccepted_whenNot() {
        #expect(Self.live(Self.answer(.noError, .insecure), requireDNSSEC: true).code == .dnssec)
        #expect(Self.live(Self.answer(.noError, .insecure), requireDNSSEC: false).code == .accept)
        #expect(Self.live(Self.answer(.nameError, .insecure, records: []), requireDNSSEC: false).code == .withdrawn)
    }

    @Test func test_timeout_withRequired_isRejected16() {
        let verdict = Self.live(TLSAAnswer(name: Self.sensor, result: .timedOut), mode: .required)
        #expect(verdict.code == .resolver)
        #expect(verdict.line.hasPrefix("reject 16 ") && verdict.line.contains("timed out"))
        #expect(
            Self.live(TLSAAnswer(name: Self.sensor, result: .failed("no trust anchor")), mode: .required).code
                == .resolver)
        #expect(Self.live(Self.answer(.serverFailure, records: []), mode: .required).code == .resolver)
    }

    @Test func test_timeout_withIfAvailable_acceptsWithANote() {
        for answer in [
            TLSAAnswer(name: Self.sensor, result: .timedOut), TLSAAnswer(name: Self.sensor, result: .failed("x")),
            Self.answer(.serverFailure, records: []),
        ] {
            let verdict = Self.live(answer, mode: .ifAvailable)
            #expect(verdict.code == .accept)
            #expect(verdict.line == "accept sensor1._device.example.com corp-iot \(Self.certificate.hashHex)")
            #expect(verdict.note?.contains("live check unavailable") == true)
        }
    }

    @Test func test_bogusOrWithdrawn_withIfAvailable_stillRejects() {
        #expect(Self.live(Self.answer(.noError, .bogus), mode: .ifAvailable).code == .dnssec)
        #expect(Self.live(Self.answer(.nameError, records: []), mode: .ifAvailable).code == .withdrawn)
        #expect(Self.live(Self.answer(.noError, .insecure), mode: .ifAvailable).code == .dnssec)
    }

    // MARK: the output line

    @Test func test_rejectLine_isOneLine_evenWhenTheDetailHasNewlines() {
        let verdict = VerifyVerdict.reject(.notAllowed, "evil\nname\r\u{1b}[31m\u{7f}")
        #expect(verdict.line == "reject 12 evil?name??[31m?")
        #expect(!verdict.line.contains("\n"))
        #expect(verdict.code == .notAllowed)
    }

    @Test func test_rejectLine_isBounded_andSaysItWasCut() {
        let verdict = VerifyVerdict.reject(.certificate, String(repeating: "x", count: 10_000))
        #expect(verdict.line.count == "reject 11 ".count + VerifyVerdict.detailLimit)
        #expect(verdict.line.hasSuffix("x…"))
    }

    @Test func test_printableText_replacesC0C1AndDEL_keepsOtherUnicode() {
        #expect(PrintableText.oneLine("a\u{9b}31m\u{85}b\u{7f}é✓", limit: 64) == "a?31m?b?é✓")
        #expect(PrintableText.oneLine("abcdef", limit: 3) == "ab…")
        #expect(PrintableText.oneLine("abc", limit: 3) == "abc")
        #expect(PrintableText.oneLine("abc", limit: 0) == "")
    }

    @Test func test_exitCodes_areTheDesignsNumbers() {
        let codes: [VerifyVerdict.Code: Int32] = [
            .accept: 0, .usage: 2, .trustMap: 10, .certificate: 11, .notAllowed: 12, .notPublished: 13, .withdrawn: 14,
            .dnssec: 15,
            .resolver: 16,
        ]
        for (code, value) in codes { #expect(code.rawValue == value) }
    }

    // MARK: 14 from the trust map

    /// design.md "Revocation and disconnect": a name the policy still lists but DNS withdrew is
    /// refused as withdrawn, with the time, not as not allowed.
    @Test func test_withdrawnEntry_isRefusedAsWithdrawn_withTheTime_notAsNotAllowed() throws {
        let map = TrustMapWriter.render(
            [.withdrawn(network: "corp-iot", name: Self.sensor, since: 1_700_000_000)], generated: 1)
        let result = try Self.admit(Self.sensor, calledStationId: "AA-BB-CC-DD-EE-FF:corp-iot", map: map)
        guard case .failure(let verdict) = result else {
            Issue.record("expected a rejection, got \(result)")
            return
        }
        #expect(verdict.code == .withdrawn)
        #expect(verdict.line == "reject 14 sensor1._device.example.com was withdrawn from DNS at 2023-11-14T22:13:20Z")
        // On a network the policy does not list it for, it is still "not allowed".
        #expect(
            try Self.admit(Self.sensor, calledStationId: "AA-BB-CC-DD-EE-FF:guest", map: map)
                == .failure(.reject(.notAllowed, "sensor1._device.example.com is not allowed on network \"guest\"")))
    }
}
