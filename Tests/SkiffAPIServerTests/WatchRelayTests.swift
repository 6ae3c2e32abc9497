import SkiffAPIMachinery
@testable import SkiffAPIServer
import Synchronization
import Testing

/// Watches longer than the relay between the watch cache and the client: the relay paces them and drops nothing.
struct WatchRelayTests {
    /// Creates `count` ConfigMaps in `namespace` and returns the resourceVersion of the first one.
    static func fill(_ client: TestClient, namespace: String, count: Int) async -> String {
        await client.request("POST", "/api/v1/namespaces", body: #"{"metadata":{"name":"\#(namespace)"}}"#)
        var first = ""
        for index in 0..<count {
            let reply = await client.request(
                "POST",
                "/api/v1/namespaces/\(namespace)/configmaps",
                body: #"{"metadata":{"name":"c\#(index)"},"data":{"k":"v"}}"#
            )
            #expect(reply.status == 201)
            if index == 0 { first = reply.json["metadata"]?["resourceVersion"]?.stringValue ?? "" }
        }
        return first
    }

    static let objects = APIHandler.watchRelayCapacity * 5

    @Test func aReplayLongerThanTheRelayArrivesWhole() async throws {
        try await withSQLiteHandler { client in
            let from = await Self.fill(client, namespace: "replay", count: Self.objects)
            let expected = Self.objects - 1
            // A watch that ended part-way would return fewer lines.
            let replay = try await client.watchLines(
                "/api/v1/namespaces/replay/configmaps?watch=true&resourceVersion=\(from)",
                count: expected
            )
            #expect(replay.count == expected)
            #expect(replay.allSatisfy { $0["type"] == "ADDED" })
            #expect(replay.map { $0["object"]?["metadata"]?["name"]?.stringValue ?? "" } == (1..<Self.objects).map { "c\($0)" })
        }
    }

    /// Without a resourceVersion a watch-list is a consistent read: its initial events hold every object created
    /// before it, however far the watch cache lags the store.
    @Test func aWatchListLongerThanTheRelayEndsWithItsBookmark() async throws {
        try await withSQLiteHandler { client in
            _ = await Self.fill(client, namespace: "listed", count: Self.objects)
            let lines = try await client.watchLines(
                "/api/v1/namespaces/listed/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true",
                count: Self.objects + 1
            )
            #expect(lines.count == Self.objects + 1)
            #expect(lines.prefix(Self.objects).allSatisfy { $0["type"] == "ADDED" })
            #expect(lines.last?["type"] == "BOOKMARK")
            #expect(
                lines.last?["object"]?["metadata"]?["annotations"]?["k8s.io/initial-events-end"] == "true"
            )
        }
    }

    /// One timer per watch serves both its bookmark ticks and its timeout.
    @Test func bookmarksTickUntilTheTimeoutEndsTheWatch() async throws {
        try await withSQLiteHandler(configuration: APIServerConfiguration(watchBookmarkInterval: .milliseconds(200))) { client in
            let from = await Self.fill(client, namespace: "ticking", count: 1)
            let clock = ContinuousClock()
            let start = clock.now
            let lines = try await client.watchLines(
                "/api/v1/namespaces/ticking/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=\(from)",
                count: 1000
            ) {
                await client.request("POST", "/api/v1/namespaces/ticking/configmaps", body: #"{"metadata":{"name":"late"}}"#)
            }
            let elapsed = clock.now - start
            #expect(lines.first?["type"] == "ADDED")
            let bookmarks = lines.dropFirst().filter { $0["type"] == "BOOKMARK" }
            #expect(bookmarks.count >= 2, "ticks every 200 ms for a second: \(lines.count) lines")
            #expect(bookmarks.count == lines.count - 1, "nothing but bookmarks after the change")
            #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(10), "ended by its timeout after \(elapsed)")
        }
    }

    @Test func aWatchWithoutBookmarksEndsAtItsTimeout() async throws {
        try await withSQLiteHandler { client in
            _ = await Self.fill(client, namespace: "quiet", count: 0)
            let clock = ContinuousClock()
            let start = clock.now
            let lines = try await client.watchLines(
                "/api/v1/namespaces/quiet/configmaps?watch=true&timeoutSeconds=1&resourceVersion=0",
                count: 1000
            )
            let elapsed = clock.now - start
            #expect(lines.isEmpty)
            #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(10), "ended by its timeout after \(elapsed)")
        }
    }

    @Test func theRelayPacesItsProducerAndHandsTheWriterEverythingQueued() async throws {
        let relay = WatchRelay<Int>(capacity: 2)
        #expect(await relay.push(1))
        #expect(await relay.push(2))
        let pushed = Atomic<Int>(0)
        let producer = Task {
            let accepted = await relay.push(3)
            pushed.add(1, ordering: .sequentiallyConsistent)
            return accepted
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(pushed.load(ordering: .sequentiallyConsistent) == 0, "a full relay makes its producer wait")
        #expect(await relay.takeAll() == [1, 2])
        #expect(await producer.value)
        relay.pushWithoutWaiting(4)
        #expect(await relay.takeAll() == [3, 4])
        // A writer waiting for items gets the next one at once; after finish, the rest and then nil.
        let writer = Task { await relay.takeAll() }
        try await Task.sleep(for: .milliseconds(20))
        #expect(await relay.push(5))
        #expect(await writer.value == [5])
        #expect(await relay.push(6))
        relay.finish()
        #expect(await relay.push(7) == false)
        #expect(await relay.takeAll() == [6])
        #expect(await relay.takeAll() == nil)
    }

    @Test func closingOrCancellingTurnsTheOtherSideAway() async throws {
        let relay = WatchRelay<Int>(capacity: 1)
        #expect(await relay.push(1))
        let blocked = Task { await relay.push(2) }
        try await Task.sleep(for: .milliseconds(20))
        relay.close()
        #expect(await blocked.value == false)
        #expect(await relay.push(3) == false)

        let idle = WatchRelay<Int>(capacity: 1)
        let writer = Task { await idle.takeAll() }
        try await Task.sleep(for: .milliseconds(20))
        writer.cancel()
        #expect(await writer.value == nil)
        #expect(await idle.push(1) == false, "a cancelled writer closes the relay")

        let full = WatchRelay<Int>(capacity: 1)
        #expect(await full.push(1))
        let producer = Task { await full.push(2) }
        try await Task.sleep(for: .milliseconds(20))
        producer.cancel()
        #expect(await producer.value == false)
    }
}
