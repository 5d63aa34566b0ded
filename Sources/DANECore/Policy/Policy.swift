/// Which device names may join which network (design.md "Policy").
///
/// Keys are SSIDs, compared exactly (SSIDs are case-sensitive octet strings), or `"*"` for
/// every network. Names are ``DeviceName``s, so they compare case-insensitively.
public struct Policy: Equatable, Sendable {
    /// Network → names, each list sorted and without duplicates.
    public let networks: [String: [DeviceName]]
    /// Every distinct name, sorted: what a sync pass resolves.
    public let names: [DeviceName]
    /// Name → the networks it is listed under, sorted (an index: policies hold 100,000 names).
    private let membership: [DeviceName: [String]]

    public init(networks: [String: [DeviceName]]) {
        self.networks = networks.mapValues { Array(Set($0)).sorted() }
        var membership: [DeviceName: [String]] = [:]
        for (network, names) in self.networks {
            for name in names { membership[name, default: []].append(network) }
        }
        // Most names share one list of networks: share its storage too.
        var shared: [[String]: [String]] = [:]
        self.membership = membership.mapValues { networks in
            let sorted = networks.sorted()
            if let existing = shared[sorted] { return existing }
            shared[sorted] = sorted
            return sorted
        }
        self.names = membership.keys.sorted()
    }

    /// The networks a name is listed under, sorted.
    public func networks(of name: DeviceName) -> [String] { membership[name] ?? [] }

    public static func == (lhs: Policy, rhs: Policy) -> Bool { lhs.networks == rhs.networks }
}
