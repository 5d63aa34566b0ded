import DANECore

/// TLSA records (RFC 6698 §2): the input as wire RDATA, as libunbound hands it over, and as
/// presentation text, as the trust map stores pins. Whatever parses must survive the trip to
/// the other form and back unchanged.
enum TLSARecordFuzz {
    static func run(_ bytes: [UInt8]) {
        if let record = try? TLSARecord(rdata: bytes) {
            require(
                [record.usage.value, record.selector.value, record.matchingType.value] + record.data == bytes,
                "rdata \(bytes) read as \(record.presentation)")
            checkRoundTrips(record)
        }
        if let record = try? TLSARecord(presentation: String(decoding: bytes, as: UTF8.self)) {
            checkRoundTrips(record)
        }
    }

    static func checkRoundTrips(_ record: TLSARecord) {
        let wire = [record.usage.value, record.selector.value, record.matchingType.value] + record.data
        require((try? TLSARecord(rdata: wire)) == record, "\(record.presentation) does not survive its rdata")
        require(
            (try? TLSARecord(presentation: record.presentation)) == record,
            "\(record.presentation) does not survive its presentation form")
        require(
            !record.isPin || record.data.count == record.matchingType.digestLength,
            "pin \(record.presentation) has data of the wrong length")
        _ = record.description
        _ = record.unknownFields
    }
}
