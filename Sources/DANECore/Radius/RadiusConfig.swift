/// A FreeRADIUS 3 configuration file read as nested sections, `key = value` pairs and bare
/// statements (FreeRADIUS's doc/configuration "Syntax": one statement per line, a section is
/// `name [instance] {` … `}`, `#` starts a comment outside quotes). Enough for
/// `danesync doctor` to find the eap module, its `verify {}` and the gate
/// (design.md "Command line"); it neither expands `$INCLUDE` nor evaluates unlang.
public struct RadiusConfig: Equatable, Sendable {
    public indirect enum Item: Equatable, Sendable {
        /// `key = value` (or another operator: `:=`, `+=` …), the value unquoted.
        case pair(key: String, value: String)
        case section(Section)
        /// Anything else: a module call, `$INCLUDE dir/`, `break`.
        case statement([String])
    }

    public struct Section: Equatable, Sendable {
        /// `eap`, `tls-config`, `server`, `if` …; the root's is "".
        public var name: String
        /// The second word of the header (`tls-config tls-danesync {` → `tls-danesync`).
        public var instance: String?
        public var items: [Item] = []

        public init(name: String, instance: String? = nil, items: [Item] = []) {
            self.name = name
            self.instance = instance
            self.items = items
        }

        /// The value of the first `key` pair directly inside.
        public func value(_ key: String) -> String? {
            for case .pair(key, let value) in items { return value }
            return nil
        }

        /// The sections directly inside named `name`.
        public func sections(_ name: String) -> [Section] {
            items.compactMap { if case .section(let s) = $0, s.name == name { s } else { nil } }
        }

        /// Every section at any depth, this one first, depth first.
        public var allSections: [Section] {
            var out = [self]
            for case .section(let inner) in items { out += inner.allSections }
            return out
        }

        /// Whether a bare statement `words` appears at any depth (e.g. a module call).
        public func contains(statement words: [String]) -> Bool {
            allSections.contains { $0.items.contains(.statement(words)) }
        }
    }

    public struct SyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    private static let operators: Set<String> = [
        "=", ":=", "+=", "-=", "==", "!=", "=~", "!~", "<", ">", "<=", ">=", "!*", "=*",
    ]

    /// The file as one root section.
    public static func parse(_ text: String) throws(SyntaxError) -> Section {
        var stack = [Section(name: "")]
        var line = 1
        var words: [String] = []

        func finish(_ words: inout [String]) {
            defer { words = [] }
            guard !words.isEmpty else { return }
            let item: Item
            if words.count >= 2, operators.contains(words[1]) {
                item = .pair(key: words[0], value: words.dropFirst(2).joined(separator: " "))
            } else {
                item = .statement(words)
            }
            stack[stack.count - 1].items.append(item)
        }

        var scalars = Array(text.unicodeScalars)[...]
        while let c = scalars.first {
            switch c {
            case "\n":
                scalars.removeFirst()
                finish(&words)
                line += 1
            case " ", "\t", "\r", ",", ";":
                scalars.removeFirst()
            case "\\" where scalars.dropFirst().first == "\n":  // a statement continued on the next line
                scalars.removeFirst(2)
                line += 1
            case "/" where words.last == "=~" || words.last == "!~":  // a regex: `#` and `{` are its own
                scalars.removeFirst()
                var pattern = "/"
                while let next = scalars.first, next != "\n" {
                    scalars.removeFirst()
                    pattern.unicodeScalars.append(next)
                    if next == "\\", let escaped = scalars.first, escaped != "\n" {
                        scalars.removeFirst()
                        pattern.unicodeScalars.append(escaped)
                    } else if next == "/" {
                        break
                    }
                }
                words.append(pattern)
            case "#":
                while let next = scalars.first, next != "\n" { scalars.removeFirst() }
            case "{":
                scalars.removeFirst()
                guard let name = words.first else { throw SyntaxError(line: line, reason: "a section without a name") }
                stack.append(Section(name: name, instance: words.count > 1 ? words[1] : nil))
                words = []
            case "}":
                scalars.removeFirst()
                finish(&words)
                guard stack.count > 1 else { throw SyntaxError(line: line, reason: "\"}\" without a section to close") }
                let closed = stack.removeLast()
                stack[stack.count - 1].items.append(.section(closed))
            case "\"", "'", "`":
                scalars.removeFirst()
                var value = ""
                var closed = false
                while let next = scalars.first {
                    scalars.removeFirst()
                    if next == c {
                        closed = true
                        break
                    }
                    if next == "\\", let escaped = scalars.first {
                        scalars.removeFirst()
                        value.unicodeScalars.append(escaped == "n" ? "\n" : escaped)
                        continue
                    }
                    if next == "\n" { line += 1 }
                    value.unicodeScalars.append(next)
                }
                guard closed else { throw SyntaxError(line: line, reason: "a quoted string does not end") }
                words.append(value)
            default:
                var word = ""
                while let next = scalars.first, !" \t\r\n{}\"'`#,;".unicodeScalars.contains(next) {
                    // `%{User-Name}`, `${confdir}` and nested `%{%{a}:-%{b}}` keep their braces
                    // inside a bare word: braces are counted to the expansion's end.
                    if next == "%" || next == "$", scalars.dropFirst().first == "{" {
                        var depth = 0
                        while let inner = scalars.first, inner != "\n" {
                            word.unicodeScalars.append(inner)
                            scalars.removeFirst()
                            if inner == "{" { depth += 1 }
                            if inner == "}" {
                                depth -= 1
                                if depth == 0 { break }
                            }
                        }
                        continue
                    }
                    word.unicodeScalars.append(next)
                    scalars.removeFirst()
                }
                words.append(word)
            }
        }
        finish(&words)
        guard stack.count == 1 else {
            throw SyntaxError(line: line, reason: "section \"\(stack.last!.name)\" is not closed")
        }
        return stack[0]
    }

    /// `${name}` replaced from `variables` (FreeRADIUS's radiusd.conf `prefix`, `confdir` …),
    /// repeatedly, so that a variable may refer to another; unknown ones are left as they are.
    public static func expand(_ value: String, _ variables: [String: String]) -> String {
        var text = Array(value.unicodeScalars)
        for _ in 0..<8 {
            var out: [Unicode.Scalar] = []
            var changed = false
            var index = 0
            while index < text.count {
                if text[index] == "$", index + 1 < text.count, text[index + 1] == "{",
                    let end = text[(index + 2)...].firstIndex(of: "}")
                {
                    var name = ""
                    name.unicodeScalars.append(contentsOf: text[(index + 2)..<end])
                    if let replacement = variables[name] {
                        out += replacement.unicodeScalars
                        changed = true
                    } else {
                        out += text[index...end]
                    }
                    index = end + 1
                } else {
                    out.append(text[index])
                    index += 1
                }
            }
            text = out
            if !changed { break }
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: text)
        return result
    }
}
