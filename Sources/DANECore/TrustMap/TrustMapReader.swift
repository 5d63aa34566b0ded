/// Looks entries up in a trust map held in memory (typically a memory map) without parsing
/// more than the header and the lines a binary search visits.
public struct TrustMapReader: @unchecked Sendable {
    private let bytes: UnsafeRawBufferPointer
    private let bodyStart: Int
    /// Where the entry lines end and the hash index begins.
    private let indexStart: Int
    public let generated: Int64
    public let entryCount: Int
    private let bodyChecksum: UInt64
    /// Format 3 lines have the withdrawn field.
    private let hasWithdrawnField: Bool

    /// Checks the header and that the body has exactly the length the header promises.
    /// `bytes` must outlive the reader.
    public init(bytes: UnsafeRawBufferPointer) throws(TrustMapError) {
        self.bytes = bytes
        guard let newline = bytes.prefix(TrustMapFormat.Header.maximumLength).firstIndex(of: 0x0a) else {
            throw .badHeader("no header line")
        }
        let header = try TrustMapFormat.Header(parsing: bytes[0..<newline])
        // The lengths are the file's word: only octet counts whose sum fits are used as offsets
        // (negative ones pointed outside the map, an overflowing sum trapped).
        let (body, overflow) = header.bodyLength.addingReportingOverflow(header.indexLength)
        guard header.bodyLength >= 0, header.indexLength >= 0, !overflow, body <= Int.max - newline - 1 else {
            throw .badHeader("body \(header.bodyLength) and index \(header.indexLength) are not octet counts")
        }
        self.bodyStart = newline + 1
        self.indexStart = bodyStart + header.bodyLength
        guard bytes.count - bodyStart == body else {
            throw .truncated(expected: bodyStart + body, found: bytes.count)
        }
        guard (header.bodyLength == 0 || bytes[indexStart - 1] == 0x0a) && (body == 0 || bytes[bytes.count - 1] == 0x0a)
        else {
            throw .truncated(expected: bodyStart + body, found: bytes.count)
        }
        self.generated = header.generated
        self.entryCount = header.entries
        self.bodyChecksum = header.bodyChecksum
        self.hasWithdrawnField = header.version >= 3
    }

    /// The entry for (network, name), or `nil`. A line that fails its checksum throws.
    ///
    /// A miss is only believed when the lines on both sides of where the key would be pass
    /// their checksums: a flipped byte in the key of the very line sought (or of a line that
    /// misled the search) ends the search next to that line, so "not in the map" is never the
    /// answer to a corrupt map — that is exit 10, not 12 (design.md "Identity at verify time").
    public func lookup(network: String, name: DeviceName) throws(TrustMapError) -> TrustMapEntry? {
        let key = TrustMapFormat.key(network: network, name: name)
        let line = firstLine(from: bodyStart, to: indexStart) { keyOfLine($0, $1).lexicographicallyPrecedes(key) }
        if line < indexStart {
            let end = lineEnd(from: line)
            if keyOfLine(line, end).elementsEqual(key) { return try parseLine(from: line, to: end) }
            try checkLine(from: line, to: end)
        }
        if line > bodyStart {
            try checkLine(from: lineStart(atOrBefore: line - 1, floor: bodyStart), to: line - 1)
        }
        return nil
    }

    /// The entries a key of the hash index leads to (a certificate hash, a pin's digest, or
    /// `<serial>/<issuer key identifier>`; see ``TrustMapWriter``), found by binary search over
    /// the index lines. An index line that does not point at the start of an entry line throws.
    public func entries(forKey key: String) throws(TrustMapError) -> [TrustMapEntry] {
        var out: [TrustMapEntry] = []
        try forEachEntry(forKey: key) { entry in
            out.append(entry)
            return true
        }
        return out
    }

    /// Visits the entries `key` leads to, in index order, until `visit` returns false: only the
    /// entry lines visited are parsed (one certificate may be published under many names).
    public func forEachEntry(forKey key: String, _ visit: (TrustMapEntry) -> Bool) throws(TrustMapError) {
        let wanted = Array(key.utf8) + [0x09]
        var line = firstLine(from: indexStart, to: bytes.count) { bytes[$0..<$1].lexicographicallyPrecedes(wanted) }
        while line < bytes.count, bytes[line..<min(line + wanted.count, bytes.count)].elementsEqual(wanted) {
            let end = lineEnd(from: line)
            guard visit(try entry(atIndexLine: line, end: end)) else { return }
            line = end + 1
        }
    }

    /// The entry line an index line points to.
    private func entry(atIndexLine start: Int, end: Int) throws(TrustMapError) -> TrustMapEntry {
        guard let tab = bytes[start..<end].lastIndex(of: 0x09),
            let offset = Int(String(decoding: bytes[(tab + 1)..<end], as: UTF8.self)),
            offset >= 0, offset < indexStart - bodyStart, offset == 0 || bytes[bodyStart + offset - 1] == 0x0a
        else { throw .corruptLine(offset: start) }
        return try parseLine(from: bodyStart + offset, to: lineEnd(from: bodyStart + offset))
    }

