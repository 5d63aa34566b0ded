import ArgumentParser
import DANESync
import ServiceLifecycle

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the agent: sync now, then every sync.interval.",
        discussion: "SIGHUP reloads the configuration and policy and syncs at once; SIGTERM/SIGINT exit cleanly.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let logger = AgentLogging.bootstrap()
        // Fail fast with exit 2 on a bad configuration, before becoming a service.
        _ = try await exitingOnFailure { try Loaded.config(options.config) }
        let service = SyncService(configPath: options.config, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await exitingOnFailure { try await group.run() }
    }
}
