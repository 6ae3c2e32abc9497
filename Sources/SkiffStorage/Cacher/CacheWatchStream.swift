/// The events of one ``Cacher`` watch: what the watch starts with (a snapshot of the cache or replayed history),
/// then the live changes.
///
/// The snapshot of a ``Cacher/WatchStart/initialState(notOlderThan:)`` watch is a view of the cache's
/// copy-on-write chunks of objects, taken under the cache's lock: every watch-list started between two writes shares
/// one immutable set of chunks, and each watcher only walks it, turning each object into ``CacheEvent/added(_:)`` as it
/// is consumed. Nothing is copied per watcher, so a thousand watch-lists of ten thousand objects cost one array, not
/// ten million buffered events. Live changes arrive through the watcher's own bounded buffer, which the snapshot
/// and the replay do not count against.
///
/// Dropping the stream (and its iterator) or cancelling its consumer removes the watcher from the cache.
public struct CacheWatchStream<Attributes: Sendable & Equatable>: AsyncSequence, Sendable {
    public typealias Element = CacheEvent<Attributes>
    public typealias Failure = any Error

    /// What comes before the live changes.
    enum Initial: Sendable {
        case none
        /// Replayed history, oldest first.
        case replay([CacheEvent<Attributes>])
        /// A shared snapshot of the cache's objects, then ``CacheEvent/initialEventsEnd(_:)`` at `revision`.
        case snapshot(SortedObjects<Attributes>.Snapshot, revision: Revision)
    }

    let initial: Initial
    /// The live changes, which a consumer may take in batches (``WatchBuffer/take()``) instead of iterating.
    public let live: WatchBuffer<CacheEvent<Attributes>>
    /// Ends the watch when the last copy of the stream and its iterators is gone.
    private let lifetime: Lifetime

    init(initial: Initial, live: WatchBuffer<CacheEvent<Attributes>>) {
        self.initial = initial
        self.live = live
        self.lifetime = Lifetime(live)
    }

    /// Terminates the live buffer when released, which removes the watcher from the cache.
    private final class Lifetime: Sendable {
        let live: WatchBuffer<CacheEvent<Attributes>>
        init(_ live: WatchBuffer<CacheEvent<Attributes>>) { self.live = live }
        deinit { self.live.terminate() }
    }

    /// How many events come before the live changes (the snapshot and its end marker, or the replayed history).
    public var initialEventCount: Int {
        switch self.initial {
        case .none: 0
        case .replay(let events): events.count
        case .snapshot(let objects, _): objects.count + 1
        }
    }

    /// The events before the live changes, made as they are walked.
    public var initialEvents: InitialEvents { InitialEvents(initial: self.initial) }

    /// The snapshot's objects, for tests; `nil` for other watches.
    package var _snapshot: [CachedObject<Attributes>]? {
        if case .snapshot(let objects, _) = self.initial { return Array(objects) }
        return nil
    }

    /// The address of the snapshot's chunk array, for tests that check snapshots are shared rather than copied;
    /// `nil` for other watches.
    package var _snapshotStorage: UnsafeRawPointer? {
        guard case .snapshot(let objects, _) = self.initial else { return nil }
        return objects.chunks.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(stream: self)
    }

    /// The replayed history, or ``CacheEvent/added(_:)`` for each object of the snapshot and then
    /// ``CacheEvent/initialEventsEnd(_:)``.
    public struct InitialEvents: Sequence, Sendable {
        let initial: Initial

        public func makeIterator() -> Iterator { Iterator(initial: self.initial) }

        public struct Iterator: IteratorProtocol {
            private var initial: Initial
            private var position = 0

            init(initial: Initial) {
                self.initial = initial
            }

            public mutating func next() -> CacheEvent<Attributes>? {
                switch self.initial {
                case .none:
                    return nil
                case .replay(let events):
                    if self.position < events.count {
                        defer { self.position += 1 }
                        return events[self.position]
                    }
                case .snapshot(let objects, let revision):
                    if self.position < objects.count {
                        defer { self.position += 1 }
                        return .added(objects[objects.startIndex + self.position])
                    }
                    if self.position == objects.count {
                        self.position += 1
                        return .initialEventsEnd(revision)
                    }
                }
                self.initial = .none  // release the snapshot as soon as it has been walked
                return nil
            }
        }
    }

    /// Walks the initial events, then the live changes.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private var initial: InitialEvents.Iterator
        private var taken: [CacheEvent<Attributes>] = []
        private var position = 0
        private let stream: CacheWatchStream

        init(stream: CacheWatchStream) {
            self.initial = stream.initialEvents.makeIterator()
            self.stream = stream
        }

        public mutating func next() async throws -> CacheEvent<Attributes>? {
            try await self.next(isolation: nil)
        }

        public mutating func next(
            isolation actor: isolated (any Actor)?
        ) async throws(any Error) -> CacheEvent<Attributes>? {
            // A cancelled consumer gets no more initial events; the live buffer then ends it.
            if !Task.isCancelled, let event = self.initial.next() { return event }
            while self.position == self.taken.count {
                let taken: WatchBuffer<CacheEvent<Attributes>>.Taken
                do {
                    taken = try await self.stream.live.take()
                } catch is CancellationError {
                    return nil
                }
                guard case .elements(let events) = taken else { return nil }
                self.taken = events
                self.position = 0
            }
            defer { self.position += 1 }
            return self.taken[self.position]
        }
    }
}
