/// One authentication `daneverify` accepted, as it records it in `disconnect.sessions_dir`
/// (design.md "Revocation and disconnect"): who was admitted, and what the NAS needs to find
/// the session again for an RFC 5176 Disconnect-Request (RFC 5176 §3: NAS identification and
/// session identification attributes).
///
/// One line, fields separated by tabs, each percent-encoded like a trust-map network
/// (``TrustMapFormat/encodeNetwork(_:)``: the values come from the device and the NAS):
/// ```
/// danesync-session/1\t<unix seconds>\t<name>\t<network>\t<sha256>\t<nas>\t<calling-station-id>\t<user-name>\t<acct-session-id>\n
/// ```
public struct SessionRecord: Equatable, Sendable {
    public static let magic = "danesync-session/1"

    /// When the hook accepted the authentication.
    public var time: Int64
    public var name: DeviceName
    /// The trust-map network that admitted it: an SSID or `*`.
    public var network: String
    /// Lowercase hex SHA-256 of the admitted certificate.
    public var sha256: String
    /// The NAS's address (NAS-IP-Address, else the request's source address).
    public var nas: String
    public var callingStationId: String
    public var userName: String
    public var acctSessionId: String

    public init(
        time: Int64, name: DeviceName, network: String, sha256: String, nas: String, callingStationId: String,
        userName: String, acctSessionId: String
    ) {
        self.time = time
        self.name = name
        self.network = network
        self.sha256 = sha256
        self.nas = nas
        self.callingStationId = callingStationId
        self.userName = userName
        self.acctSessionId = acctSessionId
    }

    /// What identifies the session at its NAS, and so names its file: one station has one
    /// session on one NAS (a re-association replaces the record); without a station id, the
    /// session id and the user.
    public var key: String {
        callingStationId.isEmpty
            ? "\(nas)\t\t\(acctSessionId)\t\(userName)" : "\(nas)\t\(Self.normalizedStationId(callingStationId))"
    }

    /// The record's file name in the sessions directory: 32 hex digits of the key's SHA-256
    /// (`sha256` is the caller's: DANECore has no digest of its own).
    public func fileName(sha256 digest: ([UInt8]) -> [UInt8]) -> String {
        String(Hex.encode(digest(Array(key.utf8))).prefix(32)) + Self.fileSuffix
    }

    /// Record files end so; the hook's temporary files start with a dot and do not.
    public static let fileSuffix = ".session"

    /// A MAC in any of the usual spellings (`AA-BB-…`, `aa:bb:…`, `aabb.ccdd.…`) as lowercase
    /// hex digits, so that the same station always has the same key; anything else as given.
    static func normalizedStationId(_ text: String) -> String {
        let digits = text.lowercased().filter { $0.isHexDigit }
        let separators = text.filter { $0 == ":" || $0 == "-" || $0 == "." }
        return digits.count == 12 && digits.count + separators.count == text.count ? digits : text
    }

    public var line: [UInt8] {
        var out = Array(Self.magic.utf8)
        for field in [
            "\(time)", name.text, network, sha256, nas, callingStationId, userName, acctSessionId,
        ] {
            out.append(0x09)
            out.append(contentsOf: TrustMapFormat.encodeNetwork(field))
        }
        out.append(0x0a)
        return out
    }

    /// The record in `bytes`, or why it is not one.
    public static func parse(_ bytes: [UInt8]) -> Result<SessionRecord, SessionRecordError> {
        guard bytes.last == 0x0a else { return .failure(.notOneLine) }
        let fields = bytes.dropLast().split(separator: 0x09, omittingEmptySubsequences: false)
        guard fields.count == 9, fields[0].elementsEqual(magic.utf8) else { return .failure(.notARecord) }
        let values = fields.dropFirst().map(TrustMapFormat.decodeNetwork)
        guard values.allSatisfy({ $0 != nil }) else { return .failure(.badEncoding) }
        let text = values.map { $0! }
        guard let time = Int64(text[0]), time >= 0 else { return .failure(.badField("time")) }
        guard let name = try? DeviceName(text[1]) else { return .failure(.badField("name")) }
        guard !text[2].isEmpty else { return .failure(.badField("network")) }
        guard text[3].count == 64, Hex.decode(text[3]) != nil else { return .failure(.badField("sha256")) }
        guard !text[4].isEmpty else { return .failure(.badField("nas")) }
        return .success(
            SessionRecord(
                time: time, name: name, network: text[2], sha256: text[3].lowercased(), nas: text[4],
                callingStationId: text[5], userName: text[6], acctSessionId: text[7]))
    }
}

/// Why a file in the sessions directory is not a session record.
public enum SessionRecordError: Error, Equatable, Sendable, CustomStringConvertible {
    case notOneLine
    case notARecord
    case badEncoding
    case badField(String)

    public var description: String {
        switch self {
        case .notOneLine: return "not one whole line"
        case .notARecord: return "not a \(SessionRecord.magic) record"
        case .badEncoding: return "a field is not percent-encoded correctly"
        case .badField(let field): return "invalid \(field)"
        }
    }
}
