import DANECertify
import DANECore

/// Finds and checks the CA chain of a device certificate: the Discover step's seam.
/// ``CAChainWalker`` is the one real implementation (over HTTPS, design.md "Protocol facts");
/// the test double lives in Tests/DANETestSupport.
public protocol ChainSource: Sendable {
    /// The CAs that issued `leaf`, issuer first and self-signed root last, or why there are
    /// none. `name` is the identity `leaf` was published under.
    func chain(for leaf: CertificateFacts, name: DeviceName) async -> Result<[CertificateFacts], DiscoveryError>
    /// The same walk from the CA at the leaf's Authority Key Identifier `keyIdentifier` up,
    /// without the leaf: for a leaf whose link to that CA an earlier pass checked, when the
    /// caller compares the chain with the one it knows (a changed CA means a new walk from the
    /// leaf). `danesync run`'s warm names (design.md "Configuration", warm passes).
    func chain(issuedBy keyIdentifier: [UInt8], name: DeviceName) async -> Result<[CertificateFacts], DiscoveryError>
    /// HTTP fetches made so far (for the pass summary and benchmarks).
    var fetchCount: Int { get async }
    /// Those of them that gave no usable certificate (an HTTP or transport failure, a body
    /// that is not one): the `error` side of `danesync_ca_fetches_total`.
    var failedFetchCount: Int { get async }
}
