import DANECore
import Testing

/// RFC 6698 §2 TLSA wire and presentation forms, RFC 7218 names, and the design's use of each
/// usage/selector/matching combination.
struct TLSARecordTests {
    /// Stand-in certificate bytes; the real-certificate matching is in DANECertifyTests.
    static let der: [UInt8] = [0x30, 0x82, 0x01, 0x0a] + Array(0..<40)
    static let digest32 = [UInt8](repeating: 0xab, count: 32)
    static let digest64 = [UInt8](repeating: 0xcd, count: 64)

    // MARK: wire form

    @Test(arguments: [
        (UInt8(3), UInt8(0), UInt8(0), TLSAUsage.daneEE, TLSASelector.cert, TLSAMatchingType.full),
        (4, 0, 0, .pkixCD, .cert, .full),
        (3, 1, 1, .daneEE, .spki, .sha256),
        (3, 0, 2, .daneEE, .cert, .sha512),
        (2, 0, 0, .daneTA, .cert, .full),
    ])
    func test_wireRdata_parsesUsageSelectorMatchingAndData(
        _ u: UInt8, _ s: UInt8, _ m: UInt8, _ usage: TLSAUsage, _ selector: TLSASelector, _ matching: TLSAMatchingType
    ) throws {
        let data = matching == .sha256 ? Self.digest32 : matching == .sha512 ? Self.digest64 : Self.der
        let record = try TLSARecord(rdata: [u, s, m] + data)
        #expect(record.usage == usage)
        #expect(record.selector == selector)
        #expect(record.matchingType == matching)
        #expect(record.data == data)
        #expect(record.unknownFields.isEmpty)
        #expect(record == TLSARecord(usage: usage, selector: selector, matchingType: matching, data: data))
    }

    @Test func test_unknownUsageSelectorAndMatching_areKeptAndReported() throws {
        let record = try TLSARecord(rdata: [7, 5, 9, 0xde, 0xad])
        #expect(record.usage == .unassigned(7))
        #expect(record.selector == .unassigned(5))
        #expect(record.matchingType == .unassigned(9))
        #expect(record.data == [0xde, 0xad])
        #expect(record.unknownFields == ["usage 7", "selector 5", "matching type 9"])
        #expect(try TLSARecord(rdata: [3, 0, 3, 1]).unknownFields == ["matching type 3"])
        #expect(try TLSARecord(rdata: [255, 1, 1] + Self.digest32).unknownFields == ["usage 255"])
    }

    @Test func test_rdataShorterThanThreeOctets_isTruncated() {
        #expect(throws: TLSARecordError.truncated(length: 0)) { try TLSARecord(rdata: []) }
        #expect(throws: TLSARecordError.truncated(length: 2)) { try TLSARecord(rdata: [3, 0]) }
    }

    @Test func test_rdataWithoutAssociationData_isRejected() {
        #expect(throws: TLSARecordError.emptyData) { try TLSARecord(rdata: [3, 0, 0]) }
    }

