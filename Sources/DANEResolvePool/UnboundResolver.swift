import DANECore
import DANEResolve
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
/// ``maximumContexts``), each in event mode on a thread of its own: validation — an ECDSA
/// verification for every RRSIG — on one thread was the ceiling of a cold pass on one core
/// while the other idled. A name always goes to the same context (by the FNV-1a of
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
            do {
                // A loop that fails to start is released here, and frees its context.
                let loop = try UnboundEventLoop(dns: dns, maxInFlight: share)
                threads.append(try loop.start())
                loops.append(loop)
            } catch {
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
}
