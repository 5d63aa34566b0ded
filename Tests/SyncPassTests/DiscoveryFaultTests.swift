import Crypto
import DANECertify
import DANECore
import DANEDiscover
import DANESync
import DANETestSupport
import Testing

/// Rows of docs/fault-matrix.md about CA discovery that need chains no CA host of the lab
/// serves (a loop, nine levels, a CA that is not one, a signature by another key): the real
/// ``CAChainWalker`` over a scripted fetcher.
struct DiscoveryFaultTests {
    static let name = try! DeviceName("sensor1._device.example.com")
    static let authority = try! AuthorityHost(for: name)

    static func walker(_ fetcher: ScriptedFetcher) throws -> CAChainWalker {
        let config = try ConfigParser.parse(
            "policy:\n  file: /nonexistent/policy.yaml\ndns:\n  trust_anchor_file: /nonexistent/root.key\n")
        return CAChainWalker(fetcher: fetcher, discovery: config.discovery)
    }

    /// Our PKI, and another organisation's whose intermediate claims our intermediate's key
    /// identifier (the URL and SKI fit; its key is not ours).
    static func oursAndImpostor() throws -> (TestCertificates, TestCertificates) {
        let ours = try TestCertificates()
        let impostor = try TestCertificates(
            organisation: "Impostor", intermediateKeyIdentifier: ours.intermediate.subjectKeyIdentifier)
        return (ours, impostor)
    }

    /// Serves `ca` at the URL its key identifier gives.
    static func serve(_ ca: CertificateFacts, on fetcher: ScriptedFetcher) {
        fetcher.answer(
            authority.caURL(keyIdentifier: ca.subjectKeyIdentifier), with: .ok(body: Array(ca.pem.utf8), etag: nil))
    }

    static func device(issuedBy issuer: String, key: P256.Signing.PrivateKey) throws -> CertificateFacts {
        try TestCertificates.issue(
            name.text, key: P256.Signing.PrivateKey(), issuer: issuer, issuerKey: key, isCA: false, sans: [name.text])
    }

    /// A and B each issued the other: the walk stops when a key identifier comes round again,
    /// before fetching it a second time.
    @Test func test_chainThatLoops_AtoBtoA_isRefused() async throws {
        let (a, b) = (P256.Signing.PrivateKey(), P256.Signing.PrivateKey())
        let fetcher = ScriptedFetcher()
        Self.serve(try TestCertificates.issue("CA A", key: a, issuer: "CA B", issuerKey: b), on: fetcher)
        Self.serve(try TestCertificates.issue("CA B", key: b, issuer: "CA A", issuerKey: a), on: fetcher)
        let result = try await Self.walker(fetcher).chain(for: Self.device(issuedBy: "CA A", key: a), name: Self.name)
        guard case .failure(.loop) = result else {
            Issue.record("expected a loop, got \(result)")
            return
        }
        #expect(fetcher.requests.count == 2)
    }

    /// design.md "Protocol facts": at most 8 levels. Eight CAs up to a self-signed root are a
    /// chain; nine are refused as too deep.
    @Test(arguments: [8, 9])
    func test_chainDepth_eightIsAccepted_nineIsTooDeep(_ depth: Int) async throws {
        let keys = (0..<depth).map { _ in P256.Signing.PrivateKey() }
        let fetcher = ScriptedFetcher()
        for level in 0..<depth {
            let issuer = level == depth - 1 ? level : level + 1
            Self.serve(
                try TestCertificates.issue(
                    "CA \(level)", key: keys[level], issuer: "CA \(issuer)", issuerKey: keys[issuer]),
                on: fetcher)
        }
        let result = try await Self.walker(fetcher).chain(
            for: Self.device(issuedBy: "CA 0", key: keys[0]), name: Self.name)
        switch (depth, result) {
        case (8, .success(let chain)): #expect(chain.count == 8)
        case (9, .failure(.tooDeep(limit: 8, _))): break
        default: Issue.record("depth \(depth): \(result)")
        }
    }

    /// The certificate at the issuer's URL has the right key identifier and key but is not a CA.
    @Test func test_issuerThatIsNotACA_isRefused() async throws {
        let key = P256.Signing.PrivateKey()
        let fetcher = ScriptedFetcher()
        Self.serve(
            try TestCertificates.issue("Not a CA", key: key, issuer: "Not a CA", issuerKey: key, isCA: false),
            on: fetcher)
        let result = try await Self.walker(fetcher).chain(
            for: Self.device(issuedBy: "Not a CA", key: key), name: Self.name)
        guard case .failure(let error) = result, case .notACA = error else {
            Issue.record("expected notACA, got \(result)")
            return
        }
        #expect(error.description.contains("is not a CA"), "\(error)")
    }

