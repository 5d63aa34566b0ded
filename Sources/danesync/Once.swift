import ArgumentParser
import DANESync

struct Once: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one sync pass.",
        discussion:
            "Exit 0: every name ok or withdrawn (a revocation is the system working). 1: some names failed, or a disconnect of a revoked device's session got no answer (outputs still published). 2: nothing usable (config, policy, resolver) or another process holds output.dir. SIGTERM/SIGINT: exit 0 at once, publishing nothing of the interrupted pass. Writes metrics.textfile after the pass; on a terminal, shows a progress line."
    )

    @OptionGroup var options: ConfigOption
    @OptionGroup var log: LogOptions

    func run() async throws {
        let logger = AgentLogging.bootstrap(log)
        let progress = TerminalProgress.make()
        let summary = try await exitingOnFailure {
            let config = try Loaded.config(options.config)
            return try await Agent.holdingOutputLock(config) {
                let agent = try Agent(config: config, logger: logger, progress: progress?.report)
                do {
                    return try await agent.pass()
                } catch let error as Agent.PassError {
                    progress?.clear()
                    throw Loaded.failure([error.description])
                }
            }
        }
        let counts = summary.status.counts
        print(
            "names \(summary.status.names.count): ok \(counts.ok), stale \(counts.stale), withdrawn \(counts.withdrawn), bogus \(counts.bogus), insecure \(counts.insecure), error \(counts.error); CAs \(summary.status.cas.count)"
        )
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}
