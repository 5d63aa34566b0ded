import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Replaces files so that a reader only ever sees the old or the new complete content
/// (design.md "Outputs"): temp file in the same directory, write, fsync, rename over the
/// target, fsync the directory so the rename itself survives a crash.
public enum AtomicFile {
    public struct Failure: Error, CustomStringConvertible {
        public var path: String
        public var operation: String
        public var errno: Int32
        public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
    }

    /// Writes `bytes` to `path` unless it already holds exactly them. Returns whether it wrote.
    @discardableResult
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(Failure) -> Bool {
        if contentEquals(path, bytes[...]) { return false }
        try replace(path, mode: mode) { fd throws(Failure) in try writeAll(bytes[...], to: fd, path: path) }
        return true
    }

    /// Replaces `path` with what `produce` emits, chunk by chunk, unless the file already holds
    /// exactly that — after a first line accepted by `header` (the producer's first chunk is
    /// its whole first line). The content is compared with the file as it is written to the
    /// temporary file, so neither is ever held whole in memory (the trust map of 100,000 names
    /// is tens of megabytes). Returns whether it wrote.
    public static func stream(
        to path: String, mode: mode_t = 0o644, unlessEqualAfter header: @escaping (ArraySlice<UInt8>) -> Bool,
        _ produce: (_ emit: ([UInt8]) throws -> Void) throws -> Void
    ) throws -> Bool {
        var comparison = StreamComparison(path: path, header: header)
        defer { comparison.close() }
        var unchanged = false
        try streamed(
            to: path, mode: mode, seen: { comparison.feed($0[...]) },
            commitIf: {
                unchanged = comparison.finish()
                return !unchanged
            }, produce)
        return !unchanged
    }

    /// Replaces `path` with what `produce` emits, chunk by chunk, without holding the whole
    /// content in memory (for `status.json`, which changes every pass anyway).
    public static func stream(
        to path: String, mode: mode_t = 0o644, _ produce: (_ emit: ([UInt8]) throws -> Void) throws -> Void
    ) throws {
        try streamed(to: path, mode: mode, seen: { _ in }, commitIf: { true }, produce)
    }

    /// The temporary file filled from `produce` in 64 KiB writes, each chunk shown to `seen`
    /// first; renamed over `path` if `commitIf` says so once it is complete.
    private static func streamed(
        to path: String, mode: mode_t, seen: @escaping ([UInt8]) -> Void, commitIf: () -> Bool,
        _ produce: (_ emit: ([UInt8]) throws -> Void) throws -> Void
    ) throws {
        var failure: Failure?
        do {
            try replace(path, mode: mode, commitIf: commitIf) { fd throws(Failure) in
                var buffer: [UInt8] = []
                buffer.reserveCapacity(1 << 16)
                do {
                    try produce { chunk in
                        seen(chunk)
                        buffer.append(contentsOf: chunk)
                        if buffer.count >= 1 << 16 {
                            try writeAll(buffer[...], to: fd, path: path)
                            buffer.removeAll(keepingCapacity: true)
                        }
                    }
                } catch let error as Failure {
                    throw error
                } catch {
                    failure = Failure(path: path, operation: "encode \(error) for", errno: EINVAL)
                    throw failure!
                }
                try writeAll(buffer[...], to: fd, path: path)
            }
        } catch {
            throw failure ?? error
        }
    }

