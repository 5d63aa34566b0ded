/// A device identity: a DNS name such as `sensor1._device.example.com`.
///
/// Stored lowercased without the trailing dot, because DNS names compare case-insensitively
/// (RFC 4343) and a fully qualified name may be written with or without its final dot.
/// Only letters, digits, `-` and `_` are accepted in labels: identities arrive from
/// FreeRADIUS and HTTP policies, and anything else is refused before it is ever looked up.
public struct DeviceName: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The labels, leftmost first, lowercased (derived on demand: policies hold many names).
    public var labels: [Substring] { text.split(separator: ".", omittingEmptySubsequences: false) }
    /// The name in presentation form, lowercased, no trailing dot.
    public let text: String

    /// RFC 1035 §2.3.4: a label is at most 63 octets.
    public static let maxLabelLength = 63
    /// RFC 1035 §2.3.4 (255 octets on the wire) as text without the trailing dot.
    public static let maxNameLength = 253

    public init(_ raw: String) throws(DeviceNameError) {
        var name = Substring(raw)
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.isEmpty else { throw .empty }
        guard name.utf8.count <= Self.maxNameLength else {
            throw .nameTooLong(length: name.utf8.count)
        }
        var lowered = ""
        lowered.reserveCapacity(name.utf8.count)
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): lowered.unicodeScalars.append(Unicode.Scalar(byte + 32))
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                lowered.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                throw .invalidCharacter(byte)
            }
        }
        let labels = lowered.split(separator: ".", omittingEmptySubsequences: false)
        for (index, label) in labels.enumerated() {
            guard !label.isEmpty else { throw .emptyLabel(position: index + 1) }
            guard label.utf8.count <= Self.maxLabelLength else {
                throw .labelTooLong(label: String(label), length: label.utf8.count)
            }
        }
        self.text = lowered
    }

    public var description: String { text }

    public static func < (lhs: DeviceName, rhs: DeviceName) -> Bool { lhs.text < rhs.text }

    /// Identity is the normalized text; the labels are derived from it.
    public static func == (lhs: DeviceName, rhs: DeviceName) -> Bool { lhs.text == rhs.text }

    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}

/// Why a string is not a usable device name.
public enum DeviceNameError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case nameTooLong(length: Int)
    case emptyLabel(position: Int)
    case labelTooLong(label: String, length: Int)
    case invalidCharacter(UInt8)
    case noUnderscoreLabel
    case nothingBeforeUnderscoreLabel

    public var description: String {
        switch self {
        case .empty: return "the name is empty"
        case .nameTooLong(let length):
            return "the name is \(length) octets long, more than the \(DeviceName.maxNameLength) DNS allows"
        case .emptyLabel(let position): return "label \(position) is empty"
        case .labelTooLong(let label, let length):
            let shown = label.count > 20 ? String(label.prefix(20)) + "…" : label
            return "label \"\(shown)\" is \(length) octets long, more than the \(DeviceName.maxLabelLength) DNS allows"
        case .invalidCharacter(let byte):
            let shown =
                byte >= 0x21 && byte < 0x7f
                ? "\"\(Character(Unicode.Scalar(byte)))\"" : "byte 0x\(Hex.encode([byte]))"
            return "the name contains \(shown); only letters, digits, \"-\" and \"_\" are allowed in labels"
        case .noUnderscoreLabel:
            return "the name has no label starting with \"_\" (like _device), so it has no authority host"
        case .nothingBeforeUnderscoreLabel:
            return "the name starts with its \"_\" label, so it names no device"
        }
    }
}

extension DeviceName {
    /// Whether one of a certificate's SAN dNSNames is this name, compared as device names are
    /// (case-insensitive, trailing dot ignored): the one SAN rule of the agent and the hook.
    public func appears(in sanDNSNames: [String]) -> Bool {
        sanDNSNames.contains { (try? DeviceName($0)) == self }
    }
}

extension DeviceName {
    /// A device identity (design.md "Protocol facts"): a name with a `_` label, from which its
    /// authority host is derived. `anonymous` is a DNS name, not a device identity.
    public init(identity text: String) throws(DeviceNameError) {
        self = try DeviceName(text)
        _ = try AuthorityHost(for: self)
    }
}
