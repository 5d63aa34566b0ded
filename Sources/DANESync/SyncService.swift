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

    public init(configPath: String, logger: Logger) {
        self.configPath = configPath
        self.logger = logger
    }

    enum Event: Sendable { case tick, reload }

    /// Runs the service in a swift-service-lifecycle group until SIGTERM or SIGINT.
    /// `output.dir` is locked for the life of the service (``Agent/holdingOutputLock(_:_:)``).
    public static func runUntilShutdown(configPath: String, logger: Logger) async throws {
        try await Agent.holdingOutputLock(try Loaded.config(configPath)) {
            try await runGroup(configPath: configPath, logger: logger)
        }
    }

    private static func runGroup(configPath: String, logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: SyncService(configPath: configPath, logger: logger))],
                // SIGTERM/SIGINT belong to the ShutdownGate (installed by the command line).
                gracefulShutdownSignals: [], logger: logger))
        try await group.run()
    }

    public func run() async throws {
        let first = try Agent(config: Loaded.config(configPath), logger: logger)
        let (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(1))
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) { continuation.yield(.reload) }
                }
                group.addTask {
                    var agent = first
                    var iterator = events.makeAsyncIterator()
                    while !Task.isCancelled {
                        do {
                            _ = try await agent.pass()
                        } catch is CancellationError {
                            return
                        } catch {
                            logger.error("pass failed", metadata: ["reason": "\(error)"])
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
                                agent = try Agent(config: Loaded.config(configPath), logger: logger)
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
