import struct Foundation.URL

/// Which redirects a fetch follows.
///
/// design.md "Protocol facts" binds a CA to the authority host of the device name: "no
/// redirects off the authority host or to http". A redirect is therefore followed only to
/// `https` on the same origin (host, compared case-insensitively as DNS names are, and port),
/// and at most ``maxHops`` times; anything else is an ``HTTPFailure/redirectRefused(to:because:)``
/// naming the target.
public struct RedirectRule: Equatable, Sendable {
    /// At most this many redirects per request.
    public var maxHops: Int

    public init(maxHops: Int = 3) {
        self.maxHops = maxHops
    }

    /// `nil` if the redirect from `current` to `target` (after `hopsSoFar` earlier ones) may be
    /// followed, else why not.
    public func refusal(from current: String, to target: String, hopsSoFar: Int) -> RedirectRefusal? {
        guard let to = Origin(target) else { return .unparsable }
        guard to.scheme == "https" else { return .notHTTPS(scheme: to.scheme) }
        guard let from = Origin(current) else { return .unparsable }
        guard to.host == from.host, to.port == from.port else {
            return .offHost(from: from.authority)
        }
        guard hopsSoFar < maxHops else { return .tooMany(limit: maxHops) }
        return nil
    }

    /// Scheme, host and port of an absolute URL, lowercased, default ports filled in.
    struct Origin: Equatable {
        let scheme: String
        let host: String
        let port: Int

        init?(_ text: String) {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
                let host = url.host, !host.isEmpty
            else { return nil }
            self.scheme = scheme
            self.host = host.lowercased()
            self.port = url.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : -1)
        }

        var authority: String { port == 443 && scheme == "https" ? host : "\(host):\(port)" }
    }
}

/// Why ``RedirectRule`` refused a redirect.
public enum RedirectRefusal: Equatable, Sendable, CustomStringConvertible {
    /// The target is not `https` (design.md "Protocol facts": no redirects to http).
    case notHTTPS(scheme: String)
    /// The target is on another host or port than the URL asked for (design.md "Protocol facts":
    /// no redirects off the authority host).
    case offHost(from: String)
    /// The redirect limit was reached.
    case tooMany(limit: Int)
    /// The `Location` is not an absolute URL with a host.
    case unparsable

    public var description: String {
        switch self {
        case .notHTTPS(let scheme):
            return "it is \(scheme), and only https is followed (no redirects to http)"
        case .offHost(let from):
            return "it leaves \(from) (no redirects off the authority host)"
        case .tooMany(let limit):
            return "more than \(limit) redirects"
        case .unparsable:
            return "the Location is not an absolute URL with a host"
        }
    }
}
