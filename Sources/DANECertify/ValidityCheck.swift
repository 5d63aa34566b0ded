import Foundation

/// When certificates are judged, and how far clocks may disagree
/// (design.md "Admission and failure rules": certificates and CAs outside their validity period, ± `sync.clock_skew`,
/// are not published). RFC 5280 §4.1.2.5: a certificate is valid from notBefore through
/// notAfter inclusive.
public struct ValidityCheck: Sendable {
    public var now: Date
    public var clockSkew: Duration

    public init(now: Date, clockSkew: Duration) {
        self.now = now
        self.clockSkew = clockSkew
    }

    /// Why `certificate` is not valid now, naming the date; `nil` when it is.
    public func problem(with certificate: CertificateFacts) -> String? {
        switch violation(notBefore: certificate.notValidBefore, notAfter: certificate.notValidAfter) {
        case .notYet: return "\(certificate.subject) is not valid before \(Self.format(certificate.notValidBefore))"
        case .expired: return "\(certificate.subject) expired on \(Self.format(certificate.notValidAfter))"
        case nil: return nil
        }
    }

    /// Whether a certificate valid from `notBefore` through `notAfter` is valid now.
    public func holds(notBefore: Date, notAfter: Date) -> Bool {
        violation(notBefore: notBefore, notAfter: notAfter) == nil
    }

    private enum Violation { case notYet, expired }

    private func violation(notBefore: Date, notAfter: Date) -> Violation? {
        let skew = TimeInterval(clockSkew.components.seconds)
        if now + skew < notBefore { return .notYet }
        if now - skew > notAfter { return .expired }
        return nil
    }

    static func format(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
