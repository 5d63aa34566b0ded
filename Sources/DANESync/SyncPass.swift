import DANECertify
import DANECore
import DANEDiscover
import DANEPublish
import DANEResolve
import Foundation
import Logging

/// One pass of the pipeline: Policy → Resolve → Certify → Discover → Publish. Every effect
/// goes through a seam — ``Resolver``, ``ChainSource``, ``OutputStore``, ``WallClock`` — so a
/// pass runs the same against the lab and against the doubles of Tests/DANETestSupport.
public struct SyncPass: Sendable {
    public var config: Config
    public var resolver: any Resolver
    public var chains: any ChainSource
    public var store: any OutputStore
    public var clock: any WallClock
    public var logger: Logger
    /// Told after each name; `nil`: nobody is watching.
    public var progress: PassProgress.Report?
    /// `danesync run`'s memory of `ok` names between passes (``WarmNames``); `nil` for `once`.
    public var warm: WarmNames?

    public init(
        config: Config, resolver: any Resolver, chains: any ChainSource, store: any OutputStore,
        clock: any WallClock = SystemClock(), logger: Logger, progress: PassProgress.Report? = nil,
        warm: WarmNames? = nil
    ) {
        self.warm = warm
        self.config = config
        self.resolver = resolver
        self.chains = chains
        self.store = store
        self.clock = clock
        self.logger = logger
        self.progress = progress
    }

    public struct Summary: Sendable {
        public var status: StatusDocument
        public var report: PublishReport
        public var fetches: Int
        /// Of those, the ones that gave no usable certificate.
        public var failedFetches: Int = 0
        /// Each name's TLSA answer, counted by kind.
        public var answers: [AgentMetrics.AnswerKind: Int] = [:]
        /// design.md "Revocation and disconnect", `once`: 0 when every name is ok or withdrawn
        /// (a revocation is the system working) and every disconnect was answered; 1 otherwise
        /// (outputs still published).
        public var exitCode: Int32 {
            let counts = status.counts
            let unanswered = (status.disconnects ?? []).contains { !$0.result.isAnswered }
            return counts.ok + counts.withdrawn == status.names.count && !unanswered ? 0 : 1
        }
    }

