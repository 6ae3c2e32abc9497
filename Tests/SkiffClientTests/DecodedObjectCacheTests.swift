import SkiffAPI
import SkiffAPIMachinery
import SkiffClient
import Testing

/// Clients sharing a ``DecodedObjectCache`` decode each stored object version once, and get exactly what a
/// client of their own would have decoded.
struct DecodedObjectCacheTests {
    /// Two clients of one API, as the scheduler and the controller manager are in `skiff server`.
    static func clients(_ api: TestAPI, cache: DecodedObjectCache) -> (APIClient, APIClient) {
        (
            APIClient(transport: api.transport, rateLimit: .unlimited, decodedObjects: cache),
            APIClient(transport: api.transport, rateLimit: .unlimited, decodedObjects: cache)
        )
    }

    @Test func listsShareTheVersionsTheyDecode() async throws {
        try await TestAPI.with { api in
            for name in ["a", "b", "c"] { _ = try await api.client.pods("default").create(.named(name, labels: ["app": "web"])) }
            let cache = DecodedObjectCache()
            let (first, second) = Self.clients(api, cache: cache)

            let firstList = try await first.pods("default").list()
            #expect(cache.statistics.hits == 0)
            #expect(cache.statistics.misses == 3)
            let secondList = try await second.pods("default").list()
            #expect(cache.statistics.hits == 3)
            #expect(cache.statistics.misses == 3)
            // The same values a client without the cache decodes.
            let plain = try await api.client.pods("default").list()
            #expect(firstList.items == plain.items)
            #expect(secondList.items == plain.items)
            #expect(secondList.resourceVersion == plain.resourceVersion)

            // A new version is a new entry: an update is decoded once more, then shared.
            var pod = try #require(plain.items.first)
            pod.metadata.labels?["tier"] = "front"
            let updated = try await api.client.pods("default").update(pod)
            _ = try await first.pods("default").list(ListOptions(fieldSelector: "metadata.name=a"))
            let shared = try await second.pods("default").list(ListOptions(fieldSelector: "metadata.name=a"))
            #expect(cache.statistics.hits == 4)
            #expect(cache.statistics.misses == 4)
            #expect(shared.items == [updated])
        }
    }

    @Test func watchesShareTheVersionsTheyDecode() async throws {
        try await TestAPI.with { api in
            let cache = DecodedObjectCache()
            let (first, second) = Self.clients(api, cache: cache)
            let start = try await api.client.pods("default").list().resourceVersion
            let created = try await api.client.pods("default").create(.named("a"))
            var modified = created
            modified.metadata.labels = ["app": "web"]
            modified = try await api.client.pods("default").update(modified)
            try await api.client.pods("default").delete("a")

            var seen: [[WatchEvent<CoreV1.Pod>]] = []
            for client in [first, second] {
                var events: [WatchEvent<CoreV1.Pod>] = []
                try await client.pods("default").watch(ListOptions(resourceVersion: start, timeoutSeconds: 1)) { event in
                    if event.object != nil { events.append(event) }
                }
                seen.append(events)
            }
            #expect(seen[0].map(\.type) == ["ADDED", "MODIFIED", "DELETED"])
            #expect(seen[0] == seen[1])
            #expect(seen[0].first?.object == created)
            #expect(seen[0].dropFirst().first?.object == modified)
            // Three versions (the deletion's is its own), each decoded by the first watch and shared with the second.
            #expect(cache.statistics.misses == 3)
            #expect(cache.statistics.hits == 3)
        }
    }

    @Test func keepsOnlyTheLastVersionsItDecoded() async throws {
        try await TestAPI.with { api in
            for name in ["a", "b", "c"] { _ = try await api.client.pods("default").create(.named(name)) }
            let cache = DecodedObjectCache(capacity: 2)
            let (first, second) = Self.clients(api, cache: cache)
            _ = try await first.pods("default").list()  // a, b, c: a is evicted
            #expect(cache.statistics.misses == 3)
            _ = try await second.pods("default").list(ListOptions(fieldSelector: "metadata.name=c"))
            #expect(cache.statistics.hits == 1)
            let evicted = try await second.pods("default").list(ListOptions(fieldSelector: "metadata.name=a"))
            #expect(cache.statistics.hits == 1)
            #expect(cache.statistics.misses == 4)
            #expect(evicted.items.map(\.metadata.name) == ["a"])
        }
    }

    @Test func writesAreDecodedAfresh() async throws {
        try await TestAPI.with { api in
            let cache = DecodedObjectCache()
            let (client, _) = Self.clients(api, cache: cache)
            let created = try await client.pods("default").create(.named("a"))
            _ = try await client.pods("default").list()
            // A dry-run update answers with content that was never stored: it must not come from the cache, and
            // must not enter it.
            var changed = created
            changed.metadata.labels = ["dry": "run"]
            let answer = try await client.pods("default").update(changed, options: WriteOptions(dryRun: true))
            #expect(answer.metadata.labels == ["dry": "run"])
            let stored = try await client.pods("default").list()
            #expect(stored.items.first?.metadata.labels == nil)
            #expect(cache.statistics.hits == 1)  // the second list's, of the stored version
        }
    }
}
