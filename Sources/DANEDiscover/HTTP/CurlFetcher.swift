/// The real ``HTTPFetcher``: libcurl through `CCurlShim`.
///
/// libcurl because it is the one client on Linux with a custom CA file, `--connect-to` and a
/// body limit together (notes-swift.md, "HTTP client"). Each GET is one blocking
/// `curl_easy_perform` on a dedicated thread (``BlockingCallLimiter``), never on Swift's
/// cooperative pool. libcurl itself never follows redirects; this type follows them under
/// ``RedirectRule`` so that every hop is checked against the host first asked for.
public struct CurlFetcher: HTTPFetcher {
    public let redirects: RedirectRule
    private let limiter: BlockingCallLimiter

    /// - Parameters:
    ///   - concurrency: the most transfers (threads) running at once; further GETs wait.
    ///   - redirects: which redirects to follow (default: 3, https, same host).
    public init(concurrency: Int = 8, redirects: RedirectRule = RedirectRule()) {
        self.limiter = BlockingCallLimiter(limit: max(1, concurrency))
        self.redirects = redirects
    }

    /// The most transfers running at once.
    public var concurrency: Int { limiter.limit }

    public func get(_ request: HTTPRequest) async -> HTTPResult {
        guard let origin = RedirectRule.Origin(request.url), origin.scheme == "https" else {
            return .failure(.notHTTPS(url: request.url))
        }
        let lines: CurlCall.Lines
        switch CurlCall.Lines.make(request) {
        case .success(let made): lines = made
        case .failure(let failure): return .failure(failure)
        }
        // One deadline for the whole exchange: each hop gets what is left of `timeout`.
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: request.timeout)
        var url = request.url
        var hops = 0
        while true {
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else {
                return .failure(.transport("timed out after \(request.timeout) (discovery.timeout)"))
            }
            let call = CurlCall(
                url: url, lines: lines, caFile: request.caFile,
                timeoutMilliseconds: Int(clamping: remaining.millisecondsRoundedUp), maxBytes: request.maxBytes)
            let outcome = await limiter.run { call.perform() }
            switch outcome {
            case .failed(let why):
                return .failure(.transport(why))
            case .tooLarge:
                return .failure(.tooLarge(limit: request.maxBytes))
            case .answered(let status, let body, let etag, let location):
                switch status {
                case 200:
                    return .ok(body: body, etag: etag)
                case 304 where request.ifNoneMatch != nil:
                    return .notModified
                case 301, 302, 303, 307, 308:
                    guard let location else { return .failure(.status(status)) }
                    if let refusal = redirects.refusal(from: url, to: location, hopsSoFar: hops) {
                        return .failure(.redirectRefused(to: location, because: refusal))
                    }
                    url = location
                    hops += 1
                default:
                    return .failure(.status(status))
                }
            }
        }
    }
}
