/// One HTTPS GET, as CA discovery (`https://<authority>/.well-known/ca/<AKI>.pem`) and an HTTP
/// policy (`policy.url` with `If-None-Match`) need it.
///
/// A narrow protocol so the chain walk never knows whether bytes came from a socket or a test
/// (design.md "Architecture": I/O at the edges behind small protocols). The one real
/// implementation is ``CurlFetcher``; fakes live only in Tests/.
public protocol HTTPFetcher: Sendable {
    /// Never throws: a refused redirect, a 404 or a timeout is an answer the caller reports
    /// with the URL it asked for.
    func get(_ request: HTTPRequest) async -> HTTPResult
}
