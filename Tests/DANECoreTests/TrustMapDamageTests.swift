import DANECore
import Testing

/// A damaged trust map (design.md "Outputs"): cut short, a flipped byte, a bad header or lengths
/// and offsets that point outside the file — refused with the reason, never misread.
struct TrustMapDamageTests {

    @Test func test_droppedTrailingBytes_isTruncated() {
        let bytes = TrustMapWriter.render(TrustMapTests.entries(100), generated: 1)
        #expect(
            TrustMapTests.readerError(Array(bytes.dropLast(1)))
                == .truncated(expected: bytes.count, found: bytes.count - 1))
        #expect(
            TrustMapTests.readerError(Array(bytes.dropLast(17)))
                == .truncated(expected: bytes.count, found: bytes.count - 17))
        #expect(TrustMapTests.readerError(bytes + [0x0a]) == .truncated(expected: bytes.count, found: bytes.count + 1))
    }

    @Test func test_droppedHalf_isTruncated() {
        let bytes = TrustMapWriter.render(TrustMapTests.entries(100), generated: 1)
        let half = Array(bytes.prefix(bytes.count / 2))
        #expect(TrustMapTests.readerError(half) == .truncated(expected: bytes.count, found: half.count))
    }

    @Test func test_flippedByteInALine_failsThatLookup_andValidateAll() throws {
        let entries = TrustMapTests.entries(100)
        var bytes = TrustMapWriter.render(entries, generated: 1)
        let target = entries[40]
        let hashText = Array(target.hashes[0].utf8)
        // Find the target's hash in the body and change one hex digit of it.
        let start = try #require(
            bytes.indices.first { bytes[$0...].starts(with: hashText) })
        let lineStart = bytes[..<start].lastIndex(of: 0x0a)! + 1
        bytes[start + 10] = bytes[start + 10] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")

        try TrustMapTests.withReader(bytes) { (reader: TrustMapReader) throws in
            #expect(throws: TrustMapError.corruptLine(offset: lineStart)) {
                try reader.lookup(network: target.network, name: target.name)
            }
            // other lines still answer
            #expect(try reader.lookup(network: entries[1].network, name: entries[1].name) == entries[1])
            #expect(throws: TrustMapError.self) { try reader.validateAll() }
        }
    }

    /// A flipped byte in a key misleads the binary search: the lookup of that entry must still
    /// say "corrupt" (exit 10), never "not in the map" (exit 12).
    @Test func test_flippedByteInTheKeyOfTheLineSought_isCorrupt_notAMiss() throws {
        let entries = TrustMapTests.entries(100)
        let intact = TrustMapWriter.render(entries, generated: 1)
        for (index, target) in entries.enumerated() where index % 7 == 0 {
            let nameText = Array(("\t" + target.name.text + "\t").utf8)
            let start = try #require(intact.indices.first { intact[$0...].starts(with: nameText) })
            for (offset, replacement) in [(1, UInt8(ascii: "z")), (2, UInt8(ascii: "0"))] {
                var bytes = intact
                bytes[start + offset] = bytes[start + offset] == replacement ? UInt8(ascii: "a") : replacement
                _ = try TrustMapTests.withReader(bytes) { (reader: TrustMapReader) throws in
                    #expect(throws: TrustMapError.self, "entry \(index), octet \(offset)") {
                        try reader.lookup(network: target.network, name: target.name)
                    }
                }
            }
        }
    }

    @Test func test_lineWithBadChecksum_butGoodBodyChecksum_failsValidateAllWithCorruptLine() throws {
        // A line rewritten with a consistent body checksum but a stale line checksum.
        let entry = TrustMapEntry(
            network: "corp", name: TrustMapTests.name("a._device.example.com"), hashes: [TrustMapTests.hash(7)],
            pins: [])
        let original = TrustMapWriter.render([entry], generated: 1)
        let text = String(decoding: original, as: UTF8.self)
        let lines = text.split(separator: "\n")
        let body = lines[1].replacingOccurrences(of: TrustMapTests.hash(7), with: TrustMapTests.hash(8)) + "\n"
        let header =
            "danesync-trustmap/1 generated=1 entries=1 body=\(body.utf8.count) fnv=\(TrustMapFormat.hex64(TrustMapFormat.fnv1a(Array(body.utf8))))\n"
        let bytes = Array((header + body).utf8)
        let offset = header.utf8.count
        try TrustMapTests.withReader(bytes) { (reader: TrustMapReader) throws in
            #expect(throws: TrustMapError.corruptLine(offset: offset)) { try reader.validateAll() }
            #expect(throws: TrustMapError.corruptLine(offset: offset)) {
                try reader.lookup(network: "corp", name: entry.name)
            }
        }
    }

    @Test func test_headerGarbage_isBadHeader() {
        let bytes = TrustMapWriter.render(TrustMapTests.entries(10), generated: 1)
        let text = String(decoding: bytes, as: UTF8.self)
        let variants = [
            text.replacingOccurrences(of: "danesync-trustmap/3", with: "danesync-trustmap/4"),
            text.replacingOccurrences(of: "generated=1", with: "generated=x"),
            text.replacingOccurrences(of: " fnv=", with: " fnv"),
            text.replacingOccurrences(of: " entries=0000000010", with: ""),
            "GIF89a" + text,
        ]
        for variant in variants {
            let error = TrustMapTests.readerError(Array(variant.utf8))
            guard case .badHeader? = error else {
                Issue.record("expected badHeader, got \(String(describing: error)) for \(variant.prefix(60))")
                continue
            }
        }
        #expect(
            TrustMapTests.readerError(Array(repeating: UInt8(ascii: "x"), count: 4096)) == .badHeader("no header line"))
    }

    /// Lengths that add up to the file but are negative made the reader look outside the map,
    /// and lengths past Int.max trapped: they are a bad header (found by scripts/fuzz trustmap).
    @Test func test_negativeOrOverflowingLengths_areBadHeader() {
        let bytes = TrustMapWriter.render(TrustMapTests.entries(3), generated: 1)
        let rest = Array(bytes[(bytes.firstIndex(of: 0x0a)! + 1)...])
        let fnv = TrustMapFormat.hex64(TrustMapFormat.fnv1a(rest))
        for (body, index) in [(rest.count + 40, -40), (-4096, rest.count + 4096), (Int.max, 1), (Int.max, 0)] {
            let header = "danesync-trustmap/3 generated=1 entries=3 body=\(body) index=\(index) fnv=\(fnv)\n"
            let error = TrustMapTests.readerError(Array(header.utf8) + rest)
            guard case .badHeader? = error else {
                Issue.record("body=\(body) index=\(index): expected badHeader, got \(String(describing: error))")
                continue
            }
        }
    }

    /// An index line's offset is compared with the body length before it is added to anything:
    /// one near Int.max trapped instead of being a corrupt line (exit 10).
    @Test func test_indexOffsetNearIntMax_isCorruptLine() throws {
        let entry = TrustMapEntry(
            network: "corp", name: TrustMapTests.name("a._device.example.com"), hashes: [TrustMapTests.hash(7)],
            pins: [])
        let lines = TrustMapWriter.render([entry], generated: 1).split(separator: 0x0a)
        let body = Array(lines[1]) + [0x0a]
        let index = Array("\(TrustMapTests.hash(7))\t\(Int.max)\n".utf8)
        let header = TrustMapFormat.Header(
            generated: 1, entries: 1, bodyLength: body.count, indexLength: index.count,
            bodyChecksum: TrustMapFormat.fnv1a(body + index)
        ).line
        let offset = header.count + body.count
        try TrustMapTests.withReader(header + body + index) { (reader: TrustMapReader) throws in
            #expect(throws: TrustMapError.corruptLine(offset: offset)) {
                try reader.entries(forKey: TrustMapTests.hash(7))
            }
            #expect(throws: TrustMapError.corruptLine(offset: offset)) { try reader.validateAll() }
        }
    }
}
