extension TrustMapFormat {
    /// The first line of a trust map (see ``TrustMapFormat``), one type for the writer, the
    /// reader and the store that compares a new map with the one on disk:
    ///
    /// `danesync-trustmap/3 generated=<unix seconds> entries=<10 digits> body=<12 digits> index=<12 digits> fnv=<16 hex>\n`
    ///
    /// `entries` and `body` are zero-padded to a fixed width, so the writer can render the
    /// body into the file buffer first and fill the header in afterwards.
    public struct Header: Equatable, Sendable {
        /// Unix seconds of the pass that wrote the map.
        public var generated: Int64
        public var entries: Int
        /// Octets of the entry lines after the header line.
        public var bodyLength: Int
        /// Octets of the hash index after the entry lines (format 2; 0 in format 1).
        public var indexLength: Int
        /// FNV-1a-64 of everything after the header line (entries and index).
        public var bodyChecksum: UInt64
        /// The format the map is in (1, 2 or 3); the writer writes the current one.
        public var version = 3

        public init(generated: Int64, entries: Int, bodyLength: Int, indexLength: Int = 0, bodyChecksum: UInt64) {
            self.generated = generated
            self.entries = entries
            self.bodyLength = bodyLength
            self.indexLength = indexLength
            self.bodyChecksum = bodyChecksum
        }

        /// A header is at most this long; a reader looks no further for its line break.
        public static let maximumLength = 512

        /// The line, ending in a line break.
        public var line: [UInt8] {
            Array(
                "\(magic) generated=\(generated) entries=\(Self.padded(entries, 10)) body=\(Self.padded(bodyLength, 12)) index=\(Self.padded(indexLength, 12)) fnv=\(hex64(bodyChecksum))\n"
                    .utf8)
        }

        /// Whether two maps hold the same body: everything but the generation time agrees.
        public func describesSameBody(as other: Header) -> Bool {
            entries == other.entries && bodyLength == other.bodyLength && indexLength == other.indexLength
                && bodyChecksum == other.bodyChecksum
        }

        /// Parses a header line (without its line break).
        public init<Bytes: Collection<UInt8>>(parsing line: Bytes) throws(TrustMapError) {
            let fields = String(decoding: line, as: UTF8.self).split(separator: " ")
            guard let first = fields.first, first == magic || first == magicVersion2 || first == magicVersion1 else {
                throw .badHeader("expected \"\(magic)\" (or \"\(magicVersion2)\", \"\(magicVersion1)\")")
            }
            // Pairs, not a Dictionary: no hashing at the hook's start-up for six fields.
            var pairs: [(key: Substring, value: Substring)] = []
            for field in fields.dropFirst() {
                let parts = field.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { throw .badHeader("field \"\(field)\"") }
                pairs.append((parts[0], parts[1]))
            }
            func value(_ key: Substring) -> Substring? { pairs.last { $0.key == key }?.value }
            guard let generated = value("generated").flatMap({ Int64($0) }),
                let entries = value("entries").flatMap({ Int($0) }),
                let body = value("body").flatMap({ Int($0) }),
                let fnv = value("fnv").flatMap({ UInt64($0, radix: 16) })
            else { throw .badHeader("missing generated, entries, body or fnv") }
            // Formats 2 and 3 always have an index length; format 1 has none.
            let index: Int
            if first != magicVersion1 {
                guard let length = value("index").flatMap({ Int($0) }) else { throw .badHeader("missing index") }
                index = length
            } else {
                index = 0
            }
            self.init(generated: generated, entries: entries, bodyLength: body, indexLength: index, bodyChecksum: fnv)
            version = first == magic ? 3 : first == magicVersion2 ? 2 : 1
        }

        static func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
    }
}
