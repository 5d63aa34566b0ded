import DANECertify
import DANECore
import DANEDiscover
import DANEPublish
import DANEResolve
import DANEResolvePool
import Foundation
import Logging

/// Builds the real edges (libunbound resolver, libcurl fetcher, file store) from a config
/// and runs passes with them; shared by `danesync once` and `danesync run`.
public final class Agent: Sendable {
    public let config: Config
    let resolver: UnboundResolver
    let fetcher: CurlFetcher
    let policySource: PolicySource
    let logger: Logger
    /// Updated by every pass; `run` hands the same one to each Agent it makes, so counters
    /// survive a SIGHUP reload.
    public let metrics: AgentMetrics
    /// Where each pass reports its progress (a terminal line for `once` and `run`'s first pass).
    let progress: PassProgress.Report?
    /// `run`'s names kept warm between passes; `nil` for `once` and `lookup`.
    let warm: WarmNames?

    public init(
        config: Config, logger: Logger, metrics: AgentMetrics? = nil, progress: PassProgress.Report? = nil,
        warm: Bool = false
    ) throws(Loaded.Failure) {
        self.config = config
        self.warm = warm ? WarmNames() : nil
        self.logger = logger
        self.metrics = metrics ?? AgentMetrics(trustMapPath: config.trustMapPath)
        self.progress = progress
        do {
            resolver = try UnboundResolver(dns: config.dns, maxInFlight: config.sync.concurrency)
        } catch {
            throw Loaded.failure(["resolver: \(error)"])
        }
        fetcher = CurlFetcher(concurrency: min(config.sync.concurrency, 16))
        policySource = PolicySource(config.policy, discovery: config.discovery, fetcher: fetcher)
    }

    public enum PassError: Error, CustomStringConvertible {
        /// No policy could ever be read: nothing is published (design.md "Command line", exit 2).
        case noPolicy(String)
        case publish(String)

        public var description: String {
            switch self {
            case .noPolicy(let why): return "no usable policy: \(why)"
            case .publish(let why): return "cannot publish: \(why)"
            }
        }
    }

    /// Runs `body` as the one writer of `output.dir` (``OutputLock``): another process that
    /// holds it makes this fail at once, with one line (exit 2).
    public static func holdingOutputLock<T>(
        _ config: Config, _ body: () async throws -> T
    ) async throws -> T {
        let lock: OutputLock
        do {
            lock = try OutputLock(directory: config.output.dir)
        } catch {
            throw Loaded.failure([error.description])
        }
        defer { withExtendedLifetime(lock) {} }
        return try await body()
    }

    /// A pass over the real edges, with a fresh ``CAChainWalker``: CAs are fetched once per
    /// pass, so republished or withdrawn CAs are seen by the next.
    private func makePass() -> SyncPass {
        SyncPass(
            config: config, resolver: resolver,
            chains: CAChainWalker(fetcher: fetcher, discovery: config.discovery),
            store: FileStore(directory: config.output.dir), logger: logger, progress: progress, warm: warm)
    }

    /// What a pass would conclude about `name`, with everything it looked at; publishes
    /// nothing (`danesync lookup`).
    public func examine(_ name: DeviceName) async -> NameExamination {
        await makePass().examine(name)
    }

    /// When the last completed pass marked the trust map fresh (its modification time), the
    /// time `daneverify` holds against `verify.max_age`; `nil` without a trust map.
    public static func trustMapMarkedFresh(_ config: Config) -> Date? { modificationDate(config.trustMapPath) }

    static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// The last pass's `status.json`: its bytes as written, and the document. `nil` when there
    /// is none or it cannot be read (`danesync status`).
    public static func lastStatus(_ config: Config) -> (bytes: Data, document: StatusDocument)? {
        guard let data = FileManager.default.contents(atPath: config.statusPath),
            let document = StatusDocument.read(config.statusPath)
        else { return nil }
        return (data, document)
    }

    /// One pass: read the policy, resolve, certify, discover, publish, and run
    /// `sync.on_ca_change` if `ca.pem` changed. `published` is called as soon as the outputs
    /// are in place — before the hook, which may wait on a service that waits for us (`run`'s
    /// READY=1 with `Before=freeradius.service` and `systemctl restart freeradius`).
    public func pass(published: () -> Void = {}) async throws -> SyncPass.Summary {
        let reading = await policySource.read()
        if let error = reading.error { logger.error("policy unavailable", metadata: ["reason": "\(error)"]) }
        guard let policy = reading.policy else {
            failed()
            throw PassError.noPolicy(reading.error ?? "empty")
        }
        let pass = makePass()
        var summary: SyncPass.Summary
        do {
            summary = try await pass.run(policy: policy, policySource: reading.source, policyError: reading.error)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            failed()
            throw PassError.publish("\(error)")
        }
        published()
        _ = await ZoneAnchorSource(dns: config.dns, logger: logger).publish(for: policy.names, into: config.output.dir)
        await disconnectRevokedSessions(&summary, store: pass.store)
        metrics.record(summary)
        let counts = summary.status.counts
        logger.info(
            "pass done",
            metadata: [
                "names": "\(summary.status.names.count)", "ok": "\(counts.ok)", "stale": "\(counts.stale)",
                "withdrawn": "\(counts.withdrawn)", "bogus": "\(counts.bogus)", "insecure": "\(counts.insecure)",
                "error": "\(counts.error)", "cas": "\(summary.status.cas.count)", "fetches": "\(summary.fetches)",
                "written": "\(summary.report.written.joined(separator: ","))",
                "seconds": "\(String(format: "%.3f", summary.status.durationSeconds))",
            ])
        let outcome = await CAChangeHook.runIfPending(
            summary.report, command: config.sync.onCAChange, store: pass.store, logger: logger)
        metrics.recordCAChange(ran: outcome.ran, pending: !outcome.settled)
        writeMetricsTextfile()
        return summary
    }

    /// The disconnect step (``SessionSweep``), after the trust map is in place: its results
    /// join the pass's `status.json` (rewritten) and exit code.
    private func disconnectRevokedSessions(_ summary: inout SyncPass.Summary, store: any OutputStore) async {
        let sweep = SessionSweep(config: config.disconnect, trustMapPath: config.trustMapPath, logger: logger)
        let done = await sweep.run(now: summary.status.time)
        guard !done.isEmpty else { return }
        summary.status.disconnects = done
        do {
            try store.rewriteStatus(summary.status)
        } catch {
            logger.error("cannot record the disconnects in status.json", metadata: ["reason": "\(error)"])
        }
    }

    /// A pass that published nothing, counted and written out like the others.
    private func failed() {
        metrics.recordFailedPass()
        writeMetricsTextfile()
    }

    /// `metrics.textfile`, after every pass; a failure to write it is logged, never fatal.
    private func writeMetricsTextfile() {
        guard let path = config.metrics.textfile else { return }
        do {
            try metrics.writeTextfile(path)
        } catch {
            logger.error("cannot write metrics.textfile", metadata: ["path": "\(path)", "reason": "\(error)"])
        }
    }
}
