import DANECertify
import DANECore
import Synchronization

/// Discovers the CA chain of device certificates over HTTPS (design.md "Protocol facts").
///
/// From a leaf, repeatedly: build `https://<authority host of the name>/.well-known/ca/<AKI>.pem`,
/// fetch it, accept the CA under ``CAAcceptance``, and continue with that CA's AKI until a
/// self-signed root, at most ``maxDepth`` CAs. Every CA comes from the authority host of the
/// device's own name, never from a host a certificate points to.
///
/// One walker is one sync pass: each CA URL is fetched at most once during its life, however
/// many devices share the issuer and however many walks run concurrently (the first walk to
/// need a URL starts the fetch; the others await the same task). Failures are remembered too,
/// so a broken URL costs one request per pass. Make a new walker for the next pass, so that
/// republished or withdrawn CAs are seen.
public actor CAChainWalker: ChainSource {
    /// design.md "Protocol facts": "to a self-signed root, at most 8 levels".
    public static let maxDepth = 8

    /// GETs started by this walker: one per distinct CA URL.
    public private(set) var fetchCount = 0
    /// Of those, the ones that gave no usable certificate.
    public private(set) var failedFetchCount = 0

    private let fetcher: any HTTPFetcher
    private let discovery: Config.Discovery
    private var fetches: [String: Task<Result<CertificateFacts, DiscoveryError>, Never>] = [:]
    /// Checked CA-to-issuer links ("child sha256 url" → refusal or nil) and self-signed verdicts.
    private var links: [String: DiscoveryError?] = [:]
    private var roots: [String: Bool] = [:]
    /// Chains already walked to a root from a leaf's issuer, by that issuer's URL. Everything
    /// above the issuer is memoized (fetches, links, roots), so a later walk from the same issuer
    /// would come to the same chain: a leaf only needs its own signature checked against the
    /// issuer, and a walk without a leaf (a warm name) nothing more — the checks of the issuer
    /// without a child (its key identifier, that it is a CA) are part of those with one. Held
    /// outside the actor: a walk per device crossed onto the actor a dozen times for what is
    /// then one look-up (a warm `run` pass at 30,000 names took 0.35 or 0.66 s by how those
    /// crossings happened to contend).
    private nonisolated let walked = Mutex<[String: [CertificateFacts]]>([:])

    /// - Parameters:
    ///   - fetcher: the HTTPS client (``CurlFetcher`` in production).
    ///   - discovery: `discovery.*` settings: TLS CA file, connect-to, body limit, timeout.
    public init(fetcher: any HTTPFetcher, discovery: Config.Discovery) {
        self.fetcher = fetcher
        self.discovery = discovery
    }

    /// The CAs that issued `leaf`, issuer first and self-signed root last, or why there are none.
    ///
    /// `name` is the identity `leaf` was published under; its authority host serves the CAs.
    /// A leaf without an Authority Key Identifier is an error: there is no URL to ask.
    public nonisolated func chain(
        for leaf: CertificateFacts, name: DeviceName
    ) async -> Result<[CertificateFacts], DiscoveryError> {
        guard let keyIdentifier = leaf.authorityKeyIdentifier else {
            return .failure(.noAuthorityKeyIdentifier(subject: leaf.subject))
        }
        return await walk(from: keyIdentifier, leaf: leaf, name: name)
    }

    public nonisolated func chain(
        issuedBy keyIdentifier: [UInt8], name: DeviceName
    ) async -> Result<[CertificateFacts], DiscoveryError> {
        await walk(from: keyIdentifier, leaf: nil, name: name)
    }

    /// Fetches and accepts the CA at `keyIdentifier` and those above it. `leaf`, when given, is
    /// the certificate the first CA must have signed.
    private nonisolated func walk(
        from leafIssuer: [UInt8], leaf: CertificateFacts?, name: DeviceName
    ) async -> Result<[CertificateFacts], DiscoveryError> {
        let authority: AuthorityHost
        do {
            authority = try AuthorityHost(for: name)
        } catch {
            return .failure(.noAuthorityHost(name: name, error))
        }
        let issuerURL = authority.caURL(keyIdentifier: leafIssuer)
        if let known = walked.withLock({ $0[issuerURL] }) {
            guard let leaf else { return .success(known) }
            let refusal = CAAcceptance.refusal(of: known[0], fetchedFrom: issuerURL, for: leafIssuer, child: leaf)
            return refusal.map { .failure($0) } ?? .success(known)
        }
        var chain: [CertificateFacts] = []
        var child = leaf
        var lastURL = ""
        while chain.count < Self.maxDepth {
            let keyIdentifier: [UInt8]
            if let child {
                guard let aki = child.authorityKeyIdentifier else {
                    return .failure(.noAuthorityKeyIdentifier(subject: child.subject))
                }
                keyIdentifier = aki
            } else {
                keyIdentifier = leafIssuer
            }
            let url = authority.caURL(keyIdentifier: keyIdentifier)
            guard !chain.contains(where: { $0.subjectKeyIdentifier == keyIdentifier }) else {
                return .failure(.loop(url: url, keyIdentifier: keyIdentifier))
            }
            let ca: CertificateFacts
            switch await fetchOnce(url) {
            case .success(let fetched): ca = fetched
            case .failure(let error): return .failure(error)
            }
            // A leaf's signature is checked here, off the actor, so checks run in parallel;
            // a CA's link to its issuer is the same for every device and checked once. Without
            // a leaf, the first CA is checked for itself (its key identifier, that it is a CA).
            let refusal: DiscoveryError?
            if let child {
                refusal =
                    chain.isEmpty
                    ? CAAcceptance.refusal(of: ca, fetchedFrom: url, for: keyIdentifier, child: child)
                    : await checkedLink(ca, fetchedFrom: url, for: keyIdentifier, child: child)
            } else {
                refusal = CAAcceptance.refusal(of: ca, fetchedFrom: url, for: keyIdentifier, child: nil)
            }
            if let refusal { return .failure(refusal) }
            chain.append(ca)
            if await isRoot(ca, fetchedFrom: url) {
                walked.withLock { $0[issuerURL] = chain }
                return .success(chain)
            }
            child = ca
            lastURL = url
        }
        return .failure(.tooDeep(limit: Self.maxDepth, lastURL: lastURL))
    }

    /// ``CAAcceptance/refusal(of:fetchedFrom:for:child:)`` for a CA child, memoized.
    private func checkedLink(
        _ ca: CertificateFacts, fetchedFrom url: String, for keyIdentifier: [UInt8], child: CertificateFacts
    ) -> DiscoveryError? {
        let key = child.sha256Hex + " " + url
        if let known = links[key] { return known }
        let refusal = CAAcceptance.refusal(of: ca, fetchedFrom: url, for: keyIdentifier, child: child)
        links[key] = .some(refusal)
        return refusal
    }

    /// Whether the CA fetched from `url` is self-signed (a signature check), once per URL.
    private func isRoot(_ ca: CertificateFacts, fetchedFrom url: String) -> Bool {
        if let known = roots[url] { return known }
        let root = ca.isSelfSigned
        roots[url] = root
        return root
    }

    /// The certificate at `url`, fetched and parsed once per walker.
    private func fetchOnce(_ url: String) async -> Result<CertificateFacts, DiscoveryError> {
        if let running = fetches[url] { return await running.value }
        // No suspension between the lookup above and this insert: the actor guarantees that
        // concurrent walks asking for the same URL find this task.
        let request = HTTPRequest(url: url, discovery: discovery)
        let fetcher = self.fetcher
        let task = Task.detached { () -> Result<CertificateFacts, DiscoveryError> in
            switch await fetcher.get(request) {
            case .ok(let body, _):
                return CAAcceptance.certificate(in: body, fetchedFrom: url)
            case .notModified:
                // Not asked for (no If-None-Match), so a 304 is just an unexpected status.
                return .failure(.fetchFailed(url: url, .status(304)))
            case .failure(let failure):
                return .failure(.fetchFailed(url: url, failure))
            }
        }
        fetches[url] = task
        fetchCount += 1
        let result = await task.value
        if case .failure = result { failedFetchCount += 1 }
        return result
    }
}
