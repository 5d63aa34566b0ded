/// Renders entries into the trust map format (see ``TrustMapFormat``).
public enum TrustMapWriter {
    /// The complete file. Entries with the same (network, name) are merged; output is sorted
    /// by key so the reader can binary-search it. `generated` is Unix seconds.
    public static func render(_ entries: [TrustMapEntry], generated: Int64) -> [UInt8] {
        // The header's numbers are zero-padded to a fixed width, so the body can be rendered
        // straight into the file buffer and the header filled in afterwards (one copy of a
        // 100,000-entry map in memory, not two).
        func header(entries: Int, body: Int, fnv: UInt64) -> [UInt8] {
            Array(
                "\(TrustMapFormat.magic) generated=\(generated) entries=\(padded(entries, 10)) body=\(padded(body, 12)) fnv=\(TrustMapFormat.hex64(fnv))\n"
                    .utf8)
        }
        let headerLength = header(entries: 0, body: 0, fnv: 0).count
        var file = [UInt8](repeating: 0, count: headerLength)
        let count = renderBody(entries, into: &file)
        let bodyBytes = file[headerLength...]
        let filled = header(entries: count, body: bodyBytes.count, fnv: TrustMapFormat.fnv1a(bodyBytes))
        file.replaceSubrange(0..<headerLength, with: filled)
        return file
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Lines are rendered first and sorted as whole lines: every line starts with its key,
    /// and the tab after the key sorts below every byte a key may hold, so line order is key
    /// order. Only (rare) duplicate keys are merged, as entries.
    /// Appends the sorted lines to `body`; returns how many entries it wrote.
    static func renderBody(_ entries: [TrustMapEntry], into body: inout [UInt8]) -> Int {
        var lines = entries.indices.map { (line: prefix(of: entries[$0]), entry: $0) }
        lines.sort { $0.line.lexicographicallyPrecedes($1.line) }
        body.reserveCapacity(body.count + lines.reduce(0) { $0 + $1.line.count + 18 })
        var count = 0
        var index = 0
        while index < lines.count {
            var entry = entries[lines[index].entry]
            var line = lines[index].line
            let key = TrustMapFormat.key(network: entry.network, name: entry.name)
            var next = index + 1
            while next < lines.count, lines[next].line.starts(with: key + [0x09]) {
                let other = entries[lines[next].entry]
                entry = TrustMapEntry(
                    network: entry.network, name: entry.name, hashes: entry.hashes + other.hashes,
                    pins: entry.pins + other.pins)
                line = prefix(of: entry)
                next += 1
            }
            let checksum = TrustMapFormat.fnv1a(line)
            body.append(contentsOf: line)
            body.append(0x09)
            body.append(contentsOf: TrustMapFormat.hex64(checksum).utf8)
            body.append(0x0a)
            count += 1
            // Free each rendered line as the body grows, so both are not held in full.
            for used in index..<next { lines[used].line = [] }
            index = next
        }
        return count
    }

    /// `<network>\t<name>\t<hashes>\t<pins>`: the line without its checksum.
    static func prefix(of entry: TrustMapEntry) -> [UInt8] {
        var line = TrustMapFormat.key(network: entry.network, name: entry.name)
        line.append(0x09)
        line.append(contentsOf: (entry.hashes.isEmpty ? "-" : entry.hashes.joined(separator: ",")).utf8)
        line.append(0x09)
        let pins = entry.pins.map(\.presentation)
        line.append(contentsOf: (pins.isEmpty ? "-" : pins.joined(separator: ",")).utf8)
        return line
    }
}
