import CEventBase
import CUnbound
import DANECore
import DANESystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One lookup on a fresh libunbound context in event mode, on the calling thread: the
/// `daneverify` hook's live check and the agent's DS lookups for ``ZoneAnchors``. The agent's
/// many lookups go through DANEResolvePool's `UnboundResolver` instead.
///
/// Event mode (`ub_ctx_create_event` on a libevent base this thread runs until the answer or
/// the deadline): libunbound sends, validates and calls back on this thread. Threaded async
/// mode started a libunbound worker thread per context and passed the answer over a pipe (the
/// thread, its stack and arena, the pipes): `daneverify` took 2.5 ms of CPU per run in the
/// rooted lab then, 1.9 ms now (`perf stat`, docs/architecture.md "Decisions").
public enum UnboundLookup {
    /// One TLSA lookup, for the short-lived `daneverify` hook, by `deadline` (then `ub_cancel`,
    /// `.timedOut`): the hook's one time budget for all the names it tries, the retry below
    /// included. No Swift concurrency, no Foundation, no extra thread.
    /// `zoneAnchors`, when the file exists, adds the agent's validated anchors of the
    /// organisations' zones (``ZoneAnchors``): validation starts there, not at the root.
    ///
    /// If libunbound cannot start with the zone anchors added (``ResolverSetupError/initializationFailed``:
    /// e.g. `unbound_conf` holds an `auto-trust-anchor-file` for the same zone, which libunbound
    /// refuses to combine), the lookup is made again without them, in the time left: a zone
    /// anchor may cost the shortcut, never the check (design.md "Outputs").
    ///
    /// - Throws: ``ResolverSetupError`` for configuration problems (unreadable trust anchor,
    ///   rejected forwarder …), so the hook can tell a broken installation from a DNS failure.
    public static func tlsa(
        _ name: DeviceName, dns: Config.DNS, deadline: Deadline, zoneAnchors: String? = nil
    ) throws(ResolverSetupError) -> TLSAAnswer {
        func lookup(_ anchors: String?) throws(ResolverSetupError) -> TLSAAnswer {
            try once(name.text, tlsaRRType, dns: dns, deadline: deadline, tuning: .hook(zoneAnchors: anchors)) {
                TLSAAnswer(name: name, event: $0)
            } failed: {
                TLSAAnswer(name: name, result: $0)
            }
        }
        do {
            return try lookup(zoneAnchors)
        } catch .initializationFailed where zoneAnchors != nil {
            return try lookup(nil)
        }
    }

    /// The validated DS RRset at `owner` (the agent's ``ZoneAnchors``), looked up as the hook
    /// looks up a TLSA record.
    public static func delegationSigners(
        at owner: String, dns: Config.DNS, timeout: Duration
    ) throws(ResolverSetupError) -> RawAnswer {
        try once(owner, dsRRType, dns: dns, deadline: Deadline(after: timeout), tuning: nil) {
            RawAnswer(event: $0, type: dsRRType)
        } failed: { failure in
            switch failure {
            case .timedOut: return RawAnswer(outcome: .timedOut)
            case .failed(let why): return RawAnswer(outcome: .failed(why))
            case .response: return RawAnswer(outcome: .failed("unexpected response"))
            }
        }
    }

    /// `qname`/`rrtype` on a fresh context driven by this thread, by `deadline`.
    private static func once<T>(
        _ qname: String, _ rrtype: Int32, dns: Config.DNS, deadline: Deadline, tuning: UnboundContext.Tuning?,
        answer: @escaping (EventAnswer) -> T, failed: (TLSAAnswer.Result) -> T
    ) throws(ResolverSetupError) -> T {
        guard let base = dsync_event_base_new() else { throw .eventLoopFailed(reason: "event_base_new failed") }
        defer { dsync_event_base_free(base) }
        var delivered: T?
        let outcome = OneShot { delivered = answer($0) }
        // Declared before the context's `defer`, so it runs after `ub_ctx_delete`: libunbound
        // holds a pointer to `outcome` until then.
        defer { withExtendedLifetime(outcome) {} }
        let context = try UnboundContext.make(dns: dns, tuning: tuning, eventBase: base)
        defer { ub_ctx_delete(context) }
        guard let timer = dsync_event_timer(base) else { throw .eventLoopFailed(reason: "event_new failed") }
        defer { dsync_event_free(timer) }

        var asyncID: Int32 = 0
        // The callback may run inside ub_resolve_event itself (an answer from a local zone).
        let status = ub_resolve_event(
            context, qname, rrtype, internetClass, Unmanaged.passUnretained(outcome).toOpaque(),
            { argument, rcode, packet, length, security, whyBogus, _ in
                Unmanaged<OneShot>.fromOpaque(argument!).takeUnretainedValue().deliver(
                    EventAnswer(rcode: rcode, packet: packet, length: length, security: security, whyBogus: whyBogus))
            }, &asyncID)
        guard status == 0 else {
            if status == UB_INITFAIL.rawValue { throw .initializationFailed }
            return failed(.failed(unboundErrorText(status)))
        }

        while delivered == nil {
            let remaining = deadline.remaining
            guard remaining > .zero else {
                ub_cancel(context, asyncID)
                return failed(.timedOut)
            }
            guard armEventTimer(timer, after: remaining), dsync_event_base_loop_once(base) == 0 else {
                ub_cancel(context, asyncID)
                return failed(.failed("event loop failed"))
            }
        }
        return delivered!
    }
}

/// What libunbound's callback (a C function pointer: no generic context) hands the answer to.
private final class OneShot {
    let deliver: (EventAnswer) -> Void
    init(_ deliver: @escaping (EventAnswer) -> Void) { self.deliver = deliver }
}
