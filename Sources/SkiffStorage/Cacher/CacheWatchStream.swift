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
    let live: AsyncThrowingStream<CacheEvent<Attributes>, any Error>

    init(initial: Initial, live: AsyncThrowingStream<CacheEvent<Attributes>, any Error>) {
        self.initial = initial
        self.live = live
    }

    /// How many events come before the live changes (the snapshot and its end marker, or the replayed history).
    public var initialEventCount: Int {
        switch self.initial {
        case .none: 0
        case .replay(let events): events.count
        case .snapshot(let objects, _): objects.count + 1
        }
    }

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
        AsyncIterator(initial: self.initial, live: self.live.makeAsyncIterator())
    }

    /// Walks the initial events, then the live stream.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private var initial: Initial
        private var position = 0
        private var live: AsyncThrowingStream<CacheEvent<Attributes>, any Error>.AsyncIterator

        init(initial: Initial, live: AsyncThrowingStream<CacheEvent<Attributes>, any Error>.AsyncIterator) {
            self.initial = initial
            self.live = live
        }

        /// The next initial event, if any remain (moving past them to the live phase otherwise).
        private mutating func nextInitial() -> CacheEvent<Attributes>? {
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

        public mutating func next() async throws -> CacheEvent<Attributes>? {
            // A cancelled consumer gets no more initial events; the live stream then ends it.
            if !Task.isCancelled, let event = self.nextInitial() { return event }
            return try await self.live.next(isolation: #isolation)
        }

        public mutating func next(
            isolation actor: isolated (any Actor)?
        ) async throws(any Error) -> CacheEvent<Attributes>? {
            if !Task.isCancelled, let event = self.nextInitial() { return event }
            return try await self.live.next(isolation: actor)
        }
    }
}