    /// Another organisation's CA that claims our intermediate's key identifier: the URL and
    /// SKI fit, the device's signature does not.
    @Test func test_CAWhoseKeyDidNotSignTheDevice_isRefused() async throws {
        let (ours, impostor) = try Self.oursAndImpostor()
        let fetcher = ScriptedFetcher()
        Self.serve(impostor.intermediate, on: fetcher)
        let result = try await Self.walker(fetcher).chain(for: ours.device(Self.name.text), name: Self.name)
        guard case .failure(let error) = result, case .signatureDoesNotVerify = error else {
            Issue.record("expected signatureDoesNotVerify, got \(result)")
            return
        }
        #expect(error.description.contains("does not verify"), "\(error)")
    }

    /// After one device's walk, its issuer's chain is reused for the next device of that
    /// issuer — but each device's own signature is still checked against the issuer: a
    /// certificate claiming the issuer's key identifier under another key is refused as it
    /// was on the first walk.
    @Test func test_reusedChain_stillChecksEachDevicesSignature() async throws {
        let (ours, impostor) = try Self.oursAndImpostor()
        let fetcher = ScriptedFetcher()
        Self.serve(ours.intermediate, on: fetcher)
        Self.serve(ours.root, on: fetcher)
        let walker = try Self.walker(fetcher)
        for round in 0..<3 {
            // A warm name's walk (no leaf) first: in round 0 it is the one that walks and keeps
            // the chain, which a leaf's walk then takes only with its own signature checked.
            let warm = await walker.chain(issuedBy: ours.intermediate.subjectKeyIdentifier, name: Self.name)
            #expect(try warm.get().map(\.sha256Hex) == ours.chain.map(\.sha256Hex), "round \(round)")
            let good = await walker.chain(for: try ours.device(Self.name.text), name: Self.name)
            #expect(try good.get().map(\.sha256Hex) == ours.chain.map(\.sha256Hex), "round \(round)")
            let forged = await walker.chain(for: try impostor.device(Self.name.text), name: Self.name)
            guard case .failure(.signatureDoesNotVerify) = forged else {
                Issue.record("round \(round): expected signatureDoesNotVerify, got \(forged)")
                return
            }
        }
        #expect(await walker.fetchCount == 2)
    }
}

/// The policy URL's faults (docs/fault-matrix.md "Agent"): whatever the server does, the last
/// good policy stays in force, the reading says why, and a source that never loaded has none.
struct PolicyURLFaultTests {
    static let url = "https://policy.example.com/policy.yaml"

    static func source(_ fetcher: ScriptedFetcher) throws -> PolicySource {
        let config = try ConfigParser.parse(
            "policy:\n  url: \(url)\ndns:\n  trust_anchor_file: /nonexistent/root.key\n")
        return PolicySource(config.policy, discovery: config.discovery, fetcher: fetcher)
    }

    static let faults: [(HTTPResult, String)] = [
        (.failure(.status(500)), "HTTP 500"),
        (.failure(.transport("Operation timed out after 5000 milliseconds")), "timed out"),
        (.failure(.tooLarge(limit: PolicySource.maxPolicyBytes)), "the limit for a policy URL"),
        (.ok(body: Array("networks:\n  corp-iot: [\"not a name\"]\n".utf8), etag: nil), "not a name"),
        (.ok(body: Array("{\"networks\": ".utf8), etag: nil), "policy"),
    ]

    @Test func test_failingPolicyURL_keepsTheLastGoodPolicy_andSaysWhy() async throws {
        for (fault, reason) in Self.faults {
            let fetcher = ScriptedFetcher()
            let source = try Self.source(fetcher)
            fetcher.answer(
                Self.url,
                with: .ok(body: Array("networks:\n  corp-iot:\n    - sensor1._device.example.com\n".utf8), etag: nil))
            let good = await source.read()
            #expect(good.error == nil && good.policy != nil)

            fetcher.answer(Self.url, with: fault)
            let failed = await source.read()
            #expect(failed.policy == good.policy, "\(reason)")
            #expect(failed.error?.contains(reason) == true, "\(reason): \(failed.error ?? "no error")")
        }
    }

    @Test func test_policyURLThatNeverAnswered_givesNoPolicy() async throws {
        for (fault, reason) in Self.faults {
            let fetcher = ScriptedFetcher()
            fetcher.answer(Self.url, with: fault)
            let reading = try await Self.source(fetcher).read()
            #expect(reading.policy == nil, "\(reason)")
            #expect(reading.error?.contains(reason) == true, "\(reason): \(reading.error ?? "no error")")
        }
    }
}
