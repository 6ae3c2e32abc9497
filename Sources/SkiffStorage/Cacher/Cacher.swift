import Synchronization

/// An in-memory cache of every object under one key prefix, fed by one storage watch, that serves lists and
/// watches: apiserver's `pkg/storage/cacher`.
///
/// The API server keeps one cacher per resource (for example `/registry/pods/`). ``run()`` lists the prefix, then
/// applies one ``StorageBackend/watch(prefix:from:)`` stream to the objects and to a ring of the last
/// `historyCapacity` changes, and fans every change out to the cacher's watchers. Lists at `resourceVersion=0` and
/// every watch are then served from memory, whatever the number of clients.
///
/// - **Consistency.** ``list(prefix:notOlderThan:timeout:)``, ``get(key:notOlderThan:timeout:)`` and
///   ``watch(prefix:from:timeout:)`` wait until the cache has reached the requested revision, up to a timeout, and
///   then throw ``CacherError/Code/tooLargeResourceVersion``. A wait for a revision the cache has not seen asks the
///   store for a progress notification, so writes to other prefixes do not delay it.
/// - **Watches** deliver changes in revision order without gaps or duplicates, replaying the history ring first
///   (``WatchStart/after(_:)``) or a snapshot (``WatchStart/initialState(notOlderThan:)``). Each watcher has its
///   own bounded buffer: one that falls `watcherBufferSize` events behind ends with
///   ``StorageError/Code/watcherTooSlow`` and never slows the cache or the other watchers.
/// - **Progress.** Every `progressInterval`, the cacher calls ``StorageBackend/requestProgress()``; the
///   notification advances ``revision`` (after writes to other prefixes) and, when it is newer than the last
///   change or bookmark delivered, reaches every watcher as ``CacheEvent/progress(_:)``.
/// - **Recovery.** When the storage watch ends with ``StorageError/Code/compacted`` or
///   ``StorageError/Code/watcherTooSlow`` (or fails otherwise, after a back-off), the cacher lists again and
///   rebuilds; its watchers end with ``CacherError/Code/tooOld``, since the changes in between are lost, and
///   watch again. When ``run()`` returns they end with ``CacherError/Code/unavailable``.
///
/// The `attributes` closure runs once per stored change, never per watcher or per list, and not at all for a
/// change whose writer offered its attributes beforehand (``expect(_:at:attributes:)``). A change whose attributes
/// equal the replaced version's keeps that version's copy, so the versions the history ring holds share it.
///
/// ## Topics
/// ### Running
/// - ``run()``
/// - ``waitUntilReady()``
/// - ``revision``
/// ### Reading
/// - ``list(prefix:notOlderThan:timeout:)``
/// - ``get(key:notOlderThan:timeout:)``
/// ### Watching
/// - ``watch(prefix:from:timeout:)``
/// - ``WatchStart``
/// - ``CacheWatchStream``
/// - ``CacheEvent``
/// - ``CachedObject``
/// ### Writing through the cache's owner
/// - ``expect(_:at:attributes:)``
/// - ``withdrawExpectation(at:)``
/// ### Errors
/// - ``CacherError``
public final class Cacher<Attributes: Sendable & Equatable>: Sendable {
    /// The stream ``watch(prefix:from:timeout:)`` returns: its initial events, then live changes.
    public typealias EventStream = CacheWatchStream<Attributes>

    /// Where a watch starts.
    public enum WatchStart: Sendable {
        /// With the changes after the cache's current revision.
        case now
        /// With every change after this revision, replayed from the history ring, then live changes.
        ///
        /// Throws ``CacherError/Code/tooOld`` when the ring no longer covers the revision.
        case after(Revision)
        /// With ``CacheEvent/added(_:)`` for every object, then ``CacheEvent/initialEventsEnd(_:)``, then live
        /// changes (Kubernetes' watch-list, `sendInitialEvents=true`), at a revision not older than the one given.
        case initialState(notOlderThan: Revision?)
    }

    private struct Watcher {
        var prefix: String
        var buffer: WatchBuffer<CacheEvent<Attributes>>
    }

