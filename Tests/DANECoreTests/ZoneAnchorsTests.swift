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

    /// What the hook adds to libunbound: the file as the agent renders it, or nothing at all.
    @Test func test_lines_readBackWhatTheAgentWrites_andRefuseTheWholeFileForOneBadLine() throws {
        // As ZoneAnchorSource writes them: owners from candidateZones, rdata from DNS (edge
        // values: key tag 65535, algorithm and digest type 255, a 1-byte digest, the longest
        // owner a device name allows).
        let longestName = try DeviceName(
            "x." + [63, 63, 63, 59].map { String(repeating: "a", count: $0) }.joined(separator: "."))
        #expect(longestName.text.utf8.count == DeviceName.maxNameLength)
        let owners =
            ZoneAnchors.candidateZones(of: try DeviceName("sensor1._device.example.com"))
            + ZoneAnchors.candidateZones(of: longestName).prefix(1)
        let rdatas: [[UInt8]] = [
            [0x30, 0x39, 13, 2] + [UInt8](repeating: 0xab, count: 32), [0xff, 0xff, 255, 255, 0x0a], [0, 0, 8, 1, 0],
        ]
        let written = owners.flatMap { owner in rdatas.compactMap { ZoneAnchors.line(owner: owner, rdata: $0) } }
        #expect(written.count == 12)
        #expect(ZoneAnchors.lines(in: ZoneAnchors.render(written)) == written.sorted())
        #expect(ZoneAnchors.lines(in: []) == [], "no zone validated: nothing to add")
        let good = "example.com. DS 1 13 2 AA"
        for bad in [
            "this is not a trust anchor", "example.com. DS 1 13 2", "example.com DS 1 13 2 AA",
            "example.com. DNSKEY 1 13 2 AA", "example.com. DS 65536 13 2 AA", "example.com. DS 1 256 2 AA",
            "example.com. DS 1 13 -2 AA", "example.com. DS 1 13 2 AAA", "example.com. DS 1 13 2 ZZ",
            "example.com. DS 1 13 2 ", "example.com.  DS 1 13 2 AA", "exa mple.com. DS 1 13 2 AA",
            "a..b. DS 1 13 2 AA", "example.com. DS 1 13 2 AA ; comment", "example.com. DS 1 13 2 AA\r",
        ] {
            #expect(ZoneAnchors.lines(in: Array("\(good)\n\(bad)\n".utf8)) == nil, "\(bad)")
        }
    }
}
