import DANECertify
import DANECore
import DANEDigest
import DANEDiscover
import Foundation
import Testing

/// CA discovery against the lab's real nginx CA host (scripts/lab/https.sh): the chain rules of
/// design.md "Protocol facts", and the fault URLs published under device.example.com.
@Suite(.serialized)
struct DiscoveryTests {
    @Test func test_sensor1_chainIsIntermediateThenRoot() async throws {
        let chain = try await DiscoveryLab.walk("sensor1._device.example.com").get()
        #expect(
            chain.map(\.sha256Hex) == [try DiscoveryLab.ca("int").sha256Hex, try DiscoveryLab.ca("root").sha256Hex])
        #expect(chain.last?.isSelfSigned == true)
    }

    @Test func test_cam7_chainIsOrg2Root() async throws {
        let chain = try await DiscoveryLab.walk("cam7._device.example.org").get()
        #expect(chain.map(\.sha256Hex) == [try DiscoveryLab.ca("org2-root").sha256Hex])
    }

    @Test func test_wrongSKI_isRejectedWithReason() async throws {
        let error = try await DiscoveryLab.failure("wrongski._device.example.com")
        let wanted = try DiscoveryLab.device("wrongski._device.example.com").authorityKeyIdentifier!
        let served = try DiscoveryLab.ca("rogue-root").subjectKeyIdentifier
        #expect(error == .subjectKeyIdentifierMismatch(url: DiscoveryLab.url(wanted), found: served, wanted: wanted))
        #expect(
            error.description
                == "CA at \(DiscoveryLab.url(wanted)) has SKI \(KeyIdentifier.format(served)), wanted \(KeyIdentifier.format(wanted))"
        )
    }

    @Test func test_missingCA_isRejectedWith404() async throws {
        let error = try await DiscoveryLab.failure("missing._device.example.com")
        let aki = try DiscoveryLab.device("missing._device.example.com").authorityKeyIdentifier!
        #expect(error == .fetchFailed(url: DiscoveryLab.url(aki), .status(404)))
        #expect(error.description.hasSuffix("HTTP 404 Not Found"))
    }

    @Test func test_garbageBody_isNotACertificate() async throws {
        let error = try await DiscoveryLab.failure("garbage._device.example.com")
        guard case .notACertificate(let url, .noCertificate) = error else {
            Issue.record("expected notACertificate, got \(error)")
            return
        }
        #expect(url.hasPrefix("https://device.example.com/.well-known/ca/"))
        #expect(error.description.contains("is not a PEM certificate"))
    }

    @Test func test_oversizeBody_isTooLarge() async throws {
        let error = try await DiscoveryLab.failure("oversize._device.example.com", maxBytes: 65536)
        guard case .fetchFailed(_, .tooLarge(limit: 65536)) = error else {
            Issue.record("expected tooLarge(65536), got \(error)")
            return
        }
        #expect(error.description.contains("larger than 65536 bytes"))
    }

    @Test func test_redirectToHTTP_isRefused() async throws {
        let error = try await DiscoveryLab.failure("redirect._device.example.com")
        let aki = try DiscoveryLab.device("redirect._device.example.com").authorityKeyIdentifier!
        let url = DiscoveryLab.url(aki)
        let target = "http://" + url.dropFirst("https://".count)
        #expect(error == .fetchFailed(url: url, .redirectRefused(to: target, because: .notHTTPS(scheme: "http"))))
        #expect(error.description.contains("redirect to \(target) refused"))
    }

    @Test func test_rogueDevice_getsNoCA() async throws {
        let rogue = try DiscoveryLab.certificate("pki/rogue/sensor1._device.example.com.pem")
        let walker = try DiscoveryLab.walker()
        let result = await walker.chain(for: rogue, name: try DeviceName("sensor1._device.example.com"))
        guard case .failure(.fetchFailed(let url, .status(404))) = result else {
            Issue.record("expected a 404 for the rogue root, got \(result)")
            return
        }
        #expect(url == DiscoveryLab.url(rogue.authorityKeyIdentifier!))
    }

    @Test func test_leafWithoutAKI_isRejectedNamingTheRule() async throws {
        let root = try DiscoveryLab.ca("root")  // self-signed, so no AKI
        let walker = try DiscoveryLab.walker()
        let result = await walker.chain(for: root, name: try DeviceName("sensor1._device.example.com"))
        guard case .failure(let error) = result, case .noAuthorityKeyIdentifier = error else {
            Issue.record("expected noAuthorityKeyIdentifier, got \(result)")
            return
        }
        #expect(error.description.contains("has no Authority Key Identifier"))
        #expect(await walker.fetchCount == 0)
    }

    @Test func test_devicesSharingAnIssuer_fetchEachURLOnce() async throws {
        let walker = try DiscoveryLab.walker()
        let devices = ["sensor1._device.example.com", "sensor2._device.example.com", "cam7._device.example.org"]
        let leaves = try devices.map { (try DiscoveryLab.device($0), try DeviceName($0)) }
        // Every device five times over, all at once: int, root and org2-root are 3 URLs.
        let chains = await withTaskGroup(of: Int?.self) { group in
            for _ in 0..<5 {
                for (leaf, name) in leaves {
                    group.addTask { try? await walker.chain(for: leaf, name: name).get().count }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(chains.count == 15)
        #expect(chains.allSatisfy { $0 != nil })
        #expect(await walker.fetchCount == 3)
    }

    @Test func test_failedURL_isFetchedOncePerPass() async throws {
        let walker = try DiscoveryLab.walker()
        let leaf = try DiscoveryLab.device("missing._device.example.com")
        let name = try DeviceName("missing._device.example.com")
        for _ in 0..<3 { _ = await walker.chain(for: leaf, name: name) }
        #expect(await walker.fetchCount == 1)
    }

    @Test func test_redirectRule_followsOnlyHTTPSOnTheSameHost() {
        let rule = RedirectRule()
        let from = "https://device.example.com/.well-known/ca/ab.pem"
        #expect(rule.refusal(from: from, to: "https://DEVICE.example.com/elsewhere.pem", hopsSoFar: 0) == nil)
        #expect(rule.refusal(from: from, to: "https://device.example.com:443/x", hopsSoFar: 2) == nil)
        #expect(rule.refusal(from: from, to: "https://device.example.com/x", hopsSoFar: 3) == .tooMany(limit: 3))
        #expect(rule.refusal(from: from, to: "http://device.example.com/x", hopsSoFar: 0) == .notHTTPS(scheme: "http"))
        #expect(
            rule.refusal(from: from, to: "https://evil.example/x", hopsSoFar: 0) == .offHost(from: "device.example.com")
        )
        #expect(
            rule.refusal(from: from, to: "https://device.example.com@evil.example/x", hopsSoFar: 0)
                == .offHost(from: "device.example.com"))
        #expect(
            rule.refusal(from: from, to: "https://device.example.com:8443/x", hopsSoFar: 0)
                == .offHost(from: "device.example.com"))
        #expect(rule.refusal(from: from, to: "/relative", hopsSoFar: 0) == .unparsable)
    }
}

