#if canImport(Glibc)
import Glibc
#endif

/// Whether bytes produced piece by piece are exactly a file's content, after a first line that
/// `header` judges (``AtomicFile/stream(to:mode:unlessEqualAfter:_:)``): the file is read
/// along, as far as the bytes fed so far, and the answer is known once both end.
struct StreamComparison {
    private var fd: Int32
    private let header: (ArraySlice<UInt8>) -> Bool
    private var equal: Bool
    private var headerDone = false
    /// Bytes read from the file; those from `start` on are not compared yet.
    private var pending: [UInt8] = []
    private var start = 0
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)

    init(path: String, header: @escaping (ArraySlice<UInt8>) -> Bool) {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        equal = fd >= 0
        self.header = header
    }

    /// Compares the next produced bytes. The first call must hold the whole first line.
    mutating func feed(_ bytes: ArraySlice<UInt8>) {
        guard equal else { return }
        var bytes = bytes
        if !headerDone {
            headerDone = true
            guard let produced = bytes.firstIndex(of: 0x0a) else { return fail() }
            guard let line = readLine(), header(line[...]) else { return fail() }
            bytes = bytes[(produced + 1)...]
        }
        while !bytes.isEmpty {
            if start == pending.count && !readMore() { return fail() }
            let n = min(pending.count - start, bytes.count)
            guard pending[start..<(start + n)].elementsEqual(bytes.prefix(n)) else { return fail() }
            start += n
            bytes = bytes.dropFirst(n)
        }
    }

    /// Whether everything fed was equal and the file has nothing more.
    mutating func finish() -> Bool {
        guard equal, headerDone, start == pending.count else { return false }
        return !readMore()
    }

    mutating func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    private mutating func fail() {
        equal = false
        close()
    }

    /// The file's first line (without its line break), at most 4096 octets.
    private mutating func readLine() -> [UInt8]? {
        while true {
            if let newline = pending[start...].firstIndex(of: 0x0a) {
                let line = Array(pending[start..<newline])
                start = newline + 1
                return line
            }
            guard pending.count <= 4096, readMore() else { return nil }
        }
    }

    /// Appends the next chunk of the file to what is not compared yet (dropping what is);
    /// false at its end or on an error.
    private mutating func readMore() -> Bool {
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            pending.removeFirst(start)
            start = 0
            pending.append(contentsOf: chunk[0..<n])
            return true
        }
    }
}
