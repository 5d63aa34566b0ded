import CUnbound
import DANECore
import DANESystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ``Resolver`` for production: TLSA lookups validated locally by libunbound (RFC 4033–4035),
/// with the trust anchor, forwarders and optional unbound.conf from `dns:`.
///
/// Lookups are spread over several libunbound contexts, one per processor (at most
/// ``maximumContexts``): libunbound validates on its one worker thread per context, and that
/// thread — ECDSA verification in nettle for every RRSIG — was the ceiling of a cold pass on
/// one core while the other idled. A name always goes to the same context (by the FNV-1a of
/// its text), so a `danesync run` pass inside the records' TTL finds it in that context's
/// cache. Lookups run concurrently, at most `maxInFlight` at a time in all (later callers wait
/// their turn), and each is answered `.timedOut` when `dns.timeout` passes without a validated
/// response — libunbound itself would keep trying for tens of seconds. See
/// ``UnboundEventLoop`` for the threads and how a late answer and a deadline are kept from
/// both resuming a caller.
public final class UnboundResolver: Resolver {
    private let loops: [UnboundEventLoop]
    private let threads: [pthread_t]

    /// More contexts than this only add caches to warm and threads to schedule.
    public static let maximumContexts = 4

    /// One context per online processor, at most ``maximumContexts``.
    public static var defaultContexts: Int {
        min(maximumContexts, max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Creates the libunbound contexts and starts their event loops.
    /// - Throws: ``ResolverSetupError`` when the trust anchor or unbound.conf cannot be read, or
    ///   libunbound rejects a setting. A resolver is never created without its trust anchor.
    public init(dns: Config.DNS, maxInFlight: Int, contexts: Int = defaultContexts) throws(ResolverSetupError) {
        let count = max(1, min(contexts, maxInFlight))
        let share = (maxInFlight + count - 1) / count
        var loops: [UnboundEventLoop] = []
        var threads: [pthread_t] = []
        func stopAll() {
            for loop in loops { loop.stop() }
            for thread in threads { pthread_join(thread, nil) }
        }
        for _ in 0..<count {
            let context: OpaquePointer
            do {
                context = try UnboundContext.make(dns: dns, tuning: .agent(queriesInFlight: share))
            } catch {
                stopAll()
                throw error
            }
            do {
                let loop = try UnboundEventLoop(context: context, timeout: dns.timeout, maxInFlight: share)
                threads.append(try loop.start())
                loops.append(loop)
            } catch {
                ub_ctx_delete(context)
                stopAll()
                throw error
            }
        }
        self.loops = loops
        self.threads = threads
    }

    deinit {
        // No lookup can be pending (each holds `self`); each loop deletes its context on its way out.
        for loop in loops { loop.stop() }
        for thread in threads { pthread_join(thread, nil) }
    }

    public func lookupTLSA(_ name: DeviceName) async -> TLSAAnswer {
        let loop = loops[Int(TrustMapFormat.fnv1a(name.text.utf8) % UInt64(loops.count))]
        return await withCheckedContinuation { loop.submit(name, $0) }
    }

    /// One TLSA lookup on the calling thread, for the short-lived `daneverify` hook: a fresh
    /// context, `ub_resolve_async`, then `poll(ub_fd)` for the time left and `ub_process` until
    /// the answer arrives or `timeout` passes (then `ub_cancel`, `.timedOut`).
    ///
    /// The only extra thread is libunbound's own worker (threaded async mode; the alternative
    /// is a forked process). No event-loop thread, no Swift concurrency, no Foundation.
    /// `zoneAnchors`, when the file exists, adds the agent's validated anchors of the
    /// organisations' zones (``ZoneAnchors``): validation starts there, not at the root.
    ///
    /// - Throws: ``ResolverSetupError`` for configuration problems (unreadable trust anchor,
    ///   rejected forwarder …), so the hook can tell a broken installation from a DNS failure.
    public static func lookupOnce(
        _ name: DeviceName, dns: Config.DNS, timeout: Duration, zoneAnchors: String? = nil
    ) throws(ResolverSetupError) -> TLSAAnswer {
        try once(name.text, tlsaRRType, dns: dns, timeout: timeout, tuning: .hook(zoneAnchors: zoneAnchors)) {
            err, result in
            TLSAAnswer(name: name, unboundError: err, result: result)
        } failed: {
            TLSAAnswer(name: name, result: $0)
        }
    }

    /// The validated DS RRset at `owner` (the agent's ``ZoneAnchors``), looked up as the hook
    /// looks up a TLSA record.
    public static func delegationSigners(
        at owner: String, dns: Config.DNS, timeout: Duration
    ) throws(ResolverSetupError) -> RawAnswer {
        try once(owner, dsRRType, dns: dns, timeout: timeout, tuning: nil) { err, result in
            RawAnswer(unboundError: err, result: result)
        } failed: { failure in
            switch failure {
            case .timedOut: return RawAnswer(outcome: .timedOut)
            case .failed(let why): return RawAnswer(outcome: .failed(why))
            case .response: return RawAnswer(outcome: .failed("unexpected response"))
            }
        }
    }

    /// `qname`/`rrtype` on a fresh context on the calling thread, within `timeout`.
    private static func once<T>(
        _ qname: String, _ rrtype: Int32, dns: Config.DNS, timeout: Duration, tuning: UnboundContext.Tuning?,
        answer: @escaping (Int32, UnsafeMutablePointer<ub_result>?) -> T, failed: (TLSAAnswer.Result) -> T
    ) throws(ResolverSetupError) -> T {
        let deadline = ContinuousClock.now + timeout
        let context = try UnboundContext.make(dns: dns, tuning: tuning)
        defer { ub_ctx_delete(context) }

        var delivered: T?
        let outcome = OneShot { delivered = answer($0, $1) }
        return withExtendedLifetime(outcome) {
            var asyncID: Int32 = 0
            let status = ub_resolve_async(
                context, qname, rrtype, internetClass, Unmanaged.passUnretained(outcome).toOpaque(),
                { argument, err, result in
                    Unmanaged<OneShot>.fromOpaque(argument!).takeUnretainedValue().deliver(err, result)
                }, &asyncID)
            guard status == 0 else { return failed(.failed(unboundErrorText(status))) }

            var descriptor = pollfd(fd: ub_fd(context), events: Int16(POLLIN), revents: 0)
            while delivered == nil {
                let remaining = deadline - .now
                guard remaining > .zero else {
                    ub_cancel(context, asyncID)
                    return failed(.timedOut)
                }
                descriptor.revents = 0
                let ready = poll(&descriptor, 1, Int32(clamping: remaining.millisecondsRoundedUp))
                if ready < 0 && errno != EINTR {
                    ub_cancel(context, asyncID)
                    return failed(.failed("poll: \(systemErrorText())"))
                }
                if descriptor.revents != 0 {
                    let processed = ub_process(context)
                    if processed != 0 { return failed(.failed(unboundErrorText(processed))) }
                }
            }
            return delivered!
        }
    }
}

/// What libunbound's callback (a C function pointer: no generic context) hands the result to.
private final class OneShot {
    let deliver: (Int32, UnsafeMutablePointer<ub_result>?) -> Void
    init(_ deliver: @escaping (Int32, UnsafeMutablePointer<ub_result>?) -> Void) { self.deliver = deliver }
}
