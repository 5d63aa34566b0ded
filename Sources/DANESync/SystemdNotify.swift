import Foundation

/// The service manager's readiness protocol (sd_notify(3)): one datagram of `KEY=VALUE` lines
/// to the AF_UNIX socket named by `$NOTIFY_SOCKET` (a path, or `@` for the abstract
/// namespace). systemd documents the protocol as stable and meant to be spoken without
/// libsystemd; without `$NOTIFY_SOCKET` (no systemd, or `Type=simple`) it is a no-op.
///
/// `danesync run` sends `READY=1` once its first pass has published, so `Type=notify` with
/// `Before=freeradius.service` holds FreeRADIUS back until `ca.pem` exists.
public enum SystemdNotify {
    @discardableResult
    public static func send(
        _ state: String, socket path: String? = ProcessInfo.processInfo.environment["NOTIFY_SOCKET"]
    )
        -> Bool
    {
        guard let path, !path.isEmpty, path.utf8.count < 108 else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }  // abstract namespace
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, message, message.count, Int32(MSG_NOSIGNAL), $0, length)
            }
        }
        return sent == message.count
    }
}
