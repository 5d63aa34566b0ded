import DANECore
import DANETestSupport
import Foundation
import Testing

/// design.md "Identity at verify time", through the hook: an anonymous identity takes its name
/// from the certificate, within the realm; a device name stays binding.
@Suite(.serialized)
struct DaneverifyIdentityTests {
    typealias Fixture = VerifyLab

    @Test(arguments: ["anonymous@example.com", "@example.com", "@", "", "anonymous"])
    func test_anonymousIdentity_isAcceptedAsTheCertificatesName(_ identity: String) throws {
        let run = try Fixture.verify(
            config: Fixture.config(), identity: identity, cert: Fixture.device(LabNames.sensor1),
            csid: DaneverifyTests.onCorpIoT)
        run.expect(.accept, identity)
        #expect(run.line.hasPrefix("accept \(LabNames.sensor1) corp-iot "), "\(run.line)")
    }

    @Test func test_anonymousIdentity_withTheRealmOfAnotherDomain_rejects12() throws {
        let run = try Fixture.verify(
            config: Fixture.config(), identity: "anonymous@example.org", cert: Fixture.device(LabNames.sensor1),
            csid: DaneverifyTests.onCorpIoT)
        run.expect(.notAllowed)
        #expect(run.line.contains("inside realm \"example.org\""), "\(run.line)")
    }

    @Test func test_anotherDevicesName_asIdentity_staysBinding_13() throws {
        try Fixture.verify(
            config: Fixture.config(), identity: LabNames.sensor2, cert: Fixture.device(LabNames.sensor1),
            csid: DaneverifyTests.onCorpIoT
        ).expect(.notPublished)
    }
}
