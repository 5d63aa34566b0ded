/// `dns.forwarders` entries: an IPv4 or IPv6 address with an optional `@port`, as unbound's
/// `forward-addr` writes them.
public enum Forwarder {
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
