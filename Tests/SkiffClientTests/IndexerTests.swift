import SkiffAPI
import SkiffAPIMachinery
import Synchronization
import Testing

@testable import SkiffClient

@Suite struct IndexerTests {
    static func pod(_ name: String, namespace: String = "default", labels: [String: String]) -> CoreV1.Pod {
        CoreV1.Pod(metadata: MetaV1.ObjectMeta(name: name, namespace: namespace, labels: labels))
    }

    /// Index values come from the old object itself on update and delete: a value the object no longer has
    /// leaves the index, and so does an index value no object has any more.
    @Test func updatesAndDeletesRecomputeTheOldValues() {
        let indexer = Indexer<CoreV1.Pod>()
        indexer.addIndex("labelValues") { pod in (pod.metadata.labels ?? [:]).values.sorted() }
        indexer.upsert(Self.pod("a", labels: ["app": "web", "tier": "front"]))
        indexer.upsert(Self.pod("b", namespace: "other", labels: ["app": "web"]))
        #expect(Set(indexer.keys(index: "labelValues", value: "web").map(\.description)) == ["default/a", "other/b"])
        #expect(indexer.keys(index: "labelValues", value: "front").map(\.description) == ["default/a"])

        indexer.upsert(Self.pod("a", labels: ["app": "db", "tier": "front"]))
        #expect(indexer.keys(index: "labelValues", value: "web").map(\.description) == ["other/b"])
        #expect(indexer.keys(index: "labelValues", value: "db").map(\.description) == ["default/a"])
        #expect(indexer.keys(index: "labelValues", value: "front").map(\.description) == ["default/a"])

        #expect(indexer.remove(ObjectKey(namespace: "default", name: "a"))?.metadata.labels?["app"] == "db")
        #expect(indexer.keys(index: "labelValues", value: "db").isEmpty)
        #expect(indexer.keys(index: "labelValues", value: "front").isEmpty)
        #expect(indexer.state.withLock { $0.indices["labelValues"]?.keys.sorted() } == ["web"])
        #expect(indexer.list(namespace: "default").isEmpty)
        #expect(indexer.list(namespace: "other").map(\.key.description) == ["other/b"])

        // A replace (a relist) drops what vanished from every index too.
        let (_, removed) = indexer.replace([Self.pod("c", labels: ["app": "web"])])
        #expect(removed.map(\.key.description) == ["other/b"])
        #expect(indexer.keys(index: "labelValues", value: "web").map(\.description) == ["default/c"])
        #expect(indexer.state.withLock { $0.indices[Indexer<CoreV1.Pod>.namespaceIndex]?.keys.sorted() } == ["default"])
    }
}
