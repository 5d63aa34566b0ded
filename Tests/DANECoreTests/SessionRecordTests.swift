import DANECore
import Testing

/// The hook's session records (design.md "Revocation and disconnect"): one line each, every
/// field percent-encoded, keyed by (NAS, station).
struct SessionRecordTests {
    static let sensor = try! DeviceName("sensor1._device.example.com")
    static let hash = String(repeating: "ab", count: 32)

    static func record(
        station: String = "02-00-00-00-00-01", user: String = "sensor1._device.example.com", session: String = "5F3A",
        nas: String = "192.0.2.10", network: String = "corp-iot", time: Int64 = 1_700_000_000
    ) -> SessionRecord {
        SessionRecord(
            time: time, name: sensor, network: network, sha256: hash, nas: nas, callingStationId: station,
            userName: user, acctSessionId: session)
    }

    /// A stand-in digest: the key itself, so file names can be compared by eye.
    static func identity(_ bytes: [UInt8]) -> [UInt8] { bytes + [UInt8](repeating: 0, count: 32) }

    @Test func test_record_roundTrips_throughItsLine() throws {
        let record = Self.record()
        #expect(try SessionRecord.parse(record.line).get() == record)
        #expect(String(decoding: record.line, as: UTF8.self).hasPrefix("danesync-session/1\t1700000000\t"))
    }

    @Test func test_hostileValues_stayInTheirField_andOnOneLine() throws {
        let record = Self.record(station: "aa\tbb\ncc", user: "x\ty\r\n%00 z", session: "", network: "Café Wi-Fi")
        let line = record.line
        #expect(line.filter { $0 == 0x0a }.count == 1)
        #expect(line.filter { $0 == 0x09 }.count == 8)
        #expect(try SessionRecord.parse(line).get() == record)
    }

    @Test func test_sameStationOnTheSameNAS_hasOneKey_inAnySpelling() {
        let a = Self.record(station: "02-00-00-AA-BB-01", session: "1")
        let b = Self.record(station: "02:00:00:aa:bb:01", user: "anonymous@example.com", session: "2")
        let c = Self.record(station: "0200.00aa.bb01")
        #expect(a.key == b.key && b.key == c.key)
        #expect(a.fileName(sha256: Self.identity) == b.fileName(sha256: Self.identity))
        #expect(Self.record(nas: "192.0.2.11").key != a.key, "another NAS: another session")
    }

    @Test func test_withoutAStation_theSessionIdAndUserMakeTheKey() {
        let a = Self.record(station: "", session: "A1")
        #expect(a.key != Self.record(station: "", session: "A2").key)
        #expect(a.key != Self.record(station: "", user: "other", session: "A1").key)
    }

    @Test func test_fileName_is32HexDigits_andTheSuffix() {
        let name = Self.record().fileName(sha256: { _ in [UInt8](repeating: 0xfe, count: 32) })
        #expect(name == String(repeating: "fe", count: 16) + ".session")
    }

    @Test(arguments: [
        ("", SessionRecordError.notOneLine),
        ("danesync-session/1\t1\n", .notARecord),
        ("danesync-session/2\t1\ta\tb\tc\td\te\tf\tg\n", .notARecord),
        ("danesync-session/1\tx\tsensor1._device.example.com\tn\t\(hash)\t192.0.2.1\t\t\t\n", .badField("time")),
        ("danesync-session/1\t1\ta..b\tn\t\(hash)\t192.0.2.1\t\t\t\n", .badField("name")),
        ("danesync-session/1\t1\tsensor1._device.example.com\tn\tabc\t192.0.2.1\t\t\t\n", .badField("sha256")),
        ("danesync-session/1\t1\tsensor1._device.example.com\tn\t\(hash)\t\t\t\t\n", .badField("nas")),
        ("danesync-session/1\t1\tsensor1._device.example.com\t%zz\t\(hash)\t192.0.2.1\t\t\t\n", .badEncoding),
    ])
    func test_whatIsNotARecord_saysWhy(_ text: String, _ error: SessionRecordError) {
        #expect(SessionRecord.parse(Array(text.utf8)) == .failure(error))
    }
}
