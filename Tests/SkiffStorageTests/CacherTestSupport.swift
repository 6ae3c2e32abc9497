import SkiffStorage
import Synchronization
import Testing

/// A clock for cacher tests whose sleeps end only when the test calls ``tick()`` (or on cancellation).
final class ManualSleepClock: Sendable {
    private struct State {
        var nextID = 0
        var sleepers: [Int: CheckedContinuation<Void, any Error>] = [:]
    }

    private let state = Mutex(State())

    var storageClock: StorageClock {
        StorageClock(now: { .zero }, sleep: { _ in try await self.sleep() })
    }

    /// How many sleeps are pending.
    var sleeperCount: Int {
        self.state.withLock { $0.sleepers.count }
    }

    /// Ends every pending sleep.
    func tick() {
        let sleepers = self.state.withLock { state in
            defer { state.sleepers.removeAll() }
            return Array(state.sleepers.values)
        }
        for sleeper in sleepers {
            sleeper.resume()
        }
    }

    /// Suspends until at least `count` sleeps are pending.
    func waitForSleepers(_ count: Int) async {
        while self.sleeperCount < count {
            await Task.yield()
        }
    }

    private func sleep() async throws {
        let id = self.state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = self.state.withLock { state in
                    if Task.isCancelled { return true }
                    state.sleepers[id] = continuation
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let sleeper = self.state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.resume(throwing: CancellationError())
        }
    }
}

/// A store that forwards to an ``InMemoryStorage`` but whose watches the test can break, as a lost connection or a
/// compaction behind a slow watch would.
final class BreakableStorage: StorageBackend {
    let base: InMemoryStorage
    private let watches = Mutex<[WatchStream.Continuation]>([])
    private let watchCount = Mutex(0)

    init(_ base: InMemoryStorage) {
        self.base = base
    }

    /// How many times ``watch(prefix:from:)`` was called.
    var watchCalls: Int { self.watchCount.withLock { $0 } }

    /// Ends every open watch with `error`.
    func breakWatches(with error: any Error) {
        let continuations = self.watches.withLock { watches in
            defer { watches.removeAll() }
            return watches
        }
        for continuation in continuations {
            continuation.finish(throwing: error)
        }
    }

    func currentRevision() async throws -> Revision { try await self.base.currentRevision() }
    func compactRevision() async throws -> Revision { try await self.base.compactRevision() }
    func get(_ key: String, at revision: Revision?) async throws -> KeyValue? {
        try await self.base.get(key, at: revision)
    }
    func list(prefix: String, at revision: Revision?, limit: Int?, continueAfter: String?) async throws -> ListResult {
        try await self.base.list(prefix: prefix, at: revision, limit: limit, continueAfter: continueAfter)
    }
    func count(prefix: String) async throws -> Int { try await self.base.count(prefix: prefix) }
    func create(_ key: String, value: [UInt8], lease: LeaseID?) async throws -> KeyValue {
        try await self.base.create(key, value: value, lease: lease)
    }
    func update(_ key: String, value: [UInt8], expected: Revision, lease: LeaseID?) async throws -> KeyValue {
        try await self.base.update(key, value: value, expected: expected, lease: lease)
    }
    func delete(_ key: String, expected: Revision?) async throws -> DeleteResult {
        try await self.base.delete(key, expected: expected)
    }
    func grantLease(ttlSeconds: Int64) async throws -> LeaseID {
        try await self.base.grantLease(ttlSeconds: ttlSeconds)
    }
    func revokeLease(_ lease: LeaseID) async throws { try await self.base.revokeLease(lease) }
    func requestProgress() async throws { try await self.base.requestProgress() }
    func compact(through revision: Revision) async throws { try await self.base.compact(through: revision) }
    func performMaintenance() async throws { try await self.base.performMaintenance() }
    func run() async throws { try await self.base.run() }

    func watch(prefix: String, from revision: Revision?) async throws -> WatchStream {
        self.watchCount.withLock { $0 += 1 }
        let upstream = try await self.base.watch(prefix: prefix, from: revision)
        let (stream, continuation) = WatchStream.makeStream()
        let forward = Task {
            do {
                for try await response in upstream {
                    continuation.yield(response)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in forward.cancel() }
        self.watches.withLock { $0.append(continuation) }
        return stream
    }
}

/// Shorthands for cacher tests: attributes are the value as text.
enum CacherFixture {
    static let prefix = "/registry/pods/"

    static func makeCacher(
        _ storage: any StorageBackend,
        historyCapacity: Int = 10_000,
        watcherBufferSize: Int = 1_000,
        clock: StorageClock = .system,
        progressInterval: Duration = .seconds(5)
    ) -> Cacher<String> {
        Cacher(
            storage: storage,
            prefix: Self.prefix,
            historyCapacity: historyCapacity,
            watcherBufferSize: watcherBufferSize,
            progressInterval: progressInterval,
            clock: clock,
            attributes: { String(decoding: $0.value, as: UTF8.self) }
        )
    }

    /// Runs `cacher` in a child task while `body` runs, then cancels it.
    static func running<T: Sendable>(
        _ cacher: Cacher<String>,
        _ body: (Cacher<String>) async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await cacher.run() }
            defer { group.cancelAll() }
            try await cacher.waitUntilReady()
            return try await body(cacher)
        }
    }

    static func object(_ keyValue: KeyValue) -> CachedObject<String> {
        CachedObject(
            key: keyValue.key,
            value: keyValue.value,
            createRevision: keyValue.createRevision,
            modRevision: keyValue.modRevision,
            attributes: String(decoding: keyValue.value, as: UTF8.self)
        )
    }

    /// The error `operation` throws, or `nil`.
    static func error<T>(_ operation: () async throws -> T) async -> (any Error)? {
        do {
            _ = try await operation()
            return nil
        } catch {
            return error
        }
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// The next `count` events of a stream.
    static func next(
        _ count: Int,
        from iterator: inout Cacher<String>.EventStream.AsyncIterator
    ) async throws -> [CacheEvent<String>] {
        var events: [CacheEvent<String>] = []
        while events.count < count, let event = try await iterator.next(isolation: #isolation) {
            events.append(event)
        }
        return events
    }
}

/// Counts calls from any thread.
final class CallCounter: Sendable {
    private let value = Mutex(0)

    func increment() {
        self.value.withLock { $0 += 1 }
    }

    var count: Int { self.value.withLock { $0 } }
}

/// Waits, at most two seconds, until `condition` holds: for what a task of its own makes true, such as a watcher
/// being forgotten after its stream terminated (see `Cacher.watch` and `WatchHub.activate`).
func eventually(_ condition: () -> Bool) async throws {
    for _ in 0..<400 where !condition() {
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// Opens `rounds` watches one after another, consumes each on a task of its own and cancels that task after a
/// moment, as clients that go away do.
func cancelWatchConsumers<Stream: AsyncSequence & Sendable>(
    rounds: Int,
    _ watch: () async throws -> Stream
) async throws {
    for _ in 0..<rounds {
        let stream = try await watch()
        let consumer = Task.detached {
            // A watcher that falls behind ends too slow; that is fine here.
            for try await _ in stream {}
        }
        try await Task.sleep(for: .microseconds(200))
        consumer.cancel()
        _ = await consumer.result
    }
}
