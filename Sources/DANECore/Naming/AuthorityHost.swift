/// The host that publishes the CAs of a device name's issuer.
///
/// Rule (DANCE PoC, design.md "Protocol facts"): read the identity right-to-left up to and
/// including the first label that starts with `_`, and drop the underscore:
/// `a.b._device.example.net` → `device.example.net`.
public struct AuthorityHost: Hashable, Sendable, CustomStringConvertible {
    public let text: String

    public init(for name: DeviceName) throws(DeviceNameError) {
        // Over the octets, not the labels: every pass asks this for every name.
        let bytes = name.text.utf8
        var start: String.UTF8View.Index?
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "_")
                && (index == bytes.startIndex || bytes[bytes.index(before: index)] == 0x2e)
            {
                start = index
            }
            index = bytes.index(after: index)
        }
        guard let start else { throw .noUnderscoreLabel }
        guard start != bytes.startIndex else { throw .nothingBeforeUnderscoreLabel }
        let rest = bytes.index(after: start)
        guard rest < bytes.endIndex, bytes[rest] != 0x2e else {
            throw .emptyLabel(position: bytes[..<start].filter { $0 == 0x2e }.count + 1)
        }
        self.text = String(name.text[rest...])
    }

    public var description: String { text }

    /// `https://<authority>/.well-known/ca/<aa-bb-…>.pem` for a CA's key identifier.
    public func caURL(keyIdentifier: [UInt8]) -> String {
        "https://\(text)/.well-known/ca/\(KeyIdentifier.format(keyIdentifier)).pem"
    }
}

/// Key identifiers (RFC 5280 §4.2.1.1/§4.2.1.2) as the CA URL writes them: lowercase hex bytes
/// joined by `-`.
public enum KeyIdentifier {
    public static func format(_ bytes: [UInt8]) -> String {
        let hex = Array(Hex.encode(bytes).utf8)
        var out: [UInt8] = []
        out.reserveCapacity(hex.count * 3 / 2)
        for (index, digit) in hex.enumerated() {
            if index > 0 && index % 2 == 0 { out.append(UInt8(ascii: "-")) }
            out.append(digit)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
