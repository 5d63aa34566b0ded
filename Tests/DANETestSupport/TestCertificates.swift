import Crypto
import DANECertify
import DANECore
import Foundation
import SwiftASN1
import X509

/// Certificates made in memory with swift-certificates (P-256), for the value tests of a pass:
/// a root, an intermediate under it, and devices under the intermediate, each with the key
/// identifiers discovery follows (design.md "Protocol facts"). Made at test time; nothing is
/// committed.
public struct TestCertificates: Sendable {
    public let root: CertificateFacts
    public let intermediate: CertificateFacts
    private let intermediateKey: P256.Signing.PrivateKey

    /// A root and an intermediate named after `organisation`; the intermediate's key identifier
    /// is SHA-1 of its key unless `intermediateKeyIdentifier` says otherwise (whoever makes a CA
    /// chooses it).
    public init(organisation: String = "Example Org", intermediateKeyIdentifier: [UInt8]? = nil) throws {
        let rootKey = P256.Signing.PrivateKey()
        let rootName = try DistinguishedName { CommonName("\(organisation) Root") }
        root = try Self.make(
            subject: rootName, key: rootKey.publicKey, issuer: rootName, issuerKey: rootKey, isCA: true,
            authorityKeyIdentifier: nil, sans: [])
        intermediateKey = P256.Signing.PrivateKey()
        intermediate = try Self.make(
            subject: try DistinguishedName { CommonName("\(organisation) Devices") }, key: intermediateKey.publicKey,
            issuer: rootName, issuerKey: rootKey, isCA: true, authorityKeyIdentifier: root.subjectKeyIdentifier,
            sans: [], subjectKeyIdentifier: intermediateKeyIdentifier)
    }

    /// A device certificate for `name` (its SAN), issued by the intermediate, valid from an
    /// hour ago for `lifetime` (a CA here is valid for a year).
    public func device(
        _ name: String, sans: [String]? = nil, lifetime: Duration = .seconds(30 * 86_400)
    ) throws
        -> CertificateFacts
    {
        let key = P256.Signing.PrivateKey()
        return try Self.make(
            subject: try DistinguishedName { CommonName(name) }, key: key.publicKey,
            issuer: intermediate.certificate.subject, issuerKey: intermediateKey, isCA: false,
            authorityKeyIdentifier: intermediate.subjectKeyIdentifier, sans: sans ?? [name], lifetime: lifetime)
    }

    /// The chain discovery returns for a device: intermediate, then root.
    public var chain: [CertificateFacts] { [intermediate, root] }

    /// The TLSA record that carries `certificate` whole (`3 0 0`, DANE-EE full certificate).
    public static func daneEE(_ certificate: CertificateFacts) -> TLSARecord {
        TLSARecord(usage: .daneEE, selector: .cert, matchingType: .full, data: certificate.binding.der)
    }

    /// A certificate named `subject` for `key`, signed by `issuerKey` under the name `issuer`
    /// (self-signed when the names are equal, else with the issuer key's SHA-1 as its AKI):
    /// the parts discovery's fault rows build chains from (loops, depth, a CA that is not one).
    public static func issue(
        _ subject: String, key: P256.Signing.PrivateKey, issuer: String, issuerKey: P256.Signing.PrivateKey,
        isCA: Bool = true, sans: [String] = []
    ) throws -> CertificateFacts {
        let issuerName = try DistinguishedName { CommonName(issuer) }
        return try make(
            subject: try DistinguishedName { CommonName(subject) }, key: key.publicKey, issuer: issuerName,
            issuerKey: issuerKey, isCA: isCA,
            authorityKeyIdentifier: subject == issuer
                ? nil : Array(Insecure.SHA1.hash(data: issuerKey.publicKey.x963Representation)),
            sans: sans)
    }

    private static func make(
        subject: DistinguishedName, key: P256.Signing.PublicKey, issuer: DistinguishedName,
        issuerKey: P256.Signing.PrivateKey, isCA: Bool, authorityKeyIdentifier: [UInt8]?, sans: [String],
        lifetime: Duration = .seconds(365 * 86_400), subjectKeyIdentifier: [UInt8]? = nil
    ) throws -> CertificateFacts {
        let subjectKeyIdentifier = subjectKeyIdentifier ?? Array(Insecure.SHA1.hash(data: key.x963Representation))
        let extensions = try Certificate.Extensions {
            Critical(isCA ? BasicConstraints.isCertificateAuthority(maxPathLength: nil) : .notCertificateAuthority)
            SubjectKeyIdentifier(keyIdentifier: ArraySlice(subjectKeyIdentifier))
            if let authorityKeyIdentifier {
                AuthorityKeyIdentifier(keyIdentifier: ArraySlice(authorityKeyIdentifier))
            }
            if !sans.isEmpty {
                SubjectAlternativeNames(sans.map { .dnsName($0) })
            }
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key),
            notValidBefore: now - 3600, notValidAfter: now + TimeInterval(lifetime.components.seconds), issuer: issuer,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(issuerKey))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return try CertificateFacts(der: serializer.serializedBytes)
    }
}
