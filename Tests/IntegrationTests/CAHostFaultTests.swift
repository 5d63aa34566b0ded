import DANECore
import DANESync
import Foundation
import Testing

/// docs/fault-matrix.md, CA discovery: the CA host hangs, presents a TLS certificate the
/// agent does not trust, or is gone. After a good pass the names stay `stale` within grace with
/// the CAs they rely on (ca.pem unchanged: FreeRADIUS keeps working); with nothing published
/// before, nothing is trusted.
struct CAHostFaultTests {
    static let names = [LabNames.sensor1, LabNames.sensor2]

    /// Settings that break the CA host one way each, and a word of the reason it gives.
    static func faults(silentPort: UInt16, closedPort: UInt16) -> [(String, [String: String], String)] {
        func every(_ port: UInt16) -> String { "{\"device.example.com:443\": \"127.0.0.1:\(port)\"}" }
        return [
            ("hangs", ["discovery.connect_to": every(silentPort), "discovery.timeout": "1s"], "timed out"),
            ("untrusted TLS certificate", ["discovery.tls_ca_file": Lab.path("pki/ca/root.pem")], "certificate"),
            ("stopped", ["discovery.connect_to": every(closedPort)], "no HTTP answer"),
        ]
    }

    /// A port on 127.0.0.1 nobody listens on (bound once, then closed).
    static func closedPort() throws -> UInt16 {
        let server = try SilentServer()
        server.close()
        return server.port
    }

    @Test func test_faultyCAHost_afterAGoodPass_keepsTheNamesStale_andTheirCAs() async throws {
        let workspace = try AgentWorkspace("ca-host")
        defer { workspace.remove() }
        try workspace.writePolicy(["corp-iot": Self.names])
        #expect(try await workspace.pass().exitCode == 0)
        let good = try workspace.published.trustMap()
        let goodCAs = try workspace.published.caPEMFingerprints()
        #expect(good.count == 2 && !goodCAs.isEmpty)

        let silent = try SilentServer()
        defer { silent.close() }
        for (label, settings, reason) in Self.faults(silentPort: silent.port, closedPort: try Self.closedPort()) {
            let summary = try await workspace.pass(set: settings)
            #expect(summary.exitCode == 1, "\(label)")
            let status = try workspace.published.status()
            for name in Self.names {
                #expect(status.state(of: name) == .stale, "\(label): \(name)")
                let why = status.name(name)?.lastError ?? "-"
                #expect(why.contains(reason), "\(label): \(why)")
            }
            #expect(try workspace.published.trustMap() == good, "\(label)")
            #expect(try workspace.published.caPEMFingerprints() == goodCAs, "\(label)")
        }
    }

    @Test func test_faultyCAHost_onAFirstPass_publishesNoDeviceCA() async throws {
        let silent = try SilentServer()
        defer { silent.close() }
        for (label, settings, _) in Self.faults(silentPort: silent.port, closedPort: try Self.closedPort()) {
            let workspace = try AgentWorkspace("ca-host-first")
            defer { workspace.remove() }
            try workspace.writePolicy(["corp-iot": Self.names])
            #expect(try await workspace.pass(set: settings).exitCode == 1, "\(label)")
            let status = try workspace.published.status()
            #expect(Self.names.allSatisfy { status.state(of: $0) == .error }, "\(label)")
            #expect(try workspace.published.trustMap().isEmpty, "\(label)")
            #expect(try workspace.published.caPEMFingerprints().count == 1, "\(label): the placeholder only")
        }
    }
}
