import DANECore
import DANETestSupport
import Foundation
import Testing

/// `daneverify` against hostile input (design.md "Command line"): whatever comes in through
/// FreeRADIUS's xlat expansion, the hook prints exactly one bounded line, never admits another
/// name or network, and never executes anything.
@Suite(.serialized)
struct DaneverifyHostileInputTests {
    typealias Fixture = VerifyLab

    // MARK: hostile input

    static let markers = [
        "/tmp/danesync-pwned", "/tmp/danesync-pwned-semicolon", "/tmp/danesync-pwned-backtick",
        "/tmp/danesync-pwned-pipe",
    ]

    static let hostileIdentities: [[UInt8]] =
        [
            "$(touch /tmp/danesync-pwned)",
            "a;touch /tmp/danesync-pwned-semicolon",
            "`touch /tmp/danesync-pwned-backtick`",
            "x|touch /tmp/danesync-pwned-pipe",
            "../../etc/passwd",
            "/etc/passwd",
            String(repeating: "A", count: 10_000),
            String(repeating: "sensor1.", count: 1_250) + "_device.example.com",
            "sensor1\\._device.example.com",
            "sensor1._device.example.com\\",
            "\\\\server\\share",
            "sensor1._device.example.com\naccept sensor1._device.example.com corp-iot 00",
            "sensor1._device.example.com\r",
            "sensor1._device.example.com ",
            " sensor1._device.example.com",
            "sensor1..device.example.com",
            "\u{1b}[31msensor1._device.example.com",
            "sénsor1._device.example.com",
            "sensor1._device.example.com\u{202e}",
            "%{User-Name}",
            "--help",
            "",
        ].map { Array($0.utf8) } + [
            [0xff, 0xfe, 0x00 + 0x41] + Array("._device.example.com".utf8),  // not UTF-8
            Array("sensor1".utf8) + [0xc0, 0xae] + Array("_device.example.com".utf8),  // overlong "."
            Array("sensor1._device.example.com".utf8) + [0x80],
        ]

    /// A hostile identity is either a device name the policy does not list (12), or an anonymous
    /// identity (design.md "Identity at verify time"): then the name comes from the certificate
    /// — sensor1's own, and never another — or a realm excludes it (12).
    @Test func test_hostileIdentities_getOneLine_neverAnotherName_andNothingRuns() throws {
        for marker in Self.markers { unlink(marker) }
        let config = try Fixture.config()
        let cert = try Fixture.device(LabNames.sensor1)
        for identity in Self.hostileIdentities {
            let shown = String(decoding: identity.prefix(60), as: UTF8.self).debugDescription
            let run = try Fixture.run(raw: [
                Array("--config".utf8), Array(config.utf8), Array("--identity".utf8), identity,
                Array("--cert".utf8), Array(cert.utf8), Array("--called-station-id".utf8),
                Array(DaneverifyTests.onCorpIoT.utf8),
            ])
            run.expect(oneOf: [.notAllowed, .accept], shown)
            if run.status == 0 {
                #expect(run.line.hasPrefix("accept \(LabNames.sensor1) corp-iot "), "\(shown): \(run.line)")
            }
            #expect(run.stdout.count < 1024, "\(shown): the line is bounded (\(run.stdout.count) octets)")
        }
        for marker in Self.markers {
            #expect(access(marker, F_OK) != 0, "\(marker) must not exist: nothing may be executed")
        }
    }

    @Test func test_hostileCalledStationIds_grantNoNetwork() throws {
        let config = try Fixture.config()
        let cert = try Fixture.device(LabNames.sensor1)
        let hostile = [
            "AA-BB-CC-DD-EE-FF:$(touch /tmp/danesync-pwned)",
            "AA-BB-CC-DD-EE-FF:corp-iot\n",
            "AA-BB-CC-DD-EE-FF:corp-iot;guest",
            "AA-BB-CC-DD-EE-FF:*",
            "corp-iot",
            "AA-BB-CC-DD-EE-FF:" + String(repeating: "x", count: 10_000),
            "ZZ-BB-CC-DD-EE-FF:corp-iot",
        ]
        unlink(Self.markers[0])
        for csid in hostile {
            try Fixture.verify(config: config, identity: LabNames.sensor1, cert: cert, csid: csid).expect(
                .notAllowed, csid.debugDescription)
        }
        #expect(access(Self.markers[0], F_OK) != 0)
    }
}
