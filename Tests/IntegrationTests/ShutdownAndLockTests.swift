import DANECore
import DANEPublish
import DANETestSupport
import Foundation
import Testing

/// design.md "Admission and failure rules": one writer per `output.dir`, and SIGTERM/SIGINT stop
/// `once` and `run` within 2 s with exit 0, publishing nothing of an interrupted pass. Runs the
/// built `danesync` against the lab.
struct ShutdownAndLockTests {
    /// `timeout --preserve-status -s SIGNAL AFTER danesync ARGS`: the signal after `after`
    /// seconds; the exit status is danesync's own. Returns it with the time taken.
    static func signalled(
        _ signal: String, after: String, _ arguments: [String]
    ) throws -> (output: Command.Output, seconds: Double) {
        let started = ContinuousClock.now
        let output = try Command.run(
            "timeout", ["--preserve-status", "-s", signal, after, try Repository.binary("danesync")] + arguments,
            timeLimit: .seconds(60))
        let elapsed = ContinuousClock.now - started
        return (output, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    @Test(arguments: ["TERM", "INT"])
    func test_signalDuringAPass_exits0Within2s_andPublishesNothing(_ signal: String) async throws {
        let workspace = try AgentWorkspace("signal-\(signal)")
        defer { workspace.remove() }
        try workspace.writePolicy(["corp-iot": LabNames.sensors123])
        _ = try await workspace.pass()
        let before = try workspace.published.snapshot()

        // Every lookup now hangs on a forwarder that never answers, for dns.timeout (10 s).
        let silent = try SilentUDPServer()
        defer { silent.close() }
        try workspace.writeConfig(
            set: ["dns.forwarders": "[\"127.0.0.1@\(silent.port)\"]", "dns.timeout": "10s"],
            remove: ["dns.unbound_conf"])
        let (run, seconds) = try Self.signalled(signal, after: "0.5", ["once", "--config", workspace.configPath])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(seconds < 2.5, "stopped \(seconds) s after start (signal at 0.5 s)")
        #expect(run.stderr.contains("publishes nothing"), "\(run.stderr)")
        #expect(try workspace.published.snapshot() == before, "an interrupted pass publishes nothing")
    }

    @Test func test_SIGTERMRightAfterStart_stopsRun_withExit0() throws {
        let workspace = try AgentWorkspace("signal-start")
        defer { workspace.remove() }
        try workspace.writePolicy(["corp-iot": [LabNames.sensor1]])
        try workspace.writeConfig()
        let (run, seconds) = try Self.signalled("TERM", after: "0.02", ["run", "--config", workspace.configPath])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(seconds < 2.5)
    }

    @Test func test_secondWriter_exits2AtOnce_withOneLine_andTouchesNothing() async throws {
        let workspace = try AgentWorkspace("lock")
        defer { workspace.remove() }
        try workspace.writePolicy(["corp-iot": [LabNames.sensor1]])
        _ = try await workspace.pass()
        let before = try workspace.published.snapshot()
        let identities = try workspace.published.identities()

        // Held here as another danesync process would hold it.
        let held = try OutputLock(directory: workspace.output)
        let second = try workspace.runOnce()
        withExtendedLifetime(held) {}
        #expect(second.status == 2)
        #expect(
            second.stderrLines == [
                "danesync: another process holds output.dir \(workspace.output) (\(workspace.output)/.lock); not publishing"
            ])
        #expect(try workspace.published.snapshot() == before)
        #expect(try workspace.published.identities() == identities)
    }
}
