import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A UDP socket on 127.0.0.1 that reads every query and never replies: a DNS server that has
/// gone silent, which libunbound would keep retrying for tens of seconds.
final class SilentUDPServer: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32
    private let reader: Thread

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        self.fd = fd
        port = UInt16(bigEndian: address.sin_port)
        reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while buffer.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, $0.count, 0) }) > 0 {}
        }
        reader.start()
    }

    /// Stops reading (shutdown wakes the blocked recv) and closes the socket.
    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
    }

    /// A loopback UDP port nobody listens on (bound, then released): queries there get ICMP
    /// port-unreachable.
    static func deadPort() throws -> UInt16 {
        let server = try SilentUDPServer()
        server.close()
        return server.port
    }
}
