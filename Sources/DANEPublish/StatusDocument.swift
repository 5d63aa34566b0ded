import DANECore
import Foundation

/// `status.json`: the last pass, for `danesync status`, monitoring, and the next pass (which
/// reads it back to apply `sync.grace` and keep `since`).
public struct StatusDocument: Codable, Equatable, Sendable {
    public struct Counts: Codable, Equatable, Sendable {
        public var ok = 0, stale = 0, withdrawn = 0, bogus = 0, insecure = 0, error = 0
    }

    public struct CA: Codable, Equatable, Sendable {
        public var sha256: String
        public var subject: String

        public init(sha256: String, subject: String) {
            self.sha256 = sha256
            self.subject = subject
        }
    }

    public struct Name: Codable, Equatable, Sendable {
        public var name: String
        public var networks: [String]
        public var state: String
        public var hashes: [String]
        public var pins: [String]
        public var caFingerprints: [String]
        public var since: Int64
        public var lastOK: Int64?
        public var lastError: String?

        enum CodingKeys: String, CodingKey {
            case name, networks, state, hashes, pins, since
            case caFingerprints = "ca_fingerprints"
            case lastOK = "last_ok"
            case lastError = "last_error"
        }
    }

    public var version = 1
    /// Unix seconds the pass started, and its length.
    public var time: Int64
    public var durationSeconds: Double
    public var policySource: String
    public var policyError: String?
    public var counts: Counts
    public var cas: [CA]
    public var names: [Name]

    enum CodingKeys: String, CodingKey {
        case version, time, counts, cas, names
        case durationSeconds = "duration_seconds"
        case policySource = "policy_source"
        case policyError = "policy_error"
    }

    public init(
        time: Int64, durationSeconds: Double, policySource: String, policyError: String?, records: [NameRecord],
        networks: (DeviceName) -> [String], cas: [CA]
    ) {
        self.time = time
        self.durationSeconds = durationSeconds
        self.policySource = policySource
        self.policyError = policyError
        self.cas = cas.sorted { $0.sha256 < $1.sha256 }
        var counts = Counts()
        for record in records {
            switch record.state {
            case .ok: counts.ok += 1
            case .stale: counts.stale += 1
            case .withdrawn: counts.withdrawn += 1
            case .bogus: counts.bogus += 1
            case .insecure: counts.insecure += 1
            case .error: counts.error += 1
            }
        }
        self.counts = counts
        self.names = records.sorted { $0.name < $1.name }.map { record in
            Name(
                name: record.name.text, networks: networks(record.name), state: record.state.rawValue,
                hashes: record.hashes, pins: record.pins.map(\.presentation), caFingerprints: record.caFingerprints,
                since: record.since, lastOK: record.lastOK, lastError: record.lastError)
        }
    }

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0a]
    }

    public static func read(_ path: String) -> StatusDocument? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(StatusDocument.self, from: data)
    }

    /// The records to carry into the next pass (names whose text no longer parses are dropped).
    public var records: [DeviceName: NameRecord] {
        var out: [DeviceName: NameRecord] = [:]
        for entry in names {
            guard let name = try? DeviceName(entry.name), let state = NameRecord.State(rawValue: entry.state) else {
                continue
            }
            out[name] = NameRecord(
                name: name, state: state, hashes: entry.hashes,
                pins: entry.pins.compactMap { try? TLSARecord(presentation: $0) }, caFingerprints: entry.caFingerprints,
                since: entry.since, lastOK: entry.lastOK, lastError: entry.lastError)
        }
        return out
    }
}
