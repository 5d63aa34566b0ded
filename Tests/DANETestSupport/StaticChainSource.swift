import DANECertify
import DANECore
import DANEDiscover
import Foundation

/// A ``ChainSource`` that answers from a table the test fills: by the leaf's Authority Key
/// Identifier, the chain (issuer first) or the discovery error. A leaf whose AKI is not in the
/// table fails as a 404 would. ``fetchCount`` counts the walks asked for.
public final class StaticChainSource: ChainSource, @unchecked Sendable {
    private let lock = NSLock()
    private var table: [[UInt8]: Result<[CertificateFacts], DiscoveryError>] = [:]
    private var walks = 0

    public init() {}

    /// Leaves issued by `chain.first` get `chain`.
    public func serve(_ chain: [CertificateFacts]) {
        guard let issuer = chain.first else { return }
        lock.withLock { table[issuer.subjectKeyIdentifier] = .success(chain) }
    }

    /// Leaves whose AKI is `keyIdentifier` get `error`.
    public func fail(_ keyIdentifier: [UInt8], with error: DiscoveryError) {
        lock.withLock { table[keyIdentifier] = .failure(error) }
    }

    public func chain(for leaf: CertificateFacts, name: DeviceName) async -> Result<[CertificateFacts], DiscoveryError>
    {
        lock.withLock {
            walks += 1
            guard let aki = leaf.authorityKeyIdentifier else {
                return .failure(.noAuthorityKeyIdentifier(subject: leaf.subject))
            }
            return table[aki] ?? .failure(.fetchFailed(url: "https://static.invalid/\(Hex.encode(aki))", .status(404)))
        }
    }

    public var fetchCount: Int {
        get async { lock.withLock { walks } }
    }
}
