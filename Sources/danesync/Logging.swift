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
        let journal = Self.stderrIsTheJournal(environment["JOURNAL_STREAM"])
        LoggingSystem.bootstrap { _ in AgentLogHandler(format: options.logFormat, level: level, journal: journal) }
        return Logger(label: "danesync")
    }

    /// Whether stderr is the journal's stream: `$JOURNAL_STREAM` names its `device:inode`
    /// (systemd.exec(5)), and a child that inherited the variable (a cron job started under a
    /// service) has another stderr.
    static func stderrIsTheJournal(_ stream: String?) -> Bool {
        guard let stream, !stream.isEmpty else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return stream == "\(info.st_dev):\(info.st_ino)"
    }
}
