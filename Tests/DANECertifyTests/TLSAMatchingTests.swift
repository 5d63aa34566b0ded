import DANECertify
import DANECore
import DANEDigest
import Foundation
import DANETestSupport
import Testing

/// RFC 6698 §2.1.2–2.1.3 matching of real generated certificates: every selector × matching
/// type, with the association data computed by openssl, not by the code under test.
struct TLSAMatchingTests {
    static let device = "devices/sensor1._device.example.com.pem"
    static let other = "devices/sensor2._device.example.com.pem"
    static let rogue = "rogue/sensor1._device.example.com.pem"

    /// The association data openssl produces for `selector matching` of a certificate file.
    static func association(_ file: String, selector: UInt8, matching: UInt8) -> [UInt8] {
        let bytes = selector == 0 ? TestPKI.der(file) : TestPKI.spki(file)
        switch matching {
        case 0: return bytes
        case 1: return TestPKI.digest("sha256", bytes)
        default: return TestPKI.digest("sha512", bytes)
        }
    }

    static let kinds: [(UInt8, UInt8)] = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]

    @Test(arguments: [UInt8(3), 4, 2])
    func test_everySelectorAndMatchingType_matchesTheRealCertificate(_ usage: UInt8) throws {
        let binding = try CertificateBinding(der: TestPKI.der(Self.device))
        for (selector, matching) in Self.kinds {
            let data = Self.association(Self.device, selector: selector, matching: matching)
            let record = try TLSARecord(rdata: [usage, selector, matching] + data)
            #expect(record.matches(binding), "\(usage) \(selector) \(matching)")
            // and through presentation form, as dig prints it
            #expect(
                try TLSARecord(presentation: "\(usage) \(selector) \(matching) \(Hex.encode(data).uppercased())")
                    .matches(binding))
        }
    }

    @Test func test_recordsOfAnotherCertificate_doNotMatch() throws {
        let binding = try CertificateBinding(der: TestPKI.der(Self.device))
        for file in [Self.other, Self.rogue] {
            for (selector, matching) in Self.kinds {
                let record = try TLSARecord(
                    rdata: [3, selector, matching] + Self.association(file, selector: selector, matching: matching))
                #expect(!record.matches(binding), "\(file) \(selector) \(matching)")
            }
        }
    }

    @Test func test_dataOfOneKind_doesNotMatchUnderAnother() throws {
        let binding = try CertificateBinding(der: TestPKI.der(Self.device))
        let full = Self.association(Self.device, selector: 0, matching: 0)
        let spkiSHA256 = Self.association(Self.device, selector: 1, matching: 1)
        #expect(!TLSARecord(usage: .daneEE, selector: .spki, matchingType: .full, data: full).matches(binding))
        #expect(!TLSARecord(usage: .daneEE, selector: .cert, matchingType: .sha256, data: spkiSHA256).matches(binding))
    }

    @Test func test_unassignedSelectorOrMatchingType_neverMatches() throws {
        let binding = try CertificateBinding(der: TestPKI.der(Self.device))
        let full = Self.association(Self.device, selector: 0, matching: 0)
        let digest = Self.association(Self.device, selector: 0, matching: 1)
        #expect(!(try TLSARecord(rdata: [3, 2, 0] + full)).matches(binding))
        #expect(!(try TLSARecord(rdata: [3, 0, 3] + full)).matches(binding))
        #expect(!(try TLSARecord(rdata: [3, 0, 255] + digest)).matches(binding))
        #expect(!(try TLSARecord(rdata: [3, 255, 1] + digest)).matches(binding))
    }

    @Test func test_fullCertificateRecord_carriesTheSameCertificateFacts() throws {
        let der = TestPKI.der(Self.device)
        let record = try TLSARecord(rdata: [3, 0, 0] + der)
        #expect(record.carriesDiscoverableCertificate)
        let facts = try CertificateFacts(der: record.data)
        #expect(facts.binding == (try CertificateBinding(der: der)))
        #expect(facts.sha256Hex == Hex.encode(Self.association(Self.device, selector: 0, matching: 1)))
    }

    /// design.md "Protocol facts": for PKIX usages (1, 4) the certificate's SAN dNSName must include the identity.
    @Test func test_PKIXUsages_needTheNameInTheSAN_andTheLabCertificatesHaveIt() throws {
        let name = try DeviceName("sensor1._device.example.com")
        let facts = try CertificateFacts(der: TestPKI.der(Self.device))
        for usage in [TLSAUsage.pkixCD, .pkixEE] {
            #expect(usage.requiresSANMatch)
            #expect(facts.sanContains(name))
        }
        #expect(!TLSAUsage.daneEE.requiresSANMatch)
        let other = try CertificateFacts(der: TestPKI.der(Self.other))
        #expect(!other.sanContains(name), "sensor2's certificate must not pass the SAN rule for sensor1")
        // The hook reads the SAN with nettle's DER walk; it agrees with swift-certificates.
        #expect(try CertificateBinding(der: TestPKI.der(Self.device)).sanDNSNames == facts.sanDNSNames)
        #expect(try CertificateBinding(der: TestPKI.der(Self.other)).sanDNSNames == other.sanDNSNames)
    }

    /// design.md "Protocol facts": a PKIX pin admits a certificate only if its SAN names the device.
    @Test func test_PKIXPin_admitsOnlyACertificateWhoseSANHasTheName_DANEPinAdmitsByKey() throws {
        let name = try DeviceName("sensor1._device.example.com")
        let device = try CertificateBinding(der: TestPKI.der(Self.device))
        let other = try CertificateBinding(der: TestPKI.der(Self.other))
        for certificate in [device, other] {
            let pkix = TLSARecord(usage: .pkixEE, selector: .cert, matchingType: .sha256, data: certificate.sha256)
            let dane = TLSARecord(usage: .daneEE, selector: .cert, matchingType: .sha256, data: certificate.sha256)
            let viaPKIX = TrustMapEntry(network: "*", name: name, hashes: [], pins: [pkix])
            let viaDANE = TrustMapEntry(network: "*", name: name, hashes: [], pins: [dane])
            #expect(viaPKIX.accepts(certificate) == (certificate == device), "PKIX pin: SAN must hold the name")
            #expect(viaDANE.accepts(certificate), "DANE-EE pin: the key is the identity")
        }
    }
}
