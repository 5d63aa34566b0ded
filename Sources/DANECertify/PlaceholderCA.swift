import Crypto
import DANECore
import Foundation
import SwiftASN1
import X509

/// The CA published when a pass accepted none (design.md "Admission and failure rules").
///
/// FreeRADIUS refuses to start — every user of the server locked out, not only the devices —
/// when `ca_file` holds no certificate. So an empty trust set is published as this one
/// self-signed CA, made locally: its private key exists only while it signs itself and is never
/// stored, so no certificate a device could present chains to it. It trusts nothing.
public enum PlaceholderCA {
    public static let commonName = "danesync placeholder CA - trusts no device"

    /// A new placeholder, valid from a day before `now` for twenty years.
    public static func make(now: Date = Date()) throws -> CertificateFacts {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("danesync")
            CommonName(commonName)
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(keyIdentifier: ArraySlice(Insecure.SHA1.hash(data: key.publicKey.x963Representation)))
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now - 86_400, notValidAfter: now + 20 * 365 * 86_400, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(key))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return try CertificateFacts(der: serializer.serializedBytes)
    }

    /// Whether `ca` is a placeholder made by ``make(now:)`` (by an earlier pass, say).
    public static func isPlaceholder(_ ca: CertificateFacts) -> Bool {
        ca.certificate.subject.description.contains(commonName) && ca.isSelfSigned
    }
}
