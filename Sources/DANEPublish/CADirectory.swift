import DANECertify
import DANECore
import DANEDigest
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The `ca.d/` hashed directory for FreeRADIUS `ca_path`: one CA per file (OpenSSL's
/// `rehash` ignores files holding several certificates) plus `<subject hash>.<n>` links, as
/// `openssl rehash` makes them, so OpenSSL's by-directory lookup finds issuers by name.
public enum CADirectory {
    /// Makes `directory` hold exactly `cas` and their links. Returns whether anything changed.
    @discardableResult
    public static func publish(_ cas: [CertificateFacts], in directory: String) throws -> Bool {
        try Directory.create(directory)
        AtomicFile.removeLeftovers(in: directory)
        var changed = false
        var wanted: [String: String] = [:]  // link name → file it points at
        var regular: Set<String> = []
        var nextIndex: [UInt32: Int] = [:]
        for ca in cas.sorted(by: { $0.sha256Hex < $1.sha256Hex }) {
            let file = "\(ca.sha256Hex).pem"
            regular.insert(file)
            if try AtomicFile.write(Array(ca.pemBlock.utf8), to: directory + "/" + file) { changed = true }
            let hash = try CertificateBinding.subjectHash(der: ca.binding.der)
            let index = nextIndex[hash, default: 0]
            nextIndex[hash] = index + 1
            wanted[String(format: "%08x.%d", hash, index)] = file
        }
        for (link, target) in wanted {
            let path = directory + "/" + link
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != target {
                try AtomicFile.symlink(target, at: path)
                changed = true
            }
        }
        // Stale links go before stale files, so that a writer killed in between leaves no link
        // pointing at a removed file: every link always resolves, old or new.
        let stale = try Directory.entries(directory).filter {
            !regular.contains($0) && wanted[$0] == nil
        }
        let staleLinks = stale.filter {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + $0)) != nil
        }
        for name in staleLinks + stale.filter({ !staleLinks.contains($0) }) {
            unlink(directory + "/" + name)
            changed = true
        }
        if changed { try AtomicFile.syncDirectory(of: directory + "/.") }
        return changed
    }
}
