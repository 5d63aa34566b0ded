import DANECore
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `danesync run`: a pass now, then one every `sync.interval` ± `sync.jitter`; SIGHUP reloads
/// the configuration (the policy is re-read every pass anyway) and runs a pass at once.
/// Shutdown (SIGTERM/SIGINT) is the ``ShutdownGate``'s, installed before anything else runs: the
/// process exits at once unless a publish is under way, so nothing of an interrupted pass is
/// published.
public struct SyncService: Service {
    let configPath: String
    let logger: Logger
    /// One registry for the life of the process: reloads keep the counters.
    let metrics: AgentMetrics
    /// The first pass's progress line (a terminal only); later passes run silently.
    let firstPassProgress: TerminalProgress?
    /// What `/metrics` was bound to at start (`nil`: not served).
    let boundListen: ListenAddress?

    public init(
        configPath: String, logger: Logger, metrics: AgentMetrics, firstPassProgress: TerminalProgress?,
        boundListen: ListenAddress?
    ) {
        self.configPath = configPath
        self.logger = logger
        self.metrics = metrics
        self.firstPassProgress = firstPassProgress
        self.boundListen = boundListen
    }

    enum Event: Sendable { case tick, reload }

    /// Runs the service in a swift-service-lifecycle group until SIGTERM or SIGINT.
    /// `output.dir` is locked for the life of the service (``Agent/holdingOutputLock(_:_:)``),
    /// and `metrics.listen` is bound before the first pass: a taken port is a start-up error.
    public static func runUntilShutdown(
        configPath: String, logger: Logger, progress: TerminalProgress? = nil
    ) async throws {
        let config = try Loaded.config(configPath)
        let metrics = AgentMetrics(trustMapPath: config.trustMapPath)
        if let (_, status) = Agent.lastStatus(config) { metrics.recordLastSuccess(status) }
        try await Agent.holdingOutputLock(config) {
            var server: MetricsServer?
            if let listen = config.metrics.listen {
                do {
                    server = try MetricsServer(listen: listen, metrics: metrics)
                } catch {
                    throw Loaded.failure(["\(error)"])
                }
                logger.info("serving metrics", metadata: ["listen": "http://\(listen)/metrics"])
            }
            defer { withExtendedLifetime(server) {} }
            let service = SyncService(
                configPath: configPath, logger: logger, metrics: metrics, firstPassProgress: progress,
                boundListen: config.metrics.listen)
            try await runGroup(service, logger: logger)
        }
    }

    private static func runGroup(_ service: SyncService, logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service)],
                // SIGTERM/SIGINT belong to the ShutdownGate (installed by the command line).
                gracefulShutdownSignals: [], logger: logger))
        try await group.run()
    }

    public func run() async throws {
        let first = try Agent(
            config: Loaded.config(configPath), logger: logger, metrics: metrics, progress: firstPassProgress?.report,
            warm: true)
        let (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(1))
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) { continuation.yield(.reload) }
                }
                group.addTask {
                    var agent = first
                    var iterator = events.makeAsyncIterator()
                    var ready = false
                    var failures = 0
                    while !Task.isCancelled {
                        do {
                            let summary = try await agent.pass {
                                // ca.pem exists now: FreeRADIUS may start (Type=notify,
                                // Before=freeradius.service). Sent once.
                                if !ready { SystemdNotify.send("READY=1") }
                                ready = true
                            }
                            failures = 0
                            let counts = summary.status.counts
                            SystemdNotify.send(
                                "STATUS=last pass \(UnixTime.rfc3339(summary.status.time)): \(summary.status.names.count) names, ok \(counts.ok), failing \(summary.status.names.count - counts.ok)"
                            )
                        } catch is CancellationError {
                            return
                        } catch {
                            failures += 1
                            firstPassProgress?.clear()
                            logger.error("pass failed", metadata: ["reason": "\(error)"])
                            SystemdNotify.send("STATUS=pass failed: \(PrintableText.oneLine("\(error)", limit: 200))")
                        }
                        let delay = Self.delay(agent.config.sync, failuresBeforeFirstPublish: ready ? 0 : failures)
                        let timer = Task {
                            try await Task.sleep(for: delay)
                            continuation.yield(.tick)
                        }
                        let event = await iterator.next()
                        timer.cancel()
                        guard let event else { return }
                        if event == .reload {
                            logger.notice("SIGHUP: reloading configuration", metadata: ["config": "\(configPath)"])
                            do {
                                agent = try reloaded(agent)
                            } catch {
                                logger.error(
                                    "reload failed; keeping the previous configuration",
                                    metadata: ["reason": "\(error)"])
                            }
                        }
                    }
                }
                _ = try await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
    }

    /// The agent for the reloaded configuration. What was bound at start stays: a new
    /// `output.dir` would leave the lock on the old one (two writers), and `metrics.listen` is
    /// bound once — both take effect on restart, and the reload is refused or warned about.
    private func reloaded(_ agent: Agent) throws -> Agent {
        let config = try Loaded.config(configPath)
        guard config.output.dir == agent.config.output.dir else {
            throw Loaded.failure([
                "output.dir changed from \(agent.config.output.dir) to \(config.output.dir); restart danesync to move it"
            ])
        }
        if config.metrics.listen != boundListen {
            logger.warning(
                "metrics.listen changed; it takes effect when danesync restarts",
                metadata: ["serving": "\(boundListen.map(\.description) ?? "none")"])
        }
        // A reload starts cold: the resolver and its trust anchor may have changed.
        return try Agent(config: config, logger: logger, metrics: metrics, warm: true)
    }

    /// `interval` lengthened or shortened by a random fraction up to `jitter`, so that many
    /// agents do not query the same servers in step. Until a first pass has published, a
    /// failed one is retried sooner — 5 s, 10 s, 20 s … up to the interval — so a boot before
    /// DNS or the policy server is up does not hold FreeRADIUS back for a whole interval.
    static func delay(_ sync: Config.Sync, failuresBeforeFirstPublish failures: Int = 0) -> Duration {
        let base = Double(sync.interval.millisecondsRoundedUp)
        if failures > 0 {
            return .milliseconds(Int64(min(base, 5000 * pow(2, Double(min(failures - 1, 20))))))
        }
        let factor = 1 + Double.random(in: -sync.jitter...sync.jitter)
        return .milliseconds(Int64(max(1000, base * factor)))
    }
}
