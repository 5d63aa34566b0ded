import DANESystem
import Foundation
import Testing

/// The hook's clock (DANESystem/Deadline.swift): what every bounded wait of `daneverify` — the
/// live check, the pipe drain — counts down on.
struct DeadlineTests {
    @Test func test_deadline_countsDown_andPasses() {
        let deadline = Deadline(after: .milliseconds(200))
        let first = deadline.remaining
        #expect(first > .zero && first <= .milliseconds(200), "\(first)")
        #expect(!deadline.hasPassed)
        usleep(250_000)
        #expect(deadline.hasPassed)
        #expect(deadline.remaining == .zero)
    }

    @Test func test_zeroAndNegativeDurations_haveAlreadyPassed() {
        for duration: Duration in [.zero, .seconds(-5), .nanoseconds(-1)] {
            let deadline = Deadline(after: duration)
            #expect(deadline.hasPassed, "\(duration)")
            #expect(deadline.remaining == .zero, "\(duration)")
        }
    }

    /// A `dns.timeout` of 999999999d must not trap (Int64 nanoseconds hold 292 years).
    @Test func test_hugeDurations_areBounded_notOverflowed() {
        let far = Deadline(after: .seconds(999_999_999 * 86_400))
        #expect(!far.hasPassed)
        #expect(far.remaining > .seconds(100 * 365 * 86_400))
        let past = Deadline(after: .seconds(-999_999_999 * 86_400))
        #expect(past.hasPassed)
    }
}
