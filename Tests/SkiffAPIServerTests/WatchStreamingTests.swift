import SkiffAPIMachinery
@testable import SkiffAPIServer
import Testing

/// Watches longer than one write (initial events go out in batches; live changes as the cache buffered them), and
/// the timer that ticks bookmarks and ends watches.
struct WatchStreamingTests {
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

    static let objects = APIHandler.initialEventBatch * 5

    @Test func aReplayOfManyBatchesArrivesWhole() async throws {
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
    @Test func aWatchListOfManyBatchesEndsWithItsBookmark() async throws {
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
}
