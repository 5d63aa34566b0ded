import COpenSSLShim
import DANECore
import DANEDigest

extension CertificateBinding {
    /// OpenSSL's subject-name hash, the `<8 hex>` of a `ca.d/` link (`openssl x509 -subject_hash`).
    public static func subjectHash(der: [UInt8]) throws(CertificateInputError) -> UInt32 {
        var hash: UInt = 0
        let rc = der.withUnsafeBufferPointer { dsync_cert_subject_hash($0.baseAddress, $0.count, &hash) }
        guard rc == 0 else { throw .notACertificate }
        return UInt32(truncatingIfNeeded: hash)
    }
}
