import DANEDiscover
import Foundation

/// An ``HTTPFetcher`` that answers from a script: per URL, the result every GET gets; any
/// other URL is a 404. Records the requests, so a test can see what was asked and how.
public final class ScriptedFetcher: HTTPFetcher, @unchecked Sendable {
    private let lock = NSLock()
    private var results: [String: HTTPResult] = [:]
    private var asked: [HTTPRequest] = []

    public init() {}

    /// From now on, `url` is answered with `result`.
    public func answer(_ url: String, with result: HTTPResult) { lock.withLock { results[url] = result } }

    public var requests: [HTTPRequest] { lock.withLock { asked } }

    public func get(_ request: HTTPRequest) async -> HTTPResult {
        lock.withLock {
            asked.append(request)
            return results[request.url] ?? .failure(.status(404))
        }
    }
}
