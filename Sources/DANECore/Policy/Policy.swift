/// Which device names may join which network (design.md "Policy").
///
/// Keys are SSIDs, compared exactly (SSIDs are case-sensitive octet strings), or `"*"` for
/// every network. Names are ``DeviceName``s, so they compare case-insensitively.
public struct Policy: Equatable, Sendable {
    /// Network → names, each list sorted and without duplicates.
    public private(set) var networks: [String: [DeviceName]]

    public init(networks: [String: [DeviceName]]) {
        self.networks = networks.mapValues { Array(Set($0)).sorted() }
    }

    /// Every distinct name, sorted: what a sync pass resolves.
    public var names: [DeviceName] { Array(Set(networks.values.joined())).sorted() }

    /// The networks a name is listed under, sorted.
    public func networks(of name: DeviceName) -> [String] {
        networks.filter { $0.value.contains(name) }.map(\.key).sorted()
    }
}
