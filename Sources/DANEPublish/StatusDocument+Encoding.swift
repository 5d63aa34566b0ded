import Foundation

/// Writing a status document (design.md "Outputs": `status.json`, one name per line).
extension StatusDocument {
    /// JSON with one name per line: the document minus its names is encoded once, and each
    /// name on its own, so a pass over 100,000 names never holds an encoder tree of them all
    /// (and ``read(_:)`` can decode it line by line).
    public func encoded() throws -> [UInt8] {
        var out: [UInt8] = []
        try encode { out.append(contentsOf: $0) }
        return out
    }

    /// The same bytes as ``encoded()``, handed out in pieces as they are made.
    ///
    /// The names are encoded a few blocks at a time, the blocks in parallel: JSONEncoder was
    /// most of the serial end of a pass (publishing, after the lookups), ~10 µs per name.
    /// The blocks are emitted in order, so the bytes are the same as one encoder's.
    public func encode(_ emit: ([UInt8]) throws -> Void) throws {
        var header = self
        header.names = []
        let frame = Array(try Self.encoder().encode(header))
        let marker = Array(#""names":[]"#.utf8)
        guard let split = frame.firstRange(of: marker) else { return try emit(frame + [0x0a]) }
        try emit(Array(frame[..<split.lowerBound]) + Array(#""names":["#.utf8))
        let blocks = stride(from: 0, to: names.count, by: Self.namesPerBlock).map {
            $0..<min($0 + Self.namesPerBlock, names.count)
        }
        let width = max(1, ProcessInfo.processInfo.activeProcessorCount)
        for round in stride(from: 0, to: blocks.count, by: width) {
            let batch = Array(blocks[round..<min(round + width, blocks.count)])
            let encoded = EncodedBlocks(count: batch.count)
            DispatchQueue.concurrentPerform(iterations: batch.count) { index in
                encoded.set(index, Result { try lines(batch[index]) })
            }
            for block in encoded.take() { try emit(block.get()) }
        }
        try emit([0x0a, UInt8(ascii: "]")] + Array(frame[split.upperBound...]) + [0x0a])
    }

    /// Enough names per block to outweigh handing it to another thread, few enough that a
    /// round of blocks is a small buffer.
    static let namesPerBlock = 256

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// `names[range]`, each on a line of its own, with the commas between names.
    fileprivate func lines(_ range: Range<Int>) throws -> [UInt8] {
        let encoder = Self.encoder()
        var out: [UInt8] = []
        for index in range {
            out.append(0x0a)
            out.append(contentsOf: try encoder.encode(names[index]))
            if index < names.count - 1 { out.append(UInt8(ascii: ",")) }
        }
        return out
    }
}

/// One round of ``StatusDocument/encode(_:)``'s blocks, filled in by parallel iterations.
private final class EncodedBlocks: @unchecked Sendable {
    private let lock = NSLock()
    private var blocks: [Result<[UInt8], any Error>]

    init(count: Int) { blocks = Array(repeating: .success([]), count: count) }

    func set(_ index: Int, _ block: Result<[UInt8], any Error>) { lock.withLock { blocks[index] = block } }

    func take() -> [Result<[UInt8], any Error>] { lock.withLock { blocks } }
}
