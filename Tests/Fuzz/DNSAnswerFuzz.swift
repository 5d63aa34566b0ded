import CDNSAnswer

/// DNS messages (RFC 1035 §4.1) as libunbound's event mode hands them over, read by
/// `dsync_dns_answer_parse` (ldns) for the agent's lookups and the hook's live check: the TLSA
/// records at the query name after its CNAMEs, and DS for `zone-anchors`. TLSA and DS rdata
/// hold no domain names, so each record read must be a run of the message's own bytes; the
/// least TTL is 0 without records; the same message reads the same twice.
enum DNSAnswerFuzz {
    struct Parsed: Equatable {
        let rcode: Int32
        let ttl: UInt32
        let records: [[UInt8]]
    }

    static func run(_ message: [UInt8]) {
        for type: UInt16 in [52, 43] {
            let first = parse(message, type: type)
            require(parse(message, type: type) == first, "type \(type): two reads of one message differ")
            guard let first else { continue }
            require(!first.records.isEmpty || first.ttl == 0, "type \(type): a TTL of \(first.ttl) without records")
            for record in first.records {
                require(contains(message, record), "type \(type): rdata \(record) is not in the message")
            }
        }
    }

    /// The answer, or nil when the message does not parse.
    static func parse(_ message: [UInt8], type: UInt16) -> Parsed? {
        var answer = dsync_dns_answer()
        guard dsync_dns_answer_parse(message, message.count, type, &answer) == 0 else {
            require(answer.count == 0 && answer.rdata == nil, "a failed parse left records behind")
            return nil
        }
        defer { dsync_dns_answer_free(&answer) }
        let records = (0..<answer.count).map {
            Array(UnsafeBufferPointer(start: answer.rdata[$0], count: answer.sizes[$0]))
        }
        return Parsed(rcode: answer.rcode, ttl: answer.ttl, records: records)
    }

    static func contains(_ message: [UInt8], _ part: [UInt8]) -> Bool {
        guard part.count <= message.count else { return false }
        return part.isEmpty
            || (0...(message.count - part.count)).contains { message[$0..<($0 + part.count)].elementsEqual(part) }
    }
}
