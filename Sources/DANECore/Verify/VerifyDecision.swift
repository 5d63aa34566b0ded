/// The hook's verdict: one stdout line and an exit code (design.md "Command line").
public struct VerifyVerdict: Error, Equatable, Sendable {
    /// design.md exit codes. 0 accepts; everything else rejects.
    public enum Code: Int32, Sendable {
        case accept = 0
        case usage = 2
        case trustMap = 10
        case certificate = 11
        case notAllowed = 12
        case notPublished = 13
        case withdrawn = 14
        case dnssec = 15
        case resolver = 16
    }

    public var code: Code
    /// `accept <name> <network> <sha256>` or `reject <code> <detail>`.
    public var line: String
    /// Extra context for the log (stderr), e.g. why a live check was skipped.
    public var note: String?

    public static func accept(_ name: DeviceName, network: String, hash: String, note: String? = nil) -> VerifyVerdict {
        VerifyVerdict(code: .accept, line: "accept \(name) \(network) \(hash)", note: note)
    }

    public static func reject(_ code: Code, _ detail: String) -> VerifyVerdict {
        VerifyVerdict(code: code, line: "reject \(code.rawValue) \(Self.oneLine(detail))", note: nil)
    }

    /// Details may quote hostile input: keep them on one printable line, bounded.
    static func oneLine(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(300) {
            out.unicodeScalars.append(scalar.value >= 0x20 && scalar.value != 0x7f ? scalar : "?")
        }
        return out
    }
}

/// The verify rules, pure: trust map first, then the live DNS check.
public enum VerifyDecision {
    /// Which trust-map entry admits `certificate` for `name` on the SSID (or only `*` entries
    /// when there is no SSID). Returns the network it was admitted under, or the rejection.
    public static func checkTrustMap(
        name: DeviceName, ssid: String?, networkEntry: TrustMapEntry?, anyEntry: TrustMapEntry?,
        certificate: CertificateBinding
    ) -> Result<String, VerifyVerdict> {
        let candidates = [networkEntry, anyEntry].compactMap { $0 }
        guard !candidates.isEmpty else {
            let network = ssid.map { "network \"\($0)\"" } ?? "any network (no SSID in Called-Station-Id)"
            return .failure(.reject(.notAllowed, "\(name) is not allowed on \(network)"))
        }
        for entry in candidates where entry.accepts(certificate) {
            return .success(entry.network)
        }
        return .failure(
            .reject(.notPublished, "certificate sha256 \(certificate.hashHex) is not published for \(name)"))
    }

    /// The live check (design.md `verify.live_check`): DNS must still publish, securely, a
    /// TLSA record matching the presented certificate.
    public static func checkLive(
        answer: TLSAAnswer, certificate: CertificateBinding, mode: Config.LiveCheck, requireDNSSEC: Bool,
        admitted: (name: DeviceName, network: String)
    ) -> VerifyVerdict {
        let accept = VerifyVerdict.accept(admitted.name, network: admitted.network, hash: certificate.hashHex)
        func unavailable(_ why: String) -> VerifyVerdict {
            if mode == .ifAvailable {
                var verdict = accept
                verdict.note = "live check unavailable (\(why)); accepted on the trust map alone"
                return verdict
            }
            return .reject(.resolver, "live check failed: \(why)")
        }
        let response: DNSResponse
        switch answer.result {
        case .timedOut: return unavailable("DNS lookup timed out")
        case .failed(let why): return unavailable("resolver error: \(why)")
        case .response(let r): response = r
        }
        if response.security == .bogus {
            return .reject(.dnssec, "DNSSEC bogus for \(admitted.name): \(response.whyBogus ?? "validation failed")")
        }
        switch response.rcode {
        case .noError, .nameError: break
        default: return unavailable("DNS answered \(response.rcode)")
        }
        if response.security == .insecure && requireDNSSEC {
            return .reject(.dnssec, "DNS answer for \(admitted.name) is insecure (not DNSSEC-signed)")
        }
        if response.rcode == .nameError {
            return .reject(.withdrawn, "\(admitted.name) no longer exists in DNS (NXDOMAIN)")
        }
        if response.records.isEmpty {
            return .reject(.withdrawn, "\(admitted.name) no longer publishes a TLSA record (NODATA)")
        }
        guard response.records.contains(where: { $0.matches(certificate) }) else {
            return .reject(
                .withdrawn, "no TLSA record at \(admitted.name) matches certificate sha256 \(certificate.hashHex)")
        }
        return accept
    }
}
