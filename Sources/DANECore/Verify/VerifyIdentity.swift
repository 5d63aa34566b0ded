/// `--identity` (FreeRADIUS's `User-Name`) as design.md "Identity at verify time" reads it:
/// a device name binds the certificate to exactly that name; anything else — an anonymous NAI
/// (RFC 7542) such as `@example.com` or `anonymous@example.com`, a bare user part, or empty, as
/// EAP-TLS 1.3 supplicants send (RFC 9190 §2.1.8) — leaves the name to the certificate.
public enum VerifyIdentity: Equatable, Sendable {
    case device(DeviceName)
    /// The NAI's realm (after its last `@`, RFC 7542 §2.2), lowercased without a trailing
    /// dot; `nil` when there is none.
    case anonymous(realm: String?)

    public init(_ text: String) {
        if let name = try? DeviceName(identity: text) {
            self = .device(name)
            return
        }
        guard let at = text.lastIndex(of: "@") else {
            self = .anonymous(realm: nil)
            return
        }
        var realm = text[text.index(after: at)...].lowercased()
        if realm.hasSuffix(".") { realm.removeLast() }
        self = .anonymous(realm: realm.isEmpty ? nil : realm)
    }

    /// Whether `name` lies inside the realm's domain (the realm itself or below it).
    public func admits(_ name: DeviceName) -> Bool {
        switch self {
        case .device(let named): return named == name
        case .anonymous(nil): return true
        case .anonymous(let realm?): return name.text == realm || name.text.hasSuffix("." + realm)
        }
    }
}

extension VerifyDecision {
    /// The verdict for an anonymous identity (design.md "Identity at verify time"). The names
    /// it may stand for are those the trust map's hash index finds for the presented
    /// certificate — by its hash, by any pin digest of it or its key, or, for the gate, by
    /// serial and issuer key identifier — then the certificate's SAN dNSNames; only names
    /// inside the realm count. Each is put to `check` (the usual rules for one name) in that
    /// order, and the first accept wins — lazily, so a certificate published under many names
    /// costs one entry, not all of them. Otherwise the most specific rejection (a higher code
    /// says more: 13 over 12, a live-check code over both); 12 when every name lies outside
    /// the realm; 13 when the certificate names none.
    public static func verifyAnonymously(
        _ presented: PresentedCertificate, identity: VerifyIdentity, reader: TrustMapReader,
        check: (DeviceName) -> VerifyVerdict
    ) throws(TrustMapError) -> VerifyVerdict {
        var tried: Set<DeviceName> = []
        var outsideRealm = false
        var rejection: VerifyVerdict?
        var accepted: VerifyVerdict?
        /// Whether to go on looking.
        func consider(_ name: DeviceName) -> Bool {
            guard tried.insert(name).inserted else { return true }
            guard identity.admits(name) else {
                outsideRealm = true
                return true
            }
            let verdict = check(name)
            if verdict.code == .accept {
                accepted = verdict
                return false
            }
            if rejection == nil || verdict.code.rawValue > rejection!.code.rawValue { rejection = verdict }
            return true
        }
        let keys: [String]
        var sanNames: [DeviceName] = []
        switch presented {
        case .certificate(let certificate):
            keys = [certificate.sha256, certificate.sha512, certificate.spkiSHA256, certificate.spkiSHA512].map(
                Hex.encode)
            sanNames = certificate.sanDNSNames.compactMap { try? DeviceName($0) }
        case .issuance(let serial, let aki):
            keys = ["\(serial)/\(aki)"]
        }
        for key in keys {
            try reader.forEachEntry(forKey: key) { consider($0.name) }
            if let accepted { return accepted }
        }
        for name in sanNames where !consider(name) { return accepted! }
        if let rejection { return rejection }
        if outsideRealm, case .anonymous(let realm?) = identity {
            return .reject(
                .notAllowed,
                "no name of this certificate lies inside realm \"\(PrintableText.oneLine(realm, limit: 64))\"")
        }
        return .reject(.notPublished, "\(presented.shown) is not published for any name")
    }
}
