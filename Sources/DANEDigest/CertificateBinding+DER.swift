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
            spkiSHA256: Digest.sha256(spki), spkiSHA512: Digest.sha512(spki), sanDNSNames: Self.sanDNSNames(der))
    }

    /// The dNSNames of the subjectAltName extension, found by nettle's DER iterator. A
    /// malformed extension yields none: the certificate can still match by hash, but no PKIX
    /// pin admits it.
    static func sanDNSNames(_ der: [UInt8]) -> [String] {
        let capacity = 64
        var offsets = [Int](repeating: 0, count: capacity)
        var lengths = [Int](repeating: 0, count: capacity)
        let count = der.withUnsafeBufferPointer { der in
            dsync_cert_san_dns(der.baseAddress, der.count, &offsets, &lengths, capacity)
        }
        guard count > 0 else { return [] }
        return (0..<count).map { String(decoding: der[offsets[$0]..<(offsets[$0] + lengths[$0])], as: UTF8.self) }
    }
}
