/// A published certificate as FreeRADIUS names it to the second gate
/// (design.md "Admission and failure rules"): after the handshake it passes the client certificate's serial number and
/// its Authority Key Identifier as attributes, never the certificate itself. Serial numbers
/// are unique per issuer (RFC 5280 §4.1.2.2) and OpenSSL has already matched the AKI to the
/// issuing CA in `ca.pem`, so the pair names one certificate.
public struct CertificateIssuance: Hashable, Codable, Sendable {
    /// SHA-256 of the certificate DER, lowercase hex: the trust-map hash it belongs to.
    public var sha256: String
    /// The serial number in lowercase hex without leading zeros (FreeRADIUS's
    /// `TLS-Client-Cert-Serial`, normalised).
    public var serial: String
    /// The issuer's key identifier in lowercase hex without separators.
    public var authorityKeyIdentifier: String

    /// `status.json` writes it as `{"sha256", "serial", "aki"}`.
    enum CodingKeys: String, CodingKey {
        case sha256, serial
        case authorityKeyIdentifier = "aki"
    }

    public init(sha256: String, serial: String, authorityKeyIdentifier: String) {
        self.sha256 = sha256
        self.serial = serial
        self.authorityKeyIdentifier = authorityKeyIdentifier
    }

    /// A serial as text: hex digits with any case, `:` or `-` separators, `0x` prefix and
    /// leading zeros; `nil` when it is not hex (or empty).
    public static func normalizedSerial(_ text: String) -> String? {
        if isLowercaseHex(text) && (text.utf8.first != UInt8(ascii: "0") || text.utf8.count == 1) { return text }
        var digits = normalizedHex(text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text)
        while let first = digits?.first, first == "0", digits!.count > 1 { digits!.removeFirst() }
        return digits
    }

    /// A key identifier as OpenSSL and FreeRADIUS print it (`40:80:3F:…`, or `keyid:40:80:…`
    /// ending in a line break on OpenSSL 1.1) or as danesync writes it (`40-80-3f-…`); `nil` when
    /// it is not hex (or empty). An AKI that also names the issuer and its serial
    /// (`keyid:…\nDirName:…\nserial:…`, the lines joined by a literal `\n` in FreeRADIUS's
    /// attribute) is cut to its key identifier.
    public static func normalizedKeyIdentifier(_ text: String) -> String? {
        // As danesync writes it into status.json and the trust map: already normal.
        if isLowercaseHex(text) { return text }
        var text = Substring(text.lowercased())
        if let range = text.firstRange(of: "keyid:") { text = text[range.upperBound...] }
        for end in ["\\n", "\n", "\r", "dirname:", "serial:"] {
            if let range = text.firstRange(of: end) { text = text[..<range.lowerBound] }
        }
        return normalizedHex(String(text.trimmingWhitespace))
    }

    /// Non-empty, and only `0`–`9` and `a`–`f`.
    static func isLowercaseHex(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                    || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
            }
    }

    /// Lowercase hex with `:`, `-` and white space removed.
    static func normalizedHex(_ text: String) -> String? {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case ":", "-", " ", "\t", "\n", "\r": continue
            case "0"..."9", "a"..."f": out.unicodeScalars.append(scalar)
            case "A"..."F": out.unicodeScalars.append(Unicode.Scalar(scalar.value + 0x20)!)
            default: return nil
            }
        }
        return out.isEmpty ? nil : out
    }
}

extension StringProtocol {
    fileprivate var trimmingWhitespace: SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return self[start...end]
    }
}
