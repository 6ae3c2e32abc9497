#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Synchronization

/// A rate-limited, delaying work queue with upstream's semantics (↔ client-go's
/// `workqueue.TypedRateLimitingInterface`).
///
/// - An item is queued at most once however often it is added (the *dirty* set).
/// - An item being processed (between ``get()`` and ``done(_:)``) is never handed to a second worker; added
///   again meanwhile, it is queued once ``done(_:)`` is called.
/// - ``addAfter(_:_:)`` queues an item once a delay has passed; ``addRateLimited(_:)`` uses the rate limiter's
///   delay (by default upstream's controller limiter: per-item 5 ms → 1000 s exponential back-off and an overall
///   10 QPS / burst 100 bucket); ``forget(_:)`` resets an item's back-off.
/// - After ``shutDown()``, adds are ignored and ``get()`` returns the items still queued, then `nil`.
///
/// Delayed items move to the queue when a worker waiting in ``get()`` finds them due, so the queue needs no
/// task of its own. Time comes from an injected ``ClientClock``.
///
/// ```swift
/// while let key = await queue.get() {
///     defer { queue.done(key) }
///     do { try await reconcile(key); queue.forget(key) } catch { queue.addRateLimited(key) }
/// }
/// ```
///
/// ## Topics
/// ### Adding
/// - ``add(_:)``
/// - ``addAfter(_:_:)``
/// - ``addRateLimited(_:)``
/// - ``forget(_:)``
/// - ``numRequeues(_:)``
/// ### Processing
/// - ``get()``
/// - ``done(_:)``
/// ### Shutting down
/// - ``shutDown()``
/// - ``shutDownWithDrain()``
public final class WorkQueue<Item: Hashable & Sendable>: Sendable {
    private enum Wake: Sendable {
        case item(Item)
        case shutDown
        case recheck
    }

    private struct Getter {
        var id: Int
        var continuation: CheckedContinuation<Wake, Never>
    }

    private struct State {
        var queue: [Item] = []
        var head = 0
        var dirty = Set<Item>()
        var processing = Set<Item>()
        /// Items waiting for their delay, with the time they become ready.
        var waiting: [Item: Date] = [:]
        var shuttingDown = false
        var nextID = 0
        var getters: [Getter] = []
        var drainWaiters: [CheckedContinuation<Void, Never>] = []

        var queuedCount: Int { self.queue.count - self.head }

        mutating func popFirst() -> Item? {
            guard self.head < self.queue.count else { return nil }
            let item = self.queue[self.head]
            self.head += 1
            if self.head > 64, self.head * 2 > self.queue.count {
                self.queue.removeFirst(self.head)
                self.head = 0
            }
            return item
        }
    }

    /// The queue's name, for logs and metrics.
    public let name: String
    let rateLimiter: any WorkQueueRateLimiter<Item>
    let clock: any ClientClock
    private let state = Mutex(State())

    /// Makes a queue.
    ///
    /// - Parameters:
    ///   - rateLimiter: the delays of ``addRateLimited(_:)``; default: ``MaxOfRateLimiter/defaultController(clock:)``.
    ///   - clock: the clock of delays.
    public init(
        name: String = "",
        rateLimiter: (any WorkQueueRateLimiter<Item>)? = nil,
        clock: any ClientClock = SystemClock()
    ) {
        self.name = name
        self.clock = clock
        self.rateLimiter = rateLimiter ?? (MaxOfRateLimiter<Item>.defaultController(clock: clock) as any WorkQueueRateLimiter<Item>)
    }

    // MARK: Adding

    /// Marks `item` as needing processing (↔ `Add`).
    public func add(_ item: Item) {
        let handoff: (Getter, Item)? = self.state.withLock { state in
            guard !state.shuttingDown else { return nil }
            return Self.insert(item, into: &state)
        }
        if let (getter, item) = handoff { getter.continuation.resume(returning: .item(item)) }
    }

    /// Adds `item` after `delay` (↔ `AddAfter`); an item already waiting keeps the earlier time.
    public func addAfter(_ item: Item, _ delay: Duration) {
        guard delay > .zero else { return self.add(item) }
        let readyAt = self.clock.now().adding(delay)
        let woken: Getter? = self.state.withLock { state in
            guard !state.shuttingDown else { return nil }
            if let existing = state.waiting[item], existing <= readyAt { return nil }
            state.waiting[item] = readyAt
            // A waiting worker re-arms its timer for the new earliest time.
            return state.getters.isEmpty ? nil : state.getters.removeFirst()
        }
        woken?.continuation.resume(returning: .recheck)
    }

    /// Adds `item` after the rate limiter's delay for it (↔ `AddRateLimited`).
    public func addRateLimited(_ item: Item) {
        self.addAfter(item, self.rateLimiter.when(item))
    }

    /// Resets `item`'s back-off (↔ `Forget`); call it when processing succeeded.
    public func forget(_ item: Item) {
        self.rateLimiter.forget(item)
    }

    /// How many times `item` was re-queued with ``addRateLimited(_:)`` since it was last forgotten.
    public func numRequeues(_ item: Item) -> Int {
        self.rateLimiter.numRequeues(item)
    }

