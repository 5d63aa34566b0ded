import CNettleShim

/// PEM (RFC 7468) blocks of a text: `-----BEGIN LABEL-----`, base64, `-----END LABEL-----`.
/// Text between blocks is ignored (RFC 7468 §2); the base64 is decoded by nettle.
public enum PEM {
    public struct Block: Equatable, Sendable {
        public var label: String
        public var der: [UInt8]
    }

    /// Every block in order. Throws if a block is malformed (bad base64, headers, no END line).
    public static func blocks(in text: [UInt8]) throws(CertificateInputError) -> [Block] {
        var blocks: [Block] = []
        var label: Substring? = nil
        var body: [UInt8] = []
        for rawLine in text.split(separator: 0x0a, omittingEmptySubsequences: false) {
            var line = rawLine
            while let last = line.last, last == 0x0d || last == 0x20 || last == 0x09 { line = line.dropLast() }
            let string = Substring(decoding: line, as: UTF8.self)
            if let current = label {
                if string.hasPrefix("-----END ") {
                    guard string == "-----END \(current)-----" else { throw .malformedPEM(afterBlocks: blocks.count) }
                    guard let der = decode(body), !der.isEmpty else { throw .malformedPEM(afterBlocks: blocks.count) }
                    blocks.append(Block(label: String(current), der: der))
                    label = nil
                    body = []
                } else if line.contains(UInt8(ascii: ":")) || string.hasPrefix("-----") {
                    throw .malformedPEM(afterBlocks: blocks.count)  // encapsulated headers or a nested BEGIN
                } else {
                    body.append(contentsOf: line)
                }
            } else if string.hasPrefix("-----BEGIN "), string.hasSuffix("-----"), string.count > 16 {
                label = string.dropFirst(11).dropLast(5)
            }
        }
        guard label == nil else { throw .malformedPEM(afterBlocks: blocks.count) }
        return blocks
    }

    private static func decode(_ base64: [UInt8]) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: dsync_base64_max(base64.count))
        let n = base64.withUnsafeBufferPointer { input in
            input.withMemoryRebound(to: CChar.self) { chars in
                out.withUnsafeMutableBufferPointer {
                    dsync_base64_decode(chars.baseAddress, chars.count, $0.baseAddress)
                }
            }
        }
        guard n >= 0 else { return nil }
        return Array(out.prefix(n))
    }

    /// The DER certificates of a PEM text: one or more `CERTIFICATE` blocks; any other block
    /// is an error, as is a text without a certificate.
    public static func certificates(in text: [UInt8]) throws(CertificateInputError) -> [[UInt8]] {
        let blocks = try blocks(in: text)
        guard !blocks.isEmpty else { throw .noCertificate }
        var out: [[UInt8]] = []
        for block in blocks {
            guard block.label == "CERTIFICATE" else { throw .notACertificateBlock(label: block.label) }
            out.append(block.der)
        }
        return out
    }
}

/// Why bytes handed in as a certificate are not one.
public enum CertificateInputError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(String)
    case noCertificate
    case malformedPEM(afterBlocks: Int)
    case notACertificateBlock(label: String)
    case notACertificate

    public var description: String {
        switch self {
        case .unreadable(let why): return "cannot read the certificate: \(why)"
        case .noCertificate: return "no PEM CERTIFICATE block found"
        case .malformedPEM(let n): return "PEM block \(n + 1) is malformed (bad base64, headers or no END line)"
        case .notACertificateBlock(let label): return "PEM block is \"\(label)\", not CERTIFICATE"
        case .notACertificate: return "the DER is not an X.509 certificate"
        }
    }
}
