/// The agent's and the hook's configuration (design.md "Configuration"), every key with the
/// contract's default.
public struct Config: Equatable, Sendable {
    public static let defaultPath = "/etc/danesync/danesync.yaml"

    public struct PolicySource: Equatable, Sendable {
        public enum Location: Equatable, Sendable {
            case file(String)
            case url(String)
        }
        public var location: Location
        /// Extra request headers for `policy.url`, sorted by name.
        public var urlHeaders: [String: String] = [:]
        public var tlsCAFile: String? = nil
    }

    public struct DNS: Equatable, Sendable {
        public init() {}

        public var trustAnchorFile = "/usr/share/dns/root.key"
        /// `ip[@port]`; empty means full recursion.
        public var forwarders: [String] = []
        public var unboundConf: String? = nil
        public var requireDNSSEC = true
        public var timeout: Duration = .seconds(5)
    }

    public struct Discovery: Equatable, Sendable {
        public init() {}

        public var tlsCAFile: String? = nil
        /// `host:port` → `connect-host:port`, like curl's `--connect-to`.
        public var connectTo: [String: String] = [:]
        public var maxBytes = 65536
        public var timeout: Duration = .seconds(10)
    }

    public struct Output: Equatable, Sendable {
        public init() {}

        public var dir = "/var/lib/danesync"
    }

    public struct Sync: Equatable, Sendable {
        public init() {}

        public var interval: Duration = .seconds(300)
        /// Fraction of `interval` (0.1 for `10%`) by which each wait is randomly shortened or lengthened.
        public var jitter = 0.1
        public var concurrency = 32
        public var grace: Duration = .seconds(3600)
        public var onCAChange: String? = nil
        /// How far clocks may disagree: allowance for validity dates and for the times read
        /// back from `status.json` (design.md "Admission and failure rules").
        public var clockSkew: Duration = .seconds(300)
    }

    public enum LiveCheck: String, Equatable, Sendable, CaseIterable {
        case required
        case ifAvailable = "if-available"
        case off
    }

    public struct Verify: Equatable, Sendable {
        public init() {}

        public var liveCheck: LiveCheck = .required
        public var timeout: Duration = .seconds(2)
        /// `daneverify` rejects (10) when no pass completed for this long; zero turns it off
        /// (design.md "Admission and failure rules", freshness).
        public var maxAge: Duration = .seconds(86400)
    }

    /// design.md "Configuration": the Prometheus exposition, served and/or written per pass.
    public struct Metrics: Equatable, Sendable {
        public init() {}

        /// `danesync run` serves `/metrics` here.
        public var listen: ListenAddress? = nil
        /// Written atomically after each pass (node_exporter's textfile collector).
        public var textfile: String? = nil
    }

    /// design.md "Revocation and disconnect": RFC 5176 Disconnect-Requests for the sessions of
    /// devices no longer published. Off while `sessionsDir` is `nil`.
    public struct Disconnect: Equatable, Sendable {
        public init() {}

        /// A NAS the agent may send Disconnect-Requests to (its dynamic-authorization server).
        public struct NAS: Equatable, Sendable {
            /// An IP literal, compared with the session's NAS address as an address.
            public var address: String
            public var port = 3799
            /// The shared secret's file: only its path is ever handed on.
            public var secretFile: String

            public init(address: String, port: Int = 3799, secretFile: String) {
                self.address = address
                self.port = port
                self.secretFile = secretFile
            }
        }

        /// Where `daneverify` records each accepted session.
        public var sessionsDir: String? = nil
        public var command = "/usr/libexec/danesync/disconnect"
        public var timeout: Duration = .seconds(10)
        public var sessionMaxAge: Duration = .seconds(7 * 86400)
        public var nas: [NAS] = []
    }

    public var policy: PolicySource
    public var dns = DNS()
    public var discovery = Discovery()
    public var output = Output()
    public var sync = Sync()
    public var verify = Verify()
    public var metrics = Metrics()
    public var disconnect = Disconnect()

    public init(policy: PolicySource) {
        self.policy = policy
    }

    /// Output file names inside `output.dir` (design.md "Outputs").
    public enum OutputFile {
        public static let caPEM = "ca.pem"
        public static let caDirectory = "ca.d"
        public static let trustMap = "trustmap"
        public static let status = "status.json"
        /// The DS records of the organisations' zones, for the hook (``ZoneAnchors``).
        public static let zoneAnchors = "zone-anchors"
        /// Present while a change of `ca.pem` awaits a successful `sync.on_ca_change`; holds the
        /// Unix time of the change (design.md "Admission and failure rules").
        public static let caChangePending = ".on_ca_change.pending"
    }

    public var trustMapPath: String { output.dir + "/" + OutputFile.trustMap }
    public var statusPath: String { output.dir + "/" + OutputFile.status }
    public var zoneAnchorsPath: String { output.dir + "/" + OutputFile.zoneAnchors }
}
