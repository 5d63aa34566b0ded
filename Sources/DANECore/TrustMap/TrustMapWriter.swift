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
        // One allocation for the whole file: growing a 100,000-entry map by doubling would hold
        // the old and the new buffer at once.
        file.reserveCapacity(headerLength + estimatedLength(of: entries))
        var keys = IndexKeys()
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

    /// About the octets of the entry and index lines of `entries` (rarely less; network names
    /// that need percent-encoding make it more).
    static func estimatedLength(of entries: [TrustMapEntry]) -> Int {
        var total = 0
        for entry in entries {
            let issued = entry.issuances.reduce(0) {
                $0 + $1.serial.utf8.count + $1.authorityKeyIdentifier.utf8.count + 2
            }
            let pins = entry.pins.reduce(0) { $0 + $1.data.count * 2 + 8 }
            total +=
                26 + entry.network.utf8.count + entry.name.text.utf8.count + entry.hashes.count * 65 + issued + pins
            total +=
                entry.hashes.count * 78 + entry.pins.reduce(0) { $0 + $1.data.count * 2 + 14 } + issued + entry
                .issuances.count * 13
        }
        return total + total / 20
    }

    /// The index lines to be, held flat: every key's bytes back to back, and per key its span
    /// and the offset of its entry line after the header. At 100,000 names that is two small
    /// arrays, not 200,000 arrays of their own.
    struct IndexKeys {
        struct Key {
            var start: Int
            var length: Int
            var offset: Int
        }
        var bytes: [UInt8] = []
        var keys: [Key] = []

        mutating func append<Bytes: Sequence<UInt8>>(_ key: Bytes, offset: Int) {
            let start = bytes.count
            bytes.append(contentsOf: key)
            keys.append(Key(start: start, length: bytes.count - start, offset: offset))
        }
    }

    /// The keys by which the hook finds an entry from the certificate alone
    /// (design.md "Identity at verify time"): each certificate hash, each pin's digest, and each certificate's
    /// `<serial>/<issuer key identifier>` for the second gate.
    static func appendIndexKeys(of entry: TrustMapEntry, offset: Int, to keys: inout IndexKeys) {
        for hash in entry.hashes { keys.append(hash.utf8, offset: offset) }
        for pin in entry.pins { keys.append(Hex.encode(pin.data).utf8, offset: offset) }
        for issuance in entry.issuances {
            keys.append("\(issuance.serial)/\(issuance.authorityKeyIdentifier)".utf8, offset: offset)
        }
    }

    /// `<key>\t<12-digit offset>\n` lines sorted by key (then offset), duplicates dropped.
    static func renderIndex(_ index: inout IndexKeys, into file: inout [UInt8]) {
        index.bytes.withUnsafeBufferPointer { bytes in
            func key(_ k: IndexKeys.Key) -> Slice<UnsafeBufferPointer<UInt8>> { bytes[k.start..<(k.start + k.length)] }
            index.keys.sort { a, b in
                let (ka, kb) = (key(a), key(b))
                return ka.elementsEqual(kb) ? a.offset < b.offset : ka.lexicographicallyPrecedes(kb)
            }
            var previous: IndexKeys.Key?
            for k in index.keys {
                if let previous, previous.offset == k.offset, key(previous).elementsEqual(key(k)) { continue }
                file.append(contentsOf: key(k))
                file.append(0x09)
                file.append(contentsOf: TrustMapFormat.Header.padded(k.offset, 12).utf8)
                file.append(0x0a)
                previous = k
            }
        }
        index = IndexKeys()
    }

    /// Entries are sorted by (encoded network, name) — the same order as their keys, because
    /// the tab between the two sorts below every byte an encoded network may hold — and each
    /// line is rendered straight into `body`, so no array of 100,000 lines is ever held.
    /// Entries with equal keys (rare) are merged.
    static func renderBody(_ entries: [TrustMapEntry], into body: inout [UInt8], keys: inout IndexKeys) -> Int {
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
        keys.bytes.reserveCapacity(entries.count * 150)
        keys.keys.reserveCapacity(entries.count * 2)
        var count = 0
        var index = 0
        while index < order.count {
            var entry = entries[order[index]]
            var next = index + 1
            while next < order.count, case let other = entries[order[next]], other.network == entry.network,
                other.name == entry.name
            {
                // A published entry outweighs a withdrawn one.
                let hashes = entry.hashes + other.hashes
                let pins = entry.pins + other.pins
                entry = TrustMapEntry(
                    network: entry.network, name: entry.name, hashes: hashes, pins: pins,
                    issuances: entry.issuances + other.issuances,
                    withdrawnAt: hashes.isEmpty && pins.isEmpty ? entry.withdrawnAt ?? other.withdrawnAt : nil)
                next += 1
            }
            let line = prefix(of: entry)
            appendIndexKeys(of: entry, offset: body.count - bodyStart, to: &keys)
            body.append(contentsOf: line)
            body.append(0x09)
            body.append(contentsOf: TrustMapFormat.hex64(TrustMapFormat.fnv1a(line)).utf8)
            body.append(0x0a)
            count += 1
            index = next
        }
        return count
    }

    /// `<network>\t<name>\t<hashes>\t<pins>\t<withdrawn>`: the line without its checksum.
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
        line.append(0x09)
        line.append(contentsOf: (entry.withdrawnAt.map { "\($0)" } ?? "-").utf8)
        return line
    }
}
