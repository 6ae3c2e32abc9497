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
            // One more line than the replay holds: the watch must stay open after it, not end.
            let lines = try await withThrowingTaskGroup(of: [JSONValue]?.self) { group in
                group.addTask {
                    try await client.watchLines(
                        "/api/v1/namespaces/replay/configmaps?watch=true&resourceVersion=\(from)",
                        count: expected + 1
                    )
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(2))
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
            // The timer won: the watch stayed open after the whole replay. Read the replay again to check it.
            #expect(lines == nil, "the watch ended after \(lines?.count ?? 0) of \(expected) events")
            let replay = try await client.watchLines(
                "/api/v1/namespaces/replay/configmaps?watch=true&resourceVersion=\(from)",
                count: expected
            )
            #expect(replay.count == expected)
            #expect(replay.allSatisfy { $0["type"] == "ADDED" })
            #expect(replay.map { $0["object"]?["metadata"]?["name"]?.stringValue ?? "" } == (1..<Self.objects).map { "c\($0)" })
        }
    }

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

    @Test func creditsPaceAProducerAndCloseWakesIt() async throws {
        let credits = RelayCredits(2)
        #expect(await credits.acquire())
        #expect(await credits.acquire())
        let taken = Atomic<Int>(0)
        let waiting = Task {
            let granted = await credits.acquire()
            taken.add(1, ordering: .sequentiallyConsistent)
            return granted
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(taken.load(ordering: .sequentiallyConsistent) == 0)
        credits.release()
        #expect(await waiting.value)
        let blocked = Task { await credits.acquire() }
        try await Task.sleep(for: .milliseconds(20))
        credits.close()
        #expect(await blocked.value == false)
        #expect(await credits.acquire() == false)
        let cancelled = Task { await RelayCredits(1).acquireAfterTaking() }
        cancelled.cancel()
        #expect(await cancelled.value == false)
    }
}

extension RelayCredits {
    /// Takes the only permit, then waits for another (until cancelled).
    fileprivate func acquireAfterTaking() async -> Bool {
        _ = await self.acquire()
        return await self.acquire()
    }
}
