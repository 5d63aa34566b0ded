import DANESync
import Foundation

/// A ``WallClock`` that stands still until the test moves it.
public final class FixedClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    /// Starts at `unixSeconds`, by default the real time (certificates made for a test are
    /// valid around it).
    public init(_ unixSeconds: Int64 = Int64(Date().timeIntervalSince1970)) {
        current = Date(timeIntervalSince1970: TimeInterval(unixSeconds))
    }

    public func now() -> Date { lock.withLock { current } }

    public func advance(by duration: Duration) {
        lock.withLock { current += TimeInterval(duration.components.seconds) }
    }

    public var unixSeconds: Int64 { Int64(now().timeIntervalSince1970) }
}
