import CEventBase
import CUnbound
import DANECore
import DANEResolve
import DANESystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Drives one libunbound context in event mode for ``UnboundResolver`` from a dedicated thread.
///
/// Threads: this loop's thread runs the libevent `event_base` the context was created on
/// (`ub_ctx_create_event`), so it sends, receives and validates itself and libunbound calls
/// back on it; it is the only thread that calls into the context after set-up —
/// `ub_resolve_event`, `ub_cancel`, finally `ub_ctx_delete`. (Threaded async mode had a
/// libunbound worker per context and a pipe between it and this thread: per name, messages
/// each way with their reads, writes and `fcntl`s, and two thread wake-ups — a quarter of the
/// resolver's CPU, docs/architecture.md "Decisions".) Callers only append to ``submissions``
/// under ``lock`` and wake the loop through a pipe; their continuations are resumed from
/// this thread.
///
/// Exactly-once resumption: a query's callback and its deadline both run on this thread, so
/// they cannot race. Whichever comes first marks the ``PendingQuery`` done and resumes its
/// continuation; the other sees `done` and does nothing. Once `ub_cancel` succeeds libunbound
/// never calls the callback, so the box it held is released. The callback may also run inside
/// `ub_resolve_event` itself (an answer from a local zone).
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

    private let base: OpaquePointer
    private let context: OpaquePointer
    private let timeout: Duration
    private let maxInFlight: Int
    private let wakeup: WakeupPipe
    /// Persistent read event on the wake-up pipe (it drains the pipe), and the timer for the
    /// next deadline; both only end `event_base_loop`'s wait, the loop does the work after it
    /// returns.
    private var wakeupEvent: OpaquePointer?
    private var deadlineTimer: OpaquePointer?
    /// Set by ``shutDown(_:)`` on the loop thread; a loop that never ran deletes it in deinit.
    private var contextDeleted = false

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

    /// A context for the agent (DANEResolve's `UnboundContext`, tuned for `maxInFlight`
    /// queries) on a libevent base of its own; the loop owns and frees both.
    init(dns: Config.DNS, maxInFlight: Int) throws(ResolverSetupError) {
        guard let base = dsync_event_base_new() else {
            throw .eventLoopFailed(reason: "libevent: event_base_new failed")
        }
        self.base = base
        self.timeout = dns.timeout
        self.maxInFlight = max(1, maxInFlight)
        do {
            self.context = try UnboundContext.make(
                dns: dns, tuning: .agent(queriesInFlight: self.maxInFlight), eventBase: base)
        } catch {
            dsync_event_base_free(base)
            throw error
        }
        do {
            self.wakeup = try WakeupPipe()
        } catch {
            ub_ctx_delete(context)
            dsync_event_base_free(base)
            throw error
        }
        // From here on a failure runs deinit, which frees what exists.
        wakeupEvent = dsync_event_reader(
            base, wakeup.readEnd,
            { argument in Unmanaged<UnboundEventLoop>.fromOpaque(argument!).takeUnretainedValue().wakeup.drain() },
            Unmanaged.passUnretained(self).toOpaque())
        deadlineTimer = dsync_event_timer(base)
        guard wakeupEvent != nil, deadlineTimer != nil else {
            throw .eventLoopFailed(reason: "libevent: cannot create the loop's events")
        }
    }

    deinit {
        if !contextDeleted { ub_ctx_delete(context) }
        dsync_event_free(wakeupEvent)
        dsync_event_free(deadlineTimer)
        dsync_event_base_free(base)
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
        var failure = "resolver stopped"
        while startSubmissions() {
            armDeadlineTimer()
            // Returns after one round of ready events: answers (libunbound's callbacks run
            // inside), the wake-up pipe, or the deadline timer.
            if dsync_event_base_loop_once(base) != 0 {
                failure = "resolver event loop failed: event_base_loop"
                break
            }
            expireDeadlines()
        }
        shutDown(failure)
    }

    /// Starts queued lookups while slots are free; false once the loop is asked to stop.
    /// A lookup libunbound answers at once (from its cache or a local zone) frees its slot
    /// inside `ub_resolve_event`, so the queue is looked at again: nothing else would wake the
    /// loop for lookups queued behind it.
    private func startSubmissions() -> Bool {
        while true {
            let (incoming, stop) = takeSubmissions(limit: maxInFlight - inFlight)
            if stop { return false }
            for (name, continuation) in incoming { begin(name, continuation) }
            if incoming.isEmpty || inFlight >= maxInFlight { return true }
        }
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
        inFlight += 1
        deadlines.append(query)
        let box = Unmanaged.passRetained(query)
        var asyncID: Int32 = 0
        let status = ub_resolve_event(
            context, name.text, tlsaRRType, internetClass, box.toOpaque(),
            { argument, rcode, packet, length, security, whyBogus, _ in
                UnboundEventLoop.deliver(argument, rcode, packet, length, security, whyBogus)
            }, &asyncID)
        guard status == 0 else {
            // Not answered: libunbound took no reference and will not call back.
            box.release()
            finish(query, TLSAAnswer(name: name, result: .failed(unboundErrorText(status))))
            return
        }
        query.asyncID = asyncID
    }

    /// libunbound's callback, called inside `event_base_loop` (or `ub_resolve_event`) on the
    /// loop thread; `packet` and `whyBogus` are valid only during the call.
    private static func deliver(
        _ argument: UnsafeMutableRawPointer?, _ rcode: Int32, _ packet: UnsafeMutableRawPointer?, _ length: Int32,
        _ security: Int32, _ whyBogus: UnsafeMutablePointer<CChar>?
    ) {
        let query = Unmanaged<PendingQuery>.fromOpaque(argument!).takeRetainedValue()
        let answer = TLSAAnswer(
            name: query.name,
            event: EventAnswer(rcode: rcode, packet: packet, length: length, security: security, whyBogus: whyBogus))
        query.loop.finish(query, answer)
    }

    /// Resumes a query's continuation unless its callback or deadline already did.
    private func finish(_ query: PendingQuery, _ answer: TLSAAnswer) {
        guard !query.done else { return }
        query.done = true
        inFlight -= 1
        query.continuation.resume(returning: answer)
    }

    /// The timer fires at the oldest open query's deadline (``armEventTimer``: a minute at most,
    /// then it is armed again); with none open it is off.
    private func armDeadlineTimer() {
        while deadlinesHead < deadlines.count, deadlines[deadlinesHead].done { deadlinesHead += 1 }
        guard deadlinesHead < deadlines.count else {
            dsync_event_timer_set(deadlineTimer, -1)
            return
        }
        _ = armEventTimer(deadlineTimer!, after: deadlines[deadlinesHead].deadline - .now)
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
    /// called, so the reference handed to `ub_resolve_event` is released here instead.
    private func cancel(_ query: PendingQuery) {
        if ub_cancel(context, query.asyncID) == 0 {
            Unmanaged.passUnretained(query).release()
        }
    }

    /// Answers every queued and in-flight lookup with `.failed(reason)`, refuses later ones,
    /// and deletes the context (its sockets and events leave the base, freed with the loop).
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
        contextDeleted = true
    }
}