    private struct Waiter {
        var target: Revision?
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var ready = false
        var stopped = false
        var revision = Revision.zero
        /// The last revision the watchers were told about, by a change or a bookmark.
        var announced = Revision.zero
        var objects = SortedObjects<Attributes>()
        var history: HistoryRing<Attributes>
        var watchers: [Int: Watcher] = [:]
        var waiters: [Int: Waiter] = [:]
        var nextID = 0

        mutating func makeID() -> Int {
            defer { self.nextID += 1 }
            return self.nextID
        }

        /// Whether a read at `target` can be served now; throws when the cache stopped.
        func isFresh(_ target: Revision?) throws -> Bool {
            if self.stopped { throw CacherError.stopped }
            guard self.ready else { return false }
            guard let target else { return true }
            return self.revision >= target
        }
    }

    /// What a change of state leaves to do outside the lock: finishing a watcher's buffer resumes its consumer, and
    /// resuming a continuation must not happen under it.
    private struct Effects {
        var finish: [(WatchBuffer<CacheEvent<Attributes>>, any Error)] = []
        var resume: [CheckedContinuation<Void, any Error>] = []
        var fail: [(CheckedContinuation<Void, any Error>, any Error)] = []

        func perform() {
            for (buffer, error) in self.finish { buffer.finish(throwing: error) }
            for continuation in self.resume { continuation.resume() }
            for (continuation, error) in self.fail { continuation.resume(throwing: error) }
        }
    }

    private let storage: any StorageBackend
    /// The key prefix this cache holds, for example `/registry/pods/`.
    public let prefix: String
    /// How many past changes the cache keeps for watches that resume after a past revision.
    public let historyCapacity: Int
    /// How many events a watcher may leave undelivered before it ends with ``StorageError/Code/watcherTooSlow``.
    public let watcherBufferSize: Int
    /// How often ``run()`` asks the store for a progress notification.
    public let progressInterval: Duration
    private let clock: StorageClock
    private let makeAttributes: @Sendable (KeyValue) -> Attributes
    private let state: Mutex<State>
    /// Attributes writers offered for values they are about to store, by key (``expect(_:at:attributes:)``).
    private let expectations = Mutex<[String: Expectation]>([:])

    private struct Expectation {
        var value: [UInt8]
        var attributes: Attributes
    }

    /// How many offered attributes are kept at most; past that, they are all dropped.
    static var expectationLimit: Int { 4096 }

    /// How many keys ``run()`` reads per page when it lists the store.
    static var listPageSize: Int { 10_000 }

    /// Makes a cache of the keys under `prefix`; it fills when ``run()`` runs.
    ///
    /// - Parameters:
    ///   - storage: the store to list and watch.
    ///   - prefix: the keys to cache, for example `/registry/pods/`.
    ///   - historyCapacity: how many past changes to keep for ``WatchStart/after(_:)`` (at least 1).
    ///   - watcherBufferSize: how many events a watcher may fall behind before it is terminated (at least 1); a
    ///     watch's replayed history or initial snapshot comes on top.
    ///   - progressInterval: how often to request a progress notification from the store.
    ///   - clock: how the cacher waits (progress requests, timeouts, back-off).
    ///   - attributes: derives the ``CachedObject/attributes`` of a stored key, once per change.
    public init(
        storage: any StorageBackend,
        prefix: String,
        historyCapacity: Int = 10_000,
        watcherBufferSize: Int = 1_000,
        progressInterval: Duration = .seconds(5),
        clock: StorageClock = .system,
        attributes: @escaping @Sendable (KeyValue) -> Attributes
    ) {
        self.storage = storage
        self.prefix = prefix
        self.historyCapacity = max(1, historyCapacity)
        self.watcherBufferSize = max(1, watcherBufferSize)
        self.progressInterval = progressInterval
        self.clock = clock
        self.makeAttributes = attributes
        self.state = Mutex(State(history: HistoryRing(capacity: max(1, historyCapacity), floor: .zero)))
    }

    /// The revision the cache is at: every change up to it has been applied (`0` before the first list).
    public var revision: Revision {
        self.state.withLock { $0.revision }
    }

