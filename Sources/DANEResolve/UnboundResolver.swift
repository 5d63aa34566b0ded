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
/// One libunbound context serves every lookup, so its cache is shared across a sync pass.
/// Lookups run concurrently, at most `maxInFlight` at a time (later callers wait their turn),
/// and each is answered `.timedOut` when `dns.timeout` passes without a validated response —
/// libunbound itself would keep trying for tens of seconds. See ``UnboundEventLoop`` for the
/// threads and how a late answer and a deadline are kept from both resuming a caller.
public final class UnboundResolver: Resolver {
    private let loop: UnboundEventLoop
    private let thread: pthread_t

    /// Creates the libunbound context and starts its event loop.
    /// - Throws: ``ResolverSetupError`` when the trust anchor or unbound.conf cannot be read, or
    ///   libunbound rejects a setting. A resolver is never created without its trust anchor.
    public init(dns: Config.DNS, maxInFlight: Int) throws(ResolverSetupError) {
        let context = try UnboundContext.make(dns: dns, tuning: .init(queriesInFlight: maxInFlight))
        let loop: UnboundEventLoop
        do {
            loop = try UnboundEventLoop(context: context, timeout: dns.timeout, maxInFlight: maxInFlight)
            thread = try loop.start()
        } catch {
            ub_ctx_delete(context)
            throw error
        }
        self.loop = loop
    }

    deinit {
        // No lookup can be pending (each holds `self`); the loop deletes the context on its way out.
        loop.stop()
        pthread_join(thread, nil)
    }

    public func lookupTLSA(_ name: DeviceName) async -> TLSAAnswer {
        await withCheckedContinuation { loop.submit(name, $0) }
    }

    /// One TLSA lookup on the calling thread, for the short-lived `daneverify` hook: a fresh
    /// context, `ub_resolve_async`, then `poll(ub_fd)` for the time left and `ub_process` until
    /// the answer arrives or `timeout` passes (then `ub_cancel`, `.timedOut`).
    ///
    /// The only extra thread is libunbound's own worker (threaded async mode; the alternative
    /// is a forked process). No event-loop thread, no Swift concurrency, no Foundation.
    ///
    /// - Throws: ``ResolverSetupError`` for configuration problems (unreadable trust anchor,
    ///   rejected forwarder …), so the hook can tell a broken installation from a DNS failure.
    public static func lookupOnce(
        _ name: DeviceName, dns: Config.DNS, timeout: Duration
    ) throws(ResolverSetupError) -> TLSAAnswer {
        let deadline = ContinuousClock.now + timeout
        let context = try UnboundContext.make(dns: dns, tuning: nil)
        defer { ub_ctx_delete(context) }

        final class Outcome {
            var answer: TLSAAnswer?
            let name: DeviceName
            init(name: DeviceName) { self.name = name }
        }
        let outcome = Outcome(name: name)
        return withExtendedLifetime(outcome) {
            var asyncID: Int32 = 0
            let status = ub_resolve_async(
                context, name.text, tlsaRRType, internetClass, Unmanaged.passUnretained(outcome).toOpaque(),
                { argument, err, result in
                    let outcome = Unmanaged<Outcome>.fromOpaque(argument!).takeUnretainedValue()
                    outcome.answer = TLSAAnswer(name: outcome.name, unboundError: err, result: result)
                }, &asyncID)
            guard status == 0 else { return TLSAAnswer(name: name, result: .failed(unboundErrorText(status))) }

            var descriptor = pollfd(fd: ub_fd(context), events: Int16(POLLIN), revents: 0)
            while outcome.answer == nil {
                let remaining = deadline - .now
                guard remaining > .zero else {
                    ub_cancel(context, asyncID)
                    return TLSAAnswer(name: name, result: .timedOut)
                }
                descriptor.revents = 0
                let ready = poll(&descriptor, 1, Int32(clamping: remaining.millisecondsRoundedUp))
                if ready < 0 && errno != EINTR {
                    ub_cancel(context, asyncID)
                    return TLSAAnswer(name: name, result: .failed("poll: \(systemErrorText())"))
                }
                if descriptor.revents != 0 {
                    let processed = ub_process(context)
                    if processed != 0 { return TLSAAnswer(name: name, result: .failed(unboundErrorText(processed))) }
                }
            }
            return outcome.answer!
        }
    }
}
