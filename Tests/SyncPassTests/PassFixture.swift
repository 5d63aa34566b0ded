import DANECertify
import DANECore
import DANEDiscover
import DANEPublish
import DANESync
import DANETestSupport
import Logging

/// One device world for pass tests: certificates made in memory, a scripted resolver, a static
/// chain source, an in-memory store and a clock, wired into ``SyncPass`` as the agent wires the
/// real edges. No DNS, HTTPS or files.
struct PassFixture {
    static let network = "corp-iot"
    let grace: Duration
    let pki: TestCertificates
    let resolver = ScriptedResolver()
    let chains = StaticChainSource()
    let store = MemoryStore()
    let clock = FixedClock()
    let config: Config
    var policy: Policy
    /// `danesync run`'s warm names; `nil` (the default) passes as `once` does.
    var warm: WarmNames?

    /// A fixture whose policy lists `names` on ``network``, each publishing its own device
    /// certificate (3 0 0) under a chain the chain source serves.
    init(names: [String], grace: Duration = .seconds(3600), requireDNSSEC: Bool = true) throws {
        self.grace = grace
        pki = try TestCertificates()
        config = try ConfigParser.parse(
            """
            policy:
              file: /nonexistent/policy.yaml
            dns:
              trust_anchor_file: /nonexistent/root.key
              require_dnssec: \(requireDNSSEC)
            output:
              dir: /nonexistent/out
            sync:
              grace: \(grace.components.seconds)s
              concurrency: 4
            """)
        policy = Policy(networks: [Self.network: try names.map { try DeviceName($0) }])
        chains.serve(pki.chain)
    }

    /// A device certificate for `name`, published in DNS as `3 0 0`.
    @discardableResult
    func publishDevice(_ name: DeviceName) throws -> CertificateFacts {
        let device = try pki.device(name.text)
        resolver.publish(name, [TestCertificates.daneEE(device)])
        return device
    }

    /// The pass over the doubles, as ``Agent`` makes it over the real edges.
    var syncPass: SyncPass { syncPass(store: store) }

    /// The same pass publishing into another store (a ``FileStore`` when the test is about files).
    func syncPass(store: any OutputStore) -> SyncPass {
        SyncPass(
            config: config, resolver: resolver, chains: chains, store: store, clock: clock,
            logger: Logger(label: "pass-test") { _ in SwiftLogNoOpLogHandler() }, warm: warm)
    }

    /// One pass, as `danesync once` runs it.
    func pass() async throws -> SyncPass.Summary { try await pass(into: store) }

    /// One pass into `store`.
    func pass(into store: any OutputStore) async throws -> SyncPass.Summary {
        try await syncPass(store: store).run(policy: policy, policySource: "test", policyError: nil)
    }

    func state(_ name: DeviceName, in summary: SyncPass.Summary) -> NameRecord.State? {
        summary.status.names.first { $0.name == name.text }?.state
    }

    func lastError(_ name: DeviceName, in summary: SyncPass.Summary) -> String? {
        summary.status.names.first { $0.name == name.text }?.lastError
    }

    /// Whether `ca.pem` holds just the placeholder that trusts no device
    /// (design.md "Admission and failure rules"): no CA of any device is published.
    var publishesOnlyThePlaceholderCA: Bool {
        let cas = store.publishedCAs
        return cas.count == 1 && cas.allSatisfy(PlaceholderCA.isPlaceholder)
    }

    /// The certificate hashes the trust map publishes for `name` on ``network``.
    func published(_ name: DeviceName) throws -> [String]? {
        guard let entry = try store.trustMapEntry(network: Self.network, name: name), entry.withdrawnAt == nil else {
            return nil
        }
        return entry.hashes
    }

    /// Since when the trust map says `name` is withdrawn; `nil` when it says nothing of the kind.
    func withdrawnAt(_ name: DeviceName) throws -> Int64? {
        try store.trustMapEntry(network: Self.network, name: name)?.withdrawnAt
    }
}
