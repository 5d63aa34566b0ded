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

    static func candidates(_ identity: String) throws -> Result<[String], VerifyVerdict> {
        try map.withUnsafeBytes { raw in
            try VerifyDecision.candidateNames(
                for: .certificate(certificate), identity: VerifyIdentity(identity), reader: TrustMapReader(bytes: raw)
            ).map { $0.map(\.text) }
        }
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

    @Test func test_anonymousIdentity_findsEveryNameOfTheCertificate_byHashPinAndSAN() throws {
        #expect(
            try Self.candidates("@")
                == .success([
                    "pinned._device.example.com", "sensor1._device.example.com", "twin._device.example.com",
                    "unlisted._device.example.com",
                ]))
    }

    @Test(arguments: ["anonymous@example.com", "@EXAMPLE.com", "x@example.com.", "@_device.example.com"])
    func test_realm_keepsOnlyNamesInsideIt_caseAndTrailingDotIgnored(_ identity: String) throws {
        let names = try Self.candidates(identity).get()
        #expect(names.contains("sensor1._device.example.com"), "\(identity)")
        #expect(!names.contains("cam7._device.example.org"))
    }

    @Test func test_realmOfAnotherDomain_isRejected12_sayingSo() throws {
        guard case .failure(let verdict) = try Self.candidates("anonymous@example.org") else {
            Issue.record("admitted a name outside the realm")
            return
        }
        #expect(verdict.code == .notAllowed)
        #expect(verdict.line.contains("inside realm \"example.org\""))
        // A realm that is only a suffix of a label is not the domain.
        #expect(throws: Never.self) {
            guard case .failure = try Self.candidates("@ample.com") else {
                Issue.record("ample.com admitted example.com names")
                return
            }
        }
    }

    @Test func test_certificateUnknownToTheMap_andWithoutSAN_isRejected13() throws {
        let stranger = CertificateBinding(
            der: [0x30, 0x00], spki: [0x30, 0x00], sha256: [UInt8](repeating: 0x99, count: 32),
            sha512: [UInt8](repeating: 0x98, count: 64), spkiSHA256: [UInt8](repeating: 0x97, count: 32),
            spkiSHA512: [UInt8](repeating: 0x96, count: 64))
        let result = try Self.map.withUnsafeBytes { raw in
            try VerifyDecision.candidateNames(
                for: .certificate(stranger), identity: .anonymous(realm: nil), reader: TrustMapReader(bytes: raw))
        }
        guard case .failure(let verdict) = result else {
            Issue.record("a certificate no name publishes found a name")
            return
        }
        #expect(verdict.code == .notPublished)
    }

    @Test func test_gateFacts_findTheNameBySerialAndIssuer() throws {
        let issuance = CertificateIssuance(sha256: Self.certificate.hashHex, serial: "1f", authorityKeyIdentifier: "ab")
        let map = TrustMapWriter.render(
            [
                TrustMapEntry(
                    network: "corp-iot", name: Self.sensor1, hashes: [Self.certificate.hashHex], pins: [],
                    issuances: [issuance])
            ],
            generated: 1)
        let names = try map.withUnsafeBytes { raw in
            try VerifyDecision.candidateNames(
                for: .issuance(serial: "1f", authorityKeyIdentifier: "ab"), identity: .anonymous(realm: "example.com"),
                reader: TrustMapReader(bytes: raw))
        }
        #expect(names == .success([Self.sensor1]))
    }
}
