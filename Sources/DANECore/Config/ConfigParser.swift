/// Reads the YAML configuration (design.md "Configuration"). Unknown keys are refused by
/// name, wrong types say what was expected and what was found, and every problem is
/// reported, not just the first.
public enum ConfigParser {
    public static func parse(_ text: String) throws(ConfigError) -> Config {
        let root: YAMLNode?
        do {
            root = try YAMLNode.parse(text)
        } catch {
            throw ConfigError(problems: ["\(error)"])
        }
        var reader = Reader()
        guard case .mapping(let top, _)? = root else {
            throw ConfigError(problems: [
                "the configuration must be a mapping, found \(root?.kind ?? "an empty document")"
            ])
        }
        var config = Config(policy: .init(location: .file("")))
        var sawPolicy = false
        reader.keys(top, path: "", known: ["policy", "dns", "discovery", "output", "sync", "verify", "metrics"]) {
            key, value, r in
            switch key {
            case "policy":
                sawPolicy = true
                config.policy = r.policy(value, path: "policy")
            case "dns":
                r.section(
                    value, path: "dns",
                    known: ["trust_anchor_file", "forwarders", "unbound_conf", "require_dnssec", "timeout"]
                ) { key, value, r in
                    let path = "dns." + key
                    switch key {
                    case "trust_anchor_file": r.string(value, path).map { config.dns.trustAnchorFile = $0 }
                    case "forwarders": r.forwarders(value, path).map { config.dns.forwarders = $0 }
                    case "unbound_conf": config.dns.unboundConf = r.optionalString(value, path)
                    case "require_dnssec": r.bool(value, path).map { config.dns.requireDNSSEC = $0 }
                    default: r.duration(value, path).map { config.dns.timeout = $0 }
                    }
                }
            case "discovery":
                r.section(value, path: "discovery", known: ["tls_ca_file", "connect_to", "max_bytes", "timeout"]) {
                    key, value, r in
                    let path = "discovery." + key
                    switch key {
                    case "tls_ca_file": config.discovery.tlsCAFile = r.optionalString(value, path)
                    case "connect_to": r.connectTo(value, path).map { config.discovery.connectTo = $0 }
                    case "max_bytes": r.integer(value, path, 1...16_777_216).map { config.discovery.maxBytes = $0 }
                    default: r.duration(value, path).map { config.discovery.timeout = $0 }
                    }
                }
            case "output":
                r.section(value, path: "output", known: ["dir"]) { _, value, r in
                    r.string(value, "output.dir").map { config.output.dir = $0 }
                }
            case "sync":
                r.section(
                    value, path: "sync",
                    known: ["interval", "jitter", "concurrency", "grace", "on_ca_change", "clock_skew"]
                ) { key, value, r in
                    let path = "sync." + key
                    switch key {
                    case "interval": r.duration(value, path).map { config.sync.interval = $0 }
                    case "jitter": r.percentage(value, path).map { config.sync.jitter = $0 }
                    case "concurrency": r.integer(value, path, 1...1024).map { config.sync.concurrency = $0 }
                    case "grace": r.duration(value, path, allowZero: true).map { config.sync.grace = $0 }
                    case "clock_skew": r.duration(value, path, allowZero: true).map { config.sync.clockSkew = $0 }
                    default: config.sync.onCAChange = r.optionalString(value, path)
                    }
                }
            case "verify":
                r.section(value, path: "verify", known: ["live_check", "timeout", "max_age"]) { key, value, r in
                    let path = "verify." + key
                    switch key {
                    case "live_check": r.liveCheck(value, path).map { config.verify.liveCheck = $0 }
                    case "max_age": r.duration(value, path, allowZero: true).map { config.verify.maxAge = $0 }
                    default: r.duration(value, path).map { config.verify.timeout = $0 }
                    }
                }
            default:
                r.section(value, path: "metrics", known: ["listen", "textfile"]) { key, value, r in
                    let path = "metrics." + key
                    guard let text = r.optionalString(value, path) else { return }
                    if key == "textfile" {
                        guard text.hasPrefix("/") else { return r.fail(value, path, "expected an absolute path") }
                        config.metrics.textfile = text
                    } else {
                        guard let address = ListenAddress(text) else {
                            return r.fail(
                                value, path,
                                "expected IPv4:port or [IPv6]:port, e.g. 127.0.0.1:9464, found \"\(text)\"")
                        }
                        config.metrics.listen = address
                    }
                }
            }
        }
        if !sawPolicy { reader.problems.append("policy: missing (give policy.file or policy.url)") }
        guard reader.problems.isEmpty else { throw ConfigError(problems: reader.problems) }
        return config
    }
}

/// Every problem found in a configuration, one line each.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}

/// Typed access to YAML values that records what was wrong instead of stopping.
private struct Reader {
    var problems: [String] = []

    mutating func fail(_ node: YAMLNode, _ path: String, _ message: String) {
        problems.append("line \(node.line): \(path): \(message)")
    }

    mutating func keys(
        _ pairs: [(key: YAMLScalar, value: YAMLNode)], path: String, known: [String],
        _ body: (String, YAMLNode, inout Reader) -> Void
    ) {
        // An array, not a Set: a section has a handful of keys, and the hook reads this config
        // on every authentication — a Set<String> costs a runtime conformance lookup at start-up.
        var seen: [String] = []
        for (key, value) in pairs {
            let full = path.isEmpty ? key.value : path + "." + key.value
            guard known.contains(key.value) else {
                problems.append("line \(key.line): unknown key \"\(full)\" (known: \(known.joined(separator: ", ")))")
                continue
            }
            guard !seen.contains(key.value) else {
                problems.append("line \(key.line): \"\(full)\" is given twice")
                continue
            }
            seen.append(key.value)
            body(key.value, value, &self)
        }
    }

