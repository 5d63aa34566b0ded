import CUnbound
import DANECore
import DANESystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One lookup on a fresh libunbound context, on the calling thread: the `daneverify` hook's
/// live check and the agent's DS lookups for ``ZoneAnchors``. The agent's many lookups go
/// through DANEResolvePool's `UnboundResolver` instead.
public enum UnboundLookup {
    /// One TLSA lookup, for the short-lived `daneverify` hook: a fresh
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
    public static func tlsa(
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
