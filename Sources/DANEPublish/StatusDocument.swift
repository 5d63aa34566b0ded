import DANECore
import Foundation

/// Lines of a file, read in chunks.
struct LineReader {
    let file: FileHandle
    var buffer: [UInt8] = []
    var start = 0
    var atEnd = false

    init(_ file: FileHandle) {
        self.file = file
    }

    mutating func next() -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0a) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                return line
            }
            buffer.removeFirst(start)
            start = 0
            let chunk = file.readData(ofLength: 1 << 16)
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}

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
        public var state: NameRecord.State
        public var hashes: [String]
        public var pins: [String]
        public var caFingerprints: [String]
        /// Serial and issuer key identifier per published hash (absent in files of earlier
        /// versions: such a name cannot pass the second gate until its next ok pass).
        public var certificates: [CertificateIssuance]?
        public var since: Int64
        public var lastOK: Int64?
        public var lastError: String?

        enum CodingKeys: String, CodingKey {
            case name, networks, state, hashes, pins, since, certificates
            case caFingerprints = "ca_fingerprints"
            case lastOK = "last_ok"
            case lastError = "last_error"
        }
    }

    /// One session the pass had disconnected (design.md "Revocation and disconnect").
    public struct Disconnect: Codable, Equatable, Sendable {
        public var name: String
        public var network: String
        public var nas: String
        public var callingStationId: String
        public var userName: String
        public var acctSessionId: String
        public var result: DisconnectDecision.Result
        /// What the command said (its first output line), or why nothing was sent.
        public var detail: String

        public init(_ record: SessionRecord, result: DisconnectDecision.Result, detail: String) {
            name = record.name.text
            network = record.network
            nas = record.nas
            callingStationId = record.callingStationId
            userName = record.userName
            acctSessionId = record.acctSessionId
            self.result = result
            self.detail = detail
        }

        enum CodingKeys: String, CodingKey {
            case name, network, nas, result, detail
            case callingStationId = "calling_station_id"
            case userName = "user_name"
            case acctSessionId = "acct_session_id"
        }
    }

    public var version = 1
    /// Unix seconds the pass started, and its length.
    public var time: Int64
    public var durationSeconds: Double
    public var policySource: String
    public var policyError: String?
    /// Unix time of a `ca.pem` change whose `sync.on_ca_change` failed or was interrupted in an
    /// earlier pass, and runs again after this one.
    public var onCAChangePendingSince: Int64?
    public var counts: Counts
    public var cas: [CA]
    public var names: [Name]
    /// The sessions this pass acted on; absent when none.
    public var disconnects: [Disconnect]?

    enum CodingKeys: String, CodingKey {
        case version, time, counts, cas, names, disconnects
        case durationSeconds = "duration_seconds"
        case policySource = "policy_source"
        case policyError = "policy_error"
        case onCAChangePendingSince = "on_ca_change_pending_since"
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
        // Sorted by name; a pass hands them sorted, and a sorted copy of 100,000 records is not free.
        let sorted =
            zip(records, records.dropFirst()).allSatisfy { $0.name < $1.name }
            ? records : records.sorted { $0.name < $1.name }
        self.names = sorted.map { record in
            Name(
                name: record.name.text, networks: networks(record.name), state: record.state,
                hashes: record.hashes, pins: record.pins.map(\.presentation), caFingerprints: record.caFingerprints,
                // The record's own array: 100,000 names share their issuances, not copies.
                certificates: record.issuances.isEmpty ? nil : record.issuances,
                since: record.since, lastOK: record.lastOK, lastError: record.lastError)
        }
    }

    /// Reads a status document: line by line when it has the layout ``encoded()`` writes,
    /// else as one JSON document.
    public static func read(_ path: String) -> StatusDocument? {
        var names: [Name] = []
        guard var document = scan(path, each: { names.append($0) }) else { return nil }
        if document.names.isEmpty { document.names = names }
        return document
    }

    /// Records read back for the next pass, and the entries refused on the way.
    /// The previous pass's records, handed to the next pass one name at a time (``take(_:)``).
    /// From a `status.json` in the one-name-per-line layout only an index of the lines is held
    /// and each name is decoded when taken — 100,000 decoded records were most of a warm
    /// pass's memory; from any other source, the decoded records.
    public final class ReadBack: @unchecked Sendable {
        /// ``take(_:)`` is called by the pass's name tasks at once.
        private let lock = NSLock()
        private let decoder = JSONDecoder()
        private var records: [DeviceName: NameRecord]
        private let lines: StatusLines?
        private let now: Int64
        private let clockSkew: Duration
        /// One line per refused entry so far: which, and the rule it broke.
        public var rejected: [String] { lock.withLock { problems } }
        private var problems: [String]

        public init(
            records: [DeviceName: NameRecord] = [:], rejected: [String] = [], now: Int64 = 0,
            clockSkew: Duration = .zero
        ) {
            self.records = records
            self.problems = rejected
            self.lines = nil
            self.now = now
            self.clockSkew = clockSkew
        }

        init(lines: StatusLines, now: Int64, clockSkew: Duration) {
            self.records = [:]
            self.problems = lines.rejected
            self.lines = lines
            self.now = now
            self.clockSkew = clockSkew
        }

        /// The record of `name`, checked as untrusted input (``record(from:now:clockSkew:)``),
        /// once: `nil` when there is none or it breaks a rule (then named in ``rejected``).
        public func take(_ name: DeviceName) -> NameRecord? {
            let (kept, line) = lock.withLock { (records.removeValue(forKey: name), lines?.take(name)) }
            if let kept { return kept }
            guard let line else { return nil }
            let entry: Name
            do {
                entry = try decoder.decode(Name.self, from: Data(line.json))
            } catch {
                lock.withLock {
                    problems.append("status.json line \(line.number): not a name entry (unknown state or malformed)")
                }
                return nil
            }
            switch record(from: entry, now: now, clockSkew: clockSkew) {
            case .failure(let problem):
                lock.withLock { problems.append(problem.description) }
                return nil
            case .success(let record):
                return record
            }
        }
    }

    /// The records to carry into the next pass, converted and checked as they are read
    /// (``record(from:now:clockSkew:)``). `status.json` is input like any other
    /// (design.md "Admission and failure rules"): an entry that breaks a rule is dropped and never grants
    /// grace; an unreadable file means no previous records. Lists that many names share (CA
    /// fingerprints) share storage, so 100,000 records do not hold 100,000 copies.
    public static func readRecords(_ path: String, now: Int64, clockSkew: Duration) -> ReadBack {
        if let lines = StatusLines(path: path) { return ReadBack(lines: lines, now: now, clockSkew: clockSkew) }
        // A document in another layout is decoded whole, with its names inside.
        var records: [DeviceName: NameRecord] = [:]
        var rejected: [String] = []
        for entry in read(path)?.names ?? [] {
            switch record(from: entry, now: now, clockSkew: clockSkew) {
            case .failure(let problem): rejected.append(problem.description)
            case .success(let record): records[record.name] = record
            }
        }
        return ReadBack(records: records, rejected: rejected, now: now, clockSkew: clockSkew)
    }

    /// Reads the frame and hands each name to `each` as it is decoded (the layout
    /// ``encoded()`` writes; a line that does not decode is left out); a document in any other
    /// JSON layout is decoded whole and returned with its names.
    static func scan(_ path: String, each: (Name) -> Void) -> StatusDocument? {
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        let decoder = JSONDecoder()
        var lines = LineReader(file)
        guard let first = lines.next() else { return nil }
        guard first.last == UInt8(ascii: "[") else {
            var whole = first
            while let line = lines.next() {
                whole.append(0x0a)
                whole.append(contentsOf: line)
            }
            return try? decoder.decode(StatusDocument.self, from: Data(whole))
        }
        while let line = lines.next() {
            if line.first == UInt8(ascii: "]") {
                return try? decoder.decode(StatusDocument.self, from: Data(first + line))
            }
            let json = line.last == UInt8(ascii: ",") ? line.dropLast() : line[...]
            if let name = try? decoder.decode(Name.self, from: Data(json)) { each(name) }
        }
        return nil
    }

    /// Why an entry read back from `status.json` is refused.
    public struct RecordProblem: Error, CustomStringConvertible {
        public var name: String
        public var rule: String
        public var description: String {
            "status.json entry \"\(PrintableText.oneLine(name, limit: 80))\" dropped: \(rule)"
        }
    }

    /// One entry as a record, if it keeps the rules: its name parses; hashes and CA
    /// fingerprints are SHA-256 in 64 lowercase hex digits; pins are TLSA presentation; `since`
    /// and `last_ok` are not later than `now` plus `clockSkew`.
    public static func record(from entry: Name, now: Int64, clockSkew: Duration) -> Result<NameRecord, RecordProblem> {
        func problem(_ rule: String) -> Result<NameRecord, RecordProblem> {
            .failure(RecordProblem(name: entry.name, rule: rule))
        }
        guard let name = try? DeviceName(entry.name) else { return problem("not a device name") }
        if let bad = (entry.hashes + entry.caFingerprints).first(where: { !Self.isSHA256Hex($0) }) {
            return problem("\"\(PrintableText.oneLine(bad, limit: 80))\" is not 64 lowercase hex digits")
        }
        var pins: [TLSARecord] = []
        for text in entry.pins {
            guard let pin = try? TLSARecord(presentation: text) else {
                return problem("pin \"\(PrintableText.oneLine(text, limit: 80))\" is not a TLSA record")
            }
            pins.append(pin)
        }
        var issuances: [CertificateIssuance] = []
        for certificate in entry.certificates ?? [] {
            guard entry.hashes.contains(certificate.sha256),
                CertificateIssuance.normalizedSerial(certificate.serial) == certificate.serial,
                CertificateIssuance.normalizedKeyIdentifier(certificate.authorityKeyIdentifier)
                    == certificate.authorityKeyIdentifier
            else {
                return problem(
                    "certificate entry for \(PrintableText.oneLine(certificate.sha256, limit: 80)) is malformed")
            }
            issuances.append(certificate)
        }
        let latest = now + clockSkew.components.seconds
        if entry.since > latest || (entry.lastOK ?? 0) > latest {
            return problem(
                "its times lie in the future (since \(entry.since), last_ok \(entry.lastOK ?? 0), now \(now))")
        }
        return .success(
            NameRecord(
                name: name, state: entry.state, hashes: entry.hashes, pins: pins, caFingerprints: entry.caFingerprints,
                issuances: issuances, since: entry.since, lastOK: entry.lastOK, lastError: entry.lastError))
    }

    static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
