import ArgumentParser
import DANESync
import Foundation

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the last pass: per name state, hashes, since, last error; the sessions it disconnected.")

    @OptionGroup var options: ConfigOption
    @Flag(help: "Print status.json as is.") var json = false

    func run() async throws {
        let config = try await exitingOnFailure { try Loaded.config(options.config) }
        guard let (data, status) = Agent.lastStatus(config) else {
            printError("danesync: no readable \(config.statusPath): has a pass run yet?")
            throw ExitCode(2)
        }
        if json {
            FileHandle.standardOutput.write(data)
            return
        }
        let c = status.counts
        print(
            "last pass: \(Self.time(status.time)) (\(String(format: "%.2f", status.durationSeconds)) s), policy \(status.policySource)"
        )
        if let error = status.policyError { print("policy error: \(error)") }
        if let fresh = Agent.trustMapMarkedFresh(config) {
            let age = Int(Date().timeIntervalSince(fresh))
            let limit = config.verify.maxAge == .zero ? "off" : DurationText.format(config.verify.maxAge)
            print(
                "trust map: last marked fresh \(Self.time(Int64(fresh.timeIntervalSince1970))) (\(age) s ago; verify.max_age \(limit))"
            )
        }
        if let pending = status.onCAChangePendingSince {
            print(
                "on_ca_change: pending since \(Self.time(pending)) (it failed or was interrupted; it runs after the next pass)"
            )
        }
        print(
            "names \(status.names.count): ok \(c.ok), stale \(c.stale), withdrawn \(c.withdrawn), bogus \(c.bogus), insecure \(c.insecure), error \(c.error); CAs \(status.cas.count)"
        )
        for name in status.names {
            print(
                "\(name.name)  \(name.state)  since \(Self.time(name.since))  networks \(name.networks.joined(separator: ","))"
            )
            for hash in name.hashes { print("    sha256 \(hash)") }
            for pin in name.pins { print("    pin \(pin)") }
            if let error = name.lastError, name.state != .ok { print("    last error: \(error)") }
        }
        for d in status.disconnects ?? [] {
            print(
                "disconnect \(d.name) on \(d.network) at NAS \(d.nas) (station \(d.callingStationId.isEmpty ? "-" : d.callingStationId)): \(d.result.rawValue)\(d.detail.isEmpty ? "" : " — \(d.detail)")"
            )
        }
    }

    static func time(_ unix: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(unix)))
    }
}
