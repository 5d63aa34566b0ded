import DANECertify
import DANECore
import DANEDiscover
import Foundation

/// A ``ChainSource`` that answers from a table the test fills: by the leaf's Authority Key
/// Identifier — and, like the real walker, by the authority host of the device's name when
/// the test says so — the chain (issuer first) or the discovery error. A leaf whose AKI is not
/// in the table fails as a 404 would. ``fetchCount`` counts the walks asked for,
/// ``failedFetchCount`` those that failed.
public final class StaticChainSource: ChainSource, @unchecked Sendable {
    private let lock = NSLock()
    private var table: [Key: Result<[CertificateFacts], DiscoveryError>] = [:]

    private struct Key: Hashable {
        var keyIdentifier: [UInt8]
        /// `nil`: any authority host.
        var authority: String?
    }
    private var walks = 0
    private var failedWalks = 0

    public init() {}

    /// Leaves issued by `chain.first` get `chain` (only for names under `authority`, if given,
    /// e.g. `device.example.org`).
    public func serve(_ chain: [CertificateFacts], authority: String? = nil) {
        guard let issuer = chain.first else { return }
        lock.withLock { table[Key(keyIdentifier: issuer.subjectKeyIdentifier, authority: authority)] = .success(chain) }
    }

    /// Leaves whose AKI is `keyIdentifier` get `error`.
    public func fail(_ keyIdentifier: [UInt8], with error: DiscoveryError) {
        lock.withLock { table[Key(keyIdentifier: keyIdentifier, authority: nil)] = .failure(error) }
    }

    public func chain(for leaf: CertificateFacts, name: DeviceName) async -> Result<[CertificateFacts], DiscoveryError>
    {
        guard let aki = leaf.authorityKeyIdentifier else {
            return lock.withLock {
                walks += 1
                return .failure(.noAuthorityKeyIdentifier(subject: leaf.subject))
            }
        }
        return await chain(issuedBy: aki, name: name)
    }

    public func chain(issuedBy aki: [UInt8], name: DeviceName) async -> Result<[CertificateFacts], DiscoveryError> {
        lock.withLock {
            walks += 1
            let authority = (try? AuthorityHost(for: name))?.text
            let result =
                table[Key(keyIdentifier: aki, authority: authority)] ?? table[Key(keyIdentifier: aki, authority: nil)]
                ?? .failure(.fetchFailed(url: "https://static.invalid/\(Hex.encode(aki))", .status(404)))
            if case .failure = result { failedWalks += 1 }
            return result
        }
    }

    public var fetchCount: Int {
        get async { lock.withLock { walks } }
    }

    public var failedFetchCount: Int {
        get async { lock.withLock { failedWalks } }
    }
}
