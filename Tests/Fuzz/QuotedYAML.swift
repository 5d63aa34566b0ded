/// YAML written back from a parsed value, for the policy and config round trips: every text
/// double-quoted with everything outside printable ASCII escaped (YAML 1.1 §5.7), so that any
/// string, control characters and all, reads back as itself.
enum QuotedYAML {
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5c: out += "\\\\"
            case 0x20...0x7e: out.unicodeScalars.append(scalar)
            case ...0xffff: out += "\\u" + hex(scalar.value, digits: 4)
            default: out += "\\U" + hex(scalar.value, digits: 8)
            }
        }
        return out + "\""
    }

    /// A block mapping entry with an explicit key (`? key`, then `: value`): libyaml refuses a
    /// plain `key: value` whose key is longer than 1024 characters, and fuzzed keys are.
    static func entry(_ key: String, _ value: String, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        return "\(pad)? \(quote(key))\n\(pad): \(value)\n"
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: digits - text.count) + text
    }
}
