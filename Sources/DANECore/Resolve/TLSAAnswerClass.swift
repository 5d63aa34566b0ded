extension TLSAAnswer {
    /// What an answer means for a device, before any caller decides what to do about it:
    /// the one answer classifier of the project (as unbound's `val_classify_response` is for
    /// its validator). The agent's decision (``NameDecision``), the hook's live check
    /// (``VerifyDecision/checkLive(answer:certificate:mode:requireDNSSEC:admitted:)``), the pass
    /// and `danesync lookup` each map a class to their own outcome and wording.
    public enum Class: Equatable, Sendable {
        /// No answer that can be judged: the lookup timed out, the resolver failed, or the
        /// server answered neither NOERROR nor NXDOMAIN. The cause may pass.
        case unavailable(Unavailability)
        /// DNSSEC validation failed (RFC 4035 §5.5): never used, whatever the answer says.
        /// libunbound's `why_bogus`, when it gave one.
        case bogus(String?)
        /// An unsigned answer while `dns.require_dnssec` is on (RFC 4035 §4.3 "insecure").
        case insecure
        /// The name does not exist (RFC 1035 §4.1.1 rcode 3).
        case nxdomain
        /// The name exists without TLSA data (RFC 2308 §2.2 NODATA).
        case nodata
        /// TLSA data that may be used: the records that parsed and those that did not.
        case records(DNSResponse)
    }

    /// Why an answer could not be judged.
    public enum Unavailability: Equatable, Sendable {
        case timedOut
        /// libunbound's own error text.
        case resolverFailed(String)
        /// SERVFAIL, REFUSED or another rcode that says nothing about the name.
        case rcode(DNSRcode)
    }

    /// Classifies the answer. The order is the rule: bogus is checked before the rcode, since
    /// a bogus answer is never evidence of anything (a forged NXDOMAIN must not withdraw a
    /// device any more than forged records may admit one); `insecure` counts only as bogus
    /// does when DNSSEC is required, and otherwise falls through to the rcode and data.
    public func classify(requireDNSSEC: Bool) -> Class {
        let response: DNSResponse
        switch result {
        case .timedOut: return .unavailable(.timedOut)
        case .failed(let why): return .unavailable(.resolverFailed(why))
        case .response(let r): response = r
        }
        if response.security == .bogus { return .bogus(response.whyBogus) }
        switch response.rcode {
        case .noError, .nameError: break
        default: return .unavailable(.rcode(response.rcode))
        }
        if response.security == .insecure && requireDNSSEC { return .insecure }
        if response.rcode == .nameError { return .nxdomain }
        if response.isNoData { return .nodata }
        return .records(response)
    }
}
