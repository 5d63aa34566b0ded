/// Text from outside — an identity, an SSID, a resolver's message — shown in a log line or the
/// hook's one stdout line (design.md "Command line": exactly one line). The one sanitizer of
/// the project.
public enum PrintableText {
    /// `text` on one printable line of at most `limit` characters: C0 and C1 control
    /// characters and DEL become `?` (a line break would forge a second log line, an escape
    /// sequence would rewrite the admin's terminal); longer text is cut and ends in `…`.
    public static func oneLine(_ text: String, limit: Int) -> String {
        guard limit > 0 else { return "" }
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            guard count < limit else {
                out.unicodeScalars.removeLast()
                out.unicodeScalars.append("…")
                return out
            }
            let value = scalar.value
            out.unicodeScalars.append(value < 0x20 || (0x7f...0x9f).contains(value) ? "?" : scalar)
            count += 1
        }
        return out
    }
}
