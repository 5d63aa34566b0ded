import DANECore
import Testing

/// design.md "Protocol facts": Called-Station-Id is `MAC:SSID`, the MAC in any of three forms.
struct CalledStationIdTests {
    @Test(arguments: [
        ("AA-BB-CC-DD-EE-FF:corp-iot", "corp-iot"),
        ("aa-bb-cc-dd-ee-ff:corp-iot", "corp-iot"),
        ("aabbccddeeff:corp-iot", "corp-iot"),
        ("AABBCCDDEEFF:corp-iot", "corp-iot"),
        ("AA:BB:CC:DD:EE:FF:corp-iot", "corp-iot"),
        ("AA-BB-CC-DD-EE-FF:Corp WiFi", "Corp WiFi"),
        ("AA-BB-CC-DD-EE-FF:c", "c"),
        ("AA-BB-CC-DD-EE-FF:Café ☕", "Café ☕"),
    ])
    func test_ssid_isWhatFollowsTheMAC(_ value: String, _ ssid: String) {
        #expect(CalledStationId.ssid(from: value) == ssid)
    }

    @Test(arguments: [
        ("AA-BB-CC-DD-EE-FF:corp:iot", "corp:iot"),
        ("aabbccddeeff:corp:iot:", "corp:iot:"),
        ("AA:BB:CC:DD:EE:FF::", ":"),
        ("AA:BB:CC:DD:EE:FF:a:b", "a:b"),
    ])
    func test_ssidContainingColons_isTakenVerbatim(_ value: String, _ ssid: String) {
        #expect(CalledStationId.ssid(from: value) == ssid)
    }

    @Test(arguments: ["AA-BB-CC-DD-EE-FF", "aabbccddeeff", "AA:BB:CC:DD:EE:FF"])
    func test_bareMAC_carriesNoSSID(_ value: String) {
        #expect(CalledStationId.ssid(from: value) == nil)
    }

    @Test(arguments: ["AA-BB-CC-DD-EE-FF:", "aabbccddeeff:", "AA:BB:CC:DD:EE:FF:"])
    func test_emptySSID_isNoSSID(_ value: String) {
        #expect(CalledStationId.ssid(from: value) == nil)
    }

    @Test(arguments: [
        "", "corp-iot", ":corp-iot", "garbage:corp-iot", "GG-BB-CC-DD-EE-FF:corp-iot", "AA-BB:CC-DD-EE-FF:corp-iot",
        "AA-BB-CC-DD-EE:corp-iot", "aabbccddeef:corp-iot", "AA BB CC DD EE FF:corp-iot", "AA-BB-CC-DD-EE-FF corp-iot",
    ])
    func test_garbage_carriesNoSSID(_ value: String) {
        #expect(CalledStationId.ssid(from: value) == nil)
    }
}