    /// Whether the first list has been loaded and the cache is running.
    public var isReady: Bool {
        self.state.withLock { $0.ready && !$0.stopped }
    }

    /// How many watchers are registered.
    public var watcherCount: Int {
        self.state.withLock { $0.watchers.count }
    }

    // MARK: Running

    /// Lists the prefix, watches it and applies the changes until the task is cancelled, then ends every watch.
    ///
    /// Re-lists when the storage watch fails (immediately after ``StorageError/Code/compacted`` or
    /// ``StorageError/Code/watcherTooSlow``, after a back-off otherwise); it never throws for a storage failure.
    /// Shaped to be wrapped as a ServiceLifecycle `Service`.
    public func run() async throws {
        self.state.withLock { $0.stopped = false }
        await withDiscardingTaskGroup { group in
            group.addTask { await self.requestProgressPeriodically() }
            await self.listAndWatch()
            group.cancelAll()
        }
        self.stop()
    }

    /// Suspends until the first list is loaded; throws `CancellationError` when cancelled and
    /// ``CacherError/Code/unavailable`` when the cache stops.
    public func waitUntilReady() async throws {
        try await self.waitForFresh(nil)
    }

    /// Suspends until the first list is loaded, as ``waitUntilReady()``; after `timeout`, throws
    /// ``CacherError/Code/notReady`` (as a read of a cache that is not ready does).
    public func waitUntilReady(timeout: Duration) async throws {
        try await self.waitUntilFresh(nil, timeout: timeout)
    }

    private func listAndWatch() async {
        let initialBackOff = Duration.milliseconds(100)
        var backOff = initialBackOff
        while !Task.isCancelled {
            do {
                let listed = try await self.relist()
                backOff = initialBackOff
                let stream = try await self.storage.watch(prefix: self.prefix, from: Revision(listed.rawValue + 1))
                self.markReady()  // ready once the watch is established, so progress requests reach it
                for try await response in stream {
                    self.apply(response)
                }
                if Task.isCancelled { return }
                throw StorageError(code: .unavailable, message: "the storage watch ended")
            } catch where Task.isCancelled {
                return
            } catch let error as StorageError where error.code == .compacted || error.code == .watcherTooSlow {
                continue  // the position is lost: list again at once
            } catch {
                do {
                    try await self.clock.sleep(backOff)
                } catch {
                    return
                }
                backOff = min(backOff * 2, .seconds(30))
            }
        }
    }

    private func requestProgressPeriodically() async {
        while !Task.isCancelled {
            do {
                try await self.clock.sleep(self.progressInterval)
            } catch {
                return
            }
            try? await self.storage.requestProgress()  // a failing store is the watch's business, not ours
        }
    }

    /// Lists the whole prefix at one revision and replaces the cache's contents; returns the list's revision.
    private func relist() async throws -> Revision {
        var objects: [CachedObject<Attributes>] = []
        var page = try await self.storage.list(
            prefix: self.prefix,
            at: nil,
            limit: Self.listPageSize,
            continueAfter: nil
        )
        let revision = page.revision
        while true {
            objects.reserveCapacity(objects.count + page.keyValues.count)
            for keyValue in page.keyValues {
                objects.append(self.cachedObject(keyValue))
            }
            guard page.hasMore, let last = page.keyValues.last else { break }
            page = try await self.storage.list(
                prefix: self.prefix,
                at: revision,
                limit: Self.listPageSize,
                continueAfter: last.key
            )
        }
        let sorted = SortedObjects(objects)
        let effects = self.state.withLock { state -> Effects in
            var effects = Effects()
            for (_, watcher) in state.watchers {
                let error = CacherError(
                    code: .tooOld,
                    message: "the watch cache listed the store again at revision \(revision); watch again",
                    requested: state.revision,
                    oldest: revision
                )
                effects.finish.append((watcher.buffer, error))
            }
            state.watchers.removeAll()
            state.objects = sorted
            state.history.reset(floor: revision)
            state.revision = max(state.revision, revision)
            state.announced = state.revision
            return effects
        }
        effects.perform()
        return revision
    }

