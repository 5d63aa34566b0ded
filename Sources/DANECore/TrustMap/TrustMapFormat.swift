/// The trust map file, designed for its reader: `daneverify` starts once per authentication,
/// maps the file, and looks up one or two keys by binary search without parsing the rest.
///
/// ```
/// danesync-trustmap/3 generated=<unix seconds> entries=<10 digits> body=<12 digits> index=<12 digits> fnv=<16 hex>\n
/// <network>\t<name>\t<certificate,…>\t<pin,…>\t<withdrawn>\t<16 hex>\n   (sorted by network, then name)
/// <index key>\t<12-digit offset of its entry line>\n                      (sorted by key)
/// ```
/// - `withdrawn` (format 3) is `-` for a published entry, or the Unix seconds since which DNS
///   no longer publishes a name the policy still lists (its certificate and pin fields `-`).
/// - a certificate is `<sha256>/<serial>/<aki>` (format 2: the serial and issuer key identifier
///   the second gate matches, lowercase hex) or a bare `<sha256>` (format 1, still read).
/// - `network` is the SSID with octets below 0x21, 0x7f and `%` percent-encoded, or `*`.
/// - each line ends with the FNV-1a-64 of the text before its last tab, so a line the reader
///   lands on is checked before it is believed; the header's `body` length catches truncation
///   and its `fnv` (over the whole body) lets the writer and `danesync status` check everything.
/// - empty hash or pin lists are written as `-`; `entries` and `body` are zero-padded so the
///   writer can fill the header in after rendering the body into the same buffer.
public enum TrustMapFormat {
    /// Format 3 adds withdrawn entries (design.md "Revocation and disconnect"); format 2 added
    /// each certificate's serial and issuer key identifier. A `daneverify` that knows only an
    /// older format refuses a newer map (exit 10) rather than misreading it.
    public static let magic = "danesync-trustmap/3"
    /// Format 2 maps (no withdrawn field) are still read.
    public static let magicVersion2 = "danesync-trustmap/2"
    /// Format 1 maps (hashes only) are still read: the verify hook works with them, the gate
    /// admits nothing from them.
    public static let magicVersion1 = "danesync-trustmap/1"

    /// FNV-1a's offset basis: the hash of nothing, where a running hash starts.
    public static let fnv1aBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    /// FNV-1a 64-bit: a cheap integrity check against truncation and corruption, not an
    /// authenticator (the file is written by root-owned danesync into a directory it owns).
    public static func fnv1a<Bytes: Sequence>(_ bytes: Bytes, continuing seed: UInt64 = fnv1aBasis) -> UInt64
    where Bytes.Element == UInt8 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    public static func hex64(_ value: UInt64) -> String {
        var bytes: [UInt8] = []
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
        return Hex.encode(bytes)
    }

    /// The encoded network field: octets below 0x21, 0x7f and `%` become `%XX`.
    public static func encodeNetwork(_ network: String) -> [UInt8] {
        var out: [UInt8] = []
        for byte in network.utf8 {
            if byte < 0x21 || byte == 0x7f || byte == UInt8(ascii: "%") {
                out.append(UInt8(ascii: "%"))
                out.append(contentsOf: Hex.encode([byte]).uppercased().utf8)
            } else {
                out.append(byte)
            }
        }
        return out
    }

    public static func decodeNetwork(_ field: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        var index = field.startIndex
        while index < field.endIndex {
            if field[index] == UInt8(ascii: "%") {
                guard index + 2 < field.endIndex,
                    let decoded = Hex.decode(String(decoding: field[(index + 1)...(index + 2)], as: UTF8.self))
                else { return nil }
                out.append(decoded[0])
                index += 3
            } else {
                out.append(field[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The sort key of a line: encoded network, tab, name.
    public static func key(network: String, name: DeviceName) -> [UInt8] {
        encodeNetwork(network) + [0x09] + Array(name.text.utf8)
    }
}

/// Why a trust map cannot be used. Every case makes `daneverify` reject (exit 10).
public enum TrustMapError: Error, Equatable, Sendable, CustomStringConvertible {
    case badHeader(String)
    case truncated(expected: Int, found: Int)
    case corruptLine(offset: Int)
    case checksumMismatch
    case unsorted(offset: Int)

    public var description: String {
        switch self {
        case .badHeader(let why): return "trust map header is invalid: \(why)"
        case .truncated(let expected, let found):
            return "trust map is truncated or padded: header says \(expected) octets, file has \(found)"
        case .corruptLine(let offset): return "trust map line at octet \(offset) fails its checksum"
        case .checksumMismatch: return "trust map body fails its checksum"
        case .unsorted(let offset): return "trust map is not sorted at octet \(offset)"
        }
    }
}
