#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A moment on the monotonic clock (`CLOCK_MONOTONIC`) by which a wait must end. Time the
/// system spends suspended does not count (`ContinuousClock` counts it, `SuspendingClock` does
/// not): these are waits of seconds in a process that runs for milliseconds.
///
/// Why not `ContinuousClock`: it lives in the `_Concurrency` module, and one reference to it
/// links the concurrency runtime and libdispatch into the static `daneverify`, whose start-up
/// constructors then run on every authentication — 0.08 ms and 26 page faults per exec in a
/// static hello-world (`perf stat`, docs/architecture.md "Decisions"). The hook and what it
/// links (DANECore, DANESystem, DANEResolve) keep time with this instead.
public struct Deadline: Sendable, Equatable {
    /// Nanoseconds on `CLOCK_MONOTONIC`.
    private let nanoseconds: Int64

    /// `duration` from now; a negative duration is a deadline already passed. Durations
    /// beyond ±136 years (a `dns.timeout` of 999999999d) are taken as that: no overflow.
    public init(after duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let bounded = min(max(seconds, -Self.boundSeconds), Self.boundSeconds)
        nanoseconds = Self.now() + bounded * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// 2³² s: far beyond any wait, and `now + bound` in nanoseconds stays inside `Int64`.
    private static let boundSeconds: Int64 = 1 << 32

    /// The time left, `.zero` once the deadline has passed.
    public var remaining: Duration {
        let left = nanoseconds - Self.now()
        return left > 0 ? .nanoseconds(left) : .zero
    }

    /// Whether the deadline has passed.
    public var hasPassed: Bool { Self.now() >= nanoseconds }

    private static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
