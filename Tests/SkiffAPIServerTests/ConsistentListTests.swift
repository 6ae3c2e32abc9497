import SkiffAPIMachinery
import Testing

/// A list without a resourceVersion is a consistent read: served by the watch cache once it holds every write
/// before the request, by the store when paged (↔ ConsistentListFromCache).
struct ConsistentListTests {
    static func storeLists(_ client: TestClient) async -> Int {
        await AdmissionCacheTests.storeCount(client, operation: "list", type: "configmaps")
    }

    @Test func anUnpagedListReadsTheFreshCacheAndSeesEveryWriteBeforeIt() async throws {
        try await withSQLiteHandler { client in
            await client.request("POST", "/api/v1/namespaces", body: #"{"metadata":{"name":"fresh"}}"#)
            let before = await Self.storeLists(client)
            for index in 0..<20 {
                let created = await client.request(
                    "POST",
                    "/api/v1/namespaces/fresh/configmaps",
                    body: #"{"metadata":{"name":"c\#(index)"}}"#
                )
                #expect(created.status == 201)
                // Read-your-writes: the list right after the create holds it, at its revision or later.
                let list = await client.request("GET", "/api/v1/namespaces/fresh/configmaps")
                #expect(list.status == 200)
                #expect(list.json["items"]?.arrayValue?.count == index + 1)
                let listed = Int(list.json["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0
                let written = Int(created.json["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? .max
                #expect(listed >= written)
            }
            #expect(await Self.storeLists(client) == before, "unpaged consistent lists read the cache")
            let paged = await client.request("GET", "/api/v1/namespaces/fresh/configmaps?limit=5")
            #expect(paged.json["items"]?.arrayValue?.count == 5)
            #expect(paged.json["metadata"]?["continue"]?.stringValue?.isEmpty == false)
            #expect(await Self.storeLists(client) > before, "paged lists read the store")
        }
    }
}