    @Test func test_digestOfWrongLength_isRejected() {
        #expect(throws: TLSARecordError.digestLength(matchingType: .sha256, expected: 32, found: 31)) {
            try TLSARecord(rdata: [3, 1, 1] + Array(Self.digest32.dropLast()))
        }
        #expect(throws: TLSARecordError.digestLength(matchingType: .sha512, expected: 64, found: 32)) {
            try TLSARecord(rdata: [3, 0, 2] + Self.digest32)
        }
        #expect(throws: TLSARecordError.digestLength(matchingType: .sha256, expected: 32, found: 0)) {
            try TLSARecord(rdata: [3, 0, 1])
        }
    }

    // MARK: presentation form

    @Test func test_presentation_parsesAndRoundTrips() throws {
        let hex = Hex.encode(Self.digest32)
        let record = try TLSARecord(presentation: "3 1 1 \(hex)")
        #expect(record == TLSARecord(usage: .daneEE, selector: .spki, matchingType: .sha256, data: Self.digest32))
        #expect(record.presentation == "3 1 1 \(hex)")
        #expect(try TLSARecord(presentation: record.presentation) == record)

        for rdata in [
            [3, 0, 0] + Self.der, [4, 0, 0] + Self.der, [2, 0, 0] + Self.der, [3, 0, 2] + Self.digest64,
            [9, 9, 9, 1, 2, 3],
        ] as [[UInt8]] {
            let parsed = try TLSARecord(rdata: rdata)
            #expect(try TLSARecord(presentation: parsed.presentation) == parsed)
        }
    }

    @Test func test_presentation_acceptsUppercaseHexSplitAndParenthesised() throws {
        let hex = Hex.encode(Self.digest32).uppercased()
        let split = "3 0 1 ( \(hex.prefix(20))\n\t\(hex.dropFirst(20)) )"
        let record = try TLSARecord(presentation: split)
        #expect(record.data == Self.digest32)
        #expect(record.presentation == "3 0 1 " + hex.lowercased())
    }

    @Test func test_presentation_withBadHex_isRejected() {
        #expect(throws: TLSARecordError.badHex) { try TLSARecord(presentation: "3 0 0 zz") }
        #expect(throws: TLSARecordError.badHex) { try TLSARecord(presentation: "3 0 0 abc") }
        #expect(throws: TLSARecordError.badHex) { try TLSARecord(presentation: "3 0 0 0x3082") }
    }

    @Test func test_presentation_withMissingFields_isRejected() {
        #expect(throws: TLSARecordError.missingFields(found: 3)) { try TLSARecord(presentation: "3 0 0") }
        #expect(throws: TLSARecordError.missingFields(found: 0)) { try TLSARecord(presentation: "") }
    }

    @Test func test_presentation_withNonNumericField_namesTheField() {
        #expect(throws: TLSARecordError.badField(name: "usage", value: "dane-ee")) {
            try TLSARecord(presentation: "dane-ee 0 0 3082")
        }
        #expect(throws: TLSARecordError.badField(name: "selector", value: "256")) {
            try TLSARecord(presentation: "3 256 0 3082")
        }
        #expect(throws: TLSARecordError.badField(name: "matching type", value: "-1")) {
            try TLSARecord(presentation: "3 0 -1 3082")
        }
    }

    @Test func test_presentation_withWrongDigestLength_isRejected() {
        #expect(throws: TLSARecordError.digestLength(matchingType: .sha256, expected: 32, found: 2)) {
            try TLSARecord(presentation: "3 1 1 abcd")
        }
    }

    @Test func test_errors_sayWhatWasExpected() {
        #expect(TLSARecordError.truncated(length: 2).description.contains("at least 3"))
        #expect(
            TLSARecordError.digestLength(matchingType: .sha256, expected: 32, found: 31).description.contains(
                "sha2-256"))
    }

    @Test func test_description_shortensTheData() throws {
        let record = try TLSARecord(rdata: [3, 0, 0] + Self.der)
        #expect(record.description == "3 0 0 3082010a00010203…")
        #expect(try TLSARecord(rdata: [3, 0, 0, 0xff]).description == "3 0 0 ff")
    }

    // MARK: names (RFC 7218 §2 + pkix-cd)

    @Test func test_usageNames_followRFC7218_plusPkixCD() {
        #expect(
            (0...5).map { TLSAUsage(UInt8($0)).description } == [
                "pkix-ta", "pkix-ee", "dane-ta", "dane-ee", "pkix-cd", "unassigned(5)",
            ])
        #expect((0...2).map { TLSASelector(UInt8($0)).description } == ["cert", "spki", "unassigned(2)"])
        #expect(
            (0...3).map { TLSAMatchingType(UInt8($0)).description } == [
                "full", "sha2-256", "sha2-512", "unassigned(3)",
            ])
        for value in UInt8(0)...UInt8(255) {
            #expect(TLSAUsage(value).value == value)
            #expect(TLSASelector(value).value == value)
            #expect(TLSAMatchingType(value).value == value)
        }
    }

    @Test func test_PKIXEndEntityUsages1And4_requireSANMatch_othersDoNot() {
        #expect(TLSAUsage.pkixEE.requiresSANMatch)
        #expect(TLSAUsage.pkixCD.requiresSANMatch)
        #expect(!TLSAUsage.daneEE.requiresSANMatch)
        #expect(!TLSAUsage.pkixTA.requiresSANMatch)
        #expect(!TLSAUsage.daneTA.requiresSANMatch)
        #expect(!TLSAUsage.unassigned(9).requiresSANMatch)
    }

    @Test func test_trustAnchorUsages_areNeitherPinsNorDiscovered() {
        for usage: UInt8 in [0, 2] {
            #expect(TLSAUsage(usage).isTrustAnchor)
            #expect(!Self.record(usage, 0, 0).carriesDiscoverableCertificate)
            for (s, m) in [(0, 1), (1, 1), (0, 2), (1, 2)] as [(UInt8, UInt8)] {
                #expect(!Self.record(usage, s, m).isPin, "\(usage) \(s) \(m)")
            }
        }
        #expect(!TLSAUsage.daneEE.isTrustAnchor && !TLSAUsage.pkixEE.isTrustAnchor && !TLSAUsage.pkixCD.isTrustAnchor)
    }

    // MARK: what the design uses each record for

    static func record(_ u: UInt8, _ s: UInt8, _ m: UInt8) -> TLSARecord {
        let data = m == 1 ? digest32 : m == 2 ? digest64 : der
        return TLSARecord(usage: TLSAUsage(u), selector: TLSASelector(s), matchingType: TLSAMatchingType(m), data: data)
    }

    @Test func test_fullCertificateRecords_withUsage3_4_areDiscoverable() {
        #expect(Self.record(3, 0, 0).carriesDiscoverableCertificate)
        #expect(Self.record(4, 0, 0).carriesDiscoverableCertificate)
        #expect(!Self.record(2, 0, 0).carriesDiscoverableCertificate)
        #expect(!Self.record(0, 0, 0).carriesDiscoverableCertificate)
        #expect(!Self.record(1, 0, 0).carriesDiscoverableCertificate)
        #expect(!Self.record(5, 0, 0).carriesDiscoverableCertificate)
        #expect(!Self.record(3, 1, 0).carriesDiscoverableCertificate)
        #expect(!Self.record(3, 0, 1).carriesDiscoverableCertificate)
        #expect(!Self.record(3, 2, 0).carriesDiscoverableCertificate)
    }

    @Test func test_digestRecords_ofCertOrSPKI_arePins() {
        for (s, m) in [(0, 1), (1, 1), (0, 2), (1, 2)] as [(UInt8, UInt8)] {
            #expect(Self.record(3, s, m).isPin, "3 \(s) \(m)")
            #expect(Self.record(4, s, m).isPin, "4 \(s) \(m)")
        }
        #expect(!Self.record(3, 0, 0).isPin)
        #expect(!Self.record(3, 1, 0).isPin)
        #expect(!Self.record(3, 2, 1).isPin)
        #expect(!Self.record(3, 0, 3).isPin)
    }

    // MARK: matching over values (the real-certificate cases are in DANECertifyTests)

    static let binding = CertificateBinding(
        der: der, spki: [0x30, 0x59, 1, 2, 3], sha256: [UInt8](repeating: 1, count: 32),
        sha512: [UInt8](repeating: 2, count: 64), spkiSHA256: [UInt8](repeating: 3, count: 32),
        spkiSHA512: [UInt8](repeating: 4, count: 64))

    @Test func test_eachSelectorAndMatchingType_comparesTheFieldItNames() {
        let b = Self.binding
        let cases: [(TLSASelector, TLSAMatchingType, [UInt8])] = [
            (.cert, .full, b.der), (.cert, .sha256, b.sha256), (.cert, .sha512, b.sha512),
            (.spki, .full, b.spki), (.spki, .sha256, b.spkiSHA256), (.spki, .sha512, b.spkiSHA512),
        ]
        for (selector, matching, data) in cases {
            for usage in [TLSAUsage.daneEE, .pkixCD, .daneTA, .pkixEE] {
                let record = TLSARecord(usage: usage, selector: selector, matchingType: matching, data: data)
                #expect(record.matches(b), "\(record)")
            }
            // every other field's data does not match this selector/matching
            for (_, _, other) in cases where other != data {
                #expect(!TLSARecord(usage: .daneEE, selector: selector, matchingType: matching, data: other).matches(b))
            }
        }
    }

    @Test func test_unassignedSelectorOrMatchingType_neverMatches() {
        let b = Self.binding
        for data in [b.der, b.spki, b.sha256, b.sha512, b.spkiSHA256, b.spkiSHA512] {
            #expect(!TLSARecord(usage: .daneEE, selector: .unassigned(2), matchingType: .full, data: data).matches(b))
            #expect(!TLSARecord(usage: .daneEE, selector: .cert, matchingType: .unassigned(3), data: data).matches(b))
            #expect(!TLSARecord(usage: .daneEE, selector: .spki, matchingType: .unassigned(255), data: data).matches(b))
        }
    }

    @Test func test_bindingHashHex_isLowercaseSHA256() {
        #expect(Self.binding.hashHex == String(repeating: "01", count: 32))
    }

    // MARK: hex

    @Test func test_hex_encodesLowercaseAndDecodesEitherCase() {
        #expect(Hex.encode([0x00, 0xab, 0xFF]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xab, 0xff])
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("g0") == nil)
    }
}
