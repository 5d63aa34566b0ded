import Foundation
import Logging

/// `--log-format` (design.md "Command line"): one line per event on stderr, as `logfmt`
/// (`time=… level=info msg="pass done" names=3 ok=3`) or `json` (one object per line). Under
/// systemd (`$JOURNAL_STREAM` set: stderr is the journal) there is no `time` — journald stamps
/// every line — and each line starts with its sd-daemon(3) priority (`<6>`), so `journalctl -p`
/// filters by level.
public enum LogFormat: String, CaseIterable, Sendable {
    case logfmt, json

    /// One line (no newline) for an event.
    public func line(
        level: Logger.Level, message: String, metadata: Logger.Metadata, time: Date?, journal: Bool
    ) -> String {
        var fields: [(String, String)] = []
        if let time { fields.append(("time", Self.timestamp(time))) }
        fields.append(("level", level.rawValue))
        fields.append(("msg", message))
        for key in metadata.keys.sorted() { fields.append((key, "\(metadata[key]!)")) }
        let body: String
        switch self {
        case .logfmt: body = fields.map { "\($0.0)=\(Self.logfmtValue($0.1))" }.joined(separator: " ")
        case .json:
            body = "{" + fields.map { "\(Self.jsonString($0.0)):\(Self.jsonString($0.1))" }.joined(separator: ",") + "}"
        }
        return journal ? "<\(Self.priority(level))>" + body : body
    }

    /// RFC 3339 in UTC with milliseconds.
    static func timestamp(_ time: Date) -> String {
        let millis = Int64((time.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = millis / 1000
        return String(UnixTime.rfc3339(seconds).dropLast()) + String(format: ".%03dZ", Int(millis % 1000))
    }

    /// Bare when it is a plain word, else quoted with `\"`, `\\` and control characters escaped.
    static func logfmtValue(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy {
                $0.value > 0x20 && $0 != "\"" && $0 != "=" && $0.value != 0x7f && $0 != "\\"
            }
        return plain ? value : jsonString(value)
    }

    /// A JSON string literal (RFC 8259 §7).
    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// sd-daemon(3) / syslog priorities.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}

/// A swift-log handler writing ``LogFormat`` lines to stderr, one write per line.
public struct AgentLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let format: LogFormat
    let journal: Bool

    public init(format: LogFormat, level: Logger.Level, journal: Bool) {
        self.format = format
        self.logLevel = level
        self.journal = journal
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let line = format.line(
            level: event.level, message: "\(event.message)", metadata: merged, time: journal ? nil : Date(),
            journal: journal)
        // On a terminal the line starts by erasing a progress line in the way (it is redrawn
        // with the next name); \r + EL is invisible when there is none.
        StandardError.write((StandardError.isTerminal ? "\r\u{1B}[K" : "") + line + "\n")
    }
}
