import DANECore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One writer per `output.dir` (design.md "Admission and failure rules"): an exclusive
/// `flock` on `<output.dir>/.lock`, held by `danesync once` for its pass and by `danesync run`
/// for its life. Two writers would delete each other's temporary files and interleave renames.
/// The kernel releases the lock when the holder exits, however it exits.
public final class OutputLock: Sendable {
    public static let fileName = ".lock"
    private let descriptor: Int32

    public enum Failure: Error, CustomStringConvertible {
        /// Another process holds the lock.
        case held(directory: String)
        case cannotLock(path: String, reason: String)

        public var description: String {
            switch self {
            case .held(let directory):
                return
                    "another process holds output.dir \(directory) (\(directory)/\(OutputLock.fileName)); not publishing"
            case .cannotLock(let path, let reason): return "cannot lock \(path): \(reason)"
            }
        }
    }

    /// Takes the lock at once, creating `directory` if needed, or fails without waiting.
    public init(directory: String) throws(Failure) {
        let path = directory + "/" + Self.fileName
        do {
            try Directory.create(directory)
        } catch {
            throw .cannotLock(path: path, reason: "\(error)")
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotLock(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { throw .held(directory: directory) }
            throw .cannotLock(path: path, reason: String(cString: strerror(code)))
        }
        descriptor = fd
    }

    deinit { close(descriptor) }
}
