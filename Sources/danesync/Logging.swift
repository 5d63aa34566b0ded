import ArgumentParser
import DANESync
import Foundation
import Logging

/// `--log-format logfmt|json` of the commands that log (design.md "Command line").
struct LogOptions: ParsableArguments {
    @Option(name: .long, help: "Log lines on stderr: logfmt or json.")
    var logFormat: LogFormat = .logfmt
}

extension LogFormat: ExpressibleByArgument {}

/// One line per event on stderr in the chosen format, level from `DANESYNC_LOG_LEVEL`
/// (default info); under systemd (`$JOURNAL_STREAM`) without the time journald adds.
enum AgentLogging {
    static func bootstrap(_ options: LogOptions = LogOptions(), level fixed: Logger.Level? = nil) -> Logger {
        let environment = ProcessInfo.processInfo.environment
        let level = fixed ?? environment["DANESYNC_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let journal = !(environment["JOURNAL_STREAM"] ?? "").isEmpty
        LoggingSystem.bootstrap { _ in AgentLogHandler(format: options.logFormat, level: level, journal: journal) }
        return Logger(label: "danesync")
    }
}
