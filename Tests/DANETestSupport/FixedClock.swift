import DANESync
import Foundation

/// A ``WallClock`` that stands still until the test moves it.
public final class FixedClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ unixSeconds: Int64 = 1_800_000_000) {
        current = Date(timeIntervalSince1970: TimeInterval(unixSeconds))
    }

    public func now() -> Date { lock.withLock { current } }

    public func advance(by duration: Duration) {
        lock.withLock { current += TimeInterval(duration.components.seconds) }
    }

    public var unixSeconds: Int64 { Int64(now().timeIntervalSince1970) }
}
