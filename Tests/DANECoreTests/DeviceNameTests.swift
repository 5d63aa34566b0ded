import DANECore
import Testing

/// design.md "Protocol facts": identity names, and the authority host and CA URL derived from them.
struct DeviceNameTests {
    static func name(_ text: String) throws -> DeviceName { try DeviceName(text) }

    // MARK: valid names

    @Test(arguments: [
        "sensor1._device.example.com",
        "cam7._device.example.org",
        "a.b._device.example.net",
        "admin-laptop._service.example.com",
        "x",
        "0123._d.e",
    ])
    func test_validName_isAcceptedAndLowercased(_ text: String) throws {
        let name = try DeviceName(text)
        #expect(name.text == text.lowercased())
        #expect(name.description == name.text)
        #expect(name.labels.joined(separator: ".") == name.text)
    }

    @Test func test_names_compareCaseInsensitively() throws {
        let lower = try Self.name("sensor1._device.example.com")
        let mixed = try Self.name("Sensor1._DEVICE.Example.COM")
        #expect(lower == mixed)
        #expect(lower.hashValue == mixed.hashValue)
        #expect(mixed.text == "sensor1._device.example.com")
        #expect(Set([lower, mixed]).count == 1)
    }

    @Test func test_trailingDot_isTolerated() throws {
        let dotted = try Self.name("sensor1._device.example.com.")
        #expect(dotted == (try Self.name("sensor1._device.example.com")))
        #expect(dotted.text == "sensor1._device.example.com")
        #expect(dotted.labels.count == 4)
    }

    @Test func test_names_sortByText() throws {
        let names = try ["b._d.x", "A._d.x", "c._d.x"].map(Self.name)
        #expect(names.sorted().map(\.text) == ["a._d.x", "b._d.x", "c._d.x"])
    }

    // MARK: lengths (RFC 1035 §2.3.4)

    @Test func test_label_of63Octets_isAccepted() throws {
        let label = String(repeating: "a", count: 63)
        #expect(try Self.name("\(label)._device.example.com").labels[0].count == 63)
    }

    @Test func test_label_over63Octets_isRejected() {
        let label = String(repeating: "a", count: 64)
        #expect(throws: DeviceNameError.labelTooLong(label: label, length: 64)) {
            try DeviceName("\(label)._device.example.com")
        }
        let message = DeviceNameError.labelTooLong(label: label, length: 64).description
        #expect(message.contains("64 octets") && message.contains("63"))
    }

    @Test func test_name_of253Octets_isAccepted_withOrWithoutTrailingDot() throws {
        let l63 = String(repeating: "a", count: 63)
        let text = [l63, l63, l63, String(repeating: "b", count: 61)].joined(separator: ".")
        #expect(text.utf8.count == 253)
        #expect(try Self.name(text).text == text)
        #expect(try Self.name(text + ".").text == text)
    }

    @Test func test_name_over253Octets_isRejected() {
        let l63 = String(repeating: "a", count: 63)
        let text = [l63, l63, l63, String(repeating: "b", count: 62)].joined(separator: ".")
        #expect(throws: DeviceNameError.nameTooLong(length: 254)) { try DeviceName(text) }
    }

    @Test func test_tenKilobyteString_isRejectedAsTooLong() {
        let huge = String(repeating: "a", count: 10_240)
        #expect(throws: DeviceNameError.nameTooLong(length: 10_240)) { try DeviceName(huge) }
        let hostile = String(repeating: "$(x);", count: 2048)
        #expect(throws: DeviceNameError.nameTooLong(length: 10_240)) { try DeviceName(hostile) }
    }

    // MARK: empty names and labels

    @Test func test_emptyName_isRejected() {
        #expect(throws: DeviceNameError.empty) { try DeviceName("") }
        #expect(throws: DeviceNameError.empty) { try DeviceName(".") }
    }

    @Test func test_emptyLabels_areRejectedWithTheirPosition() {
        #expect(throws: DeviceNameError.emptyLabel(position: 2)) { try DeviceName("a..b._device.example.com") }
        #expect(throws: DeviceNameError.emptyLabel(position: 1)) { try DeviceName(".a._device.example.com") }
        #expect(throws: DeviceNameError.emptyLabel(position: 4)) { try DeviceName("a._device.example..") }
    }

    // MARK: characters

    @Test(arguments: [
        ("$(reboot)._device.example.com", UInt8(ascii: "$")),
        ("a;rm -rf._device.example.com", UInt8(ascii: ";")),
        ("a/b._device.example.com", UInt8(ascii: "/")),
        ("../etc/passwd._device.example.com", UInt8(ascii: "/")),
        ("sensor 1._device.example.com", UInt8(ascii: " ")),
        ("sensor1._device.example.com\n", UInt8(0x0a)),
        ("sensor1\0._device.example.com", UInt8(0x00)),
        ("a*._device.example.com", UInt8(ascii: "*")),
        ("sensör._device.example.com", UInt8(0xc3)),
        ("xn--snsr._device.example.com\u{7f}", UInt8(0x7f)),
    ])
    func test_invalidCharacter_isRejectedNamingTheByte(_ text: String, _ byte: UInt8) {
        #expect(throws: DeviceNameError.invalidCharacter(byte)) { try DeviceName(text) }
    }

    @Test func test_invalidCharacter_messageShowsPrintableOrHex() {
        #expect(DeviceNameError.invalidCharacter(UInt8(ascii: ";")).description.contains("\";\""))
        #expect(DeviceNameError.invalidCharacter(0xc3).description.contains("0xc3"))
        #expect(DeviceNameError.invalidCharacter(0x0a).description.contains("0x0a"))
    }

    // MARK: authority host

    @Test(arguments: [
        ("a.b._device.example.net", "device.example.net"),
        ("sensor1._device.example.com", "device.example.com"),
        ("Sensor1._Device.Example.COM.", "device.example.com"),
        ("cam7._service.example.org", "service.example.org"),
        // right to left, the first "_" label is the one nearest the org domain
        ("x._inner._device.example.com", "device.example.com"),
    ])
    func test_authorityHost_isTheUnderscoreLabelAndWhatFollows(_ text: String, _ host: String) throws {
        let authority = try AuthorityHost(for: Self.name(text))
        #expect(authority.text == host)
        #expect(authority.description == host)
    }

    @Test func test_nameWithoutUnderscoreLabel_hasNoAuthorityHost() throws {
        let name = try Self.name("sensor1.device.example.com")
        #expect(throws: DeviceNameError.noUnderscoreLabel) { try AuthorityHost(for: name) }
    }

    @Test func test_nameStartingWithUnderscoreLabel_namesNoDevice() throws {
        let name = try Self.name("_device.example.com")
        #expect(throws: DeviceNameError.nothingBeforeUnderscoreLabel) { try AuthorityHost(for: name) }
    }

    @Test func test_bareUnderscoreLabel_givesAnEmptyAuthorityLabel() throws {
        let name = try Self.name("a._.example.com")
        #expect(throws: DeviceNameError.emptyLabel(position: 2)) { try AuthorityHost(for: name) }
    }

    @Test func test_caURL_isWellKnownPathWithDashedLowercaseKeyIdentifier() throws {
        let authority = try AuthorityHost(for: Self.name("sensor1._device.example.com"))
        #expect(
            authority.caURL(keyIdentifier: [0x3f, 0xa1, 0x09])
                == "https://device.example.com/.well-known/ca/3f-a1-09.pem")
        #expect(KeyIdentifier.format([0x00, 0xff, 0x0A]) == "00-ff-0a")
        #expect(KeyIdentifier.format([]) == "")
    }
}
