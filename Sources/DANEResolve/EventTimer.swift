import CEventBase

/// Arms the libevent `timer` (CEventBase) to end its loop's wait after `delay`: rounded up to
/// libevent's microseconds, and a minute at most. Both loops that use it (the agent's
/// `UnboundEventLoop`, ``UnboundLookup``) only wake on it and look at the clock themselves,
/// arming it again each round — libevent's coarse clock may fire it a tick early — so the cap
/// changes nothing but keeps any configured `dns.timeout` within the microseconds' range.
/// False when libevent refuses.
package func armEventTimer(_ timer: OpaquePointer, after delay: Duration) -> Bool {
    let (seconds, attoseconds) = min(max(delay, .zero), .seconds(60)).components
    return dsync_event_timer_set(timer, seconds * 1_000_000 + attoseconds / 1_000_000_000_000 + 1) == 0
}
