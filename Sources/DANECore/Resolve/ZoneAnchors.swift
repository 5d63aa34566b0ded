/// `zone-anchors` in `output.dir` (design.md "Outputs"): the DS records of the zones that hold
/// the policy's names, as the agent validated them from `dns.trust_anchor_file`, in the
/// presentation format unbound reads trust anchors in. The hook adds them to its root anchor,
/// so that its live check starts at the organisation's zone (one DNSKEY and the TLSA) instead
/// of validating every zone from the root on every authentication.
public enum ZoneAnchors {
    /// The zones that may hold a name's records, closest first: the suffixes of the name
    /// without its first label, each with the root's dot (`_device.example.com.`,
    /// `example.com.`, `com.` for `sensor1._device.example.com`).
    public static func candidateZones(of name: DeviceName) -> [String] {
        let labels = name.text.split(separator: ".")
        guard labels.count > 1 else { return [] }
        return (1..<labels.count).map { labels[$0...].joined(separator: ".") + "." }
    }

    /// The first of ``candidateZones(of:)``, without the others: names that share it share
    /// every candidate, so it is what tells them apart.
    public static func parent(of name: DeviceName) -> String? {
        guard let dot = name.text.firstIndex(of: ".") else { return nil }
        return name.text[name.text.index(after: dot)...] + "."
    }

    /// `<owner> DS <key tag> <algorithm> <digest type> <DIGEST>` (RFC 4034 §5.3), or `nil` for
    /// rdata too short to be a DS record.
    public static func line(owner: String, rdata: [UInt8]) -> String? {
        guard rdata.count > 4 else { return nil }
        let keyTag = UInt16(rdata[0]) << 8 | UInt16(rdata[1])
        return "\(owner) DS \(keyTag) \(rdata[2]) \(rdata[3]) \(Hex.encode(rdata[4...]).uppercased())"
    }

    /// The file: one line per DS record, sorted, each zone's records together.
    public static func render(_ lines: [String]) -> [UInt8] {
        Array(lines.sorted().map { $0 + "\n" }.joined().utf8)
    }

    /// The lines of a `zone-anchors` file if every one is a DS record as ``line(owner:rdata:)``
    /// writes it, else `nil`: the hook then leaves the whole file out. libunbound parses trust
    /// anchors only when the first query starts, and one line it cannot read fails the
    /// validator's set-up and with it every live check (16) — a damaged file must cost the
    /// shortcut, never the check (design.md "Outputs").
    public static func lines(in file: [UInt8]) -> [String]? {
        var lines: [String] = []
        for raw in file.split(separator: UInt8(ascii: "\n")) {
            let line = String(decoding: raw, as: UTF8.self)
            guard isDSLine(line) else { return nil }
            lines.append(line)
        }
        return lines
    }

    /// `<owner> DS <key tag> <algorithm> <digest type> <hex digest>`, single spaces: the owner
    /// a domain name with its root dot, the numbers in their RFC 4034 §5.1 ranges.
    private static func isDSLine(_ line: String) -> Bool {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0].hasSuffix("."), fields[1] == "DS",
            (try? DeviceName(String(fields[0]))) != nil,
            let keyTag = UInt32(fields[2]), keyTag <= UInt16.max,
            UInt8(fields[3]) != nil, UInt8(fields[4]) != nil,
            let digest = Hex.decode(fields[5]), !digest.isEmpty
        else { return false }
        return true
    }
}
