import class Foundation.NSLock
import class Foundation.Thread

/// Runs blocking C calls (a whole `curl_easy_perform`) on threads of their own, at most
/// `limit` at once, and hands the result back to async code.
///
/// Swift's cooperative pool has one thread per core; a transfer that blocks one of them for up
/// to `discovery.timeout` would stall every other task of the agent. Each call therefore gets
/// a fresh thread (its start-up cost is tiny next to a TLS handshake), and callers beyond
/// `limit` wait asynchronously, without holding any thread, until a slot frees up.
final class BlockingCallLimiter: @unchecked Sendable {
    /// The most calls running at once.
    let limit: Int

    // Guarded by `lock`: the number of slots in use and the callers waiting for one, in order.
    private let lock = NSLock()
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        precondition(limit > 0, "a BlockingCallLimiter needs at least one thread")
        self.limit = limit
    }

    /// Runs `body` on a dedicated thread once a slot is free, and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await acquire()
        defer { release() }
        return await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = "danesync-http"
            thread.start()
        }
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if running < limit {
                running += 1
                lock.unlock()
                continuation.resume()
            } else {
                waiting.append(continuation)
                lock.unlock()
            }
        }
    }

    /// Hands the slot straight to the longest waiter, or frees it.
    private func release() {
        lock.lock()
        if waiting.isEmpty {
            running -= 1
            lock.unlock()
        } else {
            let next = waiting.removeFirst()
            lock.unlock()
            next.resume()
        }
    }
}
