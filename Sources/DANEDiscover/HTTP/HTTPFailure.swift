/// Why a GET produced no usable body. Each case names the rule and the data; the caller adds
/// the URL it asked for (``DiscoveryError/fetchFailed(url:_:)``).
public enum HTTPFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The URL is not an absolute `https://` URL with a host.
    case notHTTPS(url: String)
    /// The request cannot be sent as given (for example a header value with a line break).
    case invalidRequest(String)
    /// The server answered with a status other than 200 (or 304 to `If-None-Match`).
    case status(Int)
    /// The body exceeded the request's `maxBytes`.
    case tooLarge(limit: Int)
    /// A redirect this client does not follow (see ``RedirectRule``).
    case redirectRefused(to: String, because: RedirectRefusal)
    /// No HTTP answer: DNS, TCP, TLS (certificate not trusted, wrong name) or timeout, with
    /// libcurl's reason.
    case transport(String)

    public var description: String {
        switch self {
        case .notHTTPS(let url):
            return "\"\(url)\" is not an https:// URL; only HTTPS is fetched"
        case .invalidRequest(let why):
            return "request not sent: \(why)"
        case .status(let code):
            return "HTTP \(code)\(Self.reasonPhrase(code).map { " " + $0 } ?? "")"
        case .tooLarge(let limit):
            return "body larger than \(limit) bytes"
        case .redirectRefused(let target, let refusal):
            return "redirect to \(target) refused: \(refusal)"
        case .transport(let why):
            return "no HTTP answer: \(why)"
        }
    }

    private static func reasonPhrase(_ code: Int) -> String? {
        switch code {
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 410: return "Gone"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return nil
        }
    }
}
