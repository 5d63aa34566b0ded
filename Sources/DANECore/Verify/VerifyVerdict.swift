/// The hook's verdict: one stdout line and an exit code (design.md "Command line").
public struct VerifyVerdict: Error, Equatable, Sendable {
    /// design.md "Command line": the `daneverify` exit codes. 0 accepts; everything else
    /// rejects. ``summary`` is the one wording of each, from which `daneverify --help` prints
    /// its table (and a test holds the README's table to it).
    public enum Code: Int32, CaseIterable, Sendable {
        case accept = 0
        case usage = 2
        case trustMap = 10
        case certificate = 11
        case notAllowed = 12
        case notPublished = 13
        case withdrawn = 14
        case dnssec = 15
        case resolver = 16

        public var summary: String {
            switch self {
            case .accept: return "accept"
            case .usage: return "usage or configuration error"
            case .trustMap: return "trust map missing, unreadable or corrupt"
            case .certificate: return "certificate file missing or not a certificate"
            case .notAllowed: return "name not allowed on this network"
            case .notPublished: return "certificate hash not published for this name"
            case .withdrawn:
                return
                    "record withdrawn: in the trust map, or by the live check (NXDOMAIN, NODATA or no matching record)"
            case .dnssec: return "live check: DNSSEC bogus or insecure"
            case .resolver: return "live check: resolver failure or timeout (verify.live_check: required)"
            }
        }

        /// `  <code> <summary>` lines, codes in ascending order, as `--help` prints them.
        public static var table: String {
            allCases.sorted { $0.rawValue < $1.rawValue }
                .map { "  \($0.rawValue)\(String(repeating: " ", count: $0.rawValue < 10 ? 2 : 1))\($0.summary)" }
                .joined(separator: "\n")
        }
    }

    public var code: Code
    /// `accept <name> <network> <sha256>` or `reject <code> <detail>`.
    public var line: String
    /// Extra context for the log (stderr), e.g. why a live check was skipped.
    public var note: String?
    /// What an accept admitted (the session the hook records); `nil` for a reject.
    public var admitted: Admitted?

    public struct Admitted: Equatable, Sendable {
        public var name: DeviceName
        public var network: String
        public var sha256: String
    }

    /// Details may quote hostile input; the whole line stays this many characters at most.
    public static let detailLimit = 300

    public static func accept(_ name: DeviceName, network: String, hash: String, note: String? = nil) -> VerifyVerdict {
        VerifyVerdict(
            code: .accept, line: "accept \(name) \(network) \(hash)", note: note,
            admitted: Admitted(name: name, network: network, sha256: hash))
    }

    public static func reject(_ code: Code, _ detail: String) -> VerifyVerdict {
        VerifyVerdict(
            code: code, line: "reject \(code.rawValue) \(PrintableText.oneLine(detail, limit: detailLimit))", note: nil,
            admitted: nil)
    }
}
