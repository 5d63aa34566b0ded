/// Renders entries into the trust map format (see ``TrustMapFormat``).
public enum TrustMapWriter {
    /// The complete file. Entries with the same (network, name) are merged; output is sorted
    /// by key so the reader can binary-search it. `generated` is Unix seconds.
    public static func render(_ entries: [TrustMapEntry], generated: Int64) -> [UInt8] {
        var file: [UInt8] = []
        write(entries, generated: generated) { file.append(contentsOf: $0) }
        return file
    }

    /// The same file handed out in pieces of about 64 KiB, the header line first and whole.
    /// The header states the lengths and checksum of everything after it, so the lines are
    /// rendered twice — once to learn those, once to emit — and a 100,000-entry map (tens of
    /// megabytes) is never held in memory: only its index keys are.
    public static func write(
        _ entries: [TrustMapEntry], generated: Int64, emit: ([UInt8]) throws -> Void
    ) rethrows {
        let runs = sortedRuns(entries)
        var keys = IndexKeys()
        keys.keys.reserveCapacity(entries.count * 2)
        var checksum = TrustMapFormat.fnv1aBasis
        var bodyLength = 0
        forEachLine(entries, runs) { number, entry, line in
            if runs[number].count > 1 { keys.merged[UInt32(number)] = entry }
            appendIndexKeys(of: entry, line: number, offset: bodyLength, to: &keys)
            checksum = TrustMapFormat.fnv1a(line, continuing: checksum)
            bodyLength += line.count
        }
        sortIndex(&keys, entries, runs)
        var indexLength = 0
        forEachIndexLine(keys, entries, runs) { line in
            checksum = TrustMapFormat.fnv1a(line, continuing: checksum)
            indexLength += line.count
        }
        let header = TrustMapFormat.Header(
            generated: generated, entries: runs.count, bodyLength: bodyLength, indexLength: indexLength,
            bodyChecksum: checksum)
        try emit(header.line)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16 + 4096)
        func add(_ line: [UInt8]) throws {
            buffer.append(contentsOf: line)
            if buffer.count >= 1 << 16 {
                try emit(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try forEachLine(entries, runs) { _, _, line in try add(line) }
        try forEachIndexLine(keys, entries, runs) { line in try add(line) }
        if !buffer.isEmpty { try emit(buffer) }
    }

    /// The index lines to be, as references into the entries rather than copies of the keys:
    /// at 100,000 names the keys' own bytes were megabytes held through both rendering passes.
    /// Each key carries its first eight octets for the sort; ties are settled on the whole key.
    struct IndexKeys {
        enum Kind: UInt8 {
            case hash, pin, issuance
        }
        struct Key {
            /// The key's first eight octets, big-endian, zero-padded: compares as the key does.
            var prefix: UInt64
            /// Offset of the entry line after the header.
            var offset: Int
            /// The line (its index in the sorted runs) and the item of the entry.
            var line: UInt32
            var item: UInt16
            var kind: Kind
        }
        var keys: [Key] = []
        /// The entries whose line merged several (rare), by line.
        var merged: [UInt32: TrustMapEntry] = [:]
    }

    /// The keys by which the hook finds an entry from the certificate alone
    /// (design.md "Identity at verify time"): each certificate hash, each pin's digest, and each certificate's
    /// `<serial>/<issuer key identifier>` for the second gate.
    static func appendIndexKeys(of entry: TrustMapEntry, line: Int, offset: Int, to index: inout IndexKeys) {
        let items: [(IndexKeys.Kind, Int)] =
            entry.hashes.indices.map { (.hash, $0) } + entry.pins.indices.map { (.pin, $0) }
            + entry.issuances.indices.map { (.issuance, $0) }
        for (kind, item) in items {
            var prefix: UInt64 = 0
            var count = 0
            for byte in keyBytes(entry, kind, item) where count < 8 {
                prefix |= UInt64(byte) << (56 - 8 * UInt64(count))
                count += 1
            }
            index.keys.append(
                IndexKeys.Key(prefix: prefix, offset: offset, line: UInt32(line), item: UInt16(item), kind: kind))
        }
    }

    /// A key's octets: a hash, a pin's digest in hex, or `<serial>/<issuer key identifier>`.
    static func keyBytes(_ entry: TrustMapEntry, _ kind: IndexKeys.Kind, _ item: Int) -> [UInt8] {
        switch kind {
        case .hash: return Array(entry.hashes[item].utf8)
        case .pin: return Array(Hex.encode(entry.pins[item].data).utf8)
        case .issuance:
            let issuance = entry.issuances[item]
            return Array(issuance.serial.utf8) + [UInt8(ascii: "/")] + Array(issuance.authorityKeyIdentifier.utf8)
        }
    }

    /// The octets of `key`, from the entry it refers to.
    static func keyBytes(
        _ key: IndexKeys.Key, _ merged: [UInt32: TrustMapEntry], _ entries: [TrustMapEntry], _ runs: [ArraySlice<Int>]
    ) -> [UInt8] {
        keyBytes(merged[key.line] ?? entries[runs[Int(key.line)].first!], key.kind, Int(key.item))
    }

    /// Sorts the index keys by key, then offset (the reader's binary search needs the order).
    static func sortIndex(_ index: inout IndexKeys, _ entries: [TrustMapEntry], _ runs: [ArraySlice<Int>]) {
        let merged = index.merged
        index.keys.sort { a, b in
            if a.prefix != b.prefix { return a.prefix < b.prefix }
            let (ka, kb) = (keyBytes(a, merged, entries, runs), keyBytes(b, merged, entries, runs))
            return ka == kb ? a.offset < b.offset : ka.lexicographicallyPrecedes(kb)
        }
    }

    /// Each `<key>\t<12-digit offset>\n` line of the sorted keys, duplicates dropped.
    static func forEachIndexLine(
        _ index: IndexKeys, _ entries: [TrustMapEntry], _ runs: [ArraySlice<Int>], _ body: ([UInt8]) throws -> Void
    ) rethrows {
        var previous: (key: IndexKeys.Key, bytes: [UInt8])?
        var line: [UInt8] = []
        for k in index.keys {
            let bytes = keyBytes(k, index.merged, entries, runs)
            if let previous, previous.key.offset == k.offset, previous.bytes == bytes { continue }
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: bytes)
            line.append(0x09)
            line.append(contentsOf: TrustMapFormat.Header.padded(k.offset, 12).utf8)
            line.append(0x0a)
            try body(line)
            previous = (k, bytes)
        }
    }

    /// Entries are sorted by (encoded network, name) — the same order as their keys, because
    /// the tab between the two sorts below every byte an encoded network may hold. Each run
    /// of indices into `entries` is one line: entries with equal keys (rare) are merged.
    static func sortedRuns(_ entries: [TrustMapEntry]) -> [ArraySlice<Int>] {
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
        var runs: [ArraySlice<Int>] = []
        var index = 0
        while index < order.count {
            var next = index + 1
            while next < order.count, entries[order[next]].network == entries[order[index]].network,
                entries[order[next]].name == entries[order[index]].name
            {
                next += 1
            }
            runs.append(order[index..<next])
            index = next
        }
        return runs
    }

    /// Each entry line, checksum and line break included, in file order, with its number and
    /// its (merged) entry.
    static func forEachLine(
        _ entries: [TrustMapEntry], _ runs: [ArraySlice<Int>], _ body: (Int, TrustMapEntry, [UInt8]) throws -> Void
    ) rethrows {
        for (number, run) in runs.enumerated() {
            var entry = entries[run.first!]
            for other in run.dropFirst().map({ entries[$0] }) {
                // A published entry outweighs a withdrawn one.
                let hashes = entry.hashes + other.hashes
                let pins = entry.pins + other.pins
                entry = TrustMapEntry(
                    network: entry.network, name: entry.name, hashes: hashes, pins: pins,
                    issuances: entry.issuances + other.issuances,
                    withdrawnAt: hashes.isEmpty && pins.isEmpty ? entry.withdrawnAt ?? other.withdrawnAt : nil)
            }
            var line = prefix(of: entry)
            let checksum = TrustMapFormat.hex64(TrustMapFormat.fnv1a(line))
            line.append(0x09)
            line.append(contentsOf: checksum.utf8)
            line.append(0x0a)
            try body(number, entry, line)
        }
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
