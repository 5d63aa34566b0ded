import DANECore
import DANEDiscover
import DANEResolve
import DANEResolvePool
import Foundation

/// One line of `danesync doctor`: what was checked, and when it failed, what to do.
public struct DoctorCheck: Equatable, Sendable {
    public var ok: Bool
    public var text: String
    public var fix: String?

    static func pass(_ text: String) -> DoctorCheck { DoctorCheck(ok: true, text: text, fix: nil) }
    static func fail(_ text: String, fix: String) -> DoctorCheck { DoctorCheck(ok: false, text: text, fix: fix) }

    public var line: String { ok ? "✓ \(text)" : "✗ \(text)" + (fix.map { " — fix: \($0)" } ?? "") }
}

/// `danesync doctor` (design.md "Command line"): the whole set-up checked before a device fails
/// to join — the agent's config, policy, trust anchor, resolver and output directory, then the
/// FreeRADIUS configuration that uses the outputs: the eap module's CAs, `verify {}` (tmpdir,
/// the client line), the tmpdir-free gate, the TLS session cache, and `daneverify` itself.
public enum Doctor {
    public static func run(configPath: String, raddb: String) async -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let config: Config
        do {
            config = try Loaded.config(configPath)
            checks.append(.pass("config \(configPath) is valid"))
        } catch {
            checks.append(
                .fail("config \(configPath): \(error.lines.joined(separator: "; "))", fix: "correct the lines named"))
            return checks
        }
        let policy = await policyCheck(config, into: &checks)
        if Loaded.isReadable(config.dns.trustAnchorFile) {
            checks.append(.pass("dns.trust_anchor_file \(config.dns.trustAnchorFile) is readable"))
        } else {
            checks.append(
                .fail(
                    "dns.trust_anchor_file \(config.dns.trustAnchorFile) is not readable",
                    fix: "install dns-root-data or point dns.trust_anchor_file at your DS/DNSKEY anchor"))
        }
        if let policy { checks.append(await resolverCheck(config, names: policy.names)) }
        checks.append(outputDirectoryCheck(config))
        checks += RadiusChecks(config: config, configPath: configPath, raddb: raddb).run()
        checks.append(maxAgeCheck(config))
        checks += disconnectChecks(config)
        return checks
    }

    /// `output.dir` writable by the agent: for the package's directory (`/var/lib/danesync`) its
    /// user `danesync` — doctor itself usually runs as root, who may write anything — else the
    /// user running doctor.
    static func outputDirectoryCheck(_ config: Config) -> DoctorCheck {
        let directory = config.output.dir
        let packaged = RadiusChecks.normalized(directory) == "/var/lib/danesync"
        guard let agent = (packaged ? Account.named("danesync") : nil) ?? Account.current() else {
            return .fail("cannot tell which user runs danesync", fix: "create the user danesync (the package does)")
        }
        guard FileManager.default.fileExists(atPath: directory) else {
            if let problem = Loaded.outputDirectoryProblem(directory) {
                return .fail(
                    problem, fix: "create it for \(agent): install -d -o \(agent) -g freerad -m 0750 \(directory)")
            }
            return .pass("output.dir \(directory) does not exist yet; the first pass creates it")
        }
        guard agent.may(.write, directory), agent.may(.execute, directory) else {
            return .fail(
                "output.dir \(directory) is not writable by \(agent)\(packaged ? ", the user danesync runs as" : "")",
                fix: packaged
                    ? "chown danesync \(directory) (the package's tmpfiles.d does)"
                    : "run doctor as the user danesync runs as, or fix the directory's owner")
        }
        return .pass("output.dir \(directory) is writable by \(agent)\(packaged ? ", the user danesync runs as" : "")")
    }

    /// `verify.max_age` must outlast the longest gap between passes (`interval` stretched by
    /// `jitter`), or the hook refuses every device between two healthy passes.
    static func maxAgeCheck(_ config: Config) -> DoctorCheck {
        let maxAge = config.verify.maxAge
        let gap = Duration.milliseconds(
            Int64((Double(config.sync.interval.millisecondsRoundedUp) * (1 + config.sync.jitter)).rounded(.up)))
        let shown = "verify.max_age \(DurationText.format(maxAge))"
        let interval =
            "sync.interval \(DurationText.format(config.sync.interval)) + jitter \(Int(config.sync.jitter * 100))%"
        if maxAge == .zero {
            return .fail(
                "verify.max_age is off: a trust map is trusted however long ago the agent stopped",
                fix: "set verify.max_age to several sync.interval (e.g. 1d)")
        }
        guard maxAge > gap else {
            return .fail(
                "\(shown) is not longer than \(interval): devices are refused between two healthy passes",
                fix: "set verify.max_age to several sync.interval")
        }
        return .pass("\(shown) is longer than \(interval)")
    }

    private static func policyCheck(_ config: Config, into checks: inout [DoctorCheck]) async -> Policy? {
        let source = PolicySource(
            config.policy, discovery: config.discovery, fetcher: CurlFetcher(concurrency: 1))
        let reading = await source.read()
        guard let policy = reading.policy else {
            checks.append(
                .fail(
                    "policy \(reading.source): \(reading.error ?? "empty")",
                    fix: "correct the policy (danesync check names the line)"))
            return nil
        }
        checks.append(
            .pass("policy \(reading.source): \(policy.networks.count) network(s), \(policy.names.count) name(s)"))
        return policy
    }

    /// A DNSSEC-secure answer for one of the first policy names: the trust anchor, forwarders
    /// and validation all work (an NXDOMAIN counts if it is secure).
    private static func resolverCheck(_ config: Config, names: [DeviceName]) async -> DoctorCheck {
        let resolver: UnboundResolver
        do {
            resolver = try UnboundResolver(dns: config.dns, maxInFlight: 4)
        } catch {
            return .fail("resolver: \(error)", fix: "check dns.forwarders, dns.unbound_conf and the trust anchor")
        }
        var seen: [String] = []
        for name in names.prefix(3) {
            let answer = await resolver.lookupTLSA(name)
            if case .response(let response) = answer.result, response.security == .secure {
                return .pass("the resolver validates: \(name) has a DNSSEC-secure answer")
            }
            seen.append("\(name): \(AgentMetrics.AnswerKind(answer.classify(requireDNSSEC: true)).rawValue)")
        }
        guard !seen.isEmpty else { return .pass("the resolver starts (the policy names no device to ask about)") }
        return .fail(
            "no DNSSEC-secure answer for the first policy names (\(seen.joined(separator: ", ")))",
            fix:
                "check dns.forwarders (a validating path to the zones), the trust anchor, and that the zones are signed"
        )
    }
}