    private func markReady() {
        let effects = self.state.withLock { state -> Effects in
            var effects = Effects()
            state.ready = true
            Self.collectSatisfiedWaiters(in: &state, into: &effects)
            return effects
        }
        effects.perform()
    }

    private func cachedObject(_ keyValue: KeyValue) -> CachedObject<Attributes> {
        CachedObject(
            key: keyValue.key,
            value: keyValue.value,
            createRevision: keyValue.createRevision,
            modRevision: keyValue.modRevision,
            attributes: self.takeExpectation(keyValue) ?? self.makeAttributes(keyValue)
        )
    }

    // MARK: Offered attributes

    /// Offers the attributes of `value`, which the caller is about to write under `key`, so that the change does
    /// not have to be decoded again when the store's watch delivers it (the writer already holds the object).
    ///
    /// The attributes must be what the `attributes` closure would derive from these bytes. They are used once:
    /// by the change of `key` carrying exactly these bytes; any other change of `key` drops them. A caller whose
    /// write fails calls ``withdrawExpectation(at:)``. At most a few thousand are kept, so a forgotten one costs
    /// nothing but its memory until then.
    public func expect(_ value: [UInt8], at key: String, attributes: Attributes) {
        self.expectations.withLock { expectations in
            if expectations.count >= Self.expectationLimit { expectations.removeAll(keepingCapacity: true) }
            expectations[key] = Expectation(value: value, attributes: attributes)
        }
    }

    /// Drops the attributes offered for `key` (its write failed).
    public func withdrawExpectation(at key: String) {
        _ = self.expectations.withLock { $0.removeValue(forKey: key) }
    }

    /// The attributes offered for this exact change, if any; forgets what was offered for its key either way.
    private func takeExpectation(_ keyValue: KeyValue) -> Attributes? {
        guard let expectation = self.expectations.withLock({ $0.removeValue(forKey: keyValue.key) }) else {
            return nil
        }
        // The writer hands the store the same array, so this is usually an identity check.
        return expectation.value == keyValue.value ? expectation.attributes : nil
    }

    /// Applies one storage watch response: changes to the objects and the ring, fanned out to the watchers.
    private func apply(_ response: WatchResponse) {
        // The attributes are computed here, once per change, outside the lock.
        let puts: [CachedObject<Attributes>?] = response.events.map { event in
            event.kind == .put ? self.cachedObject(event.keyValue) : nil
        }
        let effects = self.state.withLock { state -> Effects in
            var effects = Effects()
            for (event, put) in zip(response.events, puts) where event.revision > state.revision {
                let change: CacheEvent<Attributes>
                if var put {
                    if let previous = state.objects.upsert(&put) {
                        change = .modified(put, previous: previous)
                    } else {
                        change = .added(put)
                    }
                } else {
                    guard let previous = state.objects.remove(key: event.keyValue.key) else { continue }
                    change = .deleted(previous: previous, revision: event.revision)
                }
                state.revision = event.revision
                state.announced = event.revision
                state.history.append(change)
                self.fanOut(change, key: event.keyValue.key, in: &state, effects: &effects)
            }
            if response.revision > state.revision {
                state.revision = response.revision
            }
            // A bookmark only when it tells the watchers something: a revision beyond the last one they saw
            // (on-demand progress requests from reads must not cost every watcher an event).
            if response.isProgressNotification, state.revision > state.announced {
                state.announced = state.revision
                self.fanOut(.progress(state.revision), key: nil, in: &state, effects: &effects)
            }
            Self.collectSatisfiedWaiters(in: &state, into: &effects)
            return effects
        }
        effects.perform()
    }

    /// Yields `event` to every watcher whose prefix matches `key` (every watcher for a marker); a watcher whose
    /// buffer is full is removed and finished (by the caller) with ``StorageError/Code/watcherTooSlow``.
    private func fanOut(
        _ event: CacheEvent<Attributes>,
        key: String?,
        in state: inout State,
        effects: inout Effects
    ) {
        var gone: [Int] = []
        for (id, watcher) in state.watchers {
            if let key, !KeyOrder.hasPrefix(key, watcher.prefix) { continue }
            switch watcher.buffer.yield(event) {
            case .enqueued:
                break
            case .dropped:
                gone.append(id)
                effects.finish.append((watcher.buffer, Self.tooSlow))
            case .terminated:
                gone.append(id)
            }
        }
        for id in gone {
            state.watchers[id] = nil
        }
    }

