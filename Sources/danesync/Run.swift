import ArgumentParser
import DANESync

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the agent: sync now, then every sync.interval.",
        discussion: "SIGHUP reloads the configuration and policy and syncs at once; SIGTERM/SIGINT exit cleanly.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let logger = AgentLogging.bootstrap()
        // Fail fast with exit 2 on a bad configuration, before becoming a service.
        _ = try await exitingOnFailure { try Loaded.config(options.config) }
        try await exitingOnFailure {
            try await SyncService.runUntilShutdown(configPath: options.config, logger: logger)
        }
    }
}
