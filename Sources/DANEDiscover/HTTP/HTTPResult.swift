/// The outcome of one ``HTTPFetcher/get(_:)``.
public enum HTTPResult: Equatable, Sendable {
    /// `200 OK`: the body, and the ETag to send as `If-None-Match` next time.
    case ok(body: [UInt8], etag: String?)
    /// `304 Not Modified` to a request that carried `If-None-Match`: the caller's copy is current.
    case notModified
    /// Anything else, with the reason.
    case failure(HTTPFailure)
}
