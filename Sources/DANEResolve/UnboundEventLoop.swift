import CUnbound
import DANECore
import DANESystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Drives one libunbound context for ``UnboundResolver`` from a dedicated thread.
///
/// Threads: libunbound's own worker (from `ub_ctx_async(ctx, 1)`) sends, receives and
/// validates; this loop's thread is the only one that calls into the context after set-up —
/// `ub_resolve_async`, `ub_process` (which runs the C callback) and `ub_cancel` — and it
/// finally calls `ub_ctx_delete`. Callers only append to ``submissions`` under ``lock`` and
/// wake the loop through a pipe; their continuations are resumed from this thread.
///
/// Exactly-once resumption: a query's callback and its deadline both run on this thread, so
/// they cannot race. Whichever comes first marks the ``PendingQuery`` done and resumes its
/// continuation; the other sees `done` and does nothing. `ub_cancel` is therefore never
/// concurrent with `ub_process`, the case unbound.h warns may deliver a result anyway; once
/// `ub_cancel` succeeds libunbound never calls the callback, so the box it held is released.
///
/// Deadlines: libunbound has no per-query timeout (an unreachable server keeps a query alive
/// for tens of seconds), so each query gets `dns.timeout` from the moment it is handed to
/// libunbound; waiting for a free slot (``maxInFlight``) does not count. Every query has the
/// same timeout, so start order is deadline order and a FIFO is the deadline queue.
final class UnboundEventLoop: @unchecked Sendable {
    typealias Continuation = CheckedContinuation<TLSAAnswer, Never>

    /// One query handed to libunbound; confined to the loop thread.
    final class PendingQuery {
        /// The loop outlives every query it started (it cancels them before `ub_ctx_delete`).
        unowned let loop: UnboundEventLoop
        let name: DeviceName
        let continuation: Continuation
        let deadline: ContinuousClock.Instant
        var asyncID: Int32 = 0
        var done = false

        init(loop: UnboundEventLoop, name: DeviceName, continuation: Continuation, deadline: ContinuousClock.Instant) {
            self.loop = loop
            self.name = name
            self.continuation = continuation
            self.deadline = deadline
        }
    }

    private let context: OpaquePointer
    private let timeout: Duration
    private let maxInFlight: Int
    private let wakeup: WakeupPipe

    // Shared with callers, under `lock`.
    private let lock = PosixLock()
    private var submissions: [(DeviceName, Continuation)] = []
    private var submissionsHead = 0
    private var stopping = false
    /// Set once the loop has ended; later submissions are answered with it at once.
    private var ended: String?

    // Loop thread only.
    private var inFlight = 0
    private var deadlines: [PendingQuery] = []
    private var deadlinesHead = 0

    init(context: OpaquePointer, timeout: Duration, maxInFlight: Int) throws(ResolverSetupError) {
        self.context = context
        self.timeout = timeout
        self.maxInFlight = max(1, maxInFlight)
        self.wakeup = try WakeupPipe()
    }

    /// Queues a lookup; its continuation is resumed exactly once from the loop thread.
    func submit(_ name: DeviceName, _ continuation: Continuation) {
        var refusal: String?
        let wasIdle = lock.withLock { () -> Bool in
            if let ended {
                refusal = ended
                return false
            }
            let wasEmpty = submissionsHead == submissions.count
            submissions.append((name, continuation))
            return wasEmpty
        }
        if let ended = refusal {
            continuation.resume(returning: TLSAAnswer(name: name, result: .failed(ended)))
            return
        }
        // A non-empty queue means the loop has a wake-up pending or is waiting for a free slot,
        // which a result or a deadline will give it.
        if wasIdle { wakeup.wake() }
    }

    /// Asks the loop to finish: lookups still queued or in flight are answered `.failed`.
    func stop() {
        lock.withLock { stopping = true }
        wakeup.wake()
    }

    /// Starts the loop thread. The thread keeps the loop alive until ``run()`` returns.
    func start() throws(ResolverSetupError) -> pthread_t {
        let retained = Unmanaged.passRetained(self).toOpaque()
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let status = pthread_create(
            &thread, nil,
            { argument in
                let loop = Unmanaged<UnboundEventLoop>.fromOpaque(argument!).takeRetainedValue()
                loop.run()
                return nil
            }, retained)
        guard status == 0 else {
            Unmanaged<UnboundEventLoop>.fromOpaque(retained).release()
            throw .eventLoopFailed(reason: "pthread_create: \(systemErrorText(status))")
        }
        #if canImport(Glibc)
        return thread
        #else
        return thread!
        #endif
    }

