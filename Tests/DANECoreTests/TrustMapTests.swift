import DANECore
import Testing

/// The trust map (design.md "Outputs"): what the writer renders the reader finds, by binary
/// search and by the hash index. Damaged files: TrustMapDamageTests.
struct TrustMapTests {
    static func name(_ text: String) -> DeviceName { try! DeviceName(text) }

    /// A deterministic, distinct SHA-256-like hex string per index.
    static func hash(_ index: Int, salt: UInt8 = 0) -> String {
        var bytes = [UInt8](repeating: salt, count: 32)
        withUnsafeBytes(of: UInt64(index).bigEndian) { bytes.replaceSubrange(0..<8, with: $0) }
        return Hex.encode(bytes)
    }

    static let pin = TLSARecord(
        usage: .daneEE, selector: .spki, matchingType: .sha256, data: [UInt8](repeating: 0x5a, count: 32))

    static func entries(_ count: Int) -> [TrustMapEntry] {
        (0..<count).map { i in
            TrustMapEntry(
                network: i % 3 == 0 ? "*" : "net-\(i % 7)", name: name("d\(i)._device.example.com"),
                hashes: [hash(i)], pins: i % 5 == 0 ? [pin] : [])
        }
    }

    /// Runs `body` with a reader over `bytes` (as daneverify does over its memory map).
    static func withReader<R>(_ bytes: [UInt8], _ body: (TrustMapReader) throws -> R) throws -> R {
        try bytes.withUnsafeBytes { raw in try body(try TrustMapReader(bytes: raw)) }
    }

    static func readerError(_ bytes: [UInt8]) -> TrustMapError? {
        bytes.withUnsafeBytes { raw -> TrustMapError? in
            do {
                _ = try TrustMapReader(bytes: raw)
                return nil
            } catch let error as TrustMapError {
                return error
            } catch {
                Issue.record("unexpected \(error)")
                return nil
            }
        }
    }

    // MARK: round trips

    @Test func test_withdrawnEntry_roundTrips_admittingNothing() throws {
        let name = Self.name("a._device.example.com")
        let bytes = TrustMapWriter.render(
            [
                .withdrawn(network: "corp-iot", name: name, since: 1_700_000_000),
                TrustMapEntry(network: "*", name: Self.name("b._device.example.com"), hashes: [Self.hash(1)], pins: []),
            ], generated: 1_700_000_100)
        #expect(String(decoding: bytes, as: UTF8.self).contains("corp-iot\ta._device.example.com\t-\t-\t1700000000\t"))
        try Self.withReader(bytes) { (reader: TrustMapReader) throws in
            let entry = try reader.lookup(network: "corp-iot", name: name)
            #expect(entry?.withdrawnAt == 1_700_000_000)
            #expect(entry?.hashes == [] && entry?.pins == [])
            #expect(try reader.lookup(network: "*", name: Self.name("b._device.example.com"))?.withdrawnAt == nil)
            #expect(try reader.validateAll().count == 2)
        }
    }

