import DANECertify
import DANECore
import DANEPublish
import Foundation
import Prometheus

/// What the agent tells Prometheus (design.md "Configuration", `metrics.*`): one registry for
/// the life of `danesync run` (passes and SIGHUP reloads update it), rendered in the text
/// exposition format by swift-prometheus for `/metrics` and for `metrics.textfile`.
///
/// Every label value is created up front, so a series reads 0 rather than being absent until
/// its first event: an alert on `rate(danesync_passes_total{result="failed"}[…])` works from
/// the first scrape.
public final class AgentMetrics: Sendable {
    /// `danesync_passes_total{result}`: `ok` every name ok or withdrawn, `partial` published with
    /// some names failing or a disconnect unanswered (exit 1 of `once`), `failed` nothing
    /// published (no policy, publish error).
    public enum PassResult: String, CaseIterable, Sendable { case ok, partial, failed }

    /// `danesync_dns_answers_total{class}`: each name's TLSA answer in a pass.
    public enum AnswerKind: String, CaseIterable, Sendable {
        case secure, insecure, bogus, nxdomain, nodata, timeout, error

        public init(_ answerClass: TLSAAnswer.Class) {
            switch answerClass {
            case .records(let response): self = response.security == .secure ? .secure : .insecure
            case .insecure: self = .insecure
            case .bogus: self = .bogus
            case .nxdomain: self = .nxdomain
            case .nodata: self = .nodata
            case .unavailable(.timedOut): self = .timeout
            case .unavailable: self = .error
            }
        }
    }

    let registry = PrometheusCollectorRegistry()
    private let names: [NameRecord.State: Gauge]
    private let passDuration: DurationHistogram
    private let lastSuccess: Gauge
    private let passes: [PassResult: Counter]
    private let answers: [AnswerKind: Counter]
    private let caFetches: [Bool: Counter]
    private let casPublished: Gauge
    private let caChangeRuns: [Bool: Counter]
    private let caChangePending: Gauge
    private let trustMapAge: Gauge
    private let disconnects: [DisconnectDecision.Result: Counter]
    private let trustMapPath: String

