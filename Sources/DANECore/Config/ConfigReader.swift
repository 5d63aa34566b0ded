/// Typed access to YAML values for ``ConfigParser``, recording what was wrong instead of
/// stopping.
struct Reader {
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

    /// The `disconnect` section (design.md "Revocation and disconnect").
    mutating func disconnect(_ node: YAMLNode) -> Config.Disconnect? {
        var out = Config.Disconnect()
        let before = problems.count
        section(node, path: "disconnect", known: ["sessions_dir", "command", "timeout", "session_max_age", "nas"]) {
            key, value, r in
            let path = "disconnect." + key
            switch key {
            case "sessions_dir":
                out.sessionsDir = r.optionalString(value, path)
                if let dir = out.sessionsDir, !dir.hasPrefix("/") { r.fail(value, path, "expected an absolute path") }
            case "command": r.string(value, path).map { out.command = $0 }
            case "timeout": r.duration(value, path).map { out.timeout = $0 }
            case "session_max_age": r.duration(value, path).map { out.sessionMaxAge = $0 }
            default: r.nasList(value, path).map { out.nas = $0 }
            }
        }
        return problems.count == before ? out : nil
    }

    /// `disconnect.nas`: a list of `{address, port, secret_file}`.
    mutating func nasList(_ node: YAMLNode, _ path: String) -> [Config.Disconnect.NAS]? {
        if case .scalar(let s) = node, s.isNull { return [] }
        guard case .sequence(let items, _) = node else {
            fail(
                node, path,
                "expected a list like [{address: 192.0.2.10, secret_file: /etc/danesync/nas.secret}], found \(node.kind)"
            )
            return nil
        }
        var out: [Config.Disconnect.NAS] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            var address: String?
            var port = 3799
            var secretFile: String?
            section(item, path: itemPath, known: ["address", "port", "secret_file"]) { key, value, r in
                switch key {
                case "address":
                    address = r.string(value, itemPath + ".address")
                    if let a = address, IPAddress(a) == nil {
                        r.fail(value, itemPath + ".address", "expected an IPv4 or IPv6 address, found \"\(a)\"")
                    }
                case "port": r.integer(value, itemPath + ".port", 1...65535).map { port = $0 }
                default: secretFile = r.string(value, itemPath + ".secret_file")
                }
            }
            guard let address, let secretFile else {
                fail(item, itemPath, "needs address and secret_file")
                continue
            }
            out.append(Config.Disconnect.NAS(address: address, port: port, secretFile: secretFile))
        }
        return out
    }
}
