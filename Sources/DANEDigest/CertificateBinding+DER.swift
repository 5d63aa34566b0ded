import COpenSSLShim
import DANECore

extension CertificateBinding {
    /// The binding of a DER certificate: its SubjectPublicKeyInfo as libcrypto re-encodes it
    /// (what `openssl x509 -pubkey | openssl pkey -pubin -outform DER` prints, RFC 6698 §2.1.2
    /// selector 1) and the four digests TLSA matching may ask for. Works for any key type
    /// libcrypto knows, including ones swift-certificates refuses.
    public init(der: [UInt8]) throws(CertificateInputError) {
        var spkiPointer: UnsafeMutablePointer<UInt8>? = nil
        var spkiLength = 0
        let rc = der.withUnsafeBufferPointer { dsync_cert_spki($0.baseAddress, $0.count, &spkiPointer, &spkiLength) }
        guard rc == 0, let spkiPointer else { throw .notACertificate }
        defer { dsync_free(spkiPointer) }
        let spki = Array(UnsafeBufferPointer(start: spkiPointer, count: spkiLength))
        self.init(
            der: der, spki: spki, sha256: Digest.sha256(der), sha512: Digest.sha512(der),
            spkiSHA256: Digest.sha256(spki), spkiSHA512: Digest.sha512(spki))
    }

    /// OpenSSL's subject-name hash, the `<8 hex>` of a `ca.d/` link (`openssl x509 -subject_hash`).
    public static func subjectHash(der: [UInt8]) throws(CertificateInputError) -> UInt32 {
        var hash: UInt = 0
        let rc = der.withUnsafeBufferPointer { dsync_cert_subject_hash($0.baseAddress, $0.count, &hash) }
        guard rc == 0 else { throw .notACertificate }
        return UInt32(truncatingIfNeeded: hash)
    }
}
