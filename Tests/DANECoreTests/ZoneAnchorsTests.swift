import DANECore
import Testing

/// `zone-anchors` (design.md "Outputs"): the candidate zones of a name, and DS records in the
/// presentation format unbound reads as trust anchors (RFC 4034 §5.3).
struct ZoneAnchorsTests {
    @Test func test_candidateZones_areTheSuffixesAboveTheName_closestFirst() throws {
        #expect(
            ZoneAnchors.candidateZones(of: try DeviceName("sensor1._device.example.com"))
                == ["_device.example.com.", "example.com.", "com."])
        #expect(ZoneAnchors.candidateZones(of: try DeviceName("a._b.c")) == ["_b.c.", "c."])
    }

    @Test func test_DSRdata_isWrittenAsUnboundReadsIt() {
        let rdata: [UInt8] = [0x30, 0x39, 13, 2] + [UInt8](repeating: 0xab, count: 32)
        #expect(
            ZoneAnchors.line(owner: "example.com.", rdata: rdata)
                == "example.com. DS 12345 13 2 " + String(repeating: "AB", count: 32))
        #expect(ZoneAnchors.line(owner: "example.com.", rdata: [0, 1, 13, 2]) == nil, "no digest")
    }

    @Test func test_file_isSortedLines() {
        #expect(
            String(decoding: ZoneAnchors.render(["b. DS 2 13 2 BB", "a. DS 1 13 2 AA"]), as: UTF8.self)
                == "a. DS 1 13 2 AA\nb. DS 2 13 2 BB\n")
    }
}
