import CCurlShim

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
                timeoutMilliseconds: remaining.wholeMilliseconds, maxBytes: request.maxBytes)
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

/// One `dsync_http_get`, with everything it needs copied into values that can cross to the
/// transfer's thread.
struct CurlCall: Sendable {
    /// Header and `--connect-to` lines in libcurl's text forms.
    struct Lines: Sendable {
        var headers: [String]
        var connectTo: [String]

        /// Refuses CR/LF in header names and values and in connect-to entries: libcurl would
        /// send them as-is, splitting one header into two (RFC 9110 §5.5).
        static func make(_ request: HTTPRequest) -> Result<Lines, HTTPFailure> {
            var headers: [String] = []
            var fields = request.headers.sorted { $0.key < $1.key }
            if let etag = request.ifNoneMatch { fields.append((key: "If-None-Match", value: etag)) }
            for (name, value) in fields {
                guard !name.isEmpty, !name.contains(where: { $0 == ":" || $0.isWhitespace }) else {
                    return .failure(.invalidRequest("header name \"\(name)\" is empty or has \":\" or white space"))
                }
                guard !value.contains(where: \.isNewline) else {
                    return .failure(.invalidRequest("header \(name) has a line break in its value"))
                }
                headers.append("\(name): \(value)")
            }
            var connectTo: [String] = []
            for (from, to) in request.connectTo.sorted(by: { $0.key < $1.key }) {
                guard !from.contains(where: \.isNewline), !to.contains(where: \.isNewline) else {
                    return .failure(.invalidRequest("connect_to entry \"\(from)\" has a line break"))
                }
                // curl --connect-to form: HOST:PORT:CONNECT-HOST:CONNECT-PORT.
                connectTo.append("\(from):\(to)")
            }
            return .success(Lines(headers: headers, connectTo: connectTo))
        }
    }

    enum Outcome: Sendable {
        case answered(status: Int, body: [UInt8], etag: String?, location: String?)
        case tooLarge
        case failed(String)
    }

    let url: String
    let lines: Lines
    let caFile: String?
    let timeoutMilliseconds: Int
    let maxBytes: Int

    /// Blocks for the whole transfer: call only from a dedicated thread.
    func perform() -> Outcome {
        var owned: [UnsafeMutablePointer<CChar>] = []
        defer { owned.forEach { free($0) } }
        func cString(_ text: String) -> UnsafePointer<CChar> {
            let copy = strdup(text)!
            owned.append(copy)
            return UnsafePointer(copy)
        }
        let headers: [UnsafePointer<CChar>?] = lines.headers.map(cString)
        let connectTo: [UnsafePointer<CChar>?] = lines.connectTo.map(cString)
        let url = cString(self.url)
        let caFile = self.caFile.map(cString)

        var response = dsync_http_response()
        let rc = headers.withUnsafeBufferPointer { headers in
            connectTo.withUnsafeBufferPointer { connectTo in
                var request = dsync_http_request(
                    url: url, ca_file: caFile,
                    connect_to: connectTo.baseAddress, connect_to_count: connectTo.count,
                    headers: headers.baseAddress, header_count: headers.count,
                    timeout_ms: max(1, timeoutMilliseconds), max_bytes: maxBytes)
                return dsync_http_get(&request, &response)
            }
        }
        defer { dsync_http_free(&response) }

        if response.too_large != 0 { return .tooLarge }
        guard rc == 0 else {
            let message = withUnsafeBytes(of: &response.error) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            return .failed(message.isEmpty ? "libcurl failed without a message" : message)
        }
        let body = response.body.map { Array(UnsafeRawBufferPointer(start: $0, count: response.body_len)) } ?? []
        return .answered(
            status: response.status, body: body,
            etag: response.etag.map { String(cString: $0) },
            location: response.location.map { String(cString: $0) })
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a positive remainder never becomes "no timeout"
    /// (libcurl reads 0 as unlimited).
    var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(clamping: milliseconds)
    }
}
