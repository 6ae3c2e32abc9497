import Synchronization

/// The in-process fan-out of committed changes to watchers, shared by the embedded backends.
///
/// The backend publishes each committed batch once, in revision order; the hub filters it by each watcher's
/// prefix and yields it into that watcher's own bounded stream. A watcher whose buffer is full is finished with
/// ``StorageError/Code/watcherTooSlow``: writers never wait for readers and memory stays bounded.
///
/// A watch from a past revision is gap-free by construction: ``register(prefix:from:)`` records the last published
/// revision `P` and buffers live changes above it while the caller reads history up to `P`; ``activate(_:history:)``
/// then delivers history, the buffered changes, and switches the watcher to live delivery, all under the hub lock.
package final class WatchHub: Sendable {
    private enum Phase {
        case catchingUp(pending: [WatchResponse])
        case overflowed
        case live(WatchStream.Continuation)
    }

    private struct Subscriber {
        var prefix: String
        var minRevision: Revision
        var phase: Phase
    }

    private struct State {
        var published: Revision
        var nextID = 0
        var subscribers: [Int: Subscriber] = [:]
        var closed: StorageError?
    }

    private let state: Mutex<State>
    /// How many responses a watcher may have undelivered.
    package let bufferLimit: Int

    /// Makes a hub whose last published revision is `revision` (the store's current revision at open).
    package init(revision: Revision, bufferLimit: Int) {
        self.state = Mutex(State(published: revision))
        self.bufferLimit = max(1, bufferLimit)
    }

    /// The revision of the last published change.
    package var publishedRevision: Revision {
        self.state.withLock { $0.published }
    }

    /// How many watchers are registered.
    package var watcherCount: Int {
        self.state.withLock { $0.subscribers.count }
    }

    /// Watches `prefix` from `revision` (inclusive; `nil`: after the last published revision) with the gap-free
    /// protocol above; `history(from, through)` returns the stored changes in that inclusive range, in order, and
    /// throws ``StorageError/Code/compacted`` when `from` is no longer available.
    package func watch(
        prefix: String,
        from revision: Revision?,
        history: (_ from: Revision, _ through: Revision) async throws -> [StorageEvent]
    ) async throws -> WatchStream {
        if let revision, revision.rawValue < 1 {
            throw StorageError.invalidArgument("a watch starts at revision 1 or later, not \(revision)")
        }
        let (id, published) = try self.register(prefix: prefix, from: revision)
        var events: [StorageEvent] = []
        if let revision, revision <= published {
            do {
                events = try await history(revision, published)
            } catch {
                self.cancel(id)
                throw error
            }
        }
        return self.activate(id, history: events)
    }

    /// Registers a watcher that buffers changes published from now on; returns its id and the last published
    /// revision, up to which the caller must read history itself.
    package func register(prefix: String, from revision: Revision?) throws -> (id: Int, published: Revision) {
        try self.state.withLock { state in
            if let error = state.closed { throw error }
            let id = state.nextID
            state.nextID += 1
            let minRevision = revision ?? Revision(state.published.rawValue + 1)
            state.subscribers[id] = Subscriber(
                prefix: prefix,
                minRevision: minRevision,
                phase: .catchingUp(pending: [])
            )
            return (id, state.published)
        }
    }

    /// Delivers `history`, then what was buffered since ``register(prefix:from:)``, and goes live.
    package func activate(_ id: Int, history: [StorageEvent]) -> WatchStream {
        let chunkSize = 1000
        let chunks = (history.count + chunkSize - 1) / chunkSize
        let (stream, continuation) = WatchStream.makeStream(
            bufferingPolicy: .bufferingOldest(self.bufferLimit + chunks)
        )
        continuation.onTermination = { [weak self] _ in
            // Not here and now: termination runs inside the consuming task's cancellation, under the runtime's
            // lock on that task, while a publish holding this hub's lock may be resuming the same task. Taking the
            // hub's lock here would deadlock the two; a terminated watcher is skipped until its task forgets it.
            guard let self else { return }
            Task { self.cancel(id) }
        }
        var finishWith: StorageError?
        self.state.withLock { state in
            guard let subscriber = state.subscribers[id] else {
                finishWith = state.closed ?? StorageError(code: .unavailable, message: "the watch was cancelled")
                return
            }
            var start = history.startIndex
            while start < history.endIndex {
                let end = min(start + chunkSize, history.endIndex)
                let slice = Array(history[start..<end])
                continuation.yield(WatchResponse(events: slice, revision: slice[slice.count - 1].revision))
                start = end
            }
            switch subscriber.phase {
            case .catchingUp(let pending):
                for response in pending {
                    continuation.yield(response)
                }
                state.subscribers[id]?.phase = .live(continuation)
            case .overflowed, .live:
                state.subscribers[id] = nil
                finishWith = Self.tooSlow
            }
        }
        if let finishWith { continuation.finish(throwing: finishWith) }
        return stream
    }

    /// Forgets a watcher (idempotent); its stream, if live, is finished by the caller or already terminated.
    package func cancel(_ id: Int) {
        let continuation: WatchStream.Continuation? = self.state.withLock { state in
            guard let subscriber = state.subscribers.removeValue(forKey: id) else { return nil }
            if case .live(let continuation) = subscriber.phase { return continuation }
            return nil
        }
        continuation?.finish()
    }

    /// Publishes committed changes, which must follow every change published before, in revision order.
    package func publish(_ events: [StorageEvent]) {
        guard let last = events.last else { return }
        var slow: [WatchStream.Continuation] = []
        self.state.withLock { state in
            state.published = last.revision
            for (id, subscriber) in state.subscribers {
                let matching: [StorageEvent]
                if events.allSatisfy({ Self.matches($0, subscriber) }) {
                    matching = events
                } else {
                    matching = events.filter { Self.matches($0, subscriber) }
                    if matching.isEmpty { continue }
                }
                let response = WatchResponse(events: matching, revision: last.revision)
                if let continuation = self.deliver(response, to: id, in: &state) { slow.append(continuation) }
            }
        }
        for continuation in slow {
            continuation.finish(throwing: Self.tooSlow)
        }
    }

    /// Sends every watcher a progress notification at the last published revision.
    package func progress() {
        var slow: [WatchStream.Continuation] = []
        self.state.withLock { state in
            let response = WatchResponse(events: [], revision: state.published)
            for id in state.subscribers.keys {
                if let continuation = self.deliver(response, to: id, in: &state) { slow.append(continuation) }
            }
        }
        for continuation in slow {
            continuation.finish(throwing: Self.tooSlow)
        }
    }

    /// Ends every watch with `error` and refuses new ones (the backend is closing).
    package func close(with error: StorageError) {
        let continuations: [WatchStream.Continuation] = self.state.withLock { state in
            state.closed = error
            let live = state.subscribers.values.compactMap { subscriber -> WatchStream.Continuation? in
                if case .live(let continuation) = subscriber.phase { return continuation }
                return nil
            }
            state.subscribers.removeAll()
            return live
        }
        for continuation in continuations {
            continuation.finish(throwing: error)
        }
    }

    /// Yields or buffers `response` for subscriber `id`; returns its continuation when it must be finished as too
    /// slow (outside the lock: finishing runs `onTermination`, which takes the lock).
    private func deliver(_ response: WatchResponse, to id: Int, in state: inout State) -> WatchStream.Continuation? {
        guard let subscriber = state.subscribers[id] else { return nil }
        switch subscriber.phase {
        case .catchingUp(var pending):
            state.subscribers[id]?.phase = .overflowed  // avoid a copy of `pending` while appending
            pending.append(response)
            state.subscribers[id]?.phase =
                pending.count > self.bufferLimit ? .overflowed : .catchingUp(pending: pending)
            return nil
        case .overflowed:
            return nil
        case .live(let continuation):
            switch continuation.yield(response) {
            case .enqueued:
                return nil
            case .dropped:
                state.subscribers[id] = nil
                return continuation
            case .terminated:
                state.subscribers[id] = nil
                return nil
            @unknown default:
                return nil
            }
        }
    }

    private static func matches(_ event: StorageEvent, _ subscriber: Subscriber) -> Bool {
        event.revision >= subscriber.minRevision && KeyOrder.hasPrefix(event.keyValue.key, subscriber.prefix)
    }

    private static let tooSlow = StorageError(
        code: .watcherTooSlow,
        message: "the watcher fell too far behind and was terminated; list again and watch from the list's revision"
    )
}
