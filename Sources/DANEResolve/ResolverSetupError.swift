/// Why an ``UnboundResolver`` could not be set up. Each case names the setting and the data, so
/// the one-line ``description`` tells an operator what to fix.
///
/// A trust anchor that cannot be read is a setup error, never a silently insecure resolver:
/// libunbound only reads the file when the first query finalizes the context, and a context
/// without anchors answers every name `insecure` (RFC 4035 §4.3), which `require_dnssec`
/// would then reject name by name instead of once, loudly, at start.
public enum ResolverSetupError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `dns.trust_anchor_file` cannot be opened or read.
    case trustAnchorUnreadable(path: String, reason: String)
    /// `dns.trust_anchor_file` holds no DS or DNSKEY line (empty, or comments only).
    case trustAnchorEmpty(path: String)
    /// libunbound refused the trust anchor file.
    case trustAnchorRejected(path: String, reason: String)
    /// `dns.unbound_conf` cannot be opened or read.
    case unboundConfUnreadable(path: String, reason: String)
    /// libunbound refused `dns.unbound_conf`.
    case unboundConfRejected(path: String, reason: String)
    /// libunbound refused a `dns.forwarders` entry (expected `ip` or `ip@port`).
    case forwarderRejected(String, reason: String)
    /// libunbound refused an option this resolver sets.
    case optionRejected(option: String, value: String, reason: String)
    /// `ub_ctx_create` failed (out of memory, or no usable entropy).
    case contextCreationFailed
    /// The thread or pipe that drives libunbound could not be created.
    case eventLoopFailed(reason: String)
    /// libunbound could not start its modules at the first query (`UB_INITFAIL`): it parses
    /// trust anchors and some of `unbound_conf` only then, so a trust anchor line it cannot
    /// read surfaces here, not at ``trustAnchorRejected`` (or memory ran out). It never
    /// answers: a setup error, not an unavailable resolver (which `live_check: if-available`
    /// would accept through).
    case initializationFailed

    public var description: String {
        switch self {
        case .trustAnchorUnreadable(let path, let reason):
            return "dns.trust_anchor_file \(path) is unreadable: \(reason)"
        case .trustAnchorEmpty(let path):
            return "dns.trust_anchor_file \(path) holds no DS or DNSKEY record"
        case .trustAnchorRejected(let path, let reason):
            return "dns.trust_anchor_file \(path) rejected by libunbound: \(reason)"
        case .unboundConfUnreadable(let path, let reason):
            return "dns.unbound_conf \(path) is unreadable: \(reason)"
        case .unboundConfRejected(let path, let reason):
            return "dns.unbound_conf \(path) rejected by libunbound: \(reason)"
        case .forwarderRejected(let forwarder, let reason):
            return "dns.forwarders entry \"\(forwarder)\" rejected (expected ip or ip@port): \(reason)"
        case .optionRejected(let option, let value, let reason):
            return "libunbound option \(option) \(value) rejected: \(reason)"
        case .contextCreationFailed:
            return "libunbound could not create a resolver context (ub_ctx_create failed)"
        case .eventLoopFailed(let reason):
            return "resolver event loop could not start: \(reason)"
        case .initializationFailed:
            return "libunbound could not initialise: a dns.trust_anchor_file record or dns.unbound_conf setting"
                + " it cannot use (its own error lines say which), or out of memory"
        }
    }
}
