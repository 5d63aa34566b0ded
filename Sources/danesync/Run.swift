import ArgumentParser
import DANESync

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the agent: sync now, then every sync.interval.",
        discussion:
            "SIGHUP reloads the configuration and policy and syncs at once; SIGTERM/SIGINT exit 0 at once, publishing nothing of an interrupted pass. Holds output.dir for its life: a second writer exits 2."
    )

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
