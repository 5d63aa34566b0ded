/// A YAML document as a tree, with source lines, so that config and policy errors can name
/// the key path and the line of the offending entry.
///
/// Built by ``YAMLNode/parse(_:)`` on libyaml (YAML 1.1). JSON is a subset of YAML flow
/// syntax, so the same loader reads JSON policies.
public indirect enum YAMLNode: Sendable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode], line: Int)
    case mapping([(key: YAMLScalar, value: YAMLNode)], line: Int)

    public var line: Int {
        switch self {
        case .scalar(let s): return s.line
        case .sequence(_, let line), .mapping(_, let line): return line
        }
    }

    /// A short noun for error messages ("a list", "a mapping", "the text \"x\"").
    public var kind: String {
        switch self {
        case .scalar(let s): return s.isNull ? "nothing (null)" : "the value \"\(s.value)\""
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// A scalar with its presentation style: YAML 1.1 gives `yes`, `null`, `~` meaning only when
/// they are plain (unquoted).
public struct YAMLScalar: Sendable {
    public var value: String
    public var isPlain: Bool
    public var line: Int

    public init(value: String, isPlain: Bool, line: Int) {
        self.value = value
        self.isPlain = isPlain
        self.line = line
    }

    /// YAML 1.1 null: `~`, `null`, or an empty plain scalar.
    public var isNull: Bool {
        isPlain && (value.isEmpty || value == "~" || value == "null" || value == "Null" || value == "NULL")
    }

    /// YAML 1.1 booleans (`true/false/yes/no/on/off`), plain only.
    public var bool: Bool? {
        guard isPlain else { return nil }
        switch value.lowercased() {
        case "true", "yes", "on", "y": return true
        case "false", "no", "off", "n": return false
        default: return nil
        }
    }
}

/// A YAML syntax error with libyaml's reason and position.
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }
}
