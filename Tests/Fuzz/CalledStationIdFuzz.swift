import DANECore

/// Called-Station-Id (`MAC:SSID`, RFC 3580 §3.20) as FreeRADIUS hands it to daneverify. An
/// SSID is only ever what follows a MAC and one `:`, taken verbatim; any text behind each MAC
/// form is that SSID; and the SSID survives the trust map's network encoding, which is how it
/// is looked up.
enum CalledStationIdFuzz {
    static let macs = ["AA-BB-CC-DD-EE-FF", "aabbccddeeff", "AA:BB:CC:DD:EE:FF"]

    static func run(_ text: String) {
        if let ssid = CalledStationId.ssid(from: text) {
            let prefix = text.utf8.dropLast(ssid.utf8.count)
            require(
                !ssid.isEmpty && text.utf8.hasSuffix(ssid.utf8) && (prefix.count == 18 || prefix.count == 13)
                    && prefix.last == UInt8(ascii: ":"), "\"\(text)\" read as SSID \"\(ssid)\"")
            let encoded = TrustMapFormat.encodeNetwork(ssid)
            require(
                !encoded.contains(where: { $0 <= 0x20 || $0 == 0x7f }),
                "the network field of \"\(ssid)\" holds white space or control octets")
            require(
                TrustMapFormat.decodeNetwork(encoded[...]) == ssid,
                "\"\(ssid)\" does not survive the trust map's network encoding")
        }
        guard !text.isEmpty else { return }
        for mac in macs {
            require(CalledStationId.ssid(from: mac + ":" + text) == text, "\"\(text)\" behind \(mac) is not its SSID")
        }
    }
}

extension Collection where Element: Equatable {
    fileprivate func hasSuffix<Other: Collection<Element>>(_ other: Other) -> Bool {
        count >= other.count && dropFirst(count - other.count).elementsEqual(other)
    }
}
