#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `dns.forwarders` entries: an IPv4 or IPv6 address with an optional `@port`, as unbound's
/// `forward-addr` writes them.
public enum Forwarder {
    /// Whether a forwarder is on this host (127.0.0.0/8 or ::1, with or without `@port`).
    public static func isLoopback(_ text: String) -> Bool {
        let address = String(text.split(separator: "@", maxSplits: 1).first ?? "")
        guard let ip = IPAddress(address) else { return false }
        return ip.octets.count == 4 ? ip.octets[0] == 127 : ip.octets == [UInt8](repeating: 0, count: 15) + [1]
    }

    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return false }
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65535).contains(port) else { return false }
        }
        let address = parts[0]
        if address.contains(":") {
            return address.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } && address.count >= 2
        }
        let octets = address.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4
            && octets.allSatisfy { Int($0).map { (0...255).contains($0) } ?? false && $0.count <= 3 }
    }
}

/// `host:port` as `discovery.connect_to` writes it (IPv6 hosts in brackets).
public enum HostPort {
    public static func isValid(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":") else { return false }
        let host = text[..<colon]
        guard let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port), !host.isEmpty else {
            return false
        }
        return !host.contains(" ")
    }
}

/// `metrics.listen`: an IPv4 literal or a bracketed IPv6 literal, then `:port`
/// (`127.0.0.1:9464`, `[::1]:9464`). No host names: the endpoint binds before DNS is needed,
/// and an exporter meant for loopback must not end up on another interface by resolution.
public struct ListenAddress: Equatable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]), port > 0
        else { return nil }
        var host = text[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
            guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else {
            guard !host.contains(":"), !host.contains("@"), Forwarder.isValid(String(host)) else { return nil }
        }
        self.host = String(host)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// An IPv4 or IPv6 address literal as its octets, so that `192.0.2.1` and `::ffff:192.0.2.1`
/// stay different and `2001:db8::1` equals `2001:DB8:0::1` (a NAS named in
/// `disconnect.nas` and the address a session recorded are compared so).
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public var octets: [UInt8]
    public let description: String

    public init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            octets = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            octets = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
        description = text
    }

    public static func == (a: IPAddress, b: IPAddress) -> Bool { a.octets == b.octets }
    public func hash(into hasher: inout Hasher) { hasher.combine(octets) }
}
