import CUnbound
import DANECore
import DANESystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds a libunbound context (`ub_ctx`) from the `dns:` section of the configuration.
///
/// Order matters: options are only accepted before the first query finalizes the context.
/// `unbound_conf` is loaded first so that the explicit settings (forwarders, trust anchor)
/// add to it rather than being overridden by it.
package enum UnboundContext {
    /// What a context is for, and so its settings beyond `dns:`.
    package enum Tuning {
        /// The agent's long-running resolver. `queriesInFlight`: libunbound's
        /// `num-queries-per-thread` and `outgoing-range` — the worker thread must accept at
        /// least as many queries as the resolver puts in flight, or it jostles some out.
        case agent(queriesInFlight: Int)
        /// One lookup of the `daneverify` hook, made on every authentication: set up for a
        /// fast start, with the agent's zone anchors when the file exists.
        case hook(zoneAnchors: String?)
    }

    /// A configured context in event mode (`ub_ctx_create_event` on `eventBase`): the thread
    /// running that libevent base resolves, validates and is called back itself — no libunbound
    /// worker thread, no pipe between the two.
    package static func make(
        dns: Config.DNS, tuning: Tuning?, eventBase: OpaquePointer
    ) throws(ResolverSetupError) -> OpaquePointer {
        // Check the files first: libunbound reads them only when the first query is made.
        try checkTrustAnchorFile(dns.trustAnchorFile)
        if let conf = dns.unboundConf {
            do {
                _ = try FileBytes.read(conf, limit: configurationLimit)
            } catch {
                throw .unboundConfUnreadable(path: conf, reason: error.description)
            }
        }

        guard let ctx = ub_ctx_create_event(eventBase) else {
            throw .contextCreationFailed
        }
        do {
            try configure(ctx, dns: dns, tuning: tuning)
        } catch {
            ub_ctx_delete(ctx)
            throw error
        }
        return ctx
    }

    private static func configure(_ ctx: OpaquePointer, dns: Config.DNS, tuning: Tuning?) throws(ResolverSetupError) {
        // `ub_ctx_create_event` marks the context threaded already; said again because
        // `ub_cancel` depends on it: it then only marks the query cancelled, where on a context
        // not marked threaded it writes to the worker's pipe, which an event-mode context lacks.
        let threaded = ub_ctx_async(ctx, 1)
        guard threaded == 0 else { throw .eventLoopFailed(reason: "ub_ctx_async: \(unboundErrorText(threaded))") }

        if let conf = dns.unboundConf {
            let status = ub_ctx_config(ctx, conf)
            guard status == 0 else { throw .unboundConfRejected(path: conf, reason: unboundErrorText(status)) }
        }
        if !dns.forwarders.isEmpty {
            // Forwarders are given explicitly, loopback ones included (a local knot, dnsdist,
            // systemd-resolved …): unbound's default refuses to query 127.0.0.0/8 and ::1.
            try setOption(ctx, "do-not-query-localhost:", "no")
            for forwarder in dns.forwarders {
                // ub_ctx_set_fwd reads `ip@port` itself, as unbound.conf's forward-addr does.
                let status = ub_ctx_set_fwd(ctx, forwarder)
                guard status == 0 else { throw .forwarderRejected(forwarder, reason: unboundErrorText(status)) }
            }
        }
        // RFC 8145 §5: the trust-anchor signal is a query per context (`_ta-XXXX.` NULL) that only
        // tells the root's operators which anchors are in use; the hook makes a context per
        // authentication, so it was one query in seven for nothing it needs. Validation is
        // unchanged.
        try setOption(ctx, "trust-anchor-signaling:", "no")
        switch tuning {
        case .agent(let queriesInFlight):
            // Sized to what this context is given, not to unbound's server defaults (1024
            // queries, 4096 ports): libunbound allocates per port at its first query, and the
            // defaults cost 6.4 MB of a 30,000-name pass (heaptrack), at the same speed.
            let queries = max(64, queriesInFlight)
            try setOption(ctx, "num-queries-per-thread:", String(queries))
            try setOption(ctx, "outgoing-range:", String(max(256, 2 * queries)))
            // A pass asks for each name once (a warm `run` pass asks for none inside the TTL,
            // WarmNames): message and RRset caches of 4 MB per context only hold answers that
            // are never asked for again. The key cache (DNSKEYs, DS) keeps its default.
            try setOption(ctx, "msg-cache-size:", "512k")
            try setOption(ctx, "rrset-cache-size:", "512k")
        case .hook:
            // Measured per exec (scripts/bench-verify --rooted): building the default local
            // zones for private address space cost 0.3 ms — reverse zones a TLSA lookup never
            // touches. And with only loopback forwarders, libunbound's list of 64,000 source
            // ports (0.4 ms and 170 page faults to build) guards against spoofing that cannot
            // reach 127.0.0.1; any other resolver keeps the full range.
            try setOption(ctx, "unblock-lan-zones:", "yes")
            if !dns.forwarders.isEmpty && dns.forwarders.allSatisfy(Forwarder.isLoopback) {
                try setOption(ctx, "outgoing-port-avoid:", "0-65535")
                try setOption(ctx, "outgoing-port-permit:", "50000-51023")
            }
        case nil:
            break
        }
        let status = ub_ctx_add_ta_file(ctx, dns.trustAnchorFile)
        guard status == 0 else {
            throw .trustAnchorRejected(path: dns.trustAnchorFile, reason: unboundErrorText(status))
        }
        // The organisations' zones as the agent validated them from `trust_anchor_file`
        // (ZoneAnchors): libunbound starts at the closest anchor, so the hook's lookup asks
        // for one DNSKEY and the TLSA instead of every zone from the root down. A file that
        // cannot be read, or holds one line that is not a DS record as the agent writes them,
        // is left out whole: the root anchor still validates everything.
        if case .hook(let path?) = tuning,
            let file = try? FileBytes.read(path, limit: configurationLimit),
            let anchors = ZoneAnchors.lines(in: file)
        {
            for anchor in anchors { _ = ub_ctx_add_ta(ctx, anchor) }
        }
    }

    private static func setOption(_ ctx: OpaquePointer, _ option: String, _ value: String) throws(ResolverSetupError) {
        let status = ub_ctx_set_option(ctx, option, value)
        guard status == 0 else { throw .optionRejected(option: option, value: value, reason: unboundErrorText(status)) }
    }

    /// The trust anchor file must be readable and hold at least one record line: a file with
    /// only comments would leave every answer `insecure` without a word (RFC 4035 §4.3).
    static func checkTrustAnchorFile(_ path: String) throws(ResolverSetupError) {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path, limit: configurationLimit)
        } catch {
            throw .trustAnchorUnreadable(path: path, reason: error.description)
        }
        let hasRecord = bytes.split(separator: UInt8(ascii: "\n")).contains { line in
            guard
                let first = line.first(where: {
                    $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\r")
                })
            else { return false }
            return first != UInt8(ascii: ";") && first != UInt8(ascii: "#")
        }
        guard hasRecord else { throw .trustAnchorEmpty(path: path) }
    }

    /// Trust anchors and unbound.conf are small; a larger file is a mistake, not a config.
    static let configurationLimit = 16 << 20
}

/// libunbound's text for one of its error codes (`ub_strerror`).
package func unboundErrorText(_ code: Int32) -> String {
    guard let text = ub_strerror(code) else { return "libunbound error \(code)" }
    return String(cString: text)
}
