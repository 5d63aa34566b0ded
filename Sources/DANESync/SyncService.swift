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

    public init(configPath: String, logger: Logger, metrics: AgentMetrics, firstPassProgress: TerminalProgress?) {
        self.configPath = configPath
        self.logger = logger
        self.metrics = metrics
        self.firstPassProgress = firstPassProgress
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
                configPath: configPath, logger: logger, metrics: metrics, firstPassProgress: progress)
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
            config: Loaded.config(configPath), logger: logger, metrics: metrics, progress: firstPassProgress?.report)
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
                    while !Task.isCancelled {
                        do {
                            _ = try await agent.pass()
                            if !ready {
                                // ca.pem exists now: FreeRADIUS may start (Type=notify).
                                SystemdNotify.send("READY=1\nSTATUS=first pass published")
                                ready = true
                            }
                        } catch is CancellationError {
                            return
                        } catch {
                            firstPassProgress?.clear()
                            logger.error("pass failed", metadata: ["reason": "\(error)"])
                            SystemdNotify.send("STATUS=pass failed: \(error)")
                        }
                        let delay = Self.delay(agent.config.sync)
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
                                let config = try Loaded.config(configPath)
                                if config.metrics.listen != agent.config.metrics.listen {
                                    logger.warning(
                                        "metrics.listen changed; it takes effect when danesync restarts",
                                        metadata: [
                                            "listen": "\(agent.config.metrics.listen.map(\.description) ?? "none")"
                                        ])
                                }
                                agent = try Agent(config: config, logger: logger, metrics: metrics)
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

    /// `interval` lengthened or shortened by a random fraction up to `jitter`, so that many
    /// agents do not query the same servers in step.
    static func delay(_ sync: Config.Sync) -> Duration {
        let base = Double(sync.interval.millisecondsRoundedUp)
        let factor = 1 + Double.random(in: -sync.jitter...sync.jitter)
        return .milliseconds(Int64(max(1000, base * factor)))
    }
}
