import DANETestSupport
import Foundation
import Testing

/// design.md "Command line": `danesync once` shows a refreshing progress line on a terminal and
/// nothing of it otherwise. The terminal is a pseudo-terminal from util-linux's `script`.
struct ProgressLineTests {
    @Test func test_progressLine_onATerminalOnly() throws {
        let workspace = try AgentWorkspace("progress")
        defer { workspace.remove() }
        try workspace.writePolicy(["corp-iot": LabNames.sensors123])
        try workspace.writeConfig()
        let once = "\(try Repository.binary("danesync")) once --config \(workspace.configPath)"

        let terminal = try Command.run("script", ["-qefc", once, "/dev/null"])
        let shown = String(decoding: terminal.stdout, as: UTF8.self)
        #expect(terminal.status == 0, "\(shown)")
        #expect(shown.contains("\r\u{1B}[Knames 1/3 (33%)"), "\(shown.debugDescription)")
        #expect(shown.contains("failures 0"))

        let piped = try workspace.runOnce()
        #expect(piped.status == 0)
        #expect(!piped.stderr.contains("names 1/3") && !piped.stderr.contains("\u{1B}["), "\(piped.stderr)")
    }
}
