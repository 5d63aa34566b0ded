import DANECore

/// The hook's arguments (design.md "Command line"). Parsed by hand, without
/// swift-argument-parser or Foundation, because the hook starts on every authentication.
/// Values come from FreeRADIUS xlat expansion and are treated as data, never as paths or
/// shell words (except `--config` and `--cert`, which the admin's module config fixes).
struct Arguments {
    var config: String
    var identity: String
    var certificate: Certificate
    var calledStationId: String?
    /// What an accept records for a later Disconnect-Request; empty when FreeRADIUS passed
    /// nothing (design.md "Revocation and disconnect").
    var session = Session()

    struct Session {
        var nasAddress = ""
        var callingStationId = ""
        var acctSessionId = ""
    }

    /// How the certificate reaches the hook (design.md "Admission and failure rules"): a PEM
    /// file from `verify { client }`, or, for the tmpdir-free second gate, the serial and issuer
    /// key identifier FreeRADIUS passes as attributes (empty when an attribute is absent).
    enum Certificate {
        case file(String)
        case facts(serial: String, authorityKeyIdentifier: String)
    }

    static let usage = """
        usage: daneverify --config FILE --identity NAME --cert PEMFILE [--called-station-id MAC:SSID] [SESSION]
               daneverify --config FILE --identity NAME --cert-serial HEX --cert-aki KEYID [--called-station-id MAC:SSID] [SESSION]
          SESSION: [--nas-ip-address ADDR] [--calling-station-id MAC] [--acct-session-id ID]

        FreeRADIUS EAP-TLS verify hook (eap { tls-config { verify { client = "…" } } }).
        Accepts the client certificate only if its SHA-256 is in danesync's trust map for
        NAME on the SSID of Called-Station-Id (or under "*"), and, per verify.live_check,
        DNS still publishes a matching DNSSEC-secure TLSA record at NAME.

        The second form is the tmpdir-free gate (radius-config/sites-available/danesync-gate),
        run after every handshake, resumed ones included: it admits only a certificate whose
        serial (TLS-Client-Cert-Serial) and issuer key identifier
        (TLS-Client-Cert-X509v3-Authority-Key-Identifier) are those of one published for NAME.

        With disconnect.sessions_dir set, an accept records SESSION there, so that the agent
        can have the session disconnected (RFC 5176) once the device is no longer published.

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
            guard
                [
                    "--config", "--identity", "--cert", "--cert-serial", "--cert-aki", "--called-station-id",
                    "--nas-ip-address", "--calling-station-id", "--acct-session-id",
                ].contains(flag)
            else {
                return .invalid("unknown argument \"\(PrintableText.oneLine(flag, limit: 64))\"")
            }
            guard index + 1 < argv.count else { return .invalid("\(flag) needs a value") }
            guard values[flag] == nil else { return .invalid("\(flag) given twice") }
            values[flag] = argv[index + 1]
            index += 2
        }
        let certificate: Certificate
        switch (values["--cert"], values["--cert-serial"], values["--cert-aki"]) {
        case (let file?, nil, nil): certificate = .file(file)
        case (nil, let serial?, let aki?): certificate = .facts(serial: serial, authorityKeyIdentifier: aki)
        default: return .invalid("give either --cert, or both --cert-serial and --cert-aki")
        }
        guard let config = values["--config"], let identity = values["--identity"] else {
            return .invalid("--config and --identity are required")
        }
        return .run(
            Arguments(
                config: config, identity: identity, certificate: certificate,
                calledStationId: values["--called-station-id"],
                session: Session(
                    nasAddress: values["--nas-ip-address"] ?? "",
                    callingStationId: values["--calling-station-id"] ?? "",
                    acctSessionId: values["--acct-session-id"] ?? "")))
    }
}