/// The lab as CA discovery sees it: its danesync.yaml `discovery.*`, its certificates, its URLs.
enum DiscoveryLab {
    /// `discovery.*` from the lab's own danesync.yaml (web CA, connect_to to nginx).
    static func discovery(maxBytes: Int? = nil) throws -> Config.Discovery {
        let text = try String(contentsOfFile: Lab.path("danesync.yaml"), encoding: .utf8)
        var discovery = try ConfigParser.parse(text).discovery
        if let maxBytes { discovery.maxBytes = maxBytes }
        return discovery
    }

    static let fetcher = CurlFetcher(concurrency: 4)

    static func walker(maxBytes: Int? = nil) throws -> CAChainWalker {
        CAChainWalker(fetcher: fetcher, discovery: try discovery(maxBytes: maxBytes))
    }

    static func certificate(_ relative: String) throws -> CertificateFacts {
        let pem = try Data(contentsOf: URL(fileURLWithPath: Lab.path(relative)))
        return try CertificateFacts(der: PEM.certificates(in: Array(pem))[0])
    }

    static func device(_ name: String) throws -> CertificateFacts { try certificate("pki/devices/\(name).pem") }
    static func ca(_ name: String) throws -> CertificateFacts { try certificate("pki/ca/\(name).pem") }

    /// The CA URL on device.example.com for a key identifier.
    static func url(_ keyIdentifier: [UInt8]) -> String {
        "https://device.example.com/.well-known/ca/\(KeyIdentifier.format(keyIdentifier)).pem"
    }

    static func walk(_ device: String, maxBytes: Int? = nil) async throws -> Result<[CertificateFacts], DiscoveryError>
    {
        try await walker(maxBytes: maxBytes).chain(for: try self.device(device), name: try DeviceName(device))
    }

    /// The walk's error; records an issue if the walk succeeded.
    static func failure(_ device: String, maxBytes: Int? = nil) async throws -> DiscoveryError {
        switch try await walk(device, maxBytes: maxBytes) {
        case .failure(let error): return error
        case .success(let chain):
            Issue.record("\(device): expected a rejection, got a chain of \(chain.count)")
            throw CancellationError()
        }
    }
}
