/// The host that publishes the CAs of a device name's issuer.
///
/// Rule (DANCE PoC, design.md "Protocol facts"): read the identity right-to-left up to and
/// including the first label that starts with `_`, and drop the underscore:
/// `a.b._device.example.net` → `device.example.net`.
public struct AuthorityHost: Hashable, Sendable, CustomStringConvertible {
    public let text: String

    public init(for name: DeviceName) throws(DeviceNameError) {
        guard let index = name.labels.lastIndex(where: { $0.hasPrefix("_") }) else {
            throw .noUnderscoreLabel
        }
        guard index > 0 else { throw .nothingBeforeUnderscoreLabel }
        let first = name.labels[index].dropFirst()
        guard !first.isEmpty else { throw .emptyLabel(position: index + 1) }
        self.text = ([first] + name.labels[(index + 1)...]).joined(separator: ".")
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
        bytes.map { Hex.encode([$0]) }.joined(separator: "-")
    }
}
