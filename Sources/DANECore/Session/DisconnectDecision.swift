/// Which recorded sessions the agent has disconnected, and what an answer means
/// (design.md "Revocation and disconnect"). Pure: the agent reads the records and the trust
/// map and runs the command; this decides.
public enum DisconnectDecision {
    /// What to do with one session record after a pass has published.
    public enum Action: Equatable, Sendable {
        /// Its device is still admitted: nothing.
        case keep
        /// Not refreshed by an authentication within `disconnect.session_max_age`: removed unread.
        case expire
        /// Its device is no longer admitted: send the Disconnect-Request to this NAS.
        case disconnect(Config.Disconnect.NAS)
        /// No longer admitted, but its NAS is not in `disconnect.nas`: nothing can be sent.
        case unknownNAS
    }

    /// The NAS's answer, as the command's exit code tells it.
    public enum Result: String, Codable, Equatable, Sendable, CaseIterable {
        case ack
        case nak
        case noAnswer = "no-answer"
        case unknownNAS = "unknown-nas"

        /// design.md "Revocation and disconnect": 0 Disconnect-ACK, 1 Disconnect-NAK (the NAS
        /// has no such session), anything else no answer.
        public init(exitCode: Int32?) {
            switch exitCode {
            case 0: self = .ack
            case 1: self = .nak
            default: self = .noAnswer
            }
        }

        /// Whether the record goes: an answer settles the session, and an unknown NAS can
        /// never be asked; without an answer the next pass tries again.
        public var removesRecord: Bool { self != .noAnswer }

        /// Whether the NAS answered (`once` exits 1 otherwise).
        public var isAnswered: Bool { self == .ack || self == .nak }
    }

    /// The action for `record` at `now`, given the trust-map entries for its (network, name)
    /// and (`*`, name) as just published.
    public static func action(
        for record: SessionRecord, now: Int64, maxAge: Duration, networkEntry: TrustMapEntry?,
        anyEntry: TrustMapEntry?, nas: [Config.Disconnect.NAS]
    ) -> Action {
        if now - record.time > maxAge.components.seconds { return .expire }
        if isAdmitted(record, by: networkEntry) || isAdmitted(record, by: anyEntry) { return .keep }
        guard let address = IPAddress(record.nas), let target = nas.first(where: { IPAddress($0.address) == address })
        else { return .unknownNAS }
        return .disconnect(target)
    }

    /// Whether `entry` still admits the session's certificate: listed by hash, or by an
    /// `x 0 1` pin (the SHA-256 of the certificate, which is what the session holds). Any other
    /// pin cannot be checked against a hash, so an entry with one keeps the session (a known
    /// limit, design.md "Revocation and disconnect"). A withdrawn entry admits nothing.
    static func isAdmitted(_ record: SessionRecord, by entry: TrustMapEntry?) -> Bool {
        guard let entry, entry.withdrawnAt == nil else { return false }
        if entry.hashes.contains(record.sha256) { return true }
        let hash = Hex.decode(record.sha256)
        return entry.pins.contains { pin in
            pin.selector == .cert && pin.matchingType == .sha256 ? pin.data == hash : true
        }
    }
}
