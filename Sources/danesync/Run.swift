import ArgumentParser
import DANESync

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the agent: sync now, then every sync.interval.",
        discussion:
            "SIGHUP reloads the configuration and policy and syncs at once; SIGTERM/SIGINT exit 0 at once, publishing nothing of an interrupted pass. Holds output.dir for its life: a second writer exits 2. metrics.listen serves /metrics (a taken port exits 2); under systemd, READY=1 is sent once the first pass has published. On a terminal the first pass shows a progress line."
    )

    @OptionGroup var options: ConfigOption
    @OptionGroup var log: LogOptions

    func run() async throws {
        let logger = AgentLogging.bootstrap(log)
        // Fail fast with exit 2 on a bad configuration, before becoming a service.
        _ = try await exitingOnFailure { try Loaded.config(options.config) }
        try await exitingOnFailure {
            try await SyncService.runUntilShutdown(
                configPath: options.config, logger: logger, progress: TerminalProgress.make())
        }
    }
}
