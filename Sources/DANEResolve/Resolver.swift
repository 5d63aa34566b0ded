import DANECore

/// Looks up the TLSA RRset at a device name with local DNSSEC validation. One real
/// implementation (``UnboundResolver``); fakes live in Tests/.
public protocol Resolver: Sendable {
    /// Never throws: timeouts and resolver failures are answers the decision must weigh.
    func lookupTLSA(_ name: DeviceName) async -> TLSAAnswer
}
