import DANECertify
import DANECore
import DANEDigest
import DANEPublish
import DANESync
import Foundation
import Logging
import Testing

/// The agent end to end against the lab (knot with signed zones, nginx CA host): every test
/// drives the real `Agent` (libunbound, libcurl, files) or the built `danesync once`, with its
/// own output directory and policy, and checks the four outputs of design.md "Outputs".
///
/// `sensor4._device.example.com` is the one name a test withdraws (ResolverTests withdraws it
/// too, in the same lab), so only the withdrawal test lists it in its policy.
@Suite(.serialized)
struct AgentTests {
    @Test func test_aPass_publishesTheOrganisationsCAs_andTheRightHashPerNetworkAndName() async throws {
        let workspace = try AgentWorkspace("publish")
        defer { workspace.remove() }
        try workspace.writePolicy(LabNames.everythingButSensor4)

        let summary = try await workspace.pass()
        #expect(summary.exitCode == 1, "fault, bogus and insecure names fail the pass")
        #expect(Set(summary.report.written) == ["ca.d", "ca.pem", "trustmap", "status.json"])

        let published = workspace.published
        let expectedCAs = try LabPKI.fingerprints(["int", "root", "org2-root"])
        #expect(try published.caPEMFingerprints() == expectedCAs)
        #expect(try published.caPEMCountByOpenSSL() == 3, "FreeRADIUS (OpenSSL) reads every CA of ca.pem")
        #expect(try published.caDirectoryFingerprints() == expectedCAs)
        for unwanted in try LabPKI.fingerprints(["rogue-root", "web-ca"] + LabPKI.faultRoots) {
            #expect(try !published.caPEMFingerprints().contains(unwanted))
        }

        var expected: Set<TrustMapLine> = []
        for name in LabNames.sensors123 {
            expected.insert(TrustMapLine(network: "corp-iot", name: name, hashes: [try LabPKI.deviceHash(name)]))
        }
        expected.insert(TrustMapLine(network: "*", name: LabNames.cam7, hashes: [try LabPKI.deviceHash(LabNames.cam7)]))
        let entries = try published.trustMap()
        #expect(Set(entries.map(TrustMapLine.init)) == expected)
        // sensor3 also publishes `3 1 1`: kept as a pin beside its hash.
        #expect(
            entries.first { $0.name.text == LabNames.sensor3 }?.pins.map(\.presentation).first?.hasPrefix("3 1 1 ")
                == true)

