import DANECore

/// The trust map as daneverify reads it: any bytes, read in place, looked up by network and
/// name and by the hash index with the keys its own lines hold, then checked whole. Nothing
/// may crash whatever the bytes.
///
/// Each input is also read with its line checksums and its header made right, so that mutations
/// reach the entry lines instead of stopping at an FNV-1a mismatch — once with the true body
/// length, and once with the body length the input's own header states (negative, past the
/// end, inside a line), the index length making up the rest. What the full check accepts,
/// rendered again by the writer, must be found again by every key.
enum TrustMapFuzz {
    static func run(_ input: UnsafeRawBufferPointer) {
        read(input)
        let map = Repaired(input)
        readCopy(of: map.file(bodyLength: map.entryLines.count))
        if let stated = map.statedBodyLength, stated != map.entryLines.count {
            readCopy(of: map.file(bodyLength: stated))
        }
    }

    /// Reads an allocation of exactly the map's size, as libFuzzer's input is, so that a read
    /// past its end is seen.
    static func readCopy(of file: [UInt8]?) {
        guard let file else { return }
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: file.count, alignment: 1)
        defer { copy.deallocate() }
        copy.copyBytes(from: file)
        read(UnsafeRawBufferPointer(copy))
    }

    static func read(_ bytes: UnsafeRawBufferPointer) {
        guard let reader = try? TrustMapReader(bytes: bytes) else { return }
        for line in Array(bytes).split(separator: 0x0a).prefix(32) {
            let fields = line.split(separator: 0x09, omittingEmptySubsequences: false)
            _ = try? reader.entries(forKey: String(decoding: fields[0], as: UTF8.self))
            guard fields.count > 1, let network = TrustMapFormat.decodeNetwork(fields[0]),
                let name = try? DeviceName(String(decoding: fields[1], as: UTF8.self)),
                let entry = try? reader.lookup(network: network, name: name)
            else { continue }
            require(entry.network == network && entry.name == name, "\(network) \(name) found \(entry)")
        }
        guard let entries = try? reader.validateAll(), entries.allSatisfy(isWritable) else { return }
        checkWriterRoundTrip(entries, generated: reader.generated)
    }

    /// Whether the writer is defined for the entry: hashes, serials and key identifiers are
    /// lowercase hex (``TrustMapEntry``), which the reader does not insist on.
    static func isWritable(_ entry: TrustMapEntry) -> Bool {
        entry.hashes.allSatisfy(isLowercaseHex)
            && entry.issuances.allSatisfy { isLowercaseHex($0.serial) && isLowercaseHex($0.authorityKeyIdentifier) }
    }

    static func isLowercaseHex(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    static func checkWriterRoundTrip(_ entries: [TrustMapEntry], generated: Int64) {
        let rendered = TrustMapWriter.render(entries, generated: generated)
        rendered.withUnsafeBytes { bytes in
            let reader = try? TrustMapReader(bytes: bytes)
            require((try? reader?.validateAll()) != nil, "the writer's map of \(entries) is refused")
            for entry in entries {
                let found = try? reader?.lookup(network: entry.network, name: entry.name)
                require(
                    found.map { Set(entry.hashes).isSubset(of: $0.hashes) && Set(entry.pins).isSubset(of: $0.pins) }
                        == true, "\(entry) is not found by its name in the writer's map")
                for hash in entry.hashes {
                    let named = (try? reader?.entries(forKey: hash)) ?? []
                    require(
                        named.contains { $0.network == entry.network && $0.name == entry.name },
                        "\(entry) is not found by its hash \(hash) in the writer's map")
                }
            }
        }
    }
}

/// The input's lines after any header line: those with four tabs, up to the first line without,
/// as entry lines with their checksum put right, the rest as the index.
struct Repaired {
    var entryLines: [UInt8] = []
    var indexLines: [UInt8] = []
    var entries = 0
    /// The `body` of the input's header, when it has one that parses.
    var statedBodyLength: Int?

    init(_ input: UnsafeRawBufferPointer) {
        var lines = Array(input).split(separator: 0x0a, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        if let first = lines.first, first.starts(with: "danesync-trustmap/".utf8) {
            statedBodyLength = (try? TrustMapFormat.Header(parsing: first))?.bodyLength
            lines.removeFirst()
        }
        for line in lines {
            if indexLines.isEmpty, line.count(where: { $0 == 0x09 }) == 4, let tab = line.lastIndex(of: 0x09) {
                let checksum = TrustMapFormat.hex64(TrustMapFormat.fnv1a(line[..<tab]))
                entryLines += line[...tab] + Array(checksum.utf8) + [0x0a]
                entries += 1
            } else {
                indexLines += line + [0x0a]
            }
        }
    }

    /// The map under a header stating `bodyLength`, the index length making up the rest, in
    /// plain decimal (the writer pads, the reader must not need it); `nil` if that overflows.
    func file(bodyLength: Int) -> [UInt8]? {
        let lines = entryLines + indexLines
        let (indexLength, overflow) = lines.count.subtractingReportingOverflow(bodyLength)
        guard !overflow else { return nil }
        let checksum = TrustMapFormat.hex64(TrustMapFormat.fnv1a(lines))
        let header =
            "\(TrustMapFormat.magic) generated=1700000000 entries=\(entries) "
            + "body=\(bodyLength) index=\(indexLength) fnv=\(checksum)\n"
        return Array(header.utf8) + lines
    }
}
