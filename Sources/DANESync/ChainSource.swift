import DANECertify
import DANECore

/// Finds and checks the CA chain of a device certificate (DANEDiscover does it over HTTPS;
/// tests substitute values).
public protocol ChainSource: Sendable {
    /// The chain from the leaf's issuer up to a self-signed root, or why it could not be had.
    func chain(for leaf: CertificateFacts, name: DeviceName) async -> ChainResult
    /// HTTP fetches made so far (for the pass summary and benchmarks).
    var fetchCount: Int { get async }
}

public enum ChainResult: Sendable {
    case chain([CertificateFacts])
    case failed(String)
}
