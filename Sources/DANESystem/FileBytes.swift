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
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotRead(systemErrorText()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .cannotRead(systemErrorText()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notARegularFile }
        guard Int(info.st_size) <= limit else { throw .tooLarge(limit: limit) }
        var out: [UInt8] = []
        out.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .cannotRead(systemErrorText())
            }
            if count == 0 { return out }
            out.append(contentsOf: chunk[0..<count])
            // The file may grow while it is read.
            if out.count > limit { throw .tooLarge(limit: limit) }
        }
    }
}

/// A read-only memory map of a whole file, unmapped on deinit. The trust map is read this
/// way so a lookup touches only the pages the binary search visits.
public final class MappedFile {
    public let bytes: UnsafeRawBufferPointer

    public init(path: String) throws(FileBytes.Failure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotRead(systemErrorText()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .cannotRead(systemErrorText()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notARegularFile }
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
