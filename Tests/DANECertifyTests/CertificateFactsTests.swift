import DANECertify
import DANECore
import DANEDigest
import Foundation
import DANETestSupport
import Testing

/// Certificate facts (RFC 5280 SAN, AKI, SKI, basicConstraints, signatures) of the lab's
/// generated PKI, checked against what openssl and scripts/lab/aki.sh say about the same files.
struct CertificateFactsTests {
    static let device = "devices/sensor1._device.example.com.pem"
    static let rogueDevice = "rogue/sensor1._device.example.com.pem"

    static func facts(_ relative: String) throws -> CertificateFacts {
        try CertificateFacts(der: TestPKI.der(relative))
    }

    @Test func test_deviceSAN_holdsItsIdentityName() throws {
        let facts = try Self.facts(Self.device)
        #expect(facts.sanDNSNames == ["sensor1._device.example.com"])
        #expect(facts.sanContains(try DeviceName("sensor1._device.example.com")))
        #expect(facts.sanContains(try DeviceName("Sensor1._DEVICE.example.com.")))
        #expect(!facts.sanContains(try DeviceName("sensor2._device.example.com")))
        #expect(try Self.facts("ca/root.pem").sanDNSNames == [])
    }

    @Test func test_deviceAKI_isTheIntermediatesSKI_asAkiShPrintsIt() throws {
        let device = try Self.facts(Self.device)
        let int = try Self.facts("ca/int.pem")
        let aki = try #require(device.authorityKeyIdentifier)
        #expect(KeyIdentifier.format(aki) == TestPKI.keyIdentifier(Self.device))
        #expect(KeyIdentifier.format(int.subjectKeyIdentifier) == TestPKI.keyIdentifier("ca/int.pem", subject: true))
        #expect(aki == int.subjectKeyIdentifier)
        #expect(try #require(int.authorityKeyIdentifier) == (try Self.facts("ca/root.pem")).subjectKeyIdentifier)
    }

    @Test func test_selfSignedRoot_hasNoAKI_andItsSKIFromTheExtension() throws {
        let root = try Self.facts("ca/root.pem")
        #expect(root.authorityKeyIdentifier == nil)
        #expect(root.subjectKeyIdentifier.count == 20)
        #expect(KeyIdentifier.format(root.subjectKeyIdentifier) == TestPKI.keyIdentifier("ca/root.pem", subject: true))
    }

