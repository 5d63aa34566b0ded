import DANECore
import DANESync
import DANETestSupport
import Foundation
import Logging
import Testing

/// What an operator reads: the metrics a pass leaves, the progress line, the log lines, and the
/// readiness message to systemd (design.md "Command line", "Configuration").
struct OperationsTests {
    /// The exposition after a pass over the doubles: names by state as in status.json, the
    /// answers by class, the pass counted as partial, an on_ca_change run.
    @Test func test_metrics_afterAPass_matchStatusJSON() async throws {
        let ok = SyncPassTests.sensor1
        let withdrawn = try DeviceName("gone._device.example.com")
        let world = try PassFixture(names: [ok.text, withdrawn.text])
        try world.publishDevice(ok)
        world.resolver.answer(withdrawn, with: .nxdomain)
        let summary = try await world.pass()
        let metrics = AgentMetrics(trustMapPath: "/nonexistent/trustmap")
        metrics.record(summary)
        metrics.recordCAChange(ran: true, pending: false)
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        for line in [
            "danesync_names{state=\"ok\"} 1", "danesync_names{state=\"withdrawn\"} 1",
            "danesync_names{state=\"error\"} 0",
            // A withdrawn name is a revocation, not a failure (design.md "Revocation and disconnect").
            "danesync_passes_total{result=\"ok\"} 1", "danesync_passes_total{result=\"partial\"} 0",
            "danesync_passes_total{result=\"failed\"} 0", "danesync_disconnects_total{result=\"no-answer\"} 0",
            "danesync_dns_answers_total{class=\"secure\"} 1", "danesync_dns_answers_total{class=\"nxdomain\"} 1",
            "danesync_dns_answers_total{class=\"timeout\"} 0", "danesync_cas_published 2",
            "danesync_on_ca_change_runs_total{result=\"ok\"} 1", "danesync_on_ca_change_pending 0",
            "danesync_last_success_timestamp_seconds \((Double(summary.status.time) + summary.status.durationSeconds).rounded())",
            "danesync_build_info{version=\"\(DanesyncVersion.text)\"} 1",
        ] {
            #expect(text.split(separator: "\n").contains { $0.hasPrefix(line) }, "\(line)\n\(text)")
        }
        #expect(text.contains("# HELP danesync_names "))
        #expect(text.contains("danesync_pass_duration_seconds_count 1"))
    }

    @Test func test_metrics_ofAFailedPass_andACAChangeThatFailed() {
        let metrics = AgentMetrics(trustMapPath: "/nonexistent/trustmap")
        metrics.recordFailedPass()
        metrics.recordCAChange(ran: false, pending: true)
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(text.contains("danesync_passes_total{result=\"failed\"} 1"))
        #expect(text.contains("danesync_on_ca_change_runs_total{result=\"failed\"} 1"))
        #expect(text.contains("danesync_on_ca_change_pending 1"))
    }

    @Test func test_metricsTextfile_isWrittenWhole() throws {
        let directory = try Scratch.created("danesync-metrics")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let metrics = AgentMetrics(trustMapPath: directory + "/trustmap")
        #expect(FileManager.default.createFile(atPath: directory + "/trustmap", contents: Data()))
        try metrics.writeTextfile(directory + "/danesync.prom")
        let text = try String(contentsOfFile: directory + "/danesync.prom", encoding: .utf8)
        #expect(text.contains("danesync_trustmap_age_seconds "))
        #expect(text.hasSuffix("\n"))
    }

    @Test func test_progressLine_saysDoneTotalRateETAAndFailures() {
        let line = PassProgress(done: 2500, total: 10000, failures: 3).line(elapsed: .milliseconds(500))
        #expect(line == "names 2500/10000 (25%)  5000 names/s  ETA 2s  failures 3")
        #expect(
            PassProgress(done: 0, total: 10, failures: 0).line(elapsed: .zero)
                == "names 0/10 (0%)  0 names/s  failures 0")
    }

    @Test func test_logLines_logfmtAndJSON_escapeAndUnderSystemdCarryThePriorityNotTheTime() {
        let metadata: Logger.Metadata = ["name": "sensor1._device.example.com", "reason": "said \"no\"\nthen left"]
        let time = Date(timeIntervalSince1970: 1_795_952_527.25)
        #expect(
            LogFormat.logfmt.line(
                level: .warning, message: "name stale", metadata: metadata, time: time, journal: false)
                == "time=2026-11-29T11:42:07.250Z level=warning msg=\"name stale\" name=sensor1._device.example.com reason=\"said \\\"no\\\"\\nthen left\""
        )
        #expect(
            LogFormat.json.line(
                level: .error, message: "pass failed", metadata: ["reason": "x"], time: nil, journal: true)
                == "<3>{\"level\":\"error\",\"msg\":\"pass failed\",\"reason\":\"x\"}")
    }

    /// A datagram socket standing in for systemd's: READY=1 arrives as sent; without
    /// `$NOTIFY_SOCKET` nothing is sent.
    @Test func test_readiness_reachesTheNotifySocket() throws {
        let scratch = try Scratch.created("danesync-notify")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let path = scratch + "/notify"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0)
        #expect(SystemdNotify.send("READY=1\nSTATUS=first pass published", socket: path))
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        #expect(count > 0)
        #expect(String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self) == "READY=1\nSTATUS=first pass published")
        #expect(!SystemdNotify.send("READY=1", socket: nil))
    }
}
