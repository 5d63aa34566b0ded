import DANECore
import DANEPublish
import DANETestSupport
import Foundation
import Testing

/// docs/fault-matrix.md, DNS: a DNSKEY roll between passes (`dns.sh roll`: the new key replaces
/// the old at once). A ZSK roll changes nothing the agent publishes; a KSK roll does not either
/// once the trust anchor follows it; a validator left with the old anchor sees the zone as
/// bogus — the hook rejects with 15 and the next pass drops the names (fail closed, and an
/// outage the admin must fix by updating `dns.trust_anchor_file`).
///
/// In a lab of its own: it replaces keys and the trust-anchor file other suites rely on.
struct KeyRollTests {
    static let network = "corp-iot"

    @Test func test_DNSKEYRollBetweenPasses_keepsNamesPublished_untilTheTrustAnchorIsStale() throws {
        let lab = try Scratch.created("danesync-roll-lab")
        try Lab.up(lab)
        defer {
            Lab.script("down.sh", lab)
            try? FileManager.default.removeItem(atPath: lab)
        }
        let config = lab + "/danesync.yaml"
        let outputs = PublishedOutputs(directory: lab + "/out")
        let name = try DeviceName(LabNames.sensor1)
        func once() throws -> StatusDocument {
            let run = try Command.run(Repository.binary("danesync"), ["once", "--config", config])
            #expect(run.status == 1, "the lab policy holds failing names on purpose: \(run.stderr.suffix(500))")
            return try outputs.status()
        }

        #expect(try once().state(of: LabNames.sensor1) == .ok)
        let entry = try #require(try outputs.lookup(network: Self.network, name: name))

        #expect(Lab.script("dns.sh", "roll", lab, "example.com", "zsk") == 0)
        #expect(try once().state(of: LabNames.sensor1) == .ok, "after a ZSK roll")
        #expect(try outputs.lookup(network: Self.network, name: name) == entry)

        let anchors = lab + "/dns/trust-anchors"
        let oldAnchors = try Data(contentsOf: URL(fileURLWithPath: anchors))
        #expect(Lab.script("dns.sh", "roll", lab, "example.com", "ksk") == 0)
        #expect(try once().state(of: LabNames.sensor1) == .ok, "after a KSK roll with the anchor updated")
        #expect(try outputs.lookup(network: Self.network, name: name) == entry)

        // The anchor file is not updated: the hook's live check and the next pass see bogus.
        try oldAnchors.write(to: URL(fileURLWithPath: anchors))
        let hook = try Command.run(
            Repository.binary("daneverify"),
            [
                "--config", config, "--identity", LabNames.sensor1, "--cert",
                lab + "/pki/devices/\(LabNames.sensor1).pem",
                "--called-station-id", "AA-BB-CC-DD-EE-FF:\(Self.network)",
            ])
        hook.expect(.dnssec, "stale trust anchor")
        let stale = try once()
        #expect(stale.state(of: LabNames.sensor1) == .bogus)
        #expect(try outputs.lookup(network: Self.network, name: name) == nil)
    }
}
