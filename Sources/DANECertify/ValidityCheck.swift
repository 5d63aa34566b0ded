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
        let skew = TimeInterval(clockSkew.components.seconds)
        if now + skew < certificate.notValidBefore {
            return "\(certificate.subject) is not valid before \(Self.format(certificate.notValidBefore))"
        }
        if now - skew > certificate.notValidAfter {
            return "\(certificate.subject) expired on \(Self.format(certificate.notValidAfter))"
        }
        return nil
    }

    /// Whether a certificate valid from `notBefore` through `notAfter` is valid now.
    public func holds(notBefore: Date, notAfter: Date) -> Bool {
        let skew = TimeInterval(clockSkew.components.seconds)
        return now + skew >= notBefore && now - skew <= notAfter
    }

    static func format(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
