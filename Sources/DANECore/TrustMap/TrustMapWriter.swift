/// Renders entries into the trust map format (see ``TrustMapFormat``).
public enum TrustMapWriter {
    /// The complete file. Entries with the same (network, name) are merged; output is sorted
    /// by key so the reader can binary-search it. `generated` is Unix seconds.
    public static func render(_ entries: [TrustMapEntry], generated: Int64) -> [UInt8] {
        var merged: [[UInt8]: TrustMapEntry] = [:]
        for entry in entries {
            let key = TrustMapFormat.key(network: entry.network, name: entry.name)
            if let existing = merged[key] {
                merged[key] = TrustMapEntry(
                    network: entry.network, name: entry.name, hashes: existing.hashes + entry.hashes,
                    pins: existing.pins + entry.pins)
            } else {
                merged[key] = entry
            }
        }
        var body: [UInt8] = []
        body.reserveCapacity(merged.count * 120)
        for key in merged.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let entry = merged[key]!
            var line = key
            line.append(0x09)
            line.append(contentsOf: (entry.hashes.isEmpty ? "-" : entry.hashes.joined(separator: ",")).utf8)
            line.append(0x09)
            let pins = entry.pins.map(\.presentation)
            line.append(contentsOf: (pins.isEmpty ? "-" : pins.joined(separator: ",")).utf8)
            let checksum = TrustMapFormat.fnv1a(line)
            line.append(0x09)
            line.append(contentsOf: TrustMapFormat.hex64(checksum).utf8)
            line.append(0x0a)
            body.append(contentsOf: line)
        }
        let header =
            "\(TrustMapFormat.magic) generated=\(generated) entries=\(merged.count) body=\(body.count) fnv=\(TrustMapFormat.hex64(TrustMapFormat.fnv1a(body)))\n"
        return Array(header.utf8) + body
    }
}
