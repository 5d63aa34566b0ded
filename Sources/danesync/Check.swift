import ArgumentParser
import DANESync

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate the configuration and policy and print what would be synced (no network).")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        try await exitingOnFailure { try check() }
    }

    private func check() throws {
        let config = try Loaded.config(options.config)
        var problems: [String] = []
        if !Loaded.isReadable(config.dns.trustAnchorFile) {
            problems.append("dns.trust_anchor_file \(config.dns.trustAnchorFile) is not readable")
        }
        if let conf = config.dns.unboundConf, !Loaded.isReadable(conf) {
            problems.append("dns.unbound_conf \(conf) is not readable")
        }
        if let ca = config.discovery.tlsCAFile, !Loaded.isReadable(ca) {
            problems.append("discovery.tls_ca_file \(ca) is not readable")
        }
        if let problem = Loaded.outputDirectoryProblem(config.output.dir) { problems.append(problem) }
        let policy: Policy
        switch config.policy.location {
        case .file(let path):
            policy = try Loaded.policy(path)
        case .url(let url):
            print("policy: \(url) (fetched at run time; not checked without network)")
            guard problems.isEmpty else { throw Loaded.failure(problems) }
            return
        }
        guard problems.isEmpty else { throw Loaded.failure(problems) }
        let names = policy.names
        print("config \(options.config): ok")
        print("policy: \(policy.networks.count) network(s), \(names.count) name(s)")
        for network in policy.networks.keys.sorted() {
            let members = policy.networks[network] ?? []
            print("network \(network == "*" ? "* (every network)" : network): \(members.count) name(s)")
            for name in members { print("  \(name)") }
        }
        print("output: \(config.output.dir)")
    }
}