    // MARK: Processing

    /// The next item to process, waiting for one; `nil` once the queue is shut down and empty, or when the task
    /// is cancelled. Call ``done(_:)`` when finished with it.
    public func get() async -> Item? {
        let id = self.state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        while true {
            if Task.isCancelled { return nil }
            let wake: Wake = await withTaskGroup(of: Void.self) { group in
                let result = await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Wake, Never>) in
                        let now = self.clock.now()
                        let (immediate, deadline): (Wake?, Date?) = self.state.withLock { state in
                            Self.promoteDue(now: now, in: &state)
                            if let item = state.popFirst() {
                                state.processing.insert(item)
                                state.dirty.remove(item)
                                return (.item(item), nil)
                            }
                            if state.shuttingDown { return (.shutDown, nil) }
                            if Task.isCancelled { return (.shutDown, nil) }
                            state.getters.append(Getter(id: id, continuation: continuation))
                            return (nil, state.waiting.values.min())
                        }
                        if let immediate {
                            continuation.resume(returning: immediate)
                        } else if let deadline {
                            group.addTask {
                                try? await self.clock.sleep(for: deadline.duration(since: now))
                                self.wakeGetter(id, with: .recheck)
                            }
                        }
                    }
                } onCancel: {
                    self.wakeGetter(id, with: .shutDown)
                }
                group.cancelAll()
                return result
            }
            switch wake {
            case .item(let item): return item
            case .shutDown: return nil
            case .recheck: continue
            }
        }
    }

    /// Marks `item` as processed (↔ `Done`); if it was added while being processed, it is queued again.
    public func done(_ item: Item) {
        let (handoff, drained): ((Getter, Item)?, [CheckedContinuation<Void, Never>]) = self.state.withLock { state in
            state.processing.remove(item)
            var handoff: (Getter, Item)? = nil
            if state.dirty.contains(item) {
                state.queue.append(item)
                if !state.getters.isEmpty, let next = state.popFirst() {
                    state.processing.insert(next)
                    state.dirty.remove(next)
                    handoff = (state.getters.removeFirst(), next)
                }
            }
            var drained: [CheckedContinuation<Void, Never>] = []
            if state.processing.isEmpty {
                drained = state.drainWaiters
                state.drainWaiters.removeAll()
            }
            return (handoff, drained)
        }
        if let (getter, next) = handoff { getter.continuation.resume(returning: .item(next)) }
        for waiter in drained { waiter.resume() }
    }

    // MARK: Inspecting

    /// The number of items queued (not those waiting for a delay, nor those being processed) (↔ `Len`).
    public var count: Int { self.state.withLock { $0.queuedCount } }

    /// The number of items waiting for their delay.
    public var waitingCount: Int { self.state.withLock { $0.waiting.count } }

    /// The number of workers waiting in ``get()``.
    public var idleWorkerCount: Int { self.state.withLock { $0.getters.count } }

    /// Whether ``shutDown()`` was called.
    public var isShuttingDown: Bool { self.state.withLock { $0.shuttingDown } }

    // MARK: Shutting down

    /// Stops accepting items; workers get the items still queued, then `nil` (↔ `ShutDown`).
    public func shutDown() {
        let getters: [Getter] = self.state.withLock { state in
            state.shuttingDown = true
            state.waiting.removeAll()
            // Queued items still go to workers; only idle workers are told to stop when nothing is queued.
            guard state.queuedCount == 0 else { return [] }
            defer { state.getters.removeAll() }
            return state.getters
        }
        for getter in getters { getter.continuation.resume(returning: .shutDown) }
    }

    /// Shuts down and waits until every item being processed is done (↔ `ShutDownWithDrain`).
    public func shutDownWithDrain() async {
        self.shutDown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = self.state.withLock { state in
                if state.processing.isEmpty { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    // MARK: Internals

    /// Queues `item` unless it is already dirty; hands it to a waiting worker when one is idle.
    private static func insert(_ item: Item, into state: inout State) -> (Getter, Item)? {
        guard !state.dirty.contains(item) else { return nil }
        state.dirty.insert(item)
        guard !state.processing.contains(item) else { return nil }
        state.queue.append(item)
        guard !state.getters.isEmpty, let next = state.popFirst() else { return nil }
        state.processing.insert(next)
        state.dirty.remove(next)
        return (state.getters.removeFirst(), next)
    }

    /// Moves the waiting items whose time has come to the queue, earliest first.
    private static func promoteDue(now: Date, in state: inout State) {
        guard !state.waiting.isEmpty else { return }
        let due = state.waiting.filter { $0.value <= now }.sorted { $0.value < $1.value }
        for (item, _) in due {
            state.waiting[item] = nil
            guard !state.dirty.contains(item) else { continue }
            state.dirty.insert(item)
            if !state.processing.contains(item) { state.queue.append(item) }
        }
    }

    private func wakeGetter(_ id: Int, with wake: Wake) {
        let getter: Getter? = self.state.withLock { state in
            guard let index = state.getters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.getters.remove(at: index)
        }
        getter?.continuation.resume(returning: wake)
    }
}
