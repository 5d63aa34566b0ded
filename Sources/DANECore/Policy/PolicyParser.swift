/// Reads a policy in any of its three forms, chosen by content (design.md "Policy"):
/// JSON (`{…}`), YAML (`networks:`), or the reference PoC's lines `SSID|name` with `#` comments.
///
/// Every bad entry is reported, with its line or key path, rather than stopping at the first.
public enum PolicyParser {
    public static func parse(_ text: String) throws(PolicyError) -> Policy {
        // design.md "Admission and failure rules": zero names listed on purpose ("revoke
        // everyone") is a policy; a document with no content at all may be a truncated file
        // or response, and is refused so the last good policy stays.
        guard hasContent(text) else {
            throw PolicyError(problems: ["the policy has no content (empty or only comments); it may be truncated"])
        }
        switch detectFormat(text) {
        case .lines: return try parseLines(text)
        case .structured: return try parseStructured(text)
        }
    }

    /// Whether any line holds more than white space or a `#` comment.
    static func hasContent(_ text: String) -> Bool {
        lines(text).contains { raw in
            let line = raw.drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" })
            return !line.isEmpty && !line.hasPrefix("#") && line != "---" && line != "..."
        }
    }

    enum Format { case lines, structured }

    /// `{`/`[` or a `networks:` key means JSON/YAML; otherwise the first meaningful line
    /// decides: one holding `|` means the line form.
    static func detectFormat(_ text: String) -> Format {
        for raw in lines(text) {
            let line = raw.drop(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("{") || line.hasPrefix("[") || line.hasPrefix("networks:") || line.hasPrefix("---")
                || line.hasPrefix("\"networks\"")
            {
                return .structured
            }
            // A bare name (no ":" either) is a pipe-form line missing its "|": read it as that
            // form so the error names the line.
            return line.contains("|") || !line.contains(":") ? .lines : .structured
        }
        return .lines
    }

    /// Lines split on LF, with CRLF tolerated. Splitting the UTF-8 view matters: to
    /// `String`, "\r\n" is one Character that is not equal to "\n".
    static func lines(_ text: String) -> [Substring] {
        text.utf8.split(separator: 0x0a, omittingEmptySubsequences: false).map { Substring($0) }
    }

    static func parseLines(_ text: String) throws(PolicyError) -> Policy {
        var networks: [String: [DeviceName]] = [:]
        var problems: [String] = []
        for (index, raw) in lines(text).enumerated() {
            var line = Substring(raw)
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let bar = line.firstIndex(of: "|") else {
                problems.append("line \(index + 1): expected \"SSID|name\", found no \"|\"")
                continue
            }
            let ssid = String(line[..<bar])
            let nameText = String(line[line.index(after: bar)...]).trimmingSpaces()
            guard !ssid.isEmpty else {
                problems.append("line \(index + 1): the SSID before \"|\" is empty (use * for every network)")
                continue
            }
            do {
                networks[ssid, default: []].append(try identity(nameText))
            } catch {
                problems.append("line \(index + 1): \"\(nameText)\": \(error)")
            }
        }
        guard problems.isEmpty else { throw PolicyError(problems: problems) }
        return Policy(networks: networks)
    }

    static func parseStructured(_ text: String) throws(PolicyError) -> Policy {
        let root: YAMLNode?
        do {
            root = try YAMLNode.parse(text)
        } catch {
            throw PolicyError(problems: ["\(error)"])
        }
        guard case .mapping(let top, _)? = root else {
            throw PolicyError(problems: [
                "expected a mapping with a \"networks\" key, found \(root?.kind ?? "an empty document")"
            ])
        }
        var problems: [String] = []
        var networks: [String: [DeviceName]] = [:]
        var sawNetworks = false
        for (key, value) in top {
            guard key.value == "networks" else {
                problems.append("line \(key.line): unknown key \"\(key.value)\" (expected \"networks\")")
                continue
            }
            sawNetworks = true
            guard case .mapping(let pairs, _) = value else {
                problems.append(
                    "line \(value.line): networks: expected a mapping of network to names, found \(value.kind)")
                continue
            }
            for (network, names) in pairs {
                let path = "networks.\(network.value)"
                guard !network.value.isEmpty else {
                    problems.append("line \(network.line): a network key is empty (use \"*\" for every network)")
                    continue
                }
                guard case .sequence(let items, _) = names else {
                    if case .scalar(let s) = names, s.isNull {
                        networks[network.value, default: []] += []
                        continue
                    }
                    problems.append("line \(names.line): \(path): expected a list of names, found \(names.kind)")
                    continue
                }
                for (index, item) in items.enumerated() {
                    guard case .scalar(let scalar) = item, !scalar.isNull else {
                        problems.append("line \(item.line): \(path)[\(index)]: expected a name, found \(item.kind)")
                        continue
                    }
                    do {
                        networks[network.value, default: []].append(try identity(scalar.value))
                    } catch {
                        problems.append("line \(item.line): \(path)[\(index)]: \"\(scalar.value)\": \(error)")
                    }
                }
            }
        }
        if !sawNetworks && problems.isEmpty { problems.append("the policy has no \"networks\" key") }
        guard problems.isEmpty else { throw PolicyError(problems: problems) }
        return Policy(networks: networks)
    }
}

extension PolicyParser {
    /// A policy name must be a valid DNS name with an authority host, or its CA could never be
    /// discovered.
    static func identity(_ text: String) throws(DeviceNameError) -> DeviceName {
        try DeviceName(identity: text)
    }
}

/// Every problem found in a policy, one line each.
public struct PolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let first = s.first, first == " " || first == "\t" || first == "\r" { s.removeFirst() }
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s.removeLast() }
        return String(s)
    }
}
