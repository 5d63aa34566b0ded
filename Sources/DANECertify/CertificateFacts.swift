import Crypto
import DANECore
import DANEDigest
import Foundation
import X509

/// What the agent needs to know about a certificate published in DNS or fetched from a CA
/// host: names (SAN), key identifiers (RFC 5280 §4.2.1.1–2), whether it is a CA
/// (§4.2.1.9), and the TLSA binding and hash.
///
/// A final class of constants, not a struct: a pass hands each CA's facts to every device it
/// issued (chains, per-name CA lists, the pass's CA set), and a struct of a dozen references
/// cost a dozen retains and releases per copy — 13 % of a cold pass in `swift_retain` and
/// `swift_release` (perf, 10,000 names). Nothing in it changes after `init`, so sharing one
/// instance is the same as copying it.
public final class CertificateFacts: Sendable {
    public let binding: CertificateBinding
    public let certificate: Certificate
    /// RFC 4514 text, rendered when asked (errors, CA lists, `lookup`): rendering it for every
    /// device certificate was ~90 allocations per name of a pass (heaptrack).
    public var subject: String { certificate.subject.description }
    public var issuer: String { certificate.issuer.description }
    public let sanDNSNames: [String]
    /// `keyIdentifier` of the Authority Key Identifier extension, if present.
    public let authorityKeyIdentifier: [UInt8]?
    /// From the extension, else RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey
    /// BIT STRING contents.
    public let subjectKeyIdentifier: [UInt8]
    /// basicConstraints cA = TRUE.
    public let isCA: Bool
    public let notValidBefore: Date
    public let notValidAfter: Date

    public init(der: [UInt8]) throws(CertificateFactsError) {
        let binding: CertificateBinding
        do {
            binding = try CertificateBinding(der: der)
        } catch {
            throw .notACertificate
        }
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: der)
        } catch {
            throw .unsupported("\(error)")
        }
        do {
            self.sanDNSNames =
                try certificate.extensions.subjectAlternativeNames?.compactMap { name in
                    if case .dnsName(let dns) = name { return dns }
                    return nil
                } ?? []
            self.authorityKeyIdentifier = try certificate.extensions.authorityKeyIdentifier?.keyIdentifier.map(
                Array.init)
            if let ski = try certificate.extensions.subjectKeyIdentifier {
                self.subjectKeyIdentifier = Array(ski.keyIdentifier)
            } else {
                self.subjectKeyIdentifier = Array(
                    Insecure.SHA1.hash(data: certificate.publicKey.subjectPublicKeyInfoBytes))
            }
            if case .isCertificateAuthority = try certificate.extensions.basicConstraints {
                self.isCA = true
            } else {
                self.isCA = false
            }
        } catch {
            throw .badExtension("\(error)")
        }
        self.binding = binding
        self.sha256Hex = binding.hashHex
        self.subjectKeyIdentifierHex = Hex.encode(self.subjectKeyIdentifier)
        self.certificate = certificate
        self.notValidBefore = certificate.notValidBefore
        self.notValidAfter = certificate.notValidAfter
    }

    /// Lowercase hex SHA-256 of the DER: the trust-map hash and the CA fingerprint.
    /// Stored, not computed: every record and status entry that names this CA then shares
    /// one string (a pass over 100,000 names holds many copies).
    public let sha256Hex: String
    /// The SKI in lowercase hex, stored for the same reason: it is the issuer key identifier
    /// every device of this CA carries into the trust map (one string, not one per device).
    public let subjectKeyIdentifierHex: String

    /// Whether `parent`'s key verifies this certificate's signature (RFC 5280 §6.1.3 (a)(1)).
    public func isSigned(by parent: CertificateFacts) -> Bool {
        parent.certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
    }

    /// Subject equals issuer and the certificate verifies with its own key: a root.
    public var isSelfSigned: Bool {
        certificate.subject == certificate.issuer && isSigned(by: self)
    }

    /// The serial number in lowercase hex without leading zeros, as FreeRADIUS passes
    /// `TLS-Client-Cert-Serial`.
    public var serialHex: String {
        CertificateIssuance.normalizedSerial(Hex.encode(Array(certificate.serialNumber.bytes))) ?? "0"
    }

    /// Whether the SAN holds `name` as a dNSName (compared as DNS names, case-insensitively).
    public func sanContains(_ name: DeviceName) -> Bool {
        name.appears(in: sanDNSNames)
    }

    /// PEM text of the certificate.
    public var pem: String {
        (try? certificate.serializeAsPEM().pemString) ?? ""
    }
}

/// Why bytes could not be read as a usable certificate.
public enum CertificateFactsError: Error, Equatable, Sendable, CustomStringConvertible {
    case notACertificate
    case unsupported(String)
    case badExtension(String)

    public var description: String {
        switch self {
        case .notACertificate: return "the data is not an X.509 certificate"
        case .unsupported(let why): return "the certificate cannot be checked (unsupported key or encoding: \(why))"
        case .badExtension(let why): return "the certificate has a malformed extension: \(why)"
        }
    }
}
