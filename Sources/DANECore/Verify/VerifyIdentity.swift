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
    /// The names an anonymous identity may stand for (design.md "Identity at verify time"): the
    /// trust-map entries the hash index finds for the presented certificate — by its hash, by
    /// any pin digest of it or its key, or, for the gate, by serial and issuer key identifier —
    /// and the certificate's SAN dNSNames; kept only inside the realm, sorted, without repeats.
    /// Each is then checked under the usual rules.
    public static func candidateNames(
        for presented: PresentedCertificate, identity: VerifyIdentity, reader: TrustMapReader
    ) throws(TrustMapError) -> Result<[DeviceName], VerifyVerdict> {
        var names: Set<DeviceName> = []
        let keys: [String]
        switch presented {
        case .certificate(let certificate):
            keys = [certificate.sha256, certificate.sha512, certificate.spkiSHA256, certificate.spkiSHA512].map(
                Hex.encode)
            for san in certificate.sanDNSNames { if let name = try? DeviceName(san) { names.insert(name) } }
        case .issuance(let serial, let aki):
            keys = ["\(serial)/\(aki)"]
        }
        for key in keys {
            for entry in try reader.entries(forKey: key) { names.insert(entry.name) }
        }
        let inside = names.filter(identity.admits).sorted()
        if inside.isEmpty {
            if case .anonymous(let realm?) = identity, !names.isEmpty {
                return .failure(
                    .reject(
                        .notAllowed,
                        "no name of this certificate lies inside realm \"\(PrintableText.oneLine(realm, limit: 64))\""))
            }
            return .failure(.reject(.notPublished, "\(presented.shown) is not published for any name"))
        }
        return .success(inside)
    }
}
