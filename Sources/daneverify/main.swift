import DANECore
import DANEDigest
import DANEResolve
import DANESystem

#if canImport(Glibc)
import Glibc
#endif

/// daneverify: the FreeRADIUS EAP-TLS verify hook. Every path that is not a clean accept
/// rejects (design.md "Command line"); exactly one line goes to stdout.
func verify(_ arguments: Arguments) -> VerifyVerdict {
    let config: Config
    do {
        let text = try FileBytes.read(arguments.config, limit: 1 << 20)
        config = try ConfigParser.parse(String(decoding: text, as: UTF8.self))
    } catch let error as ConfigError {
        return .reject(.usage, "config \(arguments.config): \(error.problems.joined(separator: "; "))")
    } catch let error as FileBytes.Failure {
        return .reject(.usage, "cannot read config \(arguments.config): \(error)")
    } catch {
        return .reject(.usage, "config \(arguments.config): \(error)")
    }

    let presented: PresentedCertificate
    switch arguments.certificate {
    case .file(let path):
        do {
            let bytes = try FileBytes.read(path, limit: 1 << 20)
            guard let first = try PEM.certificates(in: bytes).first else { throw CertificateInputError.noCertificate }
            presented = .certificate(try CertificateBinding(der: first))
        } catch let error as FileBytes.Failure {
            return .reject(.certificate, "cannot read certificate file: \(error)")
        } catch {
            return .reject(.certificate, "certificate file: \(error)")
        }
    case .facts(let serialText, let akiText):
        // An absent attribute arrives as "": no facts, no admission.
        guard let serial = CertificateIssuance.normalizedSerial(serialText),
            let aki = CertificateIssuance.normalizedKeyIdentifier(akiText)
        else {
            return .reject(
                .certificate,
                "certificate facts missing or not hex (serial \"\(PrintableText.oneLine(serialText, limit: 64))\", "
                    + "issuer key \"\(PrintableText.oneLine(akiText, limit: 128))\")")
        }
        presented = .issuance(serial: serial, authorityKeyIdentifier: aki)
    }

    let map: MappedFile
    let reader: TrustMapReader
    do {
        map = try MappedFile(path: config.trustMapPath)
        reader = try TrustMapReader(bytes: map.bytes)
    } catch let error as FileBytes.Failure {
        return .reject(.trustMap, "cannot read trust map \(config.trustMapPath): \(error)")
    } catch {
        return .reject(.trustMap, "\(config.trustMapPath): \(error)")
    }
    // The reader points into the mapping: keep it mapped until the verdict is made.
    defer { withExtendedLifetime(map) {} }
    if let stale = VerifyDecision.checkFreshness(
        markedAt: map.modified, now: Int64(time(nil)), maxAge: config.verify.maxAge)
    {
        return stale
    }

    let ssid = arguments.calledStationId.flatMap(CalledStationId.ssid(from:))
    // design.md "Identity at verify time": a device name is binding; an anonymous identity
    // leaves the name to the certificate, within the realm. One time budget for the live
    // checks of all the names tried: FreeRADIUS waits 10 s at most for the hook.
    let deadline = Deadline(after: min(config.verify.timeout, config.dns.timeout))
    func checkName(_ name: DeviceName) -> VerifyVerdict {
        check(name, ssid: ssid, presented: presented, reader: reader, config: config, deadline: deadline)
    }
    let verdict: VerifyVerdict
    switch VerifyIdentity(arguments.identity) {
    case .device(let name):
        verdict = checkName(name)
    case let identity:
        do {
            verdict = try VerifyDecision.verifyAnonymously(
                presented, identity: identity, reader: reader, check: checkName)
        } catch {
            return .reject(.trustMap, "\(config.trustMapPath): \(error)")
        }
    }
    guard let admitted = verdict.admitted, let directory = config.disconnect.sessionsDir else { return verdict }
    return record(admitted, arguments: arguments, in: directory) ?? verdict
}

/// design.md "Revocation and disconnect": with `disconnect.sessions_dir` set, an accept
/// records its session so that the agent can have it disconnected later; one that cannot be
/// recorded is refused (2) — the agent could never disconnect that device. The rejection, or
/// `nil` when the session is recorded.
func record(_ admitted: VerifyVerdict.Admitted, arguments: Arguments, in directory: String) -> VerifyVerdict? {
    guard IPAddress(arguments.session.nasAddress) != nil else {
        return .reject(
            .usage,
            "disconnect.sessions_dir is set but --nas-ip-address is "
                + (arguments.session.nasAddress.isEmpty
                    ? "missing"
                    : "not an IP address (\"\(PrintableText.oneLine(arguments.session.nasAddress, limit: 64))\")")
                + ": the session cannot be recorded")
    }
    let session = SessionRecord(
        time: Int64(time(nil)), name: admitted.name, network: admitted.network, sha256: admitted.sha256,
        nas: arguments.session.nasAddress, callingStationId: arguments.session.callingStationId,
        userName: arguments.identity, acctSessionId: arguments.session.acctSessionId)
    do {
        try ReplacedFile.write(session.line, directory: directory, name: session.fileName(sha256: Digest.sha256))
        return nil
    } catch {
        return .reject(.usage, "cannot record the session in disconnect.sessions_dir: \(error)")
    }
}

/// The usual rules for one name: trust map, then the live check.
func check(
    _ name: DeviceName, ssid: String?, presented: PresentedCertificate, reader: TrustMapReader, config: Config,
    deadline: Deadline
) -> VerifyVerdict {
    let admission: Admission
    do {
        switch try VerifyDecision.admit(name: name, ssid: ssid, reader: reader, presented: presented) {
        case .success(let admitted): admission = admitted
        case .failure(let verdict): return verdict
        }
    } catch {
        return .reject(.trustMap, "\(config.trustMapPath): \(error)")
    }
    if config.verify.liveCheck == .off {
        return .accept(name, network: admission.network, hash: admission.sha256)
    }
    let answer: TLSAAnswer
    do {
        answer = try UnboundLookup.tlsa(
            name, dns: config.dns, deadline: deadline, zoneAnchors: config.zoneAnchorsPath)
    } catch {
        return .reject(.usage, "resolver setup: \(error)")
    }
    return VerifyDecision.checkLive(
        answer: answer, presented: presented, admitted: (name, admission), mode: config.verify.liveCheck,
        requireDNSSEC: config.dns.requireDNSSEC, sha256: Digest.sha256)
}

func writeStandardError(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

let verdict: VerifyVerdict
switch Arguments.parse(Array(CommandLine.arguments.dropFirst())) {
case .help:
    // For a hook, only an accept exits 0 (design.md "Admission and failure rules").
    print(Arguments.usage)
    exit(VerifyVerdict.Code.usage.rawValue)
case .invalid(let why):
    verdict = .reject(.usage, why)
    writeStandardError("daneverify: \(why)\n\(Arguments.usage)\n")
case .run(let arguments):
    verdict = verify(arguments)
}
print(verdict.line)
if let note = verdict.note { writeStandardError("daneverify: \(note)\n") }
// Exit only once FreeRADIUS has read the line: its PID is on record by then (PipeDrain); and
// let it see end-of-file only once we have exited, so that its first reap finds us.
fflush(nil)  // every output stream: stdout holds the line
PipeDrain.wait(STDOUT_FILENO, limit: .seconds(2))
PipeDrain.closeAfterExit(STDOUT_FILENO)
exit(verdict.code.rawValue)
