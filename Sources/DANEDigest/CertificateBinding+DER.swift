import CNettleShim
import DANECore

extension CertificateBinding {
    /// The binding of a DER certificate: its SubjectPublicKeyInfo element exactly as encoded
    /// in the certificate (RFC 6698 §2.1.2 selector 1; what
    /// `openssl x509 -pubkey | openssl pkey -pubin -outform DER` prints), and the four digests
    /// TLSA matching may ask for. No key is decoded, so any key type works.
    public init(der: [UInt8]) throws(CertificateInputError) {
        var offset = 0
        var length = 0
        let rc = der.withUnsafeBufferPointer { dsync_cert_spki($0.baseAddress, $0.count, &offset, &length) }
        guard rc == 0, offset + length <= der.count else { throw .notACertificate }
        let spki = Array(der[offset..<(offset + length)])
        self.init(
            der: der, spki: spki, sha256: Digest.sha256(der), sha512: Digest.sha512(der),
            spkiSHA256: Digest.sha256(spki), spkiSHA512: Digest.sha512(spki))
    }
}
