import DANECore
import DANEDiscover
import DANESync
import Foundation
import Testing

/// `policy.url` against the lab's nginx (design.md "Policy": re-read with If-None-Match; on
/// failure the last good policy stays in force and the failure is reported).
@Suite(.serialized)
struct PolicySourceTests {
    let docroot = Lab.path("https/www/device.example.com")
    let port = Lab.env("https/https.env", "HTTPS_PORT")

    func source(path: String) throws -> PolicySource {
        var config = try ConfigParser.parse(
            """
            policy:
              url: https://device.example.com/\(path)
              tls_ca_file: \(Lab.path("pki/ca/web-ca.pem"))
              url_headers: {Authorization: "Bearer lab"}
            discovery:
              connect_to: {"device.example.com:443": "127.0.0.1:\(port)"}
            """)
        config.discovery.timeout = .seconds(3)
        return PolicySource(config.policy, discovery: config.discovery, fetcher: CurlFetcher(concurrency: 2))
    }

    @Test func test_urlPolicy_isFetchedParsedAndKeptWhenNotModified() async throws {
        let file = "policy-\(getpid()).yaml"
        try "networks:\n  corp-iot:\n    - sensor1._device.example.com\n".write(
            toFile: docroot + "/" + file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: docroot + "/" + file) }
        let source = try source(path: file)

        let first = await source.read()
        #expect(first.error == nil)
        #expect(first.policy?.names.map(\.text) == ["sensor1._device.example.com"])

        // Unchanged file: nginx answers 304 to If-None-Match and the policy stays.
        let second = await source.read()
        #expect(second.error == nil)
        #expect(second.policy == first.policy)
    }

    @Test func test_urlPolicyFailure_keepsLastGoodPolicyAndReportsIt() async throws {
        let file = "policy-gone-\(getpid()).json"
        try #"{"networks":{"*":["cam7._device.example.org"]}}"#.write(
            toFile: docroot + "/" + file, atomically: true, encoding: .utf8)
        let source = try source(path: file)
        let good = await source.read()
        #expect(good.policy?.names.map(\.text) == ["cam7._device.example.org"])

        try FileManager.default.removeItem(atPath: docroot + "/" + file)
        let failed = await source.read()
        #expect(failed.policy == good.policy)
        #expect(failed.error?.contains("404") == true)
    }

    @Test func test_urlPolicyThatNeverLoaded_hasNoPolicy() async throws {
        let source = try source(path: "no-such-policy.yaml")
        let reading = await source.read()
        #expect(reading.policy == nil)
        #expect(reading.error?.contains("404") == true)
    }

    @Test func test_urlPolicyWithBadEntries_isRejectedNamingTheLine() async throws {
        let file = "policy-bad-\(getpid()).txt"
        try "corp-iot|sensor1._device.example.com\nno bar here\n".write(
            toFile: docroot + "/" + file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: docroot + "/" + file) }
        let reading = await (try source(path: file)).read()
        #expect(reading.policy == nil)
        #expect(reading.error?.contains("line 2") == true)
    }
}
