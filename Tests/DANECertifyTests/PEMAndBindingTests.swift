import DANECore
import DANEDigest
import Foundation
import DANETestSupport
import Testing

/// PEM (RFC 7468) reading and the TLSA binding of a DER certificate, over libcrypto.
struct PEMAndBindingTests {
    static let device = "devices/sensor1._device.example.com.pem"

    // MARK: PEM

    @Test func test_severalBlocks_withJunkBetween_areReadInOrder() throws {
        let int = try TestPKI.pem("ca/int.pem")
        let root = try TestPKI.pem("ca/root.pem")
        let text =
            Array("Bag Attributes: junk\nsubject=whatever\n".utf8) + int + Array("\n# comment between\n\n".utf8) + root
            + Array("trailing text".utf8)
        let certificates = try PEM.certificates(in: text)
        #expect(certificates == [TestPKI.der("ca/int.pem"), TestPKI.der("ca/root.pem")])
        let blocks = try PEM.blocks(in: text)
        #expect(blocks.map(\.label) == ["CERTIFICATE", "CERTIFICATE"])
    }

    @Test func test_nonCertificateBlock_isRefused() throws {
        let key = try TestPKI.pem("ca/int.key")
        let label = try #require(PEM.blocks(in: key).first?.label)
        #expect(throws: CertificateInputError.notACertificateBlock(label: label)) { try PEM.certificates(in: key) }
        let mixed = try TestPKI.pem(Self.device) + key
        #expect(throws: CertificateInputError.notACertificateBlock(label: label)) { try PEM.certificates(in: mixed) }
    }

    @Test func test_badBase64_isMalformed() {
        let text = Array("-----BEGIN CERTIFICATE-----\n!!!! not base64 ****\n-----END CERTIFICATE-----\n".utf8)
        #expect(throws: CertificateInputError.malformedPEM(afterBlocks: 0)) { try PEM.certificates(in: text) }
    }

    @Test func test_missingEndLine_isMalformed_afterTheGoodBlocks() throws {
        let good = try TestPKI.pem("ca/root.pem")
        let text = good + Array("-----BEGIN CERTIFICATE-----\nMIIB\n".utf8)
        #expect(throws: CertificateInputError.malformedPEM(afterBlocks: 1)) { try PEM.certificates(in: text) }
    }

    @Test func test_garbage_hasNoCertificate() {
        #expect(throws: CertificateInputError.noCertificate) {
            try PEM.certificates(in: Array("garbage\u{0}\u{1}\u{2} here".utf8))
        }
        #expect(throws: CertificateInputError.noCertificate) {
            try PEM.certificates(in: [0x30, 0x82, 0x01, 0x00, 0xff])
        }
    }

    @Test func test_empty_hasNoCertificate() {
        #expect(throws: CertificateInputError.noCertificate) { try PEM.certificates(in: []) }
        #expect(throws: CertificateInputError.noCertificate) {
            try PEM.certificates(in: [UInt8](repeating: 0x0a, count: 3))
        }
    }

    @Test func test_certificateBlockHoldingNonCertificateDER_isRefusedByTheBinding() throws {
        let key = try TestPKI.pem("ca/int.key")
        let keyDER = try #require(PEM.blocks(in: key).first?.der)
        let text =
            "-----BEGIN CERTIFICATE-----\n" + Data(keyDER).base64EncodedString(options: .lineLength64Characters)
            + "\n-----END CERTIFICATE-----\n"
        let der = try #require(PEM.certificates(in: Array(text.utf8)).first)
        #expect(throws: CertificateInputError.notACertificate) { try CertificateBinding(der: der) }
    }

    // MARK: binding

    @Test func test_binding_ofNonCertificateDER_isRefused() {
        #expect(throws: CertificateInputError.notACertificate) { try CertificateBinding(der: []) }
        #expect(throws: CertificateInputError.notACertificate) { try CertificateBinding(der: [0x30, 0x00]) }
        #expect(throws: CertificateInputError.notACertificate) { try CertificateBinding(der: Array("hello".utf8)) }
        #expect(throws: CertificateInputError.notACertificate) {
            try CertificateBinding(der: TestPKI.der(Self.device) + [0x00])
        }
        #expect(throws: CertificateInputError.notACertificate) {
            try CertificateBinding(der: Array(TestPKI.der(Self.device).dropLast()))
        }
    }

    @Test(arguments: ["ca/root.pem", "ca/int.pem", "devices/sensor1._device.example.com.pem", "web/server.pem"])
    func test_binding_matchesWhatOpensslComputes(_ file: String) throws {
        let der = TestPKI.der(file)
        let binding = try CertificateBinding(der: der)
        #expect(binding.der == der)
        #expect(binding.spki == TestPKI.spki(file))
        #expect(binding.sha256 == TestPKI.digest("sha256", der))
        #expect(binding.sha512 == TestPKI.digest("sha512", der))
        #expect(binding.spkiSHA256 == TestPKI.digest("sha256", binding.spki))
        #expect(binding.spkiSHA512 == TestPKI.digest("sha512", binding.spki))
        #expect(binding.hashHex == Hex.encode(TestPKI.digest("sha256", der)))
    }

    /// A SEQUENCE holding only a TBSCertificate lacks signatureAlgorithm and signatureValue
    /// (RFC 5280 §4.1): it is not a certificate, whatever its first element looks like.
    @Test func test_binding_ofTBSWithoutSignature_isRefused() throws {
        let der = TestPKI.der(Self.device)
        // der = 30 82 LL LL <tbs> <sigAlg> <sig>; tbs = 30 82 LL LL …
        try #require(der[0] == 0x30 && der[1] == 0x82 && der[4] == 0x30 && der[5] == 0x82)
        let tbsLength = Int(der[6]) << 8 | Int(der[7])
        let tbs = Array(der[4..<(8 + tbsLength)])
        let wrapped: [UInt8] = [0x30, 0x82, UInt8(tbs.count >> 8), UInt8(tbs.count & 0xff)] + tbs
        #expect(throws: CertificateInputError.notACertificate) { _ = try CertificateBinding(der: wrapped) }
    }

    @Test func test_digests_areTheStandardOnes() {
        // FIPS 180 "abc" vectors
        let abc = Array("abc".utf8)
        #expect(Hex.encode(Digest.sha1(abc)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Hex.encode(Digest.sha256(abc)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(Digest.sha512(abc)).hasPrefix("ddaf35a193617aba"))
        #expect(Digest.sha256([]).count == 32)
    }
}
