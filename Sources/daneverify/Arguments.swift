import DANECore

/// The hook's arguments (design.md "Command line"). Parsed by hand, without
/// swift-argument-parser or Foundation, because the hook starts on every authentication.
/// Values come from FreeRADIUS xlat expansion and are treated as data, never as paths or
/// shell words (except `--config` and `--cert`, which the admin's module config fixes).
struct Arguments {
    var config: String
    var identity: String
    var cert: String
    var calledStationId: String?

    static let usage = """
        usage: daneverify --config FILE --identity NAME --cert PEMFILE [--called-station-id MAC:SSID]

        FreeRADIUS EAP-TLS verify hook (eap { tls-config { verify { client = "…" } } }).
        Accepts the client certificate only if its SHA-256 is in danesync's trust map for
        NAME on the SSID of Called-Station-Id (or under "*"), and, per verify.live_check,
        DNS still publishes a matching DNSSEC-secure TLSA record at NAME.

        Prints one line: "accept <name> <network> <sha256>" or "reject <code> <detail>".
        Exit codes:
        \(VerifyVerdict.Code.table)
        """

    enum Parsed {
        case run(Arguments)
        case help
        case invalid(String)
    }

    static func parse(_ argv: [String]) -> Parsed {
        var values: [String: String] = [:]
        var index = 0
        while index < argv.count {
            let flag = argv[index]
            if (flag == "--help" || flag == "-h") && argv.count == 1 { return .help }
            guard ["--config", "--identity", "--cert", "--called-station-id"].contains(flag) else {
                return .invalid("unknown argument \"\(PrintableText.oneLine(flag, limit: 64))\"")
            }
            guard index + 1 < argv.count else { return .invalid("\(flag) needs a value") }
            guard values[flag] == nil else { return .invalid("\(flag) given twice") }
            values[flag] = argv[index + 1]
            index += 2
        }
        guard let config = values["--config"], let identity = values["--identity"], let cert = values["--cert"] else {
            return .invalid("--config, --identity and --cert are required")
        }
        return .run(
            Arguments(config: config, identity: identity, cert: cert, calledStationId: values["--called-station-id"]))
    }
}
