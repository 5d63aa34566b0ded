import DANEResolve
import DANESystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A non-blocking self-pipe: other threads write a byte to wake a thread blocked in `poll`.
struct WakeupPipe: ~Copyable {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws(ResolverSetupError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw .eventLoopFailed(reason: "pipe: \(systemErrorText())") }
        for fd in ends {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Wakes the poller. A full pipe already holds a pending wake-up, so EAGAIN is fine.
    func wake() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Empties the pipe after `poll` reported it readable.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while buffer.withUnsafeMutableBytes({ read(readEnd, $0.baseAddress, $0.count) }) > 0 {}
    }
}