    private static func writeAll(_ bytes: ArraySlice<UInt8>, to fd: Int32, path: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "write", errno: errno)
            }
            offset += n
        }
    }

    /// Whether the file holds exactly `bytes` — after a first line accepted by `header`, when
    /// given. Read in chunks, so comparing a large output costs no second copy in memory.
    public static func contentEquals(
        _ path: String, _ bytes: ArraySlice<UInt8>, header: ((ArraySlice<UInt8>) -> Bool)? = nil
    ) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var pending: [UInt8] = []
        var headerDone = header == nil
        var offset = bytes.startIndex
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return false }
            if n == 0 { return headerDone && offset == bytes.endIndex }
            var data = chunk[0..<n]
            if !headerDone {
                pending.append(contentsOf: data)
                guard let newline = pending.firstIndex(of: 0x0a) else {
                    if pending.count > 4096 { return false }
                    continue
                }
                guard header!(pending[..<newline]) else { return false }
                headerDone = true
                data = pending[(newline + 1)...]
            }
            guard data.count <= bytes.endIndex - offset, data.elementsEqual(bytes[offset..<(offset + data.count)])
            else {
                return false
            }
            offset += data.count
        }
    }

    /// Points a symbolic link at `target`, replacing whatever is at `path` atomically.
    public static func symlink(_ target: String, at path: String) throws(Failure) {
        if let existing = try? FileManager.default.destinationOfSymbolicLink(atPath: path), existing == target {
            return
        }
        // symlink(2) has no mkstemp: fill the template's X's ourselves, and try another name
        // if one is taken.
        var temp = ""
        while true {
            temp = uniquePath(temporaryPath(for: path))
            if Glibc.symlink(target, temp) == 0 { break }
            guard errno == EEXIST else { throw Failure(path: temp, operation: "symlink", errno: errno) }
        }
        guard rename(temp, path) == 0 else {
            let saved = errno
            unlink(temp)
            throw Failure(path: path, operation: "rename", errno: saved)
        }
        try syncDirectory(of: path)
    }

    /// Writes a temporary file with `fill`, then renames it over `path` — unless `commitIf`
    /// (asked once the content is complete) says no, and the temporary file goes.
    private static func replace(
        _ path: String, mode: mode_t, commitIf: () -> Bool = { true }, _ fill: (Int32) throws(Failure) -> Void
    ) throws(Failure) {
        var template = Array(temporaryPath(for: path).utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw Failure(path: path, operation: "create temporary file for", errno: errno) }
        let temp = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var committed = false
        defer {
            if !committed { unlink(temp) }
        }
        do throws(Failure) {
            try fill(fd)
            guard commitIf() else {
                close(fd)
                return
            }
            guard fchmod(fd, mode) == 0 else { throw Failure(path: temp, operation: "chmod", errno: errno) }
            guard fsync(fd) == 0 else { throw Failure(path: temp, operation: "fsync", errno: errno) }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw Failure(path: temp, operation: "close", errno: errno) }
        guard rename(temp, path) == 0 else { throw Failure(path: path, operation: "rename", errno: errno) }
        committed = true
        try syncDirectory(of: path)
    }

    /// `.<name>.tmp.XXXXXX` beside the target: same file system, so rename is atomic, and a
    /// leading dot so globbing readers (e.g. `openssl rehash`) skip it.
    static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp.XXXXXX").path
    }

    /// Sets the modification time of `path` to now (the trust map's freshness mark).
    public static func touch(_ path: String) throws(Failure) {
        guard utimensat(AT_FDCWD, path, nil, 0) == 0 else {
            throw Failure(path: path, operation: "touch", errno: errno)
        }
    }

    /// The template with its trailing `XXXXXX` replaced by random letters and digits.
    static func uniquePath(_ template: String) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let suffix = String((0..<6).map { _ in alphabet.randomElement()! })
        return String(template.dropLast(6)) + suffix
    }

    public static func syncDirectory(of path: String) throws(Failure) {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let fd = open(dir, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw Failure(path: dir, operation: "open directory", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Failure(path: dir, operation: "fsync directory", errno: errno) }
    }

    /// Removes temp files a killed writer left behind in `directory`.
    public static func removeLeftovers(in directory: String) {
        guard let names = try? Directory.entries(directory) else { return }
        for name in names where name.hasPrefix(".") && name.contains(".tmp.") {
            unlink(directory + "/" + name)
        }
    }
}
