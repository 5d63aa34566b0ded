import DANECore
import DANEDigest

/// PEM (RFC 7468) as daneverify reads the certificate file FreeRADIUS hands it: the blocks, the
/// certificates among them, and the first one's binding (the DER walk). The blocks found must
/// be found again, unchanged, in their canonical encoding.
enum PEMFuzz {
    static func run(_ bytes: [UInt8]) {
        guard let blocks = try? PEM.blocks(in: bytes) else { return }
        for block in blocks { require(!block.der.isEmpty, "block \"\(block.label)\" decodes to nothing") }
        let canonical = blocks.flatMap(encode)
        require(
            (try? PEM.blocks(in: canonical)) == blocks,
            "the blocks are not read back from \(String(decoding: canonical, as: UTF8.self))")
        guard let certificates = try? PEM.certificates(in: bytes) else { return }
        require(
            certificates == blocks.map(\.der) && blocks.allSatisfy { $0.label == "CERTIFICATE" },
            "certificates(in:) disagrees with blocks(in:)")
        _ = try? CertificateBinding(der: certificates[0])
    }

    /// RFC 7468 §2: the label in the encapsulation boundaries, base64 in lines of 64.
    static func encode(_ block: PEM.Block) -> [UInt8] {
        let base64 = Base64.encode(block.der)
        var text = Array("-----BEGIN \(block.label)-----\n".utf8)
        var start = 0
        while start < base64.count {
            text += base64[start..<min(start + 64, base64.count)] + [0x0a]
            start += 64
        }
        return text + Array("-----END \(block.label)-----\n".utf8)
    }
}

/// RFC 4648 §4 base64 with padding, independent of the nettle decoder under test.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * $1.offset) }
            for position in 0..<4 {
                out.append(
                    position <= chunk.count ? alphabet[Int(value >> (18 - 6 * position) & 0x3f)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return out
    }
}
