#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads over POSIX calls, for the parts that must not pay for Foundation at
/// start-up: the `daneverify` hook (config, certificate) and the resolver (trust anchor,
/// unbound.conf), which the hook links.
public enum FileBytes {
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// `open`, `fstat` or `read` failed; the system's reason.
        case cannotRead(String)
        /// A directory, device or FIFO where a file was expected.
        case notARegularFile
        /// Larger than the caller's limit (configuration-sized inputs only).
        case tooLarge(limit: Int)

        public var description: String {
            switch self {
            case .cannotRead(let why): return why
            case .notARegularFile: return "not a regular file"
            case .tooLarge(let limit): return "larger than \(limit) bytes"
            }
        }
    }

    /// The whole of the regular file at `path`, refusing anything larger than `limit`.
    public static func read(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let (fd, info) = try openRegularFile(path)
        let expected = Int(info.st_size)
        defer { close(fd) }
        guard expected <= limit else { throw .tooLarge(limit: limit) }
        // Read straight into a buffer of the size fstat gave, plus one octet to see the end of
        // the file in the same call: no zero-filled scratch chunk, no second copy (the hook
        // reads three files per authentication).
        var failure: Failure?
        let bytes = [UInt8](unsafeUninitializedCapacity: expected + 1) { buffer, count in
            count = 0
            while count < buffer.count {
                let n = Glibc.read(fd, buffer.baseAddress! + count, buffer.count - count)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = .cannotRead(systemErrorText())
                    return
                }
                if n == 0 { return }
                count += n
            }
            failure = .cannotRead("the file grew while it was read")
        }
        if let failure { throw failure }
        return bytes
    }

    /// A read-only descriptor of the regular file at `path`, and its status. The caller closes it.
    /// `O_NONBLOCK` lets the type check refuse a FIFO at once instead of blocking in `open` until
    /// a writer comes (the hook would hang until FreeRADIUS killed it); it changes nothing for
    /// regular files. `O_NOCTTY`: a terminal device named here never becomes ours.
    static func openRegularFile(_ path: String) throws(Failure) -> (descriptor: Int32, status: stat) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw .cannotRead(systemErrorText()) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let failure = Failure.cannotRead(systemErrorText())
            close(fd)
            throw failure
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw .notARegularFile
        }
        return (fd, info)
    }
}

/// A read-only memory map of a whole file, unmapped on deinit. The trust map is read this
/// way so a lookup touches only the pages the binary search visits.
public final class MappedFile {
    public let bytes: UnsafeRawBufferPointer
    /// The file's modification time, Unix seconds: when danesync last marked it fresh.
    public let modified: Int64

    public init(path: String) throws(FileBytes.Failure) {
        let (fd, info) = try FileBytes.openRegularFile(path)
        defer { close(fd) }
        modified = Int64(info.st_mtim.tv_sec)
        let size = Int(info.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw .cannotRead(systemErrorText())
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
