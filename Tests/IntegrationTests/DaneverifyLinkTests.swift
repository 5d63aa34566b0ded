import DANETestSupport
import Testing

/// `daneverify` is a static executable started on every authentication: the constructors of
/// whatever it links run every time (docs/architecture.md "Decisions", DANESystem/Deadline.swift).
struct DaneverifyLinkTests {
    /// One `ContinuousClock` anywhere in the hook's modules links Swift's concurrency runtime and
    /// libdispatch, and their start-up work runs on each exec: the hook keeps time with
    /// `Deadline` instead.
    @Test func test_hook_linksNeitherTheConcurrencyRuntimeNorLibdispatch() throws {
        let symbols = try Command.run("nm", [Repository.binary("daneverify")], timeLimit: .seconds(120))
        #expect(symbols.status == 0, "\(symbols.stderr)")
        let names = Set(symbols.stdoutText.split(separator: "\n").compactMap { $0.split(separator: " ").last })
        for runtime in ["swift_task_create", "swift_job_run", "_libdispatch_init"] {
            #expect(!names.contains(Substring(runtime)), "daneverify links \(runtime)")
        }
        #expect(names.contains("swift_retain"), "nm read no Swift symbols: the check would pass vacuously")
    }
}