    private static func collectSatisfiedWaiters(in state: inout State, into effects: inout Effects) {
        guard state.ready, !state.waiters.isEmpty else { return }
        let revision = state.revision
        for (id, waiter) in state.waiters where waiter.target.map({ revision >= $0 }) ?? true {
            state.waiters[id] = nil
            effects.resume.append(waiter.continuation)
        }
    }

    /// Marks the cache stopped: ends every watch and wait with ``CacherError/Code/unavailable``.
    private func stop() {
        let effects = self.state.withLock { state -> Effects in
            var effects = Effects()
            state.stopped = true
            state.ready = false
            for (_, watcher) in state.watchers {
                effects.finish.append((watcher.buffer, CacherError.stopped))
            }
            for (_, waiter) in state.waiters {
                effects.fail.append((waiter.continuation, CacherError.stopped))
            }
            state.watchers.removeAll()
            state.waiters.removeAll()
            return effects
        }
        effects.perform()
    }

    static var tooSlow: StorageError {
        StorageError(
            code: .watcherTooSlow,
            message: "the watcher fell too far behind the watch cache and was terminated; watch again"
        )
    }

    // MARK: Reading

    /// The objects whose key starts with `prefix`, in key order, at a revision not older than `notOlderThan`.
    ///
    /// - Parameters:
    ///   - prefix: the cached prefix or a longer one (for example `/registry/pods/default/`); otherwise throws
    ///     ``CacherError/Code/invalidArgument``.
    ///   - notOlderThan: the oldest acceptable revision (`nil`: whatever the cache holds, `resourceVersion=0`).
    ///   - timeout: how long to wait for the cache to reach `notOlderThan` (or its first list) before throwing
    ///     ``CacherError/Code/tooLargeResourceVersion`` (or ``CacherError/Code/notReady``).
    /// - Returns: the objects and the revision of the cache they were read at.
    public func list(
        prefix: String,
        notOlderThan: Revision?,
        timeout: Duration = .seconds(3)
    ) async throws -> (objects: [CachedObject<Attributes>], revision: Revision) {
        try self.validate(prefix)
        try await self.waitUntilFresh(notOlderThan, timeout: timeout)
        let (snapshot, revision) = try self.state.withLock { state in
            if state.stopped { throw CacherError.stopped }
            return (state.objects.snapshot(prefix: prefix), state.revision)  // shares the chunks, copy-on-write
        }
        return (Array(snapshot), revision)
    }

    /// The object stored under `key` (`nil` if there is none), at a revision not older than `notOlderThan`.
    ///
    /// Waits and throws as ``list(prefix:notOlderThan:timeout:)``; returns the revision the cache was read at.
    public func get(
        key: String,
        notOlderThan: Revision?,
        timeout: Duration = .seconds(3)
    ) async throws -> (object: CachedObject<Attributes>?, revision: Revision) {
        try self.validate(key)
        try await self.waitUntilFresh(notOlderThan, timeout: timeout)
        return try self.state.withLock { state in
            if state.stopped { throw CacherError.stopped }
            return (state.objects.object(forKey: key), state.revision)
        }
    }

    private func validate(_ prefix: String) throws {
        guard KeyOrder.hasPrefix(prefix, self.prefix) else {
            throw CacherError(
                code: .invalidArgument,
                message: "\(prefix) is outside the cached prefix \(self.prefix)"
            )
        }
    }

    // MARK: Watching

