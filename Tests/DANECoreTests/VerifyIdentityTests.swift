import DANECore
import Testing

/// design.md "Identity at verify time": which names an identity may stand for.
struct VerifyIdentityTests {
    static let sensor1 = try! DeviceName("sensor1._device.example.com")
    static let twin = try! DeviceName("twin._device.example.com")
    static let pinOnly = try! DeviceName("pinned._device.example.com")
    static let other = try! DeviceName("cam7._device.example.org")

    static let certificate = CertificateBinding(
        der: [0x30, 0x03, 1, 2, 3], spki: [0x30, 0x01, 9], sha256: [UInt8](repeating: 0x11, count: 32),
        sha512: [UInt8](repeating: 0x22, count: 64), spkiSHA256: [UInt8](repeating: 0x33, count: 32),
        spkiSHA512: [UInt8](repeating: 0x44, count: 64),
        sanDNSNames: ["sensor1._device.example.com", "unlisted._device.example.com", "not a name"])

    /// sensor1 and twin publish the same certificate; pinned has only a pin of its key; cam7 an
    /// unrelated certificate.
    static let map = TrustMapWriter.render(
        [
            TrustMapEntry(network: "corp-iot", name: sensor1, hashes: [certificate.hashHex], pins: []),
            TrustMapEntry(network: "*", name: twin, hashes: [certificate.hashHex], pins: []),
            TrustMapEntry(
                network: "corp-iot", name: pinOnly, hashes: [],
                pins: [TLSARecord(usage: .daneEE, selector: .spki, matchingType: .sha256, data: certificate.spkiSHA256)]
            ),
            TrustMapEntry(network: "*", name: other, hashes: [String(repeating: "ab", count: 32)], pins: []),
        ], generated: 1)

    /// The verdict for `identity`, with a `check` that accepts only `accepting` (as the
    /// usual rules would) and records every name it is asked about.
    static func verify(
        _ identity: String, presented: PresentedCertificate = .certificate(certificate), map: [UInt8] = map,
        accepting: Set<String> = []
    ) throws -> (verdict: VerifyVerdict, asked: [String]) {
        var asked: [String] = []
        let verdict = try map.withUnsafeBytes { raw in
            try VerifyDecision.verifyAnonymously(
                presented, identity: VerifyIdentity(identity), reader: TrustMapReader(bytes: raw)
            ) { name in
                asked.append(name.text)
                return accepting.contains(name.text)
                    ? .accept(name, network: "corp-iot", hash: certificate.hashHex)
                    : .reject(.notAllowed, "\(name) is not allowed on network \"corp-iot\"")
            }
        }
        return (verdict, asked)
    }

    @Test func test_deviceName_isBinding_anythingElseIsAnonymous() {
        #expect(VerifyIdentity("Sensor1._device.example.com.") == .device(Self.sensor1))
        #expect(VerifyIdentity("anonymous@example.com") == .anonymous(realm: "example.com"))
        #expect(VerifyIdentity("@Example.COM.") == .anonymous(realm: "example.com"))
        #expect(VerifyIdentity("a@b@example.net") == .anonymous(realm: "example.net"))
        for bare in ["", "@", "anonymous", "user@"] {
            #expect(VerifyIdentity(bare) == .anonymous(realm: nil), "\(bare)")
        }
    }

    @Test func test_anonymousIdentity_triesEveryNameOfTheCertificate_byHashPinAndSAN() throws {
        let (verdict, asked) = try Self.verify("@")
        #expect(
            Set(asked) == [
                "pinned._device.example.com", "sensor1._device.example.com", "twin._device.example.com",
                "unlisted._device.example.com",
            ])
        #expect(asked.count == 4, "each name once")
        #expect(verdict.code == .notAllowed)
    }

    @Test func test_anonymousIdentity_stopsAtTheFirstNameThatIsAccepted() throws {
        let (verdict, asked) = try Self.verify(
            "@", accepting: ["sensor1._device.example.com", "twin._device.example.com"])
        #expect(verdict.code == .accept)
        #expect(asked.last == verdict.line.split(separator: " ")[1].description)
        #expect(asked.count <= 2)
    }

    @Test(arguments: ["anonymous@example.com", "@EXAMPLE.com", "x@example.com.", "@_device.example.com"])
    func test_realm_keepsOnlyNamesInsideIt_caseAndTrailingDotIgnored(_ identity: String) throws {
        let (verdict, asked) = try Self.verify(identity, accepting: ["sensor1._device.example.com"])
        #expect(verdict.line.hasPrefix("accept sensor1._device.example.com "), "\(identity)")
        #expect(!asked.contains("cam7._device.example.org"))
    }

    @Test func test_realmOfAnotherDomain_isRejected12_sayingSo() throws {
        let (verdict, asked) = try Self.verify("anonymous@example.org", accepting: ["sensor1._device.example.com"])
        #expect(asked.isEmpty)
        #expect(verdict.code == .notAllowed)
        #expect(verdict.line.contains("inside realm \"example.org\""))
        // A realm that is only the end of a label is not the domain.
        #expect(try Self.verify("@ample.com", accepting: ["sensor1._device.example.com"]).verdict.code == .notAllowed)
    }

    @Test func test_certificateUnknownToTheMap_andWithoutSAN_isRejected13() throws {
        let stranger = CertificateBinding(
            der: [0x30, 0x00], spki: [0x30, 0x00], sha256: [UInt8](repeating: 0x99, count: 32),
            sha512: [UInt8](repeating: 0x98, count: 64), spkiSHA256: [UInt8](repeating: 0x97, count: 32),
            spkiSHA512: [UInt8](repeating: 0x96, count: 64))
        let (verdict, asked) = try Self.verify("@", presented: .certificate(stranger))
        #expect(asked.isEmpty)
        #expect(verdict.code == .notPublished)
    }

    @Test func test_gateFacts_findTheNameBySerialAndIssuer() throws {
        let issuance = CertificateIssuance(sha256: Self.certificate.hashHex, serial: "1f", authorityKeyIdentifier: "ab")
        let map = TrustMapWriter.render(
            [
                TrustMapEntry(
                    network: "corp-iot", name: Self.sensor1, hashes: [Self.certificate.hashHex], pins: [],
                    issuances: [issuance])
            ], generated: 1)
        let (verdict, asked) = try Self.verify(
            "@example.com", presented: .issuance(serial: "1f", authorityKeyIdentifier: "ab"), map: map,
            accepting: ["sensor1._device.example.com"])
        #expect(asked == ["sensor1._device.example.com"])
        #expect(verdict.code == .accept)
    }
}
