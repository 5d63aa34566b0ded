import CNettleShim

/// SHA-1/SHA-256/SHA-512 over nettle, which libunbound already loads into `daneverify`.
public enum Digest {
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { run(bytes, 32, dsync_sha256) }
    public static func sha512(_ bytes: [UInt8]) -> [UInt8] { run(bytes, 64, dsync_sha512) }
    public static func sha1(_ bytes: [UInt8]) -> [UInt8] { run(bytes, 20, dsync_sha1) }

    private static func run(
        _ bytes: [UInt8], _ length: Int,
        _ function: (UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UInt8>?) -> Void
    ) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { function(input.baseAddress, input.count, $0.baseAddress) }
        }
        return out
    }
}
