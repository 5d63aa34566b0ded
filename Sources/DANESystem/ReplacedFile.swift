#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small file replaced whole — written under a temporary name in the same directory, then
/// renamed over the old one — so that a reader sees the old content or the new, never half
/// (the hook's session records, design.md "Revocation and disconnect"). POSIX calls only: the
/// hook does this on every accept and must not pay for Foundation. No fsync: a record lost to
/// a crash is one session that is not disconnected early, and the hook stays fast.
public enum ReplacedFile {
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public var operation: String
        public var path: String
        public var reason: String
        public var description: String { "\(operation) \(path): \(reason)" }
    }

    /// Puts `bytes` at `directory/name` (mode `mode` before the umask). The temporary file is
    /// `.<name>.<pid>`, created exclusively and never followed through a link.
    public static func write(_ bytes: [UInt8], directory: String, name: String, mode: mode_t = 0o640) throws(Failure) {
        let target = directory + "/" + name
        let temporary = directory + "/." + name + ".\(getpid())"
        func failure(_ operation: String, _ path: String) -> Failure {
            Failure(operation: operation, path: path, reason: systemErrorText())
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("open", temporary) }
        var written = 0
        var error: Failure?
        bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    error = failure("write", temporary)
                    return
                }
                written += n
            }
        }
        if close(fd) != 0 && error == nil { error = failure("close", temporary) }
        if error == nil && rename(temporary, target) != 0 { error = failure("rename", target) }
        if let error {
            unlink(temporary)
            throw error
        }
    }
}
