import COpenSSLShim
import DANECore

/// PEM (RFC 7468) blocks of a text, via libcrypto's PEM reader: text between blocks is
/// ignored, as RFC 7468 §2 allows.
public enum PEM {
    public struct Block: Equatable, Sendable {
        public var label: String
        public var der: [UInt8]
    }

    /// Every block in order. Throws if a block is malformed (bad base64, no END line).
    public static func blocks(in text: [UInt8]) throws(CertificateInputError) -> [Block] {
        let iterator = text.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { dsync_pem_open($0.baseAddress, $0.count) }
        }
        guard let iterator else { throw .unreadable("out of memory") }
        defer { dsync_pem_close(iterator) }
        var blocks: [Block] = []
        // The iterator reads from `text`'s buffer, which must stay alive: keep it pinned.
        return try withExtendedLifetime(text) { () throws(CertificateInputError) -> [Block] in
            while true {
                var label: UnsafeMutablePointer<CChar>? = nil
                var der: UnsafeMutablePointer<UInt8>? = nil
                var length = 0
                switch dsync_pem_next(iterator, &label, &der, &length) {
                case 1:
                    defer {
                        dsync_free(label)
                        dsync_free(der)
                    }
                    blocks.append(Block(label: String(cString: label!), der: Array(UnsafeBufferPointer(start: der, count: length))))
                case 0: return blocks
                default: throw .malformedPEM(afterBlocks: blocks.count)
                }
            }
        }
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
        case .malformedPEM(let n): return "PEM block \(n + 1) is malformed (bad base64 or no END line)"
        case .notACertificateBlock(let label): return "PEM block is \"\(label)\", not CERTIFICATE"
        case .notACertificate: return "the DER is not an X.509 certificate"
        }
    }
}