    public init(trustMapPath: String) {
        self.trustMapPath = trustMapPath
        let r = registry
        names = Self.series(NameRecord.State.allCases, label: "state", \.rawValue) {
            r.makeGauge(
                descriptor: Self.descriptor(
                    "names", unit: "", "Names of the policy by state after the last pass (status.json counts)."),
                labels: [$0])
        }
        passDuration = r.makeDurationHistogram(
            descriptor: Self.descriptor("pass_duration", unit: "seconds", "Wall time of each completed pass."),
            buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300].map { .milliseconds(Int64($0 * 1000)) })
        lastSuccess = r.makeGauge(
            descriptor: Self.descriptor(
                "last_success_timestamp", unit: "seconds",
                "Unix time at which the last pass that published completed (from status.json at start).")
        )
        passes = Self.series(PassResult.allCases, label: "result", \.rawValue) {
            r.makeCounter(
                descriptor: Self.descriptor(
                    "passes", unit: "total",
                    "Passes by result: ok, partial (some names failed), failed (nothing published)."),
                labels: [$0])
        }
        answers = Self.series(AnswerKind.allCases, label: "class", \.rawValue) {
            r.makeCounter(
                descriptor: Self.descriptor(
                    "dns_answers", unit: "total", "TLSA answers by class, one per name per pass."),
                labels: [$0])
        }
        caFetches = Self.series([true, false], label: "result", { $0 ? "ok" : "error" }) {
            r.makeCounter(
                descriptor: Self.descriptor(
                    "ca_fetches", unit: "total", "CA certificate fetches from authority hosts by result."),
                labels: [$0])
        }
        casPublished = r.makeGauge(descriptor: Self.descriptor("cas_published", unit: "", "CA certificates in ca.pem."))
        caChangeRuns = Self.series([true, false], label: "result", { $0 ? "ok" : "failed" }) {
            r.makeCounter(
                descriptor: Self.descriptor("on_ca_change_runs", unit: "total", "Runs of sync.on_ca_change by result."),
                labels: [$0])
        }
        caChangePending = r.makeGauge(
            descriptor: Self.descriptor(
                "on_ca_change_pending", unit: "", "1 while a ca.pem change awaits a successful sync.on_ca_change."))
        trustMapAge = r.makeGauge(
            descriptor: Self.descriptor(
                "trustmap_age", unit: "seconds",
                "Seconds since a pass last marked the trust map fresh (daneverify's verify.max_age)."))
        disconnects = Self.series(DisconnectDecision.Result.allCases, label: "result", { $0.rawValue }) {
            r.makeCounter(
                descriptor: Self.descriptor(
                    "disconnects", unit: "total",
                    "Sessions of devices no longer published, by the NAS's answer to the Disconnect-Request."),
                labels: [$0])
        }
        r.makeGauge(
            descriptor: Self.descriptor("build_info", unit: "", "The running danesync; always 1."),
            labels: [("version", DanesyncVersion.text)]
        ).set(Int64(1))
    }

    /// One series per key, made up front with its label.
    static func series<Key: Hashable, Metric>(
        _ keys: [Key], label: String, _ value: (Key) -> String, _ make: ((String, String)) -> Metric
    ) -> [Key: Metric] {
        Dictionary(uniqueKeysWithValues: keys.map { ($0, make((label, value($0)))) })
    }

    /// `danesync_<metric>[_<unit>]`, with its `# HELP` text.
    static func descriptor(_ metric: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "danesync", metricName: metric, unitName: unit, helpText: help)
    }

    /// A pass that published.
    public func record(_ summary: SyncPass.Summary) {
        let status = summary.status
        let counts = status.counts
        let byState: [NameRecord.State: Int] = [
            .ok: counts.ok, .stale: counts.stale, .withdrawn: counts.withdrawn, .bogus: counts.bogus,
            .insecure: counts.insecure, .error: counts.error,
        ]
        for (state, gauge) in names { gauge.set(Int64(byState[state] ?? 0)) }
        passDuration.record(.milliseconds(Int64((status.durationSeconds * 1000).rounded())))
        recordLastSuccess(status)
        passes[summary.exitCode == 0 ? .ok : .partial]?.increment()
        for (kind, count) in summary.answers { answers[kind]?.increment(by: Int64(count)) }
        for disconnect in status.disconnects ?? [] { disconnects[disconnect.result]?.increment() }
        caFetches[true]?.increment(by: Int64(summary.fetches - summary.failedFetches))
        caFetches[false]?.increment(by: Int64(summary.failedFetches))
        // The placeholder that keeps FreeRADIUS starting trusts nothing: not a CA to count.
        casPublished.set(Int64(status.cas.filter { !$0.subject.contains(PlaceholderCA.commonName) }.count))
    }

    /// When the pass `status` describes completed: its start plus its duration.
    public func recordLastSuccess(_ status: StatusDocument) {
        lastSuccess.set((Double(status.time) + status.durationSeconds).rounded())
    }

    /// A pass that published nothing (no policy, a publish error).
    public func recordFailedPass() { passes[.failed]?.increment() }

    /// After a publish: whether `sync.on_ca_change` ran and how, and whether a change still
    /// awaits it (``CAChangeHook/runIfPending(_:command:store:logger:)``).
    public func recordCAChange(ran: Bool?, pending: Bool) {
        if let ran { caChangeRuns[ran]?.increment() }
        caChangePending.set(Int64(pending ? 1 : 0))
    }

    /// The exposition as of `now` (the trust map's age is taken from its modification time).
    public func exposition(now: Date = Date()) -> [UInt8] {
        // No trust map is as bad as one that is infinitely old; an alert on age must fire.
        trustMapAge.set(Agent.modificationDate(trustMapPath).map { max(0, now.timeIntervalSince($0)) } ?? .infinity)
        return registry.emitToBuffer()
    }

    /// Writes the exposition to `path` atomically (temp file, fsync, rename), for node_exporter's
    /// textfile collector, which must never read half a file.
    public func writeTextfile(_ path: String) throws {
        _ = try AtomicFile.write(exposition(), to: path)
    }
}
