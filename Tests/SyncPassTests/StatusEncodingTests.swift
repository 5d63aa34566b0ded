import Foundation
import Testing

@testable import DANEPublish

/// `status.json` is encoded a few blocks of names at a time, the blocks in parallel
/// (StatusDocument+Encoding.swift): the document must still read back whole and equal, with
/// every name on its own line, in order, across many rounds of blocks.
struct StatusEncodingTests {
    @Test func test_namesEncodedInParallelBlocks_readBackInOrder_oneNamePerLine() throws {
        var document = StatusDocument(
            time: 1_795_900_000, durationSeconds: 1.5, policySource: "file", policyError: nil, records: [],
            networks: { _ in [] }, cas: [])
        let count = StatusDocument.namesPerBlock * 9 + 7
        document.names = try (0..<count).map { index in
            let line =
                #"{"ca_fingerprints":[],"hashes":["ab"],"name":"d\#(index)._device.example.com","#
                + #""networks":["*"],"pins":[],"since":1,"state":"ok"}"#
            return try JSONDecoder().decode(StatusDocument.Name.self, from: Data(line.utf8))
        }
        let bytes = try document.encoded()
        #expect(try JSONDecoder().decode(StatusDocument.self, from: Data(bytes)) == document)
        let lines = bytes.split(separator: 0x0a).map { String(decoding: $0, as: UTF8.self) }
        #expect(lines.count == count + 2)
        for index in [0, 1, StatusDocument.namesPerBlock, count - 1] {
            #expect(lines[index + 1].contains(#""name":"d\#(index)._device.example.com""#))
            #expect(lines[index + 1].hasSuffix(",") == (index < count - 1))
        }
    }
}
