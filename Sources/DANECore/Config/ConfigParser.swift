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
        reader.keys(
            top, path: "", known: ["policy", "dns", "discovery", "output", "sync", "verify", "metrics", "disconnect"]
        ) {
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
            case "disconnect":
                r.disconnect(value).map { config.disconnect = $0 }
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
