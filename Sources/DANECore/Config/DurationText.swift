/// Durations as the configuration writes them: a whole number and a unit, `500ms`, `5s`,
/// `10m`, `1h`, `2d`.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        let digits = text.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, digits.count <= 9, let value = Int64(digits) else { return nil }
        switch text.dropFirst(digits.count) {
        case "ms": return .milliseconds(value)
        case "s": return .seconds(value)
        case "m": return .seconds(value * 60)
        case "h": return .seconds(value * 3600)
        case "d": return .seconds(value * 86400)
        default: return nil
        }
    }

    /// The largest unit that expresses `duration` exactly.
    public static func format(_ duration: Duration) -> String {
        let ms = duration.millisecondsRoundedUp
        if ms % 86_400_000 == 0, ms > 0 { return "\(ms / 86_400_000)d" }
        if ms % 3_600_000 == 0, ms > 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0, ms > 0 { return "\(ms / 60_000)m" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }
}

extension Duration {
    /// Whole milliseconds, **rounded up**: the one conversion of the project. A timeout handed
    /// to `poll` or libcurl in milliseconds then never ends before the duration has passed, and
    /// a positive remainder never becomes 0 (a busy `poll`, or "no limit" to libcurl).
    /// Durations read from the configuration are whole milliseconds, so they convert exactly.
    public var millisecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        let (whole, part) = attoseconds.quotientAndRemainder(dividingBy: 1_000_000_000_000_000)
        return seconds * 1000 + whole + (part > 0 ? 1 : 0)
    }
}
