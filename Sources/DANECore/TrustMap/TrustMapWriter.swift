/// Renders entries into the trust map format (see ``TrustMapFormat``).
public enum TrustMapWriter {
    /// The complete file. Entries with the same (network, name) are merged; output is sorted
    /// by key so the reader can binary-search it. `generated` is Unix seconds.
    public static func render(_ entries: [TrustMapEntry], generated: Int64) -> [UInt8] {
        // The header has a fixed width (``TrustMapFormat/Header``), so the body is rendered
        // straight into the file buffer and the header filled in afterwards (one copy of a
        // 100,000-entry map in memory, not two).
        let headerLength = TrustMapFormat.Header(generated: generated, entries: 0, bodyLength: 0, bodyChecksum: 0)
            .line.count
        var file = [UInt8](repeating: 0, count: headerLength)
        var keys: [IndexKey] = []
        let count = renderBody(entries, into: &file, keys: &keys)
        let bodyLength = file.count - headerLength
        renderIndex(&keys, into: &file)
        let rest = file[headerLength...]
        let header = TrustMapFormat.Header(
            generated: generated, entries: count, bodyLength: bodyLength, indexLength: rest.count - bodyLength,
            bodyChecksum: TrustMapFormat.fnv1a(rest))
        file.replaceSubrange(0..<headerLength, with: header.line)
        return file
    }

    /// One index line to be: a key of an entry and the entry line's offset after the header.
    struct IndexKey {
        var key: [UInt8]
        var offset: Int
    }

    /// The keys by which the hook finds an entry from the certificate alone
    /// (design.md "Identity at verify time"): each certificate hash, each pin's digest, and each certificate's
    /// `<serial>/<issuer key identifier>` for the second gate.
    static func indexKeys(of entry: TrustMapEntry) -> [[UInt8]] {
        var keys = entry.hashes.map { Array($0.utf8) }
        keys += entry.pins.map { Array(Hex.encode($0.data).utf8) }
        keys += entry.issuances.map { Array("\($0.serial)/\($0.authorityKeyIdentifier)".utf8) }
        return keys
    }

    /// `<key>\t<12-digit offset>\n` lines sorted by key (then offset), duplicates dropped.
    static func renderIndex(_ keys: inout [IndexKey], into file: inout [UInt8]) {
        keys.sort { $0.key == $1.key ? $0.offset < $1.offset : $0.key.lexicographicallyPrecedes($1.key) }
        var previous: IndexKey?
        for key in keys {
            if let previous, previous.key == key.key, previous.offset == key.offset { continue }
            file.append(contentsOf: key.key)
            file.append(0x09)
            file.append(contentsOf: TrustMapFormat.Header.padded(key.offset, 12).utf8)
            file.append(0x0a)
            previous = key
        }
    }

    /// Entries are sorted by (encoded network, name) — the same order as their keys, because
    /// the tab between the two sorts below every byte an encoded network may hold — and each
    /// line is rendered straight into `body`, so no array of 100,000 lines is ever held.
    /// Entries with equal keys (rare) are merged.
    static func renderBody(_ entries: [TrustMapEntry], into body: inout [UInt8], keys: inout [IndexKey]) -> Int {
        let bodyStart = body.count
        var encoded: [String: [UInt8]] = [:]
        for entry in entries where encoded[entry.network] == nil {
            encoded[entry.network] = TrustMapFormat.encodeNetwork(entry.network)
        }
        func precedes(_ a: TrustMapEntry, _ b: TrustMapEntry) -> Bool {
            let (na, nb) = (encoded[a.network]!, encoded[b.network]!)
            if na != nb { return na.lexicographicallyPrecedes(nb) }
            return a.name.text.utf8.lexicographicallyPrecedes(b.name.text.utf8)
        }
        let order = entries.indices.sorted { precedes(entries[$0], entries[$1]) }
        body.reserveCapacity(body.count + entries.count * 120)
        var count = 0
        var index = 0
        while index < order.count {
            var entry = entries[order[index]]
            var next = index + 1
            while next < order.count, case let other = entries[order[next]], other.network == entry.network,
                other.name == entry.name
            {
                entry = TrustMapEntry(
                    network: entry.network, name: entry.name, hashes: entry.hashes + other.hashes,
                    pins: entry.pins + other.pins, issuances: entry.issuances + other.issuances)
                next += 1
            }
            let line = prefix(of: entry)
            for key in indexKeys(of: entry) { keys.append(IndexKey(key: key, offset: body.count - bodyStart)) }
            body.append(contentsOf: line)
            body.append(0x09)
            body.append(contentsOf: TrustMapFormat.hex64(TrustMapFormat.fnv1a(line)).utf8)
            body.append(0x0a)
            count += 1
            index = next
        }
        return count
    }

    /// `<network>\t<name>\t<hashes>\t<pins>`: the line without its checksum.
    static func prefix(of entry: TrustMapEntry) -> [UInt8] {
        var line = TrustMapFormat.key(network: entry.network, name: entry.name)
        line.append(0x09)
        let certificates = entry.hashes.map { hash in
            guard let issuance = entry.issuances.first(where: { $0.sha256 == hash }) else { return hash }
            return "\(hash)/\(issuance.serial)/\(issuance.authorityKeyIdentifier)"
        }
        line.append(contentsOf: (certificates.isEmpty ? "-" : certificates.joined(separator: ",")).utf8)
        line.append(0x09)
        let pins = entry.pins.map(\.presentation)
        line.append(contentsOf: (pins.isEmpty ? "-" : pins.joined(separator: ",")).utf8)
        return line
    }
}