        // The reader daneverify uses finds each entry by binary search, and only on its network.
        let sensor1 = try DeviceName(LabNames.sensor1)
        #expect(
            try published.lookup(network: "corp-iot", name: sensor1)?.hashes == [
                try LabPKI.deviceHash(LabNames.sensor1)
            ])
        #expect(try published.lookup(network: "guest", name: sensor1) == nil)
        #expect(try published.lookup(network: "*", name: DeviceName(LabNames.cam7)) != nil)

        let status = try published.status()
        for name in LabNames.sensors123 + [LabNames.cam7] {
            #expect(status.state(of: name) == .ok, "\(name)")
        }
        #expect(status.counts.ok == 4)
        #expect(Set(status.cas.map(\.sha256)) == expectedCAs)
    }

    @Test func test_secondPassWithNothingChanged_rewritesNoOutput_andDoesNotRunOnCAChange() async throws {
        let workspace = try AgentWorkspace("unchanged")
        defer { workspace.remove() }
        try workspace.writePolicy(LabNames.everythingButSensor4)
        let marker = workspace.root.appendingPathComponent("ca-changed").path
        let settings = ["sync.on_ca_change": "/usr/bin/touch \(marker)"]

        let first = try await workspace.pass(set: settings)
        #expect(first.report.caChanged)
        #expect(FileManager.default.fileExists(atPath: marker), "on_ca_change runs after ca.pem changed")
        try FileManager.default.removeItem(atPath: marker)
        let before = try workspace.published.identities()
        #expect(before.keys.contains("ca.pem") && before.keys.contains("trustmap"))
        #expect(before.keys.filter { $0.hasPrefix("ca.d/") }.count == 6, "3 CA files + 3 hash links")

        let second = try await workspace.pass(set: settings)
        #expect(second.report.written.allSatisfy { $0 == "status.json" }, "written: \(second.report.written)")
        #expect(!second.report.caChanged)
        var after = try workspace.published.identities()
        var unchanged = before
        let map = after.removeValue(forKey: "trustmap")
        let mapBefore = unchanged.removeValue(forKey: "trustmap")
        #expect(after == unchanged, "same inode and mtime for ca.pem and ca.d/*")
        #expect(map != nil && map?.inode == mapBefore?.inode, "the trust map is not rewritten")
        #expect(
            (map?.modified ?? .distantPast) >= (mapBefore?.modified ?? .distantFuture),
            "but marked fresh by the completed pass (verify.max_age)")
        #expect(!FileManager.default.fileExists(atPath: marker), "on_ca_change must not run when ca.pem is unchanged")
    }

    @Test func test_withdrawnName_leavesTheTrustMapAtTheNextPass_andComesBackWhenRestored() async throws {
        let workspace = try AgentWorkspace("withdraw")
        defer { workspace.remove() }
        try workspace.writePolicy(["corp-iot": [LabNames.sensor1, LabNames.sensor4]])
        let sensor4 = try DeviceName(LabNames.sensor4)
        let hash = try LabPKI.deviceHash(LabNames.sensor4)

        _ = try await workspace.pass()
        #expect(try workspace.published.lookup(network: "corp-iot", name: sensor4)?.hashes == [hash])

        #expect(Lab.script("dns.sh", "withdraw", Lab.directory.path, sensor4.text) == 0)
        var restored = false
        defer { if !restored { Lab.script("dns.sh", "restore", Lab.directory.path, sensor4.text) } }

        // Each pass builds its Agent afresh, as `danesync once` does: a cold resolver cache.
        _ = try await workspace.pass()
        var status = try workspace.published.status()
        #expect(status.state(of: LabNames.sensor4) == .withdrawn)
        let reason = status.name(LabNames.sensor4)?.lastError ?? ""
        #expect(
            reason.contains("NXDOMAIN") || reason.contains("NODATA") || reason.contains("no usable TLSA"), "\(reason)")
        // Still listed by the policy: an entry that admits nothing and says since when (the hook's 14).
        let withdrawn = try workspace.published.lookup(network: "corp-iot", name: sensor4)
        #expect(withdrawn?.hashes == [] && withdrawn?.withdrawnAt == status.name(LabNames.sensor4)?.since)
        #expect(
            try workspace.published.trustMap().filter { $0.withdrawnAt == nil }.map(\.name.text) == [LabNames.sensor1])

        #expect(Lab.script("dns.sh", "restore", Lab.directory.path, sensor4.text) == 0)
        restored = true
        _ = try await workspace.pass()
        status = try workspace.published.status()
        #expect(status.state(of: LabNames.sensor4) == .ok)
        #expect(try workspace.published.lookup(network: "corp-iot", name: sensor4)?.hashes == [hash])
    }

    @Test func test_bogusAndInsecureNames_neverEnterTheTrustMap_andSayWhy() async throws {
        let workspace = try AgentWorkspace("dnssec")
        defer { workspace.remove() }
        // plain.… sits in the unsigned zone; broken.… in a signed zone whose TLSA rdata was altered.
        try workspace.writePolicy([
            "corp-iot": [LabNames.sensor1, LabNames.bogus, LabNames.insecure],
            "*": [LabNames.bogus, LabNames.insecure],
        ])

        let summary = try await workspace.pass()
        #expect(summary.exitCode == 1)
        let names = try workspace.published.trustMap().map(\.name.text)
        #expect(names == [LabNames.sensor1])

        let status = try workspace.published.status()
        #expect(status.state(of: LabNames.bogus) == .bogus)
        #expect(status.name(LabNames.bogus)?.lastError?.contains("DNSSEC validation failed") == true)
        #expect(status.state(of: LabNames.insecure) == .insecure)
        let insecure = status.name(LabNames.insecure)?.lastError ?? ""
        #expect(insecure.contains("insecure") && insecure.contains("require_dnssec"), "\(insecure)")
        #expect(status.name(LabNames.bogus)?.hashes == [])
        #expect(status.name(LabNames.insecure)?.hashes == [])
    }

    @Test func test_faultyCAHosts_giveErrorNamingTheRule_andAddNoCA() async throws {
        let workspace = try AgentWorkspace("faults")
        defer { workspace.remove() }
        try workspace.writePolicy(["corp-iot": [LabNames.sensor1] + LabNames.faults.map(\.name)])

        _ = try await workspace.pass()
        let status = try workspace.published.status()
        for fault in LabNames.faults {
            let entry = try #require(status.name(fault.name))
            #expect(entry.state == .error, "\(fault.name)")
            let reason = entry.lastError ?? ""
            for word in fault.reasonMentions {
                #expect(reason.contains(word), "\(fault.name): reason \"\(reason)\" lacks \"\(word)\"")
            }
            #expect(
                reason.contains("https://device.example.com/.well-known/ca/"), "the reason names the URL: \(reason)")
        }
        let expectedCAs = try LabPKI.fingerprints(["int", "root"])
        #expect(
            try workspace.published.caPEMFingerprints() == expectedCAs,
            "only sensor1's chain; nothing from a fault host")
        #expect(try workspace.published.caDirectoryFingerprints() == expectedCAs)
        #expect(try workspace.published.trustMap().map(\.name.text) == [LabNames.sensor1])
    }

    @Test func test_resolverFailure_keepsTheLastGoodEntryWithinGrace_andDropsItAfter() async throws {
        let workspace = try AgentWorkspace("grace")
        defer { workspace.remove() }
        let names = [LabNames.sensor1, LabNames.sensor2, LabNames.cam7]
        try workspace.writePolicy(["corp-iot": [LabNames.sensor1, LabNames.sensor2], "*": [LabNames.cam7]])

        let first = try await workspace.pass()
        #expect(first.exitCode == 0)
        let good = try workspace.published.trustMap()
        let goodCAs = try workspace.published.caPEMFingerprints()
        #expect(good.count == 3 && goodCAs.count == 3)

        // A forwarder that never answers, and no unbound.conf (whose forward-zone names knot).
        let silent = try SilentUDPServer()
        defer { silent.close() }
        let dead: [String: String] = ["dns.forwarders": "[\"127.0.0.1@\(silent.port)\"]", "dns.timeout": "1s"]

        let second = try await workspace.pass(
            set: dead.merging(["sync.grace": "1h"]) { $1 }, remove: ["dns.unbound_conf"])
        #expect(second.exitCode == 1)
        var status = try workspace.published.status()
        for name in names {
            #expect(status.state(of: name) == .stale, "\(name)")
            #expect(
                status.name(name)?.lastError?.contains("timed out") == true, "\(status.name(name)?.lastError ?? "-")")
        }
        #expect(try workspace.published.trustMap() == good, "stale names stay published")
        #expect(try workspace.published.caPEMFingerprints() == goodCAs, "and so do the CAs they rely on")
        #expect(try workspace.published.caPEMCountByOpenSSL() == 3)

        // grace 0 s: the last ok pass is at least a second old, so the entries go.
        try await Task.sleep(for: .milliseconds(1100))
        _ = try await workspace.pass(set: dead.merging(["sync.grace": "0s"]) { $1 }, remove: ["dns.unbound_conf"])
        status = try workspace.published.status()
        for name in names {
            #expect(status.state(of: name) == .error, "\(name)")
        }
        #expect(try workspace.published.trustMap().isEmpty)
        // No device CA is left: ca.pem and ca.d hold only the placeholder that trusts nothing.
        let left = try workspace.published.caPEMFingerprints()
        #expect(left.count == 1 && left.isDisjoint(with: goodCAs))
        #expect(try workspace.published.caDirectoryFingerprints() == left)
        #expect(try workspace.published.caPEMCountByOpenSSL() == 1)
        #expect(try workspace.published.status().cas.allSatisfy { $0.subject.contains(PlaceholderCA.commonName) })
    }

    @Test func test_caDirectory_isWhatOpenSSLRehashMakes_andLosesCAsThatDisappear() async throws {
        let workspace = try AgentWorkspace("cadir")
        defer { workspace.remove() }
        try workspace.writePolicy(LabNames.everythingButSensor4)
        _ = try await workspace.pass()
        try workspace.published.checkCADirectoryLikeRehash(
            expecting: try LabPKI.fingerprints(["int", "root", "org2-root"]))

        // Only cam7 left: its org2-root stays, the example.com intermediate and root go.
        try workspace.writePolicy(["*": [LabNames.cam7]])
        let summary = try await workspace.pass()
        #expect(summary.report.written.contains("ca.d"))
        try workspace.published.checkCADirectoryLikeRehash(expecting: try LabPKI.fingerprints(["org2-root"]))
        #expect(try workspace.published.caPEMFingerprints() == LabPKI.fingerprints(["org2-root"]))
    }

    @Test func test_unreadablePolicy_exitsTwo_andPublishesNothingNew() async throws {
        let workspace = try AgentWorkspace("nopolicy")
        defer { workspace.remove() }
        try workspace.writePolicy(["*": [LabNames.cam7, LabNames.sensor1]])
        try workspace.writeConfig()
        let good = try workspace.runOnce()
        #expect(good.status == 0, "\(good.stderr)")
        let before = try workspace.published.snapshot()
        let identities = try workspace.published.identities()

        // Missing, then present but not a policy: both are "nothing usable" for a fresh process.
        try FileManager.default.removeItem(atPath: workspace.policyPath)
        let missing = try workspace.runOnce()
        #expect(missing.status == 2)
        #expect(missing.stderr.contains(workspace.policyPath), "\(missing.stderr)")

        try Data("networks: [this, is, a, list]\n".utf8).write(to: URL(fileURLWithPath: workspace.policyPath))
        let malformed = try workspace.runOnce()
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("policy"), "\(malformed.stderr)")

        #expect(try workspace.published.snapshot() == before, "every output, status.json included, is unchanged")
        #expect(try workspace.published.identities() == identities)
    }
}
