import DANECore

/// Device names and the identity daneverify is given (FreeRADIUS's User-Name). A name that is
/// accepted is stored lowercase, without a trailing dot, within RFC 1035's lengths, and reads
/// back as itself from its own text, from its upper case, and with a final dot; an identity is a
/// device exactly when the name has an authority host; and the identity's text shown in a log
/// line is one printable line.
enum DeviceNameFuzz {
    static func run(_ text: String) {
        if let name = try? DeviceName(text) {
            check(name)
            require(name.appears(in: [text]), "\(name) does not appear in its own SAN \"\(text)\"")
        }
        let identity = VerifyIdentity(text)
        switch identity {
        case .device(let name):
            require((try? DeviceName(identity: text)) == name, "\"\(text)\" is a device but not an identity")
            require(identity.admits(name), "\(name) does not admit itself")
            let host = try? AuthorityHost(for: name)
            require(host.map { (try? DeviceName($0.text)) != nil } == true, "\(name) has no valid authority host")
        case .anonymous(let realm):
            require((try? DeviceName(identity: text)) == nil, "the identity \"\(text)\" is taken as anonymous")
            if let realm {
                require(!realm.isEmpty && realm == realm.lowercased(), "realm \"\(realm)\" of \"\(text)\"")
            }
        }
        let shown = PrintableText.oneLine(text, limit: 64)
        require(
            shown.unicodeScalars.count <= 64
                && !shown.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) },
            "\"\(text)\" is shown as \"\(shown)\"")
    }

    static func check(_ name: DeviceName) {
        let text = name.text
        require(
            text.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            }, "\(text) holds more than lowercase letters, digits, -, _ and .")
        require(
            !text.isEmpty && text.utf8.count <= DeviceName.maxNameLength
                && name.labels.allSatisfy { !$0.isEmpty && $0.utf8.count <= DeviceName.maxLabelLength },
            "\(text) breaks RFC 1035's lengths")
        require((try? DeviceName(text)) == name, "\(text) does not read back as itself")
        require((try? DeviceName(text + ".")) == name, "\(text). is not \(text)")
        require((try? DeviceName(text.uppercased())) == name, "\(text) in upper case is another name")
    }
}
