import CECDSAReference
import Crypto
import Foundation
import Synchronization
import Testing

/// The agent answers libunbound's `nettle_ecdsa_verify` with OpenSSL (Sources/CValidatorECDSA,
/// docs/architecture.md "Decisions"): on the same nettle structures, its verdict must be
/// hogweed's in every case — valid, tampered, out of range, other keys, other curves, threads.
struct ValidatorECDSATests {
    /// The order n of P-256 (SEC 2 section 2.4.2).
    static let p256Order = bytes("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    /// Both verifiers' results for one input: (agent, hogweed).
    static func verdicts(key: [UInt8], digest: [UInt8], r: [UInt8], s: [UInt8]) -> (Int32, Int32) {
        let size = key.count / 2
        func run(_ verifier: dsync_ecdsa_verifier) -> Int32 {
            dsync_test_ecdsa_verify(
                verifier, key, Array(key[size...]), size, digest, digest.count, r, r.count, s, s.count)
        }
        return (run(DSYNC_ECDSA_AGENT), run(DSYNC_ECDSA_HOGWEED))
    }

    static func expectSame(
        key: [UInt8], digest: [UInt8], r: [UInt8], s: [UInt8], _ expected: Int32,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let (agent, hogweed) = verdicts(key: key, digest: digest, r: r, s: s)
        #expect(hogweed == expected, "hogweed", sourceLocation: sourceLocation)
        #expect(agent == hogweed, "agent differs from hogweed", sourceLocation: sourceLocation)
    }

    struct Signed {
        let key: [UInt8]
        let digest: [UInt8]
        let r: [UInt8]
        let s: [UInt8]
    }

    static func p256(_ message: [UInt8], key: P256.Signing.PrivateKey = .init()) throws -> Signed {
        let digest = SHA256.hash(data: message)
        return signed(
            publicKey: key.publicKey.rawRepresentation, digest: digest,
            signature: try key.signature(for: digest).rawRepresentation)
    }

    @Test func test_validSignatures_verify_underEachOfSeveralKeysInTurn() throws {
        let keys = (0..<3).map { _ in P256.Signing.PrivateKey() }
        for round in 0..<60 {
            let signed = try Self.p256(Array("name\(round)._device.example.com".utf8), key: keys[round % 3])
            Self.expectSame(key: signed.key, digest: signed.digest, r: signed.r, s: signed.s, 1)
            // The previous key, now cached, must not answer for another key's signature.
            let other = Array(keys[(round + 1) % 3].publicKey.rawRepresentation)
            Self.expectSame(key: other, digest: signed.digest, r: signed.r, s: signed.s, 0)
        }
    }

    @Test func test_tamperedDigestOrSignature_doesNotVerify() throws {
        let signed = try Self.p256(Array("sensor1._device.example.com".utf8))
        for bit in [0, 7, 100, 255] {
            var digest = signed.digest
            digest[bit / 8] ^= 1 << UInt8(bit % 8)
            Self.expectSame(key: signed.key, digest: digest, r: signed.r, s: signed.s, 0)
            var r = signed.r
            r[bit / 8] ^= 1 << UInt8(bit % 8)
            Self.expectSame(key: signed.key, digest: signed.digest, r: r, s: signed.s, 0)
            var s = signed.s
            s[bit / 8] ^= 1 << UInt8(bit % 8)
            Self.expectSame(key: signed.key, digest: signed.digest, r: signed.r, s: s, 0)
        }
        Self.expectSame(key: signed.key, digest: Array(signed.digest.prefix(20)), r: signed.r, s: signed.s, 0)
    }

    /// r and s must lie in [1, n-1] (FIPS 186-4 section 6.4): zero, n, and values past 256 bits fail.
    @Test func test_signatureValuesOutOfRange_doNotVerify() throws {
        let signed = try Self.p256(Array("sensor2._device.example.com".utf8))
        let zero: [UInt8] = []
        let wide = [1] + signed.r  // r + 2^256: 33 bytes
        for (r, s) in [
            (zero, signed.s), (signed.r, zero), (Self.p256Order, signed.s), (signed.r, Self.p256Order),
            (wide, signed.s), (signed.r, [1] + signed.s), ([0] + signed.r, signed.s),
        ] {
            let expected: Int32 = r == [0] + signed.r ? 1 : 0  // a leading zero byte is the same number
            Self.expectSame(key: signed.key, digest: signed.digest, r: r, s: s, expected)
        }
    }

    /// A public key and signature in raw form (x ‖ y, r ‖ s) as one of the cases below uses it.
    static func signed(publicKey: Data, digest: some Digest, signature: Data) -> Signed {
        let raw = Array(signature)
        return Signed(
            key: Array(publicKey), digest: Array(digest), r: Array(raw[..<(raw.count / 2)]),
            s: Array(raw[(raw.count / 2)...]))
    }

    /// `message` hashed with SHA-384 and signed by `sign` (a P-256 or a P-384 key).
    static func sha384Signed(
        _ message: String, publicKey: Data, sign: (SHA384Digest) throws -> Data
    ) rethrows -> Signed {
        let digest = SHA384.hash(data: Array(message.utf8))
        return signed(publicKey: publicKey, digest: digest, signature: try sign(digest))
    }

    /// A digest longer than the order is truncated to its leftmost 256 bits, in both.
    @Test func test_longerDigest_isTruncatedAlike() throws {
        let key = P256.Signing.PrivateKey()
        let signed = try Self.sha384Signed("sensor3._device.example.com", publicKey: key.publicKey.rawRepresentation) {
            try key.signature(for: $0).rawRepresentation
        }
        Self.expectSame(key: signed.key, digest: signed.digest, r: signed.r, s: signed.s, 1)
        var changedTail = signed.digest
        changedTail[47] ^= 1  // beyond the 256 bits used
        Self.expectSame(key: signed.key, digest: changedTail, r: signed.r, s: signed.s, 1)
    }

    /// P-384 (DNSSEC algorithm 14) is handed to hogweed itself.
    @Test func test_p384_isHogweedsVerdict() throws {
        let key = P384.Signing.PrivateKey()
        let signed = try Self.sha384Signed("sensor4._device.example.com", publicKey: key.publicKey.rawRepresentation) {
            try key.signature(for: $0).rawRepresentation
        }
        Self.expectSame(key: signed.key, digest: signed.digest, r: signed.r, s: signed.s, 1)
        var s = signed.s
        s[0] ^= 0x80
        Self.expectSame(key: signed.key, digest: signed.digest, r: signed.r, s: s, 0)
    }

    /// libunbound verifies on one worker thread per context: each thread's cached key is its own.
    @Test func test_concurrentVerifications_underDifferentKeys_agree() throws {
        let signed = try (0..<8).map { try Self.p256(Array("sensor\($0)._device.example.com".utf8)) }
        let wrong = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<40 {
                let mine = signed[(thread + round) % signed.count]
                let other = signed[(thread + round + 1) % signed.count]
                let (good, _) = Self.verdicts(key: mine.key, digest: mine.digest, r: mine.r, s: mine.s)
                let (bad, _) = Self.verdicts(key: other.key, digest: mine.digest, r: mine.r, s: mine.s)
                if good != 1 || bad != 0 { wrong.withLock { $0 += 1 } }
            }
        }
        #expect(wrong.withLock { $0 } == 0)
    }
}
