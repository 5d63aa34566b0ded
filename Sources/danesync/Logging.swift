import Logging

/// One line per event on stderr (journald adds the time), level from `DANESYNC_LOG_LEVEL`.
enum AgentLogging {
    static func bootstrap(level: Logger.Level = .info) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "danesync")
    }
}
