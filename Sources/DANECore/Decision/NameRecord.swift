/// A name's state across passes, as `status.json` keeps it, and the grace rule
/// (design.md "Configuration", `sync.grace`): through SERVFAIL, timeouts and fetch failures the last-good
/// entry stays published for `grace`, marked `stale`; withdrawn, bogus and insecure drop it
/// at once.
public struct NameRecord: Equatable, Sendable {
    /// The states of `status.json` (design.md "Outputs"), written as their names.
    public enum State: String, CaseIterable, Codable, Equatable, Sendable {
        case ok, stale, withdrawn, bogus, insecure, error
    }

    public var name: DeviceName
    public var state: State
    /// What is published for the name (empty unless ok or stale).
    public var hashes: [String]
    public var pins: [TLSARecord]
    public var caFingerprints: [String]
    /// Serial and issuer key identifier of each published hash (the second gate's key).
    public var issuances: [CertificateIssuance]
    /// Unix seconds since the name has been in `state`.
    public var since: Int64
    /// Unix seconds of the last pass that found the name ok.
    public var lastOK: Int64?
    public var lastError: String?

    public init(
        name: DeviceName, state: State, hashes: [String] = [], pins: [TLSARecord] = [], caFingerprints: [String] = [],
        issuances: [CertificateIssuance] = [], since: Int64, lastOK: Int64? = nil, lastError: String? = nil
    ) {
        self.name = name
        self.state = state
        self.hashes = hashes
        self.pins = pins
        self.caFingerprints = caFingerprints
        self.issuances = issuances
        self.since = since
        self.lastOK = lastOK
        self.lastError = lastError
    }

    /// Whether the name belongs in the trust map.
    public var isPublished: Bool { state == .ok || state == .stale }

    /// What a secure answer publishes now: the hashes of its full certificates and its pins.
    public struct Publication: Equatable, Sendable {
        public var hashes: Set<String>
        public var pins: Set<TLSARecord>

        public init(hashes: Set<String>, pins: Set<TLSARecord>) {
            self.hashes = hashes
            self.pins = pins
        }
    }

    /// The record after a pass that concluded `outcome` at `now`.
    ///
    /// Grace never keeps what DNS securely replaced (design.md "Admission and failure rules"):
    /// when the error came with a secure answer (`securelyPublished`, e.g. the certificate's CA
    /// host failed), a stale record keeps only the hashes and pins that answer still publishes,
    /// and none kept means no grace.
    public static func advance(
        _ previous: NameRecord?, name: DeviceName, outcome: NameOutcome, now: Int64, grace: Int64,
        securelyPublished: Publication? = nil
    ) -> NameRecord {
        func since(_ state: State) -> Int64 {
            guard let previous, previous.state == state else { return now }
            return previous.since
        }
        switch outcome {
        case .ok(let accepted):
            return NameRecord(
                name: name, state: .ok, hashes: accepted.hashes, pins: accepted.pins,
                caFingerprints: accepted.caFingerprints, issuances: accepted.issuances, since: since(.ok), lastOK: now)
        case .error(let why):
            if let previous, previous.isPublished, let lastOK = previous.lastOK, now - lastOK <= grace {
                var stale = previous
                if let published = securelyPublished {
                    stale.hashes = previous.hashes.filter(published.hashes.contains)
                    stale.pins = previous.pins.filter(published.pins.contains)
                    stale.issuances = previous.issuances.filter { stale.hashes.contains($0.sha256) }
                }
                if !stale.hashes.isEmpty || !stale.pins.isEmpty {
                    stale.state = .stale
                    stale.since = since(.stale)
                    stale.lastError = why
                    return stale
                }
            }
            return NameRecord(name: name, state: .error, since: since(.error), lastOK: previous?.lastOK, lastError: why)
        case .withdrawn(let why):
            return NameRecord(
                name: name, state: .withdrawn, since: since(.withdrawn), lastOK: previous?.lastOK, lastError: why)
        case .bogus(let why):
            return NameRecord(name: name, state: .bogus, since: since(.bogus), lastOK: previous?.lastOK, lastError: why)
        case .insecure(let why):
            return NameRecord(
                name: name, state: .insecure, since: since(.insecure), lastOK: previous?.lastOK, lastError: why)
        }
    }

    /// Many names rely on the same CAs: a record takes the list of fingerprints an earlier
    /// record in `lists` already holds, so 100,000 records share a handful of lists instead of
    /// holding 100,000 copies.
    public mutating func shareCAFingerprints(with lists: inout [[String]: [String]]) {
        if let shared = lists[caFingerprints] {
            caFingerprints = shared
        } else {
            lists[caFingerprints] = caFingerprints
        }
    }
}