    /// Runs the pass for `policy` (already read by the caller: a pass without a policy
    /// publishes nothing new).
    public func run(policy: Policy, policySource: String, policyError: String?) async throws -> Summary {
        let started = clock.now()
        let nowSeconds = Int64(started.timeIntervalSince1970)
        let previousCAs = store.previousCAs()
        // Expired CAs leave ca.pem, even those a stale name kept (design.md "Admission and failure rules").
        let validity = ValidityCheck(now: started, clockSkew: config.sync.clockSkew)
        var (records, discovered, answers) = await resolveAll(policy.names, now: nowSeconds)
        // In place: status.json lists them by name, and a sorted copy would double them.
        records.sort { $0.name < $1.name }
        try Task.checkCancellation()
        dropUnpublishableCAs(&records, discovered: &discovered, previous: previousCAs, now: nowSeconds)

        // CAs to publish: those the published names rely on, from this pass or, for stale
        // names, from the previous ca.pem.
        var cas: [String: CertificateFacts] = [:]
        for record in records where record.isPublished {
            for fingerprint in record.caFingerprints {
                if let ca = discovered[fingerprint] ?? previousCAs[fingerprint], validity.problem(with: ca) == nil {
                    cas[fingerprint] = ca
                }
            }
        }
        if cas.isEmpty {
            // FreeRADIUS cannot start on an empty ca_file: publish the placeholder, the same
            // one pass after pass, so that ca.pem (and on_ca_change) stays quiet.
            let placeholder = try previousCAs.values.first(where: PlaceholderCA.isPlaceholder) ?? PlaceholderCA.make()
            cas[placeholder.sha256Hex] = placeholder
        }
        var entries: [TrustMapEntry] = []
        for record in records where record.isPublished || record.state == .withdrawn {
            for network in policy.networks(of: record.name) {
                // A withdrawn name keeps an entry that admits nothing: the hook says
                // "withdrawn" (design.md "Revocation and disconnect").
                entries.append(
                    record.isPublished
                        ? TrustMapEntry(
                            network: network, name: record.name, hashes: record.hashes, pins: record.pins,
                            issuances: record.issuances)
                        : .withdrawn(network: network, name: record.name, since: record.since))
            }
        }
        let status = StatusDocument(
            time: nowSeconds, durationSeconds: clock.now().timeIntervalSince(started), policySource: policySource,
            policyError: policyError, records: records, networks: { policy.networks(of: $0) },
            cas: cas.values.map { StatusDocument.CA(sha256: $0.sha256Hex, subject: $0.subject) })
        // The status and the trust-map entries hold what publishing needs; the records go (or,
        // for `run`, become the next pass's previous records once this pass has published).
        let kept = warm.map { _ in Dictionary(records.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }) }
        records = []
        MemoryTrim.now()
        try Task.checkCancellation()
        let outputs = Outputs(cas: Array(cas.values), trustMap: entries, status: status, generated: nowSeconds)
        let report = try ShutdownGate.process.publishing { try store.publish(outputs) }
        if let kept { warm?.setPublished(kept) }
        return Summary(
            status: status, report: report, fetches: await chains.fetchCount,
            failedFetches: await chains.failedFetchCount, answers: answers)
    }

    /// Resolve → Certify → Discover for every name, `sync.concurrency` at a time. The previous
    /// records (for grace and `since`) live only here, not through publishing.
    private func resolveAll(
        _ names: [DeviceName], now: Int64
    ) async -> ([NameRecord], [String: CertificateFacts], [AgentMetrics.AnswerKind: Int]) {
        warm?.keep(only: Set(names))
        let previous =
            warm?.takePublished().map { StatusDocument.ReadBack(records: $0) }
            ?? store.previousRecords(now: now, clockSkew: config.sync.clockSkew)
        defer { for problem in previous.rejected { logger.warning("\(problem)") } }
        let grace = config.sync.grace.millisecondsRoundedUp / 1000
        var records: [NameRecord] = []
        records.reserveCapacity(names.count)
        var discovered: [String: CertificateFacts] = [:]
        var answers: [AgentMetrics.AnswerKind: Int] = [:]
        let limit = config.sync.concurrency
        await withTaskGroup(of: (NameRecord, [String: CertificateFacts], AgentMetrics.AnswerKind).self) { group in
            var iterator = names.makeIterator()
            func addNext() {
                guard let name = iterator.next() else { return }
                group.addTask { [self] in
                    // Taken out as it is handed over: the old records shrink as the new ones
                    // grow (read from status.json here, in parallel, when it is not in memory).
                    await self.process(name, previous: previous.take(name), now: now, grace: grace)
                }
            }
            for _ in 0..<limit { addNext() }
            // Names that rely on the same CAs share one list of their fingerprints.
            var sharedFingerprints: [[String]: [String]] = [:]
            var failures = 0
            while let (record, cas, answer) = await group.next() {
                answers[answer, default: 0] += 1
                if record.state != .ok { failures += 1 }
                progress?(PassProgress(done: records.count + 1, total: names.count, failures: failures))
                var record = record
                record.shareCAFingerprints(with: &sharedFingerprints)
                records.append(record)
                discovered.merge(cas) { a, _ in a }
                addNext()
            }
        }
        // The previous records and their decoding are gone: hand those pages back before
        // publishing allocates the status and trust-map entries.
        MemoryTrim.now()
        return (records, discovered, answers)
    }

    /// Partial failure stays partial (design.md "Admission and failure rules"): a CA the store
    /// cannot publish is dropped, and with it every name that relies on it (state `error`, the
    /// reason named); the other names publish as usual.
    private func dropUnpublishableCAs(
        _ records: inout [NameRecord], discovered: inout [String: CertificateFacts],
        previous: [String: CertificateFacts], now: Int64
    ) {
        var refused: [String: String] = [:]
        var wanted: [String: CertificateFacts] = [:]
        for record in records where record.isPublished {
            for fingerprint in record.caFingerprints where wanted[fingerprint] == nil {
                guard let ca = discovered[fingerprint] ?? previous[fingerprint] else { continue }
                wanted[fingerprint] = ca
                if let why = store.refusal(of: ca) {
                    refused[fingerprint] = "CA \(ca.subject) cannot be published: \(why)"
                }
            }
        }
        for (fingerprint, why) in Self.keyIdentifierCollisions(wanted, previous: previous)
        where refused[fingerprint] == nil {
            refused[fingerprint] = why
        }
        guard !refused.isEmpty else { return }
        for fingerprint in refused.keys { discovered.removeValue(forKey: fingerprint) }
        for index in records.indices where records[index].isPublished {
            guard let why = records[index].caFingerprints.lazy.compactMap({ refused[$0] }).first else { continue }
            let record = records[index]
            records[index] = NameRecord(
                name: record.name, state: .error, since: record.state == .error ? record.since : now,
                lastOK: record.lastOK, lastError: why)
            log(records[index])
        }
    }

    /// CAs whose key identifier another CA with a different key also has. The second gate names
    /// a device's issuer by key identifier alone (design.md "Admission and failure rules"), so two
    /// keys under one identifier would let one CA's certificates pass for the other's. A CA
    /// already published keeps its place; the newcomers are refused (all of them, if none was).
    static func keyIdentifierCollisions(
        _ cas: [String: CertificateFacts], previous: [String: CertificateFacts]
    ) -> [String: String] {
        var refused: [String: String] = [:]
        let groups = Dictionary(grouping: cas.values, by: \.subjectKeyIdentifier)
        for (keyIdentifier, group) in groups where Set(group.map(\.binding.spki)).count > 1 {
            let incumbents = Set(group.filter { previous[$0.sha256Hex] != nil }.map(\.binding.spki))
            let keep = incumbents.count == 1 ? incumbents.first : nil
            for ca in group where ca.binding.spki != keep {
                let others = group.filter { $0.binding.spki != ca.binding.spki }.map(\.subject).joined(separator: ", ")
                refused[ca.sha256Hex] =
                    "CA \(ca.subject) shares key identifier \(KeyIdentifier.format(keyIdentifier)) with \(others), "
                    + "which has another key: the gate could not tell their certificates apart"
            }
        }
        return refused
    }

    private func process(
        _ name: DeviceName, previous: NameRecord?, now: Int64, grace: Int64
    ) async -> (NameRecord, [String: CertificateFacts], AgentMetrics.AnswerKind) {
        if let warm, let previous, let reused = await reuse(previous, warm: warm, now: now, grace: grace) {
            return reused
        }
        let examination = await examine(name)
        warm?.set(name, WarmNames.entry(from: examination, now: now))
        let record = NameRecord.advance(
            previous, name: name, outcome: examination.outcome, now: now, grace: grace,
            securelyPublished: examination.securelyPublished)
        log(record)
        return (record, examination.cas, AgentMetrics.AnswerKind(examination.answerClass))
    }

    /// The warm path (``WarmNames``): an `ok` name inside its answer's TTL stays `ok` with
    /// what it published, if each certificate is still within its validity and the CAs at its
    /// issuer's URL are still the chain it was accepted under (each URL fetched once a pass).
    /// `nil`: look the name up as usual. Counted as the secure answer it holds.
    private func reuse(
        _ previous: NameRecord, warm: WarmNames, now: Int64, grace: Int64
    ) async -> (NameRecord, [String: CertificateFacts], AgentMetrics.AnswerKind)? {
        let name = previous.name
        guard previous.state == .ok, let entry = warm.entry(name), now < entry.expires,
            entry.hashes == previous.hashes, entry.pins == previous.pins
        else { return nil }
        let validity = ValidityCheck(now: clock.now(), clockSkew: config.sync.clockSkew)
        var cas: [String: CertificateFacts] = [:]
        for certificate in entry.certificates {
            guard validity.holds(notBefore: certificate.notBefore, notAfter: certificate.notAfter),
                case .success(let chain) = await chains.chain(issuedBy: certificate.issuer, name: name),
                chain.map(\.sha256Hex) == certificate.caFingerprints,
                chain.allSatisfy({ validity.problem(with: $0) == nil })
            else { return nil }
            for ca in chain { cas[ca.sha256Hex] = ca }
        }
        let accepted = NameAcceptance(
            hashes: previous.hashes, pins: previous.pins, caFingerprints: previous.caFingerprints,
            issuances: previous.issuances)
        let record = NameRecord.advance(previous, name: name, outcome: .ok(accepted), now: now, grace: grace)
        return (record, cas, .secure)
    }

    private func log(_ record: NameRecord) {
        var metadata: Logger.Metadata = ["name": "\(record.name)", "state": "\(record.state.rawValue)"]
        if !record.hashes.isEmpty { metadata["hashes"] = "\(record.hashes.joined(separator: ","))" }
        if let error = record.lastError, record.state != .ok { metadata["reason"] = "\(error)" }
        switch record.state {
        case .ok: logger.debug("name ok", metadata: metadata)
        case .stale: logger.warning("name stale (kept within sync.grace)", metadata: metadata)
        case .withdrawn: logger.notice("name withdrawn", metadata: metadata)
        case .bogus, .insecure, .error: logger.error("name rejected", metadata: metadata)
        }
    }
}