    mutating func section(
        _ node: YAMLNode, path: String, known: [String], _ body: (String, YAMLNode, inout Reader) -> Void
    ) {
        switch node {
        case .mapping(let pairs, _): keys(pairs, path: path, known: known, body)
        case .scalar(let s) where s.isNull: return
        default: fail(node, path, "expected a mapping, found \(node.kind)")
        }
    }

    mutating func string(_ node: YAMLNode, _ path: String) -> String? {
        guard case .scalar(let s) = node, !s.isNull, !s.value.isEmpty else {
            fail(node, path, "expected a non-empty text value, found \(node.kind)")
            return nil
        }
        return s.value
    }

    mutating func optionalString(_ node: YAMLNode, _ path: String) -> String? {
        if case .scalar(let s) = node, s.isNull { return nil }
        return string(node, path)
    }

    mutating func bool(_ node: YAMLNode, _ path: String) -> Bool? {
        guard case .scalar(let s) = node, let value = s.bool else {
            fail(node, path, "expected true or false, found \(node.kind)")
            return nil
        }
        return value
    }

    mutating func integer(_ node: YAMLNode, _ path: String, _ range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let s) = node, s.isPlain, let value = Int(s.value), range.contains(value) else {
            fail(
                node, path,
                "expected a whole number from \(range.lowerBound) to \(range.upperBound), found \(node.kind)")
            return nil
        }
        return value
    }

    mutating func duration(_ node: YAMLNode, _ path: String, allowZero: Bool = false) -> Duration? {
        guard case .scalar(let s) = node, let value = DurationText.parse(s.value), allowZero || value > .zero else {
            fail(node, path, "expected a duration like 500ms, 5s, 10m or 1h, found \(node.kind)")
            return nil
        }
        return value
    }

    mutating func percentage(_ node: YAMLNode, _ path: String) -> Double? {
        guard case .scalar(let s) = node, s.value.hasSuffix("%"), let value = Double(s.value.dropLast()),
            value >= 0, value <= 50
        else {
            fail(node, path, "expected a percentage from 0% to 50%, found \(node.kind)")
            return nil
        }
        return value / 100
    }

    mutating func liveCheck(_ node: YAMLNode, _ path: String) -> Config.LiveCheck? {
        guard case .scalar(let s) = node, let value = Config.LiveCheck(rawValue: s.value) else {
            fail(node, path, "expected required, if-available or off, found \(node.kind)")
            return nil
        }
        return value
    }

    mutating func forwarders(_ node: YAMLNode, _ path: String) -> [String]? {
        if case .scalar(let s) = node, s.isNull { return [] }
        guard case .sequence(let items, _) = node else {
            fail(node, path, "expected a list like [\"127.0.0.1@5353\"], found \(node.kind)")
            return nil
        }
        var out: [String] = []
        for (index, item) in items.enumerated() {
            guard case .scalar(let s) = item, Forwarder.isValid(s.value) else {
                fail(item, "\(path)[\(index)]", "expected an IP address with optional @port, found \(item.kind)")
                continue
            }
            out.append(s.value)
        }
        return out
    }

    mutating func connectTo(_ node: YAMLNode, _ path: String) -> [String: String]? {
        if case .scalar(let s) = node, s.isNull { return [:] }
        guard case .mapping(let pairs, _) = node else {
            fail(node, path, "expected a mapping like {\"host:443\": \"127.0.0.1:8443\"}, found \(node.kind)")
            return nil
        }
        var out: [String: String] = [:]
        for (key, value) in pairs {
            guard HostPort.isValid(key.value) else {
                fail(.scalar(key), "\(path).\(key.value)", "the key must be host:port")
                continue
            }
            guard case .scalar(let s) = value, HostPort.isValid(s.value) else {
                fail(value, "\(path).\(key.value)", "expected host:port, found \(value.kind)")
                continue
            }
            out[key.value] = s.value
        }
        return out
    }

    mutating func policy(_ node: YAMLNode, path: String) -> Config.PolicySource {
        var file: String?
        var url: String?
        var source = Config.PolicySource(location: .file(""))
        section(node, path: path, known: ["file", "url", "url_headers", "tls_ca_file"]) { key, value, r in
            switch key {
            case "file": file = r.optionalString(value, "policy.file")
            case "url":
                url = r.optionalString(value, "policy.url")
                if let u = url, !u.hasPrefix("https://") {
                    r.fail(value, "policy.url", "must start with https://")
                }
            case "url_headers":
                guard case .mapping(let pairs, _) = value else {
                    if case .scalar(let s) = value, s.isNull { return }
                    r.fail(
                        value, "policy.url_headers", "expected a mapping of header name to value, found \(value.kind)")
                    return
                }
                for (name, headerValue) in pairs {
                    guard case .scalar(let v) = headerValue, !name.value.contains(":"),
                        !v.value.utf8.contains(where: { $0 == 0x0a || $0 == 0x0d })
                    else {
                        r.fail(headerValue, "policy.url_headers.\(name.value)", "expected a one-line text value")
                        continue
                    }
                    source.urlHeaders[name.value] = v.value
                }
            default: source.tlsCAFile = r.optionalString(value, "policy.tls_ca_file")
            }
        }
        switch (file, url) {
        case (let f?, nil): source.location = .file(f)
        case (nil, let u?): source.location = .url(u)
        case (.some, .some): fail(node, path, "give exactly one of file or url, not both")
        case (nil, nil): fail(node, path, "give exactly one of file or url")
        }
        return source
    }
}
