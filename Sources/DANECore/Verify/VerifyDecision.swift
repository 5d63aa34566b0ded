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

    /// Freshness (design.md "Admission and failure rules"): every completed pass marks the
    /// trust map (its modification time); a map not marked for longer than `verify.max_age`
    /// means the agent has stopped completing passes, and what it lists may have been revoked
    /// since. Checked before any name is looked up. `maxAge` zero turns the check off.
    public static func checkFreshness(markedAt: Int64, now: Int64, maxAge: Duration) -> VerifyVerdict? {
        let limit = maxAge.components.seconds
        guard limit > 0, now - markedAt > limit else { return nil }
        return .reject(
            .trustMap,
            "trust map is stale: last pass \(UnixTime.rfc3339(markedAt)), more than verify.max_age \(DurationText.format(maxAge)) ago"
        )
    }

    /// The trust-map step as the hook runs it: the SSID's entry and the `*` entry for `name`,
    /// then ``checkTrustMap(name:ssid:networkEntry:anyEntry:certificate:)``.
    /// - Throws: ``TrustMapError`` when a line the lookup lands on is corrupt (exit 10).
    public static func admit(
        name: DeviceName, ssid: String?, reader: TrustMapReader, certificate: CertificateBinding
    ) throws(TrustMapError) -> Result<String, VerifyVerdict> {
        let networkEntry = try ssid.flatMap { ssid throws(TrustMapError) in try reader.lookup(network: ssid, name: name)
        }
        let anyEntry = try reader.lookup(network: TrustMapEntry.anyNetwork, name: name)
        return checkTrustMap(
            name: name, ssid: ssid, networkEntry: networkEntry, anyEntry: anyEntry, certificate: certificate)
    }

    /// The live check (design.md "Configuration", `verify.live_check`): DNS must still publish, securely, a
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
        let name = admitted.name
        let response: DNSResponse
        switch answer.classify(requireDNSSEC: requireDNSSEC) {
        case .unavailable(.timedOut): return unavailable("DNS lookup timed out")
        case .unavailable(.resolverFailed(let why)): return unavailable("resolver error: \(why)")
        case .unavailable(.rcode(let rcode)): return unavailable("DNS answered \(rcode)")
        case .bogus(let why): return .reject(.dnssec, "DNSSEC bogus for \(name): \(why ?? "validation failed")")
        case .insecure: return .reject(.dnssec, "DNS answer for \(name) is insecure (not DNSSEC-signed)")
        case .nxdomain: return .reject(.withdrawn, "\(name) no longer exists in DNS (NXDOMAIN)")
        case .nodata: return .reject(.withdrawn, "\(name) no longer publishes a TLSA record (NODATA)")
        case .records(let r): response = r
        }
        // Only end-entity records speak for the device (RFC 7671 §5.2: a trust-anchor record names a CA).
        guard response.records.contains(where: { !$0.usage.isTrustAnchor && $0.matches(certificate) }) else {
            return .reject(
                .withdrawn, "no TLSA record at \(admitted.name) matches certificate sha256 \(certificate.hashHex)")
        }
        return accept
    }
}
