import DANECore
import DANEDigest

/// The DER walk (nettle's iterator, CNettleShim) that finds a certificate's SubjectPublicKeyInfo
/// and its SAN dNSNames: what TLSA selector 1 hashes and what the PKIX pin rule reads. Whatever
/// it accepts must at least be framed as DER says: the certificate one SEQUENCE filling the
/// input, the SPKI one SEQUENCE exactly as long as its header declares.
enum CertificateDERFuzz {
    static func run(_ der: [UInt8]) {
        guard let binding = try? CertificateBinding(der: der) else { return }
        require(isSequence(der[...]), "the certificate is not one SEQUENCE filling the input")
        require(isSequence(binding.spki[...]), "the SPKI is not one whole SEQUENCE: \(Hex.encode(binding.spki))")
        require(binding.sanDNSNames.count <= 64, "more SAN names than the walk has room for")
    }

    /// Whether `bytes` is exactly one SEQUENCE element (X.690 §8.1: tag 0x30, definite length).
    static func isSequence(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 2, bytes.first == 0x30 else { return false }
        let first = bytes[bytes.startIndex + 1]
        guard first & 0x80 != 0 else { return bytes.count == 2 + Int(first) }
        let octets = Int(first & 0x7f)
        guard (1...8).contains(octets), bytes.count >= 2 + octets else { return false }
        var length = 0
        for byte in bytes.dropFirst(2).prefix(octets) {
            guard length < Int.max >> 8 else { return false }
            length = length << 8 | Int(byte)
        }
        return bytes.count - 2 - octets == length
    }
}
