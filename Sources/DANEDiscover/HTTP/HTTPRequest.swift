import DANECore

/// What to fetch and under which limits. Only `https` URLs are fetched (design.md "Protocol facts":
/// "no redirects off the authority host or to http").
public struct HTTPRequest: Equatable, Sendable {
    /// An absolute `https://` URL.
    public var url: String
    /// Extra request headers (`policy.url_headers`, e.g. `Authorization`).
    public var headers: [String: String]
    /// The ETag of the copy the caller holds; a `304 Not Modified` answer then becomes
    /// ``HTTPResult/notModified`` (RFC 9110 §13.1.2).
    public var ifNoneMatch: String?
    /// A body longer than this is refused (`discovery.max_bytes`): a CA file is a few kB, and
    /// an authority host must not be able to make the agent buffer without bound.
    public var maxBytes: Int
    /// For the whole exchange, redirects included (`discovery.timeout`).
    public var timeout: Duration
    /// PEM bundle of CAs trusted for the TLS connection (`discovery.tls_ca_file`); `nil` is the
    /// system bundle.
    public var caFile: String?
    /// `host:port` → `connect-host:port`, as curl's `--connect-to` (`discovery.connect_to`):
    /// TLS still verifies the certificate for `host`, the TCP connection goes elsewhere.
    public var connectTo: [String: String]

    public init(
        url: String,
        headers: [String: String] = [:],
        ifNoneMatch: String? = nil,
        maxBytes: Int = 65536,
        timeout: Duration = .seconds(10),
        caFile: String? = nil,
        connectTo: [String: String] = [:]
    ) {
        self.url = url
        self.headers = headers
        self.ifNoneMatch = ifNoneMatch
        self.maxBytes = maxBytes
        self.timeout = timeout
        self.caFile = caFile
        self.connectTo = connectTo
    }

    /// A request for `url` under the `discovery.*` settings.
    public init(url: String, discovery: Config.Discovery) {
        self.init(
            url: url, maxBytes: discovery.maxBytes, timeout: discovery.timeout,
            caFile: discovery.tlsCAFile, connectTo: discovery.connectTo)
    }
}
