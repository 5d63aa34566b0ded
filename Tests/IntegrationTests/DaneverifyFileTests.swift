import DANECore
import DANEDigest
import DANETestSupport
import Foundation
import Testing

/// The files `daneverify` reads and how each kind of damage is refused
/// (design.md "Command line"): a trust map missing, stale, truncated, corrupt or a directory
/// (10); a certificate file missing, not a certificate, a directory, a FIFO, endless or huge (11).
@Suite(.serialized)
struct DaneverifyFileTests {
    typealias Fixture = VerifyLab

    // MARK: 10 trust map

    @Test func test_missingTrustMap_rejects10() throws {
        let empty = try Fixture.outputDirectory("no-trustmap", trustMap: nil)
        try DaneverifyTests.verifySensor1OnCorpIoT(output: empty).expect(.trustMap)
    }

    @Test func test_trustMapNotMarkedFreshWithinMaxAge_rejects10_beforeAnyLookup() throws {
        let output = try Fixture.outputDirectory("stale", trustMap: Fixture.publishedTrustMap())
        // The last pass was two days ago: the agent has stopped completing passes.
        var times = [
            timespec(tv_sec: time(nil) - 2 * 86_400, tv_nsec: 0), timespec(tv_sec: time(nil) - 2 * 86_400, tv_nsec: 0),
        ]
        #expect(utimensat(AT_FDCWD, output + "/trustmap", &times, 0) == 0)
        let cert = try Fixture.device(LabNames.sensor1)
        let stale = try Fixture.verify(
            config: Fixture.config(output: output), identity: LabNames.sensor1, cert: cert,
            csid: DaneverifyTests.onCorpIoT)
        stale.expect(.trustMap)
        #expect(stale.line.contains("trust map is stale: last pass "), "\(stale.line)")
        // Checked before the identity is even read.
        try Fixture.verify(config: Fixture.config(output: output), identity: "@example.com", cert: cert, csid: nil)
            .expect(.trustMap)
        // verify.max_age: 0 turns the check off.
        try Fixture.verify(
            config: Fixture.config(output: output, maxAge: "0s"), identity: LabNames.sensor1, cert: cert,
            csid: DaneverifyTests.onCorpIoT
        ).expect(.accept)
    }

    @Test func test_truncatedTrustMap_rejects10() throws {
        let good = try Fixture.publishedTrustMap()
        for (label, cut) in [
            ("half", good.count / 2), ("last-octet", good.count - 1), ("header-only", good.firstIndex(of: 0x0a)! + 1),
            ("empty", 0),
        ] {
            let dir = try Fixture.outputDirectory("truncated-\(label)", trustMap: Array(good.prefix(cut)))
            try DaneverifyTests.verifySensor1OnCorpIoT(output: dir).expect(.trustMap, label)
        }
    }

    @Test func test_corruptTrustMapLine_rejects10() throws {
        let good = try Fixture.publishedTrustMap()
        let key = Array("corp-iot\t\(LabNames.sensor1)\t".utf8)
        let start = try #require(Fixture.find(key, in: good), "the published trust map lists sensor1 on corp-iot")
        // Flip one hash digit of the very line the lookup lands on: its checksum must catch it.
        var corrupt = good
        let at = start + key.count + 10
        corrupt[at] = corrupt[at] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        let dir = try Fixture.outputDirectory("corrupt-line", trustMap: corrupt)
        try DaneverifyTests.verifySensor1OnCorpIoT(output: dir).expect(.trustMap)

        var badMagic = good
        badMagic[0] ^= 0x20
        let magicDir = try Fixture.outputDirectory("bad-magic", trustMap: badMagic)
        try DaneverifyTests.verifySensor1OnCorpIoT(output: magicDir).expect(.trustMap)
    }

    @Test func test_trustMapThatIsADirectory_rejects10() throws {
        let dir = try Fixture.outputDirectory("trustmap-dir", trustMap: nil)
        try FileManager.default.createDirectory(atPath: dir + "/trustmap", withIntermediateDirectories: true)
        try DaneverifyTests.verifySensor1OnCorpIoT(output: dir).expect(.trustMap)
    }

    // MARK: 11 certificate file

    @Test func test_unusableCertificateFile_rejects11() throws {
        let config = try Fixture.config()
        let notPEM = try Fixture.write("not-pem.txt", "hello, I am not a certificate\n")
        let garbagePEM = try Fixture.write(
            "garbage.pem", "-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGUgYXQgYWxs\n-----END CERTIFICATE-----\n")
        let derFile = Fixture.scratch("sensor1.der")
        try Data(Fixture.der(Fixture.device(LabNames.sensor1))).write(to: URL(fileURLWithPath: derFile))
        // A FIFO nobody writes to: refused at once, not waited on (docs/fault-matrix.md).
        let fifo = Fixture.scratch("cert.fifo")
        try? FileManager.default.removeItem(atPath: fifo)
        #expect(mkfifo(fifo, 0o600) == 0)
        let zeros = Fixture.scratch("zeros.pem")
        try? FileManager.default.removeItem(atPath: zeros)
        try FileManager.default.createSymbolicLink(atPath: zeros, withDestinationPath: "/dev/zero")
        // 100 MB, sparse: refused by its size before a byte is read.
        let huge = Fixture.scratch("huge.pem")
        #expect(FileManager.default.createFile(atPath: huge, contents: nil))
        #expect(truncate(huge, 100_000_000) == 0)
        let cases = [
            ("missing", Fixture.scratch("no-such-cert.pem")),
            ("not PEM", notPEM),
            ("PEM private key, not a certificate", Fixture.path("pki/devices/\(LabNames.sensor1).key")),
            ("CERTIFICATE block holding garbage", garbagePEM),
            ("DER instead of PEM", derFile),
            ("a directory", Fixture.path("pki")),
            ("empty", "/dev/null"),
            ("endless zeros", "/dev/zero"),
            ("a FIFO", fifo),
            ("a symlink to /dev/zero", zeros),
            ("a 100 MB file", huge),
        ]
        for (label, cert) in cases {
            try Fixture.verify(config: config, identity: LabNames.sensor1, cert: cert, csid: DaneverifyTests.onCorpIoT)
                .expect(
                    .certificate, label)
        }
    }

    /// FreeRADIUS writes the peer's leaf to the file; a file holding more than one certificate
    /// is judged by its first, and a published certificate after it admits nothing.
    @Test func test_PEMWithTwoCertificates_isJudgedByTheFirst() throws {
        let config = try Fixture.config()
        let sensor1 = try String(contentsOfFile: Fixture.device(LabNames.sensor1), encoding: .utf8)
        let rogue = try String(contentsOfFile: Fixture.path("pki/rogue/\(LabNames.sensor1).pem"), encoding: .utf8)
        let publishedFirst = try Fixture.write("two-published-first.pem", sensor1 + rogue)
        let rogueFirst = try Fixture.write("two-rogue-first.pem", rogue + sensor1)
        try Fixture.verify(
            config: config, identity: LabNames.sensor1, cert: publishedFirst, csid: DaneverifyTests.onCorpIoT
        )
        .expect(.accept)
        try Fixture.verify(
            config: config, identity: LabNames.sensor1, cert: rogueFirst, csid: DaneverifyTests.onCorpIoT
        )
        .expect(.notPublished)
    }
}
