/// The RADIUS Called-Station-Id of a Wi-Fi authentication: `MAC:SSID` (RFC 3580 §3.20).
///
/// Access points write the MAC as `AA-BB-CC-DD-EE-FF`, `aabbccddeeff` or `AA:BB:CC:DD:EE:FF`;
/// whatever follows the MAC and one `:` is the SSID, taken verbatim (an SSID may itself hold
/// `:`). A bare MAC, or text that does not start with a MAC, carries no SSID.
public enum CalledStationId {
    /// The SSID, or `nil` when there is none.
    public static func ssid(from value: String) -> String? {
        let bytes = Array(value.utf8)
        for macLength in [17, 12] {
            guard bytes.count > macLength + 1, bytes[macLength] == UInt8(ascii: ":"),
                isMAC(bytes[0..<macLength])
            else { continue }
            return String(decoding: bytes[(macLength + 1)...], as: UTF8.self)
        }
        return nil
    }

    /// `aabbccddeeff`, or six hex pairs joined by one kind of separator (`-` or `:`).
    private static func isMAC(_ bytes: ArraySlice<UInt8>) -> Bool {
        let b = Array(bytes)
        if b.count == 12 { return b.allSatisfy(isHexDigit) }
        guard b.count == 17 else { return false }
        let separator = b[2]
        guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: ":") else { return false }
        for (index, byte) in b.enumerated() {
            if index % 3 == 2 {
                guard byte == separator else { return false }
            } else {
                guard isHexDigit(byte) else { return false }
            }
        }
        return true
    }

    private static func isHexDigit(_ c: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(c)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(c)
    }
}