    private func run() {
        var fds = [
            pollfd(fd: ub_fd(context), events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeup.readEnd, events: Int16(POLLIN), revents: 0),
        ]
        var failure = "resolver stopped"
        while true {
            let (incoming, stop) = takeSubmissions(limit: maxInFlight - inFlight)
            if stop { break }
            for (name, continuation) in incoming { begin(name, continuation) }

            fds[0].revents = 0
            fds[1].revents = 0
            let ready = poll(&fds, nfds_t(fds.count), pollTimeoutMilliseconds())
            if ready < 0 && errno != EINTR {
                failure = "resolver event loop failed: poll: \(systemErrorText())"
                break
            }
            if fds[1].revents != 0 { wakeup.drain() }
            if fds[0].revents != 0 {
                // Fails only when libunbound's worker is gone; without it nothing can complete.
                let status = ub_process(context)
                if status != 0 {
                    failure = "libunbound failed: \(unboundErrorText(status))"
                    break
                }
            }
            expireDeadlines()
        }
        shutDown(failure)
    }

    private func takeSubmissions(limit: Int) -> ([(DeviceName, Continuation)], Bool) {
        lock.withLock {
            if stopping { return ([], true) }
            let end = min(submissions.count, submissionsHead + max(0, limit))
            let taken = Array(submissions[submissionsHead..<end])
            submissionsHead = end
            if submissionsHead == submissions.count {
                submissions.removeAll(keepingCapacity: true)
                submissionsHead = 0
            }
            return (taken, false)
        }
    }

    private func begin(_ name: DeviceName, _ continuation: Continuation) {
        let query = PendingQuery(loop: self, name: name, continuation: continuation, deadline: .now + timeout)
        let box = Unmanaged.passRetained(query)
        var asyncID: Int32 = 0
        let status = ub_resolve_async(
            context, name.text, tlsaRRType, internetClass, box.toOpaque(),
            { argument, err, result in UnboundEventLoop.deliver(argument, err, result) }, &asyncID)
        guard status == 0 else {
            box.release()
            continuation.resume(returning: TLSAAnswer(name: name, result: .failed(unboundErrorText(status))))
            return
        }
        query.asyncID = asyncID
        inFlight += 1
        deadlines.append(query)
    }

    /// libunbound's callback, called inside `ub_process` on the loop thread.
    private static func deliver(
        _ argument: UnsafeMutableRawPointer?, _ err: Int32, _ result: UnsafeMutablePointer<ub_result>?
    ) {
        let query = Unmanaged<PendingQuery>.fromOpaque(argument!).takeRetainedValue()
        let answer = TLSAAnswer(name: query.name, unboundError: err, result: result)
        query.loop.finish(query, answer)
    }

    /// Resumes a query's continuation unless its callback or deadline already did.
    private func finish(_ query: PendingQuery, _ answer: TLSAAnswer) {
        guard !query.done else { return }
        query.done = true
        inFlight -= 1
        query.continuation.resume(returning: answer)
    }

    private func pollTimeoutMilliseconds() -> Int32 {
        while deadlinesHead < deadlines.count, deadlines[deadlinesHead].done { deadlinesHead += 1 }
        guard deadlinesHead < deadlines.count else { return -1 }
        let remaining = deadlines[deadlinesHead].deadline - .now
        if remaining <= .zero { return 0 }
        return Int32(clamping: remaining.millisecondsRoundedUp)
    }

    private func expireDeadlines() {
        let now = ContinuousClock.now
        while deadlinesHead < deadlines.count {
            let query = deadlines[deadlinesHead]
            if !query.done {
                guard query.deadline <= now else { break }
                cancel(query)
                finish(query, TLSAAnswer(name: query.name, result: .timedOut))
            }
            deadlinesHead += 1
        }
        if deadlinesHead > 1024 && deadlinesHead * 2 > deadlines.count {
            deadlines.removeFirst(deadlinesHead)
            deadlinesHead = 0
        }
    }

    /// Cancels a query libunbound still holds. Once `ub_cancel` succeeds the callback is never
    /// called, so the reference handed to `ub_resolve_async` is released here instead.
    private func cancel(_ query: PendingQuery) {
        if ub_cancel(context, query.asyncID) == 0 {
            Unmanaged.passUnretained(query).release()
        }
    }

    /// Answers every queued and in-flight lookup with `.failed(reason)`, refuses later ones,
    /// and deletes the context (which stops libunbound's worker thread).
    private func shutDown(_ reason: String) {
        let stopped = TLSAAnswer.Result.failed(reason)
        for query in deadlines[deadlinesHead...] where !query.done {
            cancel(query)
            finish(query, TLSAAnswer(name: query.name, result: stopped))
        }
        deadlines = []
        let queued = lock.withLock {
            ended = reason
            defer {
                submissions = []
                submissionsHead = 0
            }
            return Array(submissions[submissionsHead...])
        }
        for (name, continuation) in queued { continuation.resume(returning: TLSAAnswer(name: name, result: stopped)) }
        ub_ctx_delete(context)
    }
}