    @Test func test_emptyMap_roundTrips() throws {
        let bytes = TrustMapWriter.render([], generated: 1_700_000_000)
        #expect(
            String(decoding: bytes, as: UTF8.self).hasPrefix(
                "danesync-trustmap/3 generated=1700000000 entries=0000000000 body=000000000000 index=000000000000 fnv=")
        )
        try Self.withReader(bytes) { (reader: TrustMapReader) throws in
            #expect(reader.entryCount == 0)
            #expect(reader.generated == 1_700_000_000)
            #expect(try reader.lookup(network: "*", name: Self.name("a._device.example.com")) == nil)
            #expect(try reader.validateAll() == [])
        }
    }

    @Test func test_oneEntry_roundTrips() throws {
        let entry = TrustMapEntry(
            network: "corp-iot", name: Self.name("sensor1._device.example.com"), hashes: [Self.hash(1)],
            pins: [Self.pin])
        let bytes = TrustMapWriter.render([entry], generated: 42)
        try Self.withReader(bytes) { (reader: TrustMapReader) throws in
            #expect(reader.entryCount == 1)
            #expect(try reader.lookup(network: "corp-iot", name: Self.name("Sensor1._device.example.com.")) == entry)
            #expect(try reader.validateAll() == [entry])
        }
    }

    @Test func test_thousandEntries_everyEntryIsFound() throws {
        let entries = Self.entries(1000)
        let bytes = TrustMapWriter.render(entries.shuffled(), generated: 1)
        try Self.withReader(bytes) { (reader: TrustMapReader) throws in
            #expect(reader.entryCount == 1000)
            for entry in entries {
                #expect(try reader.lookup(network: entry.network, name: entry.name) == entry)
            }
            let all = try reader.validateAll()
            #expect(all.count == 1000)
            #expect(Set(all) == Set(entries))
        }
    }

    @Test func test_hundredThousandEntries_sampleIsFound_andValidateAllReturnsAll() throws {
        let entries = Self.entries(100_000)
        let bytes = TrustMapWriter.render(entries, generated: 1)
        try Self.withReader(bytes) { (reader: TrustMapReader) throws in
            #expect(reader.entryCount == 100_000)
            for index in stride(from: 0, to: 100_000, by: 997) + [99_999] {
                let entry = entries[index]
                #expect(try reader.lookup(network: entry.network, name: entry.name) == entry)
            }
            #expect(try reader.lookup(network: "net-1", name: Self.name("d0._device.example.com")) == nil)
            #expect(try reader.validateAll().count == 100_000)
        }
    }

    @Test func test_rendering_isDeterministicRegardlessOfInputOrder() {
        let entries = Self.entries(200)
        #expect(TrustMapWriter.render(entries, generated: 5) == TrustMapWriter.render(entries.reversed(), generated: 5))
    }

    // MARK: networks and keys

    @Test(arguments: ["Corp WiFi", "100% iot", "tab\there", "Café ☕", "*", "a|b", "%41", "new\nline", "-"])
    func test_awkwardSSIDs_roundTrip(_ network: String) throws {
        let name = Self.name("sensor1._device.example.com")
        let entries = [
            TrustMapEntry(network: network, name: name, hashes: [Self.hash(1)], pins: []),
            TrustMapEntry(network: "corp", name: name, hashes: [Self.hash(2)], pins: []),
            TrustMapEntry(network: "zzz", name: name, hashes: [Self.hash(3)], pins: []),
        ]
        let bytes = TrustMapWriter.render(entries, generated: 1)
        #expect(bytes.filter { $0 == 0x0a }.count == 7, "one header line, one line per entry, one per hash")
        try Self.withReader(bytes) { (reader: TrustMapReader) throws in
            #expect(try reader.lookup(network: network, name: name)?.hashes == [Self.hash(1)])
            #expect(try reader.validateAll().count == 3)
        }
    }

    @Test func test_manyEntriesOnAwkwardNetworks_areAllFound() throws {
        let networks = ["*", "Corp WiFi", "Corp", "Corp%20WiFi", "corp\tiot", "Café", "~", " lead", "!", "a|b"]
        var entries: [TrustMapEntry] = []
        for (n, network) in networks.enumerated() {
            for i in 0..<50 {
                entries.append(
                    TrustMapEntry(
                        network: network, name: Self.name("d\(i)._device.example.com"),
                        hashes: [Self.hash(n * 100 + i)], pins: []))
            }
        }
        let bytes = TrustMapWriter.render(entries.shuffled(), generated: 1)
        try Self.withReader(bytes) { (reader: TrustMapReader) throws in
            for entry in entries {
                #expect(
                    try reader.lookup(network: entry.network, name: entry.name) == entry,
                    "\(entry.network) \(entry.name)")
            }
            #expect(try reader.validateAll().count == entries.count)
        }
    }

    @Test func test_networkEncoding_escapesControlSpacePercentAndDelete() {
        #expect(TrustMapFormat.encodeNetwork("a b%c\t\u{7f}") == Array("a%20b%25c%09%7F".utf8))
        #expect(TrustMapFormat.decodeNetwork(ArraySlice("a%20b%25c%09%7F".utf8)) == "a b%c\t\u{7f}")
        #expect(TrustMapFormat.decodeNetwork(ArraySlice("bad%2".utf8)) == nil)
        #expect(TrustMapFormat.decodeNetwork(ArraySlice("bad%zz".utf8)) == nil)
    }

    @Test func test_missingKeys_lookUpAsNil() throws {
        let entries = Self.entries(50)
        let bytes = TrustMapWriter.render(entries, generated: 1)
        try Self.withReader(bytes) { (reader: TrustMapReader) throws in
            #expect(try reader.lookup(network: "!", name: Self.name("a._device.example.com")) == nil)  // before all
            #expect(try reader.lookup(network: "~~~", name: Self.name("z._device.example.com")) == nil)  // after all
            // d1 is on net-1 only
            #expect(try reader.lookup(network: "*", name: Self.name("d1._device.example.com")) == nil)
            #expect(try reader.lookup(network: "net-1", name: Self.name("d1._device.example.co")) == nil)  // prefix
            #expect(try reader.lookup(network: "net-1", name: Self.name("d1._device.example.comx")) == nil)
            #expect(try reader.lookup(network: "net-", name: Self.name("d1._device.example.com")) == nil)
            // SSIDs are case-sensitive, names are not
            #expect(try reader.lookup(network: "NET-1", name: Self.name("d1._device.example.com")) == nil)
            #expect(try reader.lookup(network: "net-1", name: Self.name("D1._device.example.com")) != nil)
        }
    }

    @Test func test_duplicateNetworkAndName_areMergedIntoOneLine() throws {
        let name = Self.name("sensor1._device.example.com")
        let entries = [
            TrustMapEntry(network: "corp", name: name, hashes: [Self.hash(2)], pins: []),
            TrustMapEntry(
                network: "corp", name: Self.name("SENSOR1._device.example.com."), hashes: [Self.hash(1), Self.hash(2)],
                pins: [Self.pin]),
        ]
        let bytes = TrustMapWriter.render(entries, generated: 1)
        try Self.withReader(bytes) { (reader: TrustMapReader) throws in
            #expect(reader.entryCount == 1)
            let merged = try reader.lookup(network: "corp", name: name)
            #expect(merged?.hashes == [Self.hash(1), Self.hash(2)])
            #expect(merged?.pins == [Self.pin])
            #expect(try reader.validateAll().count == 1)
        }
    }

    @Test func test_entryWithPinsOnly_writesDashForHashes() throws {
        let entry = TrustMapEntry(network: "*", name: Self.name("p._device.example.com"), hashes: [], pins: [Self.pin])
        let bytes = TrustMapWriter.render([entry], generated: 1)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("*\tp._device.example.com\t-\t3 1 1 5a5a"))
        try Self.withReader(bytes) { (reader: TrustMapReader) throws in
            #expect(try reader.lookup(network: "*", name: entry.name) == entry)
        }
    }

    @Test func test_certificateIssuances_roundTrip_andAFormat1Map_isStillRead() throws {
        let name = Self.name("a._device.example.com")
        let issuance = CertificateIssuance(sha256: Self.hash(7), serial: "1f", authorityKeyIdentifier: "abcd")
        let entry = TrustMapEntry(
            network: "corp", name: name, hashes: [Self.hash(7), Self.hash(8)], pins: [], issuances: [issuance])
        let bytes = TrustMapWriter.render([entry], generated: 1)
        #expect(String(decoding: bytes, as: UTF8.self).contains("\t\(Self.hash(7))/1f/abcd,\(Self.hash(8))\t"))
        try Self.withReader(bytes) { (reader: TrustMapReader) throws in
            #expect(try reader.lookup(network: "corp", name: name) == entry)
        }
        // Format 1: hashes only, under its own magic.
        let body = "corp\ta._device.example.com\t\(Self.hash(7))\t-"
        let line = body + "\t" + TrustMapFormat.hex64(TrustMapFormat.fnv1a(Array(body.utf8))) + "\n"
        let header = TrustMapFormat.Header(
            generated: 1, entries: 1, bodyLength: line.utf8.count, bodyChecksum: TrustMapFormat.fnv1a(Array(line.utf8)))
        let version1 = String(decoding: header.line, as: UTF8.self).replacingOccurrences(
            of: TrustMapFormat.magic, with: TrustMapFormat.magicVersion1)
        try Self.withReader(Array((version1 + line).utf8)) { (reader: TrustMapReader) throws in
            let read = try #require(try reader.lookup(network: "corp", name: name))
            #expect(read.hashes == [Self.hash(7)] && read.issuances.isEmpty)
        }
        // Format 2: the same line (no withdrawn field), still read.
        let version2 = String(decoding: header.line, as: UTF8.self).replacingOccurrences(
            of: TrustMapFormat.magic, with: TrustMapFormat.magicVersion2)
        try Self.withReader(Array((version2 + line).utf8)) { (reader: TrustMapReader) throws in
            let read = try #require(try reader.lookup(network: "corp", name: name))
            #expect(read.hashes == [Self.hash(7)] && read.withdrawnAt == nil)
        }
    }

    // MARK: the hash index (design.md "Identity at verify time")

    @Test func test_hashIndex_findsEveryEntryOfAHash_pinDigest_andSerialAndIssuer() throws {
        let shared = Self.hash(7, salt: 1)
        let pin = TLSARecord(
            usage: .daneEE, selector: .spki, matchingType: .sha256, data: [UInt8](repeating: 9, count: 32))
        let issuance = CertificateIssuance(sha256: shared, serial: "1f", authorityKeyIdentifier: "abcd")
        let a = Self.name("a._device.example.com")
        let b = Self.name("b._device.example.com")
        let entries =
            [
                TrustMapEntry(network: "corp", name: a, hashes: [shared], pins: [], issuances: [issuance]),
                TrustMapEntry(network: "*", name: b, hashes: [shared, Self.hash(8, salt: 1)], pins: [pin]),
                TrustMapEntry(network: "lab", name: a, hashes: [Self.hash(9, salt: 1)], pins: []),
            ] + Self.entries(200)
        let bytes = TrustMapWriter.render(entries.shuffled(), generated: 1)
        _ = try Self.withReader(bytes) { (reader: TrustMapReader) throws in
            let byHash = try reader.entries(forKey: shared).map { "\($0.network) \($0.name)" }.sorted()
            #expect(byHash == ["* b._device.example.com", "corp a._device.example.com"])
            #expect(try reader.entries(forKey: Hex.encode(pin.data)).map(\.name) == [b])
            #expect(try reader.entries(forKey: "1f/abcd").map(\.name) == [a])
            #expect(try reader.entries(forKey: Self.hash(9, salt: 1)).map(\.network) == ["lab"])
            #expect(try reader.entries(forKey: String(repeating: "f", count: 64)).isEmpty)
            // A key that is a prefix of another finds only itself.
            #expect(try reader.entries(forKey: String(shared.prefix(10))).isEmpty)
            #expect(try reader.validateAll().count == entries.count)
            // The lookup by name is the same as before.
            #expect(try reader.lookup(network: "corp", name: a)?.issuances == [issuance])
        }
    }

    @Test func test_indexLinePointingInsideAnEntryLine_isCorrupt() throws {
        let entry = TrustMapEntry(
            network: "corp", name: Self.name("a._device.example.com"), hashes: [Self.hash(7)], pins: [])
        var text = String(decoding: TrustMapWriter.render([entry], generated: 1), as: UTF8.self)
        text = text.replacingOccurrences(of: "\t000000000000\n", with: "\t000000000003\n")
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let rest = lines[1...].joined(separator: "\n")
        var header = try TrustMapFormat.Header(parsing: Array(lines[0].utf8))
        header.bodyChecksum = TrustMapFormat.fnv1a(Array(rest.utf8))
        lines[0] = String(String(decoding: header.line, as: UTF8.self).dropLast())
        let bytes = Array(lines.joined(separator: "\n").utf8)
        _ = try Self.withReader(bytes) { (reader: TrustMapReader) throws in
            #expect(throws: TrustMapError.self) { try reader.entries(forKey: Self.hash(7)) }
        }
    }

    @Test func test_emptyBuffer_isRefused() {
        #expect(Self.readerError([]) == .badHeader("no header line"))
    }

    @Test func test_errors_describeTheProblem() {
        #expect(TrustMapError.truncated(expected: 10, found: 5).description.contains("10"))
        #expect(TrustMapError.corruptLine(offset: 77).description.contains("77"))
    }
}

extension Substring {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        String(self).replacingOccurrences(of: target, with: replacement)
    }
}

extension String {
    /// Plain replace-all without Foundation (DANECoreTests links only DANECore).
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
