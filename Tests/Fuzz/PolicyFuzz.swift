import DANECore

/// The policy in any of its forms (YAML, JSON, `SSID|name` lines), as the agent reads it from a
/// file or an HTTPS response. Every name it admits must be a device identity, every network
/// named, the name index must agree with the networks, and the policy written back as YAML must
/// read back as itself.
enum PolicyFuzz {
    static func run(_ text: String) {
        guard let policy = try? PolicyParser.parse(text) else { return }
        for (network, names) in policy.networks {
            require(!network.isEmpty, "an empty network key")
            require(names == Array(Set(names)).sorted(), "the names of \(network) are not sorted and distinct")
            for name in names {
                require((try? DeviceName(identity: name.text)) == name, "\(name) is not a device identity")
                require(policy.networks(of: name).contains(network), "\(name) is not indexed under \(network)")
            }
        }
        require(
            policy.names == Set(policy.networks.values.joined()).sorted(),
            "the names of the policy are not those of its networks")
        let yaml = render(policy)
        require((try? PolicyParser.parse(yaml)) == policy, "the policy is not read back from\n\(yaml)")
    }

    /// A network without names is written as null: the parser keeps `ssid: null` as a network
    /// with no names, but drops `ssid: []`.
    static func render(_ policy: Policy) -> String {
        guard !policy.networks.isEmpty else { return "networks: {}\n" }
        var out = "networks:\n"
        for (network, names) in policy.networks.sorted(by: { $0.key < $1.key }) {
            let list =
                names.isEmpty ? "null" : "[" + names.map { QuotedYAML.quote($0.text) }.joined(separator: ", ") + "]"
            out += QuotedYAML.entry(network, list, indent: 2)
        }
        return out
    }
}