    /// Checks the whole body: the header checksum, every line's checksum, sort order, and that
    /// every index line is sorted and leads to an entry.
    public func validateAll() throws(TrustMapError) -> [TrustMapEntry] {
        guard TrustMapFormat.fnv1a(bytes[bodyStart...]) == bodyChecksum else { throw .checksumMismatch }
        var previousKey: Slice<UnsafeRawBufferPointer>? = nil
        var line = indexStart
        while line < bytes.count {
            let end = lineEnd(from: line)
            let key = bytes[line..<end]
            if let previousKey, key.lexicographicallyPrecedes(previousKey) { throw .unsorted(offset: line) }
            previousKey = key
            _ = try entry(atIndexLine: line, end: end)
            line = end + 1
        }
        var entries: [TrustMapEntry] = []
        var offset = bodyStart
        var previous: ArraySlice<UInt8>? = nil
        while offset < indexStart {
            let end = lineEnd(from: offset)
            let key = keyOfLine(offset, end)
            if let previous, !previous.lexicographicallyPrecedes(key) { throw .unsorted(offset: offset) }
            previous = key
            entries.append(try parseLine(from: offset, to: end))
            offset = end + 1
        }
        guard entries.count == entryCount else {
            throw .badHeader("header says \(entryCount) entries, body has \(entries.count)")
        }
        return entries
    }

    /// Binary search over the sorted lines in `low..<high` (a region of whole lines): the start
    /// of the first line that `precedes` (given the line's start and end) does not place before
    /// the key sought, or `high`. Only the lines it lands on are read.
    private func firstLine(from low: Int, to high: Int, _ precedes: (Int, Int) -> Bool) -> Int {
        var (low, high) = (low, high)
        // Invariant: every line starting before `low` precedes the key; the line at `high` does not.
        while low < high {
            let mid = lineStart(atOrBefore: low + (high - low) / 2, floor: low)
            let end = lineEnd(from: mid)
            if precedes(mid, end) { low = end + 1 } else { high = mid }
        }
        return low
    }

    private func lineStart(atOrBefore offset: Int, floor: Int) -> Int {
        var index = offset
        while index > floor && bytes[index - 1] != 0x0a { index -= 1 }
        return index
    }

    private func lineEnd(from offset: Int) -> Int {
        var index = offset
        while index < bytes.count && bytes[index] != 0x0a { index += 1 }
        return index
    }

    /// The line's bytes up to its second tab (network, tab, name).
    private func keyOfLine(_ start: Int, _ end: Int) -> ArraySlice<UInt8> {
        var tabs = 0
        var index = start
        while index < end {
            if bytes[index] == 0x09 {
                tabs += 1
                if tabs == 2 { break }
            }
            index += 1
        }
        return ArraySlice(bytes[start..<index])
    }

    /// Throws unless the entry line's last field is the checksum of the rest.
    private func checkLine(from start: Int, to end: Int) throws(TrustMapError) {
        let line = bytes[start..<end]
        guard let lastTab = line.lastIndex(of: 0x09),
            TrustMapFormat.hex64(TrustMapFormat.fnv1a(bytes[start..<lastTab]))
                .utf8.elementsEqual(bytes[(lastTab + 1)..<end])
        else { throw .corruptLine(offset: start) }
    }

    private func parseLine(from start: Int, to end: Int) throws(TrustMapError) -> TrustMapEntry {
        try checkLine(from: start, to: end)
        let line = Array(bytes[start..<end])
        let fields = line.split(separator: 0x09, omittingEmptySubsequences: false)
        guard fields.count == (hasWithdrawnField ? 6 : 5),
            let network = TrustMapFormat.decodeNetwork(fields[0]),
            let name = try? DeviceName(String(decoding: fields[1], as: UTF8.self))
        else { throw .corruptLine(offset: start) }
        let hashesText = String(decoding: fields[2], as: UTF8.self)
        let pinsText = String(decoding: fields[3], as: UTF8.self)
        var hashes: [String] = []
        var issuances: [CertificateIssuance] = []
        if hashesText != "-" {
            for item in hashesText.split(separator: ",") {
                let parts = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                switch parts.count {
                case 1: hashes.append(parts[0])
                case 3:
                    hashes.append(parts[0])
                    issuances.append(
                        CertificateIssuance(sha256: parts[0], serial: parts[1], authorityKeyIdentifier: parts[2]))
                default: throw .corruptLine(offset: start)
                }
            }
        }
        var pins: [TLSARecord] = []
        if pinsText != "-" {
            for text in pinsText.split(separator: ",") {
                guard let pin = try? TLSARecord(presentation: String(text)) else { throw .corruptLine(offset: start) }
                pins.append(pin)
            }
        }
        var withdrawnAt: Int64? = nil
        if hasWithdrawnField, !fields[4].elementsEqual("-".utf8) {
            guard hashes.isEmpty, pins.isEmpty, let since = Int64(String(decoding: fields[4], as: UTF8.self)) else {
                throw .corruptLine(offset: start)
            }
            withdrawnAt = since
        }
        return TrustMapEntry(
            network: network, name: name, hashes: hashes, pins: pins, issuances: issuances, withdrawnAt: withdrawnAt)
    }
}