    /// RFC 5280 §4.2.1.2 method (1): without the extension, the SKI is the SHA-1 of the
    /// subjectPublicKey BIT STRING value — what openssl writes for `subjectKeyIdentifier=hash`.
    @Test func test_certificateWithoutSKIExtension_getsTheSKIComputedFromItsKey() throws {
        let dir = TestPKI.scratch()
        let key = dir.appendingPathComponent("key.pem").path
        _ = TestPKI.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key])
        func make(_ name: String, ski: String) -> String {
            let config = dir.appendingPathComponent("\(name).cnf")
            try! """
            [req]
            distinguished_name = dn
            [dn]
            [ext]
            basicConstraints = critical, CA:TRUE
            subjectKeyIdentifier = \(ski)
            authorityKeyIdentifier = none
            """.write(to: config, atomically: true, encoding: .utf8)
            let out = dir.appendingPathComponent("\(name).pem").path
            _ = TestPKI.openssl([
                "req", "-x509", "-new", "-key", key, "-subj", "/CN=\(name)", "-days", "2", "-config", config.path,
                "-extensions", "ext",
                "-out", out,
            ])
            return out
        }
        let without = make("noski", ski: "none")
        let with = make("hashski", ski: "hash")
        let withoutFacts = try CertificateFacts(
            der: Array(TestPKI.openssl(["x509", "-in", without, "-outform", "DER"]).stdout))
        let withFacts = try CertificateFacts(
            der: Array(TestPKI.openssl(["x509", "-in", with, "-outform", "DER"]).stdout))

        #expect(
            try withoutFacts.certificate.extensions.subjectKeyIdentifier == nil,
            "the test certificate must lack the extension")
        #expect(try withFacts.certificate.extensions.subjectKeyIdentifier != nil)
        #expect(withoutFacts.subjectKeyIdentifier == withFacts.subjectKeyIdentifier)
        // what openssl prints for the hash-made extension
        let printed = TestPKI.openssl(["x509", "-in", with, "-noout", "-ext", "subjectKeyIdentifier"]).text
        let opensslSKI = printed.split(separator: "\n").last!.trimmingCharacters(in: .whitespaces).replacingOccurrences(
            of: ":", with: "-"
        ).lowercased()
        #expect(KeyIdentifier.format(withoutFacts.subjectKeyIdentifier) == opensslSKI)
        // and the SHA-1 of the P-256 point (the BIT STRING value: the last 65 octets of the SPKI)
        let spki = TestPKI.spki(without.replacingOccurrences(of: TestPKI.directory.path + "/", with: ""))
        #expect(withoutFacts.subjectKeyIdentifier == Digest.sha1(Array(spki.suffix(65))))
        #expect(withoutFacts.subjectKeyIdentifier != Digest.sha1(spki), "not the SHA-1 of the whole SPKI")
    }

    @Test func test_basicConstraints_cA_isReadForCAsAndDevices() throws {
        #expect(try Self.facts("ca/root.pem").isCA)
        #expect(try Self.facts("ca/int.pem").isCA)
        #expect(try !Self.facts(Self.device).isCA)
        #expect(try !Self.facts("web/server.pem").isCA)
    }

    @Test func test_sha256Hex_isLowercaseHexOfTheDERDigest() throws {
        for file in ["ca/root.pem", "ca/int.pem", Self.device] {
            let der = TestPKI.der(file)
            let expected = TestPKI.openssl(["dgst", "-sha256", "-r"], input: der).text.split(separator: " ")[0]
            let facts = try CertificateFacts(der: der)
            #expect(facts.sha256Hex == String(expected))
            #expect(facts.sha256Hex == facts.sha256Hex.lowercased())
            #expect(facts.sha256Hex.count == 64)
        }
    }

    @Test func test_rootIsSelfSigned_intermediateAndDeviceAreNot() throws {
        #expect(try Self.facts("ca/root.pem").isSelfSigned)
        #expect(try Self.facts("ca/rogue-root.pem").isSelfSigned)
        #expect(try !Self.facts("ca/int.pem").isSelfSigned)
        #expect(try !Self.facts(Self.device).isSelfSigned)
    }

    @Test func test_signatures_verifyOnlyWithTheIssuersKey() throws {
        let root = try Self.facts("ca/root.pem")
        let int = try Self.facts("ca/int.pem")
        let rogueRoot = try Self.facts("ca/rogue-root.pem")
        let device = try Self.facts(Self.device)
        let rogue = try Self.facts(Self.rogueDevice)
        #expect(device.isSigned(by: int))
        #expect(!device.isSigned(by: rogueRoot))
        #expect(!device.isSigned(by: root))
        #expect(int.isSigned(by: root))
        #expect(!root.isSigned(by: int))
        #expect(rogue.isSigned(by: rogueRoot))
        #expect(!rogue.isSigned(by: int))
        // same name, different certificate
        #expect(rogue.sanDNSNames == device.sanDNSNames)
        #expect(rogue.sha256Hex != device.sha256Hex)
    }

    @Test func test_subjectAndIssuer_areReadable() throws {
        let device = try Self.facts(Self.device)
        #expect(device.subject.contains("sensor1._device.example.com"))
        #expect(device.issuer.contains("danesync lab intermediate"))
        #expect(device.notValidBefore < device.notValidAfter)
    }

    @Test func test_pem_isTheSameCertificate() throws {
        let der = TestPKI.der("ca/int.pem")
        let facts = try CertificateFacts(der: der)
        #expect(facts.pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(try PEM.certificates(in: Array(facts.pem.utf8)) == [der])
    }

    @Test func test_nonCertificateDER_isRefused() {
        #expect(throws: CertificateFactsError.notACertificate) {
            try CertificateFacts(der: [0x30, 0x03, 0x02, 0x01, 0x05])
        }
        #expect(throws: CertificateFactsError.notACertificate) { try CertificateFacts(der: []) }
        #expect(throws: CertificateFactsError.notACertificate) { try CertificateFacts(der: Array("hello".utf8)) }
    }
}
