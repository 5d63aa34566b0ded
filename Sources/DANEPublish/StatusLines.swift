import DANECore
import Foundation

/// Where each name's line is in a `status.json` of the one-name-per-line layout
/// (``StatusDocument/encode(_:)``), read through an open descriptor, so that the next pass
/// decodes a previous record only when it reaches that name (``StatusDocument/ReadBack``).
/// The descriptor keeps the file this pass started from, even after publishing replaces it.
final class StatusLines: @unchecked Sendable {
    private let fd: Int32
    /// By the FNV-1a-64 of the name, not the name: at 100,000 names the keys' strings were most
    /// of the index. A line read for a name is checked to be that name's (``take(_:)``).
    private var lines: [UInt64: (offset: UInt32, length: UInt32, number: UInt32)] = [:]
    /// Lines whose name could not be read.
    private(set) var rejected: [String] = []

    /// `nil` when the file cannot be opened or is not in the line layout.
    init?(path: String) {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard index() else {
            close(fd)
            return nil
        }
    }

    deinit { close(fd) }

    /// A name's line (without the comma that separates it from the next), once; `nil` also
    /// when the line found under the name's hash names another name.
    func take(_ name: DeviceName) -> (json: [UInt8], number: Int)? {
        guard let line = lines.removeValue(forKey: TrustMapFormat.fnv1a(name.text.utf8)) else { return nil }
        let length = Int(line.length)
        var bytes = [UInt8](repeating: 0, count: length)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(line.offset)) }
        guard n == length, Self.name(in: bytes) == name else { return nil }
        if bytes.last == UInt8(ascii: ",") { bytes.removeLast() }
        return (bytes, Int(line.number))
    }

    /// Reads the file once, noting each name line's place; false when the first line is not
    /// the frame that opens the names (`…"names":[`).
    private func index() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var partial: [UInt8] = []
        var offset = 0
        var number = 0
        var framed = false
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            var start = 0
            for i in 0..<n where chunk[i] == 0x0a {
                partial.append(contentsOf: chunk[start..<i])
                number += 1
                if number == 1 {
                    guard partial.last == UInt8(ascii: "[") else { return false }
                    framed = true
                } else if partial.first != UInt8(ascii: "]") {
                    note(partial, at: offset, number: number)
                }
                offset += partial.count + 1
                partial.removeAll(keepingCapacity: true)
                start = i + 1
            }
            partial.append(contentsOf: chunk[start..<n])
        }
        return framed
    }

    private static let nameKey = Array(#""name":""#.utf8)

    private func note(_ line: [UInt8], at offset: Int, number: Int) {
        guard let name = Self.name(in: line), offset <= UInt32.max, line.count <= UInt32.max else {
            rejected.append("status.json line \(number): not a name entry (no device name)")
            return
        }
        lines[TrustMapFormat.fnv1a(name.text.utf8)] = (UInt32(offset), UInt32(line.count), UInt32(number))
    }

    /// The line's `"name":"…"` (a key: inside a JSON string a quote is always escaped).
    /// Searched byte by byte: the generic `firstRange(of:)` allocated about a thousand times
    /// per line (heaptrack: 58 million allocations in a 30,000-name warm pass).
    private static func name(in line: [UInt8]) -> DeviceName? {
        let valueStart: Int? = line.withUnsafeBufferPointer { bytes in
            nameKey.withUnsafeBufferPointer { key in
                guard bytes.count >= key.count else { return nil }
                for start in 0...(bytes.count - key.count) where bytes[start] == key[0] {
                    var offset = 1
                    while offset < key.count && bytes[start + offset] == key[offset] { offset += 1 }
                    if offset == key.count { return start + key.count }
                }
                return nil
            }
        }
        guard let valueStart, let end = line[valueStart...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return try? DeviceName(String(decoding: line[valueStart..<end], as: UTF8.self))
    }
}
