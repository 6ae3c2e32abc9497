import SkiffStorage
import Testing

struct WatchHubTests {
    static func put(_ key: String, _ revision: Int64) -> StorageEvent {
        StorageEvent(
            kind: .put,
            keyValue: KeyValue(
                key: key,
                value: [],
                createRevision: Revision(revision),
                modRevision: Revision(revision),
                version: 1
            ),
            previous: nil
        )
    }

    @Test
    func changesPublishedWhileCatchingUpFollowTheHistory() async throws {
        let hub = WatchHub(revision: 3, bufferLimit: 10)
        let (id, published) = try hub.register(prefix: "/a/", from: 2)
        #expect(published == 3)
        hub.publish([Self.put("/a/x", 4), Self.put("/b/x", 5)])
        hub.publish([Self.put("/a/y", 6)])
        let stream = hub.activate(id, history: [Self.put("/a/h", 2), Self.put("/a/i", 3)])
        hub.publish([Self.put("/a/z", 7)])
        var revisions: [Revision] = []
        for try await response in stream {
            revisions += response.events.map(\.revision)
            if revisions.last == 7 { break }
        }
        #expect(revisions == [2, 3, 4, 6, 7])
    }

    @Test
    func aWatcherOverflowingWhileCatchingUpEndsTooSlow() async throws {
        let hub = WatchHub(revision: 0, bufferLimit: 2)
        let (id, _) = try hub.register(prefix: "/", from: 1)
        for revision in 1...5 {
            hub.publish([Self.put("/k", Int64(revision))])
        }
        let stream = hub.activate(id, history: [])
        let error = await #expect(throws: StorageError.self) {
            for try await _ in stream {}
        }
        #expect(error?.code == .watcherTooSlow)
        #expect(hub.watcherCount == 0)
    }

    @Test
    func progressNotificationsCarryThePublishedRevision() async throws {
        let hub = WatchHub(revision: 0, bufferLimit: 10)
        let stream = try await hub.watch(prefix: "/quiet/", from: nil) { _, _ in [] }
        hub.publish([Self.put("/loud/a", 1), Self.put("/loud/b", 2)])
        hub.progress()
        var iterator = stream.makeAsyncIterator()
        let response = try await iterator.next()
        #expect(response == WatchResponse(events: [], revision: 2))
    }

    @Test
    func cancellingTheConsumerRemovesTheWatcher() async throws {
        let hub = WatchHub(revision: 0, bufferLimit: 10)
        let stream = try await hub.watch(prefix: "/", from: nil) { _, _ in [] }
        #expect(hub.watcherCount == 1)
        let consumer = Task {
            for try await _ in stream {}
        }
        consumer.cancel()
        _ = await consumer.result
        try await eventually { hub.watcherCount == 0 }
        #expect(hub.watcherCount == 0)
    }

    @Test
    func closingEndsEveryWatchAndRefusesNewOnes() async throws {
        let hub = WatchHub(revision: 0, bufferLimit: 10)
        let stream = try await hub.watch(prefix: "/", from: nil) { _, _ in [] }
        hub.close(with: StorageError(code: .unavailable, message: "closed"))
        let ended = await #expect(throws: StorageError.self) {
            for try await _ in stream {}
        }
        #expect(ended?.code == .unavailable)
        let refused = await #expect(throws: StorageError.self) {
            try await hub.watch(prefix: "/", from: nil) { _, _ in [] }
        }
        #expect(refused?.code == .unavailable)
    }

    @Test
    func aFailedHistoryReadUnregistersTheWatcher() async throws {
        let hub = WatchHub(revision: 5, bufferLimit: 10)
        let error = await #expect(throws: StorageError.self) {
            try await hub.watch(prefix: "/", from: 2) { _, _ in
                throw StorageError.compacted(compactRevision: 3)
            }
        }
        #expect(error?.code == .compacted)
        #expect(hub.watcherCount == 0)
    }
}

/// A watch cancelled while a publish delivers to it must not deadlock: cancelling runs the stream's termination
/// under the runtime's lock on the consuming task, while a publish, holding the hub's lock, resumes that task.
@Suite(.timeLimit(.minutes(1)))
struct WatchHubCancellationTests {
    @Test func cancellingWatchesWhilePublishingNeverDeadlocks() async throws {
        let hub = WatchHub(revision: 0, bufferLimit: 1_000)
        let publisher = Task.detached {
            var revision: Int64 = 0
            while !Task.isCancelled {
                revision += 1
                hub.publish([WatchHubTests.put("/k", revision)])
                // Lets the rest of the test (and of the suite) run on this thread too.
                await Task.yield()
            }
        }
        try await cancelWatchConsumers(rounds: 400) {
            try await hub.watch(prefix: "/", from: nil) { _, _ in [] }
        }
        publisher.cancel()
        _ = await publisher.value
        // Cancelled watchers are forgotten, if not at once.
        try await eventually { hub.watcherCount == 0 }
        #expect(hub.watcherCount == 0)
    }
}
