import ArgumentParser
import DANESync

struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the whole set-up: config, policy, resolver, output.dir and the FreeRADIUS configuration.",
        discussion:
            "One line per check, ✓ or ✗ with the fix. Exit 0 when every check passes, 1 otherwise. Run it as root or as the user danesync runs as; it reads the FreeRADIUS configuration under --raddb."
    )

    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: "The FreeRADIUS configuration directory.")
    var raddb: String = "/etc/freeradius/3.0"

    func run() async throws {
        let checks = await DANESync.Doctor.run(configPath: options.config, raddb: raddb)
        for check in checks { print(check.line) }
        let failed = checks.filter { !$0.ok }.count
        print(failed == 0 ? "all \(checks.count) checks passed" : "\(failed) of \(checks.count) checks failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
