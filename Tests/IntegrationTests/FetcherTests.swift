import DANECertify
import DANECore
import DANEDigest
import DANEDiscover
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// ``CurlFetcher`` against the lab's nginx and a local socket that never answers: the HTTP
/// behaviour CA discovery and `policy.url` rely on.
@Suite(.serialized)
struct FetcherTests {
    /// A URL nginx serves as a static file (the lab intermediate's CA URL).
    static func intermediateURL() throws -> String {
        DiscoveryLab.url(try DiscoveryLab.ca("int").subjectKeyIdentifier)
    }

    static func request(_ url: String, ifNoneMatch: String? = nil, caFile: String? = nil) throws -> HTTPRequest {
        var request = HTTPRequest(url: url, discovery: try DiscoveryLab.discovery())
        request.ifNoneMatch = ifNoneMatch
        if let caFile { request.caFile = caFile }
        return request
    }

    @Test func test_policyStyleFetch_withMatchingETag_isNotModified() async throws {
        let url = try Self.intermediateURL()
        let fetcher = CurlFetcher()
        guard case .ok(let body, let etag?) = await fetcher.get(try Self.request(url)) else {
            Issue.record("expected 200 with an ETag from nginx")
            return
        }
        #expect(try PEM.certificates(in: body).count == 1)
        #expect(await fetcher.get(try Self.request(url, ifNoneMatch: etag)) == .notModified)
        guard case .ok = await fetcher.get(try Self.request(url, ifNoneMatch: "\"stale\"")) else {
            Issue.record("a stale ETag must fetch the body again")
            return
        }
    }

    @Test func test_customHeaders_areSent() async throws {
        var request = try Self.request(try Self.intermediateURL())
        request.headers = ["Authorization": "Bearer lab-token", "X-Danesync-Test": "1"]
        guard case .ok = await CurlFetcher().get(request) else {
            Issue.record("expected 200 with extra headers")
            return
        }
        request.headers = ["X-Injected": "a\r\nHost: evil.example"]
        guard case .failure(.invalidRequest(let why)) = await CurlFetcher().get(request) else {
            Issue.record("a header with a line break must not be sent")
            return
        }
        #expect(why.contains("X-Injected"))
    }

    @Test func test_wrongTLSCAFile_isTransportError() async throws {
        let request = try Self.request(try Self.intermediateURL(), caFile: Lab.path("pki/ca/root.pem"))
        guard case .failure(.transport(let why)) = await CurlFetcher().get(request) else {
            Issue.record("expected a TLS failure with the wrong tls_ca_file")
            return
        }
        #expect(why.lowercased().contains("certificate"))
    }

    @Test func test_redirectToHTTP_isRefusedNamingTheTarget() async throws {
        let aki = try DiscoveryLab.device("redirect._device.example.com").authorityKeyIdentifier!
        let url = DiscoveryLab.url(aki)
        let result = await CurlFetcher().get(try Self.request(url))
        let target = "http://" + url.dropFirst("https://".count)
        #expect(result == .failure(.redirectRefused(to: target, because: .notHTTPS(scheme: "http"))))
    }

    @Test func test_serverError_isTheStatus() async throws {
        let result = await CurlFetcher().get(try Self.request(DiscoveryLab.url([0, 0, 5, 0])))
        #expect(result == .failure(.status(500)))
        #expect(HTTPFailure.status(500).description == "HTTP 500 Internal Server Error")
    }

    /// The target is a real CA on another authority host of the same server: only the rule
    /// stands between the agent and it (design.md "Protocol facts").
    @Test func test_redirectToAnotherHost_isRefused_thoughTheTargetServesACA() async throws {
        let target = DiscoveryLab.url(try DiscoveryLab.ca("org2-root").subjectKeyIdentifier)
            .replacingOccurrences(of: "device.example.com", with: "device.example.org")
        let result = await CurlFetcher().get(try Self.request(DiscoveryLab.url([0, 0, 3, 2])))
        #expect(result == .failure(.redirectRefused(to: target, because: .offHost(from: "device.example.com"))))
    }

    @Test func test_plainHTTPURL_isRefusedWithoutConnecting() async throws {
        let result = await CurlFetcher().get(HTTPRequest(url: "http://device.example.com/x"))
        #expect(result == .failure(.notHTTPS(url: "http://device.example.com/x")))
    }

    @Test func test_silentServer_timesOutWithinTheTimeout() async throws {
        let server = try SilentServer()
        defer { server.close() }
        let request = HTTPRequest(url: "https://127.0.0.1:\(server.port)/policy.json", timeout: .seconds(1))
        let clock = ContinuousClock()
        let start = clock.now
        let result = await CurlFetcher().get(request)
        let elapsed = clock.now - start
        guard case .failure(.transport(let why)) = result else {
            Issue.record("expected a timeout, got \(result)")
            return
        }
        #expect(why.lowercased().contains("timed out"))
        #expect(elapsed >= .milliseconds(900))
        #expect(elapsed < .milliseconds(2500))
    }

    /// Transfers beyond `concurrency` wait for a thread instead of piling up.
    @Test func test_concurrencyLimit_queuesTransfers() async throws {
        let server = try SilentServer()
        defer { server.close() }
        let request = HTTPRequest(url: "https://127.0.0.1:\(server.port)/", timeout: .milliseconds(500))
        func elapsed(concurrency: Int) async -> Duration {
            let fetcher = CurlFetcher(concurrency: concurrency)
            return await ContinuousClock().measure {
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<2 { group.addTask { _ = await fetcher.get(request) } }
                }
            }
        }
        #expect(await elapsed(concurrency: 1) >= .milliseconds(950))
        #expect(await elapsed(concurrency: 2) < .milliseconds(950))
    }
}

/// A TCP listener on 127.0.0.1 that completes connections (the kernel's backlog does) and never
/// sends a byte: a TLS client waits for a ServerHello until its timeout.
final class SilentServer: Sendable {
    let port: UInt16
    private let descriptor: Int32

    struct SocketError: Error, CustomStringConvertible {
        let call: String
        let code: Int32
        var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
    }

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(call: "socket", code: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw SocketError(call: "bind/listen", code: code)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.descriptor = fd
        self.port = UInt16(bigEndian: address.sin_port)
    }

    func close() { _ = Glibc.close(descriptor) }
}
