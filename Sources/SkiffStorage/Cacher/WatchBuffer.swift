import Synchronization

/// The live changes of one watcher of a ``Cacher``: the cache adds to it without ever waiting, and its one consumer
/// takes everything queued at once.
///
/// It holds at most `capacity` changes. A change that finds it full is refused (``YieldResult/dropped``) and the
/// cache then ends the watcher as too slow, so a consumer that stops reading never holds back the cache or the
/// other watchers. ``wake()`` makes a waiting consumer return without changes (for a bookmark tick or a timeout),
/// so one task can serve a whole watch: no task of its own moves changes from the cache to the writer.
///
/// Continuations are resumed outside the lock: a cancellation handler runs under the runtime's lock on its task,
/// which a resumption may need.
public final class WatchBuffer<Element: Sendable>: Sendable {
    /// What ``yield(_:)`` did with a change.
    public enum YieldResult: Sendable, Equatable {
        case enqueued
        /// The buffer was full: the change was not queued.
        case dropped
        /// The buffer is finished or its consumer gone: the change was not queued.
        case terminated
    }

    /// What ``take()`` found.
    public enum Taken: Sendable {
        /// The changes queued, oldest first; empty when ``wake()`` was called and none were queued.
        case elements([Element])
        /// ``finish(throwing:)`` was called without an error and every change was taken.
        case finished
    }

    private struct State {
        var elements: [Element] = []
        var consumer: CheckedContinuation<Void, Never>?
        var woken = false
        var finished = false
        var failure: (any Error)?
        /// The consumer is gone: nothing more is queued.
        var terminated = false
        var onTermination: (@Sendable () -> Void)?
    }

    /// How many changes the buffer holds at most.
    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Runs once when the consumer goes (``terminate()``), outside any lock of the buffer's.
    public func onTermination(_ action: @escaping @Sendable () -> Void) {
        self.state.withLock { $0.onTermination = action }
    }

    /// Queues `element` unless the buffer is full, finished or its consumer gone; never waits.
    public func yield(_ element: Element) -> YieldResult {
        let (result, consumer) = self.state.withLock { state -> (YieldResult, CheckedContinuation<Void, Never>?) in
            if state.terminated || state.finished { return (.terminated, nil) }
            guard state.elements.count < self.capacity else { return (.dropped, nil) }
            state.elements.append(element)
            defer { state.consumer = nil }
            return (.enqueued, state.consumer)
        }
        consumer?.resume()
        return result
    }

    /// No more changes: the consumer takes what is queued, then ``Taken/finished`` (or `error`, thrown).
    public func finish(throwing error: (any Error)? = nil) {
        let consumer = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.finished else { return nil }
            state.finished = true
            state.failure = error
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
    }

    /// Makes the consumer's next (or current) ``take()`` return even if nothing is queued.
    public func wake() {
        let consumer = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.woken = true
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
    }

    /// The consumer is gone: queued changes are dropped, later ones refused, and the termination action runs.
    public func terminate() {
        let (consumer, action) = self.state.withLock {
            state -> (CheckedContinuation<Void, Never>?, (@Sendable () -> Void)?) in
            guard !state.terminated else { return (nil, nil) }
            state.terminated = true
            state.elements = []
            defer {
                state.consumer = nil
                state.onTermination = nil
            }
            return (state.consumer, state.onTermination)
        }
        consumer?.resume()
        action?()
    }

    /// Everything queued, waiting until something is (or ``wake()``); ``Taken/finished`` once finished and empty.
    ///
    /// Throws the error the buffer was finished with (after every change before it was taken), and
    /// `CancellationError` when the consumer's task is cancelled or the consumer terminated, which also
    /// terminates the buffer. One task at a time may take.
    public func take() async throws -> Taken {
        while true {
            let outcome = self.state.withLock { state -> Result<Taken, any Error>? in
                if state.terminated { return .failure(CancellationError()) }
                if !state.elements.isEmpty {
                    defer {
                        state.elements = []
                        state.woken = false
                    }
                    return .success(.elements(state.elements))
                }
                if state.finished { return state.failure.map { .failure($0) } ?? .success(.finished) }
                if state.woken {
                    state.woken = false
                    return .success(.elements([]))
                }
                return nil
            }
            if let outcome { return try outcome.get() }
            await self.waitForChange()
            if Task.isCancelled {
                self.terminate()
                throw CancellationError()
            }
        }
    }

    /// Suspends until something changes (or the task is cancelled).
    private func waitForChange() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waits = self.state.withLock { state -> Bool in
                    let changed = !state.elements.isEmpty || state.finished || state.woken || state.terminated
                    if changed || Task.isCancelled { return false }
                    state.consumer = continuation
                    return true
                }
                if !waits { continuation.resume() }
            }
        } onCancel: {
            let consumer = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.consumer = nil }
                return state.consumer
            }
            consumer?.resume()
        }
    }
}