    /// A stream of the changes to the objects whose key starts with `prefix`, from `start`.
    ///
    /// Waits for the cache to reach the revision `start` names, as ``list(prefix:notOlderThan:timeout:)`` does.
    /// The stream ends with ``StorageError/Code/watcherTooSlow`` when its consumer falls ``watcherBufferSize``
    /// events behind (never blocking the other watchers), with ``CacherError/Code/tooOld`` when the cache re-lists
    /// the store, and with ``CacherError/Code/unavailable`` when ``run()`` returns. Dropping the stream or
    /// cancelling its consumer removes the watcher.
    ///
    /// The initial events of ``WatchStart/initialState(notOlderThan:)`` are read from one immutable snapshot
    /// shared by every watch started at the same revision (see ``CacheWatchStream``); none is copied per watcher.
    ///
    /// Throws ``CacherError/Code/tooOld`` when `start` is ``WatchStart/after(_:)`` a revision the history ring
    /// no longer covers.
    public func watch(
        prefix: String,
        from start: WatchStart,
        timeout: Duration = .seconds(3)
    ) async throws -> EventStream {
        try self.validate(prefix)
        let target: Revision? =
            switch start {
            case .now: nil
            case .after(let revision): revision
            case .initialState(let notOlderThan): notOlderThan
            }
        try await self.waitUntilFresh(target, timeout: timeout)
        return try self.state.withLock { state in
            if state.stopped { throw CacherError.stopped }
            let initial: EventStream.Initial
            switch start {
            case .now:
                initial = .none
            case .after(let revision):
                guard let events = state.history.events(after: revision, prefix: prefix) else {
                    throw CacherError.tooOld(requested: revision, oldest: state.history.floor)
                }
                initial = .replay(events)
            case .initialState:
                // A view of the copy-on-write chunks: every watch-list until the next write shares them.
                initial = .snapshot(state.objects.snapshot(prefix: prefix), revision: state.revision)
            }
            // The initial events are walked by the consumer, outside this buffer, so they never count as falling
            // behind; live changes made after the snapshot (or the replay) queue here.
            let live = WatchBuffer<CacheEvent<Attributes>>(capacity: self.watcherBufferSize)
            let id = state.makeID()
            live.onTermination { [weak self] in
                // From a task of its own, as in WatchHub: termination may run under the runtime's lock on the
                // consuming task (its cancellation handler), which a fan-out holding this cacher's lock may be
                // resuming.
                guard let self else { return }
                Task { self.removeWatcher(id) }
            }
            state.watchers[id] = Watcher(prefix: prefix, buffer: live)
            return EventStream(initial: initial, live: live)
        }
    }

    private func removeWatcher(_ id: Int) {
        _ = self.state.withLock { $0.watchers.removeValue(forKey: id) }
    }

    // MARK: Waiting

    private struct TimedOut: Error {}

    /// Suspends until the cache is ready and at `target` or later; after `timeout`, throws
    /// ``CacherError/Code/notReady`` or ``CacherError/Code/tooLargeResourceVersion``.
    private func waitUntilFresh(_ target: Revision?, timeout: Duration) async throws {
        let (fresh, ready) = try self.state.withLock { state in (try state.isFresh(target), state.ready) }
        if fresh { return }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await self.waitForFresh(target)
                }
                group.addTask {
                    try await self.clock.sleep(timeout)
                    throw TimedOut()
                }
                if ready {
                    // The revision may belong to another prefix: ask the store to tell us how far it is.
                    try? await self.storage.requestProgress()
                }
                defer { group.cancelAll() }
                _ = try await group.next()
            }
        } catch is TimedOut {
            throw self.state.withLock { state -> CacherError in
                if state.stopped { return CacherError.stopped }
                guard state.ready, let target else { return CacherError.notReady }
                return CacherError.tooLargeResourceVersion(requested: target, current: state.revision)
            }
        }
    }

    /// Suspends, without a timeout, until the cache is ready and at `target` or later.
    private func waitForFresh(_ target: Revision?) async throws {
        let id = self.state.withLock { $0.makeID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = self.state.withLock { state -> Result<Bool, any Error> in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    do {
                        if try state.isFresh(target) { return .success(true) }
                    } catch {
                        return .failure(error)
                    }
                    state.waiters[id] = Waiter(target: target, continuation: continuation)
                    return .success(false)
                }
                switch outcome {
                case .success(true): continuation.resume()
                case .success(false): break
                case .failure(let error): continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }
}
