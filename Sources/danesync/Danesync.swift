import ArgumentParser
import Foundation
import DANESync

@main
struct Danesync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "danesync",
        abstract: "Publish DANE-bound device trust for FreeRADIUS EAP-TLS.",
        discussion: """
            Reads a policy of device names per network, looks up each name's TLSA records with \
            local DNSSEC validation, discovers and checks each certificate's CA chain over HTTPS, \
            and publishes ca.pem, ca.d/, the trust map and status.json in output.dir.
            """,
        version: DanesyncVersion.text,
        subcommands: [Run.self, Once.self, Check.self, Lookup.self, Status.self, Doctor.self]
    )

    /// `run` and `once` take SIGTERM/SIGINT before anything else happens
    /// (design.md "Admission and failure rules"): until then a signal would kill the process with 143.
    static func main() async {
        if let command = CommandLine.arguments.dropFirst().first, command == "run" || command == "once" {
            ShutdownGate.process.install()
        }
        await main(nil)
    }
}

/// `--config FILE`, shared by every subcommand.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Configuration file.")
    var config: String = Config.defaultPath
}

/// Runs a command body; a ``Loaded/Failure`` becomes one stderr line per problem and exit 2.
func exitingOnFailure<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let failure as Loaded.Failure {
        for line in failure.lines { printError("danesync: \(line)") }
        throw ExitCode(2)
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
