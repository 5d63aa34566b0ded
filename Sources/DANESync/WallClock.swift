import Foundation

/// The time a pass runs at: its `status.json` time, the `since` of each name, and the
/// `sync.grace` arithmetic (design.md "Configuration"). A seam so that grace is tested with
/// values; the test double lives in Tests/DANETestSupport.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The system's clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
