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
                name: record.name.text, networks: networks(record.name), state: record.state,
                hashes: record.hashes, pins: record.pins.map(\.presentation), caFingerprints: record.caFingerprints,
                since: record.since, lastOK: record.lastOK, lastError: record.lastError)
        }
    }

    /// JSON with one name per line: the document minus its names is encoded once, and each
    /// name on its own, so a pass over 100,000 names never holds an encoder tree of them all
    /// (and ``read(_:)`` can decode it line by line).
    public func encoded() throws -> [UInt8] {
        var out: [UInt8] = []
        try encode { out.append(contentsOf: $0) }
        return out
    }

    /// The same bytes as ``encoded()``, handed out in pieces as they are made.
    public func encode(_ emit: ([UInt8]) throws -> Void) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var header = self
        header.names = []
        let frame = Array(try encoder.encode(header))
        let marker = Array(#""names":[]"#.utf8)
        guard let split = frame.firstRange(of: marker) else { return try emit(frame + [0x0a]) }
        try emit(Array(frame[..<split.lowerBound]) + Array(#""names":["#.utf8))
        for (index, name) in names.enumerated() {
            var line: [UInt8] = [0x0a]
            line.append(contentsOf: try encoder.encode(name))
            if index < names.count - 1 { line.append(UInt8(ascii: ",")) }
            try emit(line)
        }
        try emit([0x0a, UInt8(ascii: "]")] + Array(frame[split.upperBound...]) + [0x0a])
    }

    /// Reads a status document: line by line when it has the layout ``encoded()`` writes,
    /// else as one JSON document.
    public static func read(_ path: String) -> StatusDocument? {
        var names: [Name] = []
        guard var document = scan(path, each: { names.append($0) }) else { return nil }
        if document.names.isEmpty { document.names = names }
        return document
    }

    /// The records to carry into the next pass, converted as they are read (names whose text
    /// no longer parses are dropped). Lists that many names share (CA fingerprints) share
    /// storage, so 100,000 records do not hold 100,000 copies.
    public static func readRecords(_ path: String) -> [DeviceName: NameRecord] {
        var out: [DeviceName: NameRecord] = [:]
        var shared: [[String]: [String]] = [:]
        let document = scan(path) { entry in
            guard var record = Self.record(from: entry) else { return }
            if let existing = shared[record.caFingerprints] {
                record.caFingerprints = existing
            } else {
                shared[record.caFingerprints] = record.caFingerprints
            }
            out[record.name] = record
        }
        // A document in another layout was decoded whole, with its names inside.
        if let whole = document?.records { out.merge(whole) { _, record in record } }
        return out
    }

    /// Reads the frame and hands each name to `each` as it is decoded (the layout
    /// ``encoded()`` writes); a document in any other JSON layout is decoded whole and
    /// returned with its names.
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
            guard let name = try? decoder.decode(Name.self, from: Data(json)) else { return nil }
            each(name)
        }
        return nil
    }

    /// The names as the records the next pass starts from (names that no longer parse are
    /// dropped).
    public var records: [DeviceName: NameRecord] {
        var out: [DeviceName: NameRecord] = [:]
        for entry in names {
            if let record = Self.record(from: entry) { out[record.name] = record }
        }
        return out
    }

    static func record(from entry: Name) -> NameRecord? {
        guard let name = try? DeviceName(entry.name) else { return nil }
        return NameRecord(
            name: name, state: entry.state, hashes: entry.hashes,
            pins: entry.pins.compactMap { try? TLSARecord(presentation: $0) }, caFingerprints: entry.caFingerprints,
            since: entry.since, lastOK: entry.lastOK, lastError: entry.lastError)
    }
}
