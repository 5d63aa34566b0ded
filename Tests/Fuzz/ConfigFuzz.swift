import DANECore

/// The YAML configuration, read by the agent and by daneverify on every authentication. What
/// it accepts, written back as YAML, must read back as the same configuration: no value is
/// taken in a form the parser would not take again, and every range check holds on the way in.
enum ConfigFuzz {
    static func run(_ text: String) {
        guard let config = try? ConfigParser.parse(text) else { return }
        let yaml = render(config)
        guard var again = try? ConfigParser.parse(yaml) else {
            require(false, "the configuration written back is refused:\n\(yaml)")
            return
        }
        // A percentage goes through a decimal on the way: equal to within rounding.
        if abs(again.sync.jitter - config.sync.jitter) <= 1e-12 { again.sync.jitter = config.sync.jitter }
        require(again == config, "the configuration is not read back from\n\(yaml)")
    }

    static func render(_ config: Config) -> String {
        var out = "policy:\n"
        switch config.policy.location {
        case .file(let path): out += "  file: \(quote(path))\n"
        case .url(let url): out += "  url: \(quote(url))\n"
        }
        out += "  url_headers:" + mapping(config.policy.urlHeaders)
        out += optional("tls_ca_file", config.policy.tlsCAFile)
        out += "dns:\n  trust_anchor_file: \(quote(config.dns.trustAnchorFile))\n"
        out += "  forwarders: [" + config.dns.forwarders.map(quote).joined(separator: ", ") + "]\n"
        out += optional("unbound_conf", config.dns.unboundConf)
        out += "  require_dnssec: \(config.dns.requireDNSSEC)\n  timeout: \(duration(config.dns.timeout))\n"
        out += "discovery:\n" + optional("tls_ca_file", config.discovery.tlsCAFile)
        out += "  connect_to:" + mapping(config.discovery.connectTo)
        out += "  max_bytes: \(config.discovery.maxBytes)\n  timeout: \(duration(config.discovery.timeout))\n"
        out += "output:\n  dir: \(quote(config.output.dir))\n"
        out += "sync:\n  interval: \(duration(config.sync.interval))\n  jitter: \(config.sync.jitter * 100)%\n"
        out += "  concurrency: \(config.sync.concurrency)\n  grace: \(duration(config.sync.grace))\n"
        out += optional("on_ca_change", config.sync.onCAChange)
        out += "  clock_skew: \(duration(config.sync.clockSkew))\n"
        out += "verify:\n  live_check: \(config.verify.liveCheck.rawValue)\n"
        out += "  timeout: \(duration(config.verify.timeout))\n  max_age: \(duration(config.verify.maxAge))\n"
        out += "metrics:\n" + optional("listen", config.metrics.listen?.description)
        out += optional("textfile", config.metrics.textfile)
        return out
    }

    private static func quote(_ text: String) -> String { QuotedYAML.quote(text) }

    private static func duration(_ value: Duration) -> String { DurationText.format(value) }

    private static func optional(_ key: String, _ value: String?) -> String {
        value.map { "  \(key): \(quote($0))\n" } ?? ""
    }

    private static func mapping(_ pairs: [String: String]) -> String {
        guard !pairs.isEmpty else { return " {}\n" }
        return "\n"
            + pairs.sorted { $0.key < $1.key }.map { QuotedYAML.entry($0.key, quote($0.value), indent: 4) }.joined()
    }
}
