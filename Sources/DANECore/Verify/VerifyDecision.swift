/// The verify rules, pure: trust map first, then the live DNS check.
public enum VerifyDecision {
    /// Which trust-map entry admits the presented certificate for `name` on the SSID (or only
    /// `*` entries when there is no SSID): the admission, or the rejection. A certificate is
    /// admitted by its hash or a pin (``TrustMapEntry/accepts(_:)``), FreeRADIUS's facts of it
    /// by the serial and issuer key identifier of a published hash. A name the policy lists
    /// but DNS withdrew is refused as withdrawn (14), not as not allowed
    /// (design.md "Revocation and disconnect").
    public static func checkTrustMap(
        name: DeviceName, ssid: String?, networkEntry: TrustMapEntry?, anyEntry: TrustMapEntry?,
        presented: PresentedCertificate
    ) -> Result<Admission, VerifyVerdict> {
        let candidates = [networkEntry, anyEntry].compactMap { $0 }
        guard !candidates.isEmpty else {
            let network = ssid.map { "network \"\($0)\"" } ?? "any network (no SSID in Called-Station-Id)"
            return .failure(.reject(.notAllowed, "\(name) is not allowed on \(network)"))
        }
        if let withdrawn = candidates.first(where: { $0.withdrawnAt != nil }),
            candidates.allSatisfy({ $0.withdrawnAt != nil }), let since = withdrawn.withdrawnAt
        {
            return .failure(.reject(.withdrawn, "\(name) was withdrawn from DNS at \(UnixTime.rfc3339(since))"))
        }
        for entry in candidates where entry.withdrawnAt == nil {
            switch presented {
            case .certificate(let certificate):
                if entry.accepts(certificate) {
                    return .success(Admission(network: entry.network, sha256: certificate.hashHex))
                }
            case .issuance(let serial, let aki):
                if let issuance = entry.issuance(serial: serial, authorityKeyIdentifier: aki) {
                    return .success(Admission(network: entry.network, sha256: issuance.sha256))
                }
            }
        }
        return .failure(.reject(.notPublished, "\(presented.shown) is not published for \(name)"))
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
    /// then ``checkTrustMap(name:ssid:networkEntry:anyEntry:presented:)``.
    /// - Throws: ``TrustMapError`` when a line the lookup lands on is corrupt (exit 10).
    public static func admit(
        name: DeviceName, ssid: String?, reader: TrustMapReader, presented: PresentedCertificate
    ) throws(TrustMapError) -> Result<Admission, VerifyVerdict> {
        let networkEntry = try ssid.flatMap { ssid throws(TrustMapError) in try reader.lookup(network: ssid, name: name)
        }
        let anyEntry = try reader.lookup(network: TrustMapEntry.anyNetwork, name: name)
        return checkTrustMap(
            name: name, ssid: ssid, networkEntry: networkEntry, anyEntry: anyEntry, presented: presented)
    }

    /// The live check (design.md "Configuration", `verify.live_check`): DNS must still publish,
    /// securely, an end-entity TLSA record for the admitted certificate — one that matches the
    /// certificate itself (a PKIX usage only if its SAN holds the name), or, when only
    /// FreeRADIUS's facts of it are at hand, one that carries it whole or as its SHA-256
    /// (`sha256` digests a `3 0 0`/`4 0 0` record's data; the SAN of that certificate was
    /// checked by the pass that published its hash, and the gate cannot read it).
    public static func checkLive(
        answer: TLSAAnswer, presented: PresentedCertificate, admitted: (name: DeviceName, admission: Admission),
        mode: Config.LiveCheck, requireDNSSEC: Bool, sha256: ([UInt8]) -> [UInt8]
    ) -> VerifyVerdict {
        let name = admitted.name
        let accept = VerifyVerdict.accept(name, network: admitted.admission.network, hash: admitted.admission.sha256)
        func unavailable(_ why: String) -> VerifyVerdict {
            if mode == .ifAvailable {
                var verdict = accept
                verdict.note = "live check unavailable (\(why)); accepted on the trust map alone"
                return verdict
            }
            return .reject(.resolver, "live check failed: \(why)")
        }
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
        let hash = Hex.decode(admitted.admission.sha256) ?? []
        // Only end-entity records speak for the device (RFC 7671 §5.2: a trust-anchor record names a CA).
        let published = response.records.contains { record in
            guard !record.usage.isTrustAnchor else { return false }
            switch presented {
            case .certificate(let certificate):
                // A PKIX record (usage 1, 4) speaks for the certificate only when its SAN holds
                // the name (design.md "Protocol facts"), as when the agent published it.
                return record.matches(certificate)
                    && (!record.usage.requiresSANMatch || name.appears(in: certificate.sanDNSNames))
            case .issuance:
                guard record.selector == .cert else { return false }
                switch record.matchingType {
                case .full: return sha256(record.data) == hash
                case .sha256: return record.data == hash
                default: return false
                }
            }
        }
        guard published else {
            return .reject(
                .withdrawn, "no TLSA record at \(name) matches certificate sha256 \(admitted.admission.sha256)")
        }
        return accept
    }
}
