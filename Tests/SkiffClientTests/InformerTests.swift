import Logging
import SkiffAPI
import SkiffAPIMachinery
import SkiffClient
import Synchronization
import Testing

/// A transport whose target can be switched (a server restart) or removed (a partition); streams opened on an
/// earlier target are cut at their next chunk.
final class SwitchableTransport: ClientTransport {
    struct Unreachable: Error {}
    private let target = Mutex<(generation: Int, transport: (any ClientTransport)?)>((0, nil))

    func point(to transport: (any ClientTransport)?) {
        self.target.withLock { $0 = ($0.generation + 1, transport) }
    }

    func send(_ request: APIRequest) async throws -> APIResponse {
        let (generation, transport) = self.target.withLock { $0 }
        guard let transport else { throw Unreachable() }
        var response = try await transport.send(request)
        guard case .stream(let producer) = response.body else { return response }
        response.body = .stream({ write in
            try await producer { chunk in
                guard self.target.withLock({ $0.generation }) == generation else { throw Unreachable() }
                try await write(chunk)
            }
        })
        return response
    }
}

/// Polls `condition`, moving `clock` to its next deadline whenever something sleeps on it (retry delays).
func drive(_ clock: ManualClock, until condition: @Sendable () -> Bool) async throws {
    for _ in 0..<4000 where !condition() {
        if clock.sleeperCount > 0 { clock.advanceToNextDeadline() }
        try await Task.sleep(for: .milliseconds(2))
    }
    #expect(condition())
}

struct InformerTests {
    @Test func syncsIndexesAndNotifiesHandlers() async throws {
        try await TestAPI.with { api in
            let pods = api.client.pods("default")
            _ = try await pods.create(.named("a", node: "node-1", labels: ["app": "web"]))
            _ = try await pods.create(.named("b", node: "node-2", labels: ["app": "db"]))
            _ = try await api.client.namespaces.create(CoreV1.Namespace(metadata: MetaV1.ObjectMeta(name: "other")))
            _ = try await api.client.pods("other").create(.named("c", namespace: "other", node: "node-1"))

            let factory = SharedInformerFactory(client: api.client, logger: TestAPI.quietLogger)
            let informer = factory.informer(CoreV1.Pod.self)
            #expect(factory.informer(CoreV1.Pod.self) === informer)  // shared
            informer.indexer.addIndex("nodeName") { [$0.spec?.nodeName ?? ""] }
            let log = Collected<String>()
            informer.addEventHandler(
                ResourceEventHandler(
                    onAdd: { pod, initial in log.append("add \(pod.key) \(initial)") },
                    onUpdate: { old, new in log.append("update \(new.key) \(old.spec?.nodeName ?? "-")→\(new.spec?.nodeName ?? "-")") },
                    onDelete: { deleted in log.append("delete \(deleted.object.key) \(deleted.isTombstone)") }
                )
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await factory.run() }
                try await factory.waitForCacheSync()
                #expect(informer.hasSynced)
                let lister = informer.lister
                #expect(lister.get(ObjectKey(namespace: "default", name: "a"))?.spec?.nodeName == "node-1")
                #expect(lister.get(namespace: "default", name: "missing") == nil)
                #expect(lister.list(namespace: "default").count == 2)
                #expect(lister.list().count == 3)
                #expect(lister.list(selector: try Labels.Selector(parsing: "app=web")).map(\.key.description) == ["default/a"])
                #expect(Set(lister.byIndex("nodeName", "node-1").map(\.key.description)) == ["default/a", "other/c"])
                #expect(Set(log.values) == ["add default/a true", "add default/b true", "add other/c true"])

                // Changes arrive through the watch; indices follow.
                _ = try await pods.create(.named("d"))
                try await pods.bind("d", to: "node-2")
                try await pods.delete("b", options: MetaV1.DeleteOptions(gracePeriodSeconds: 0))
                try await eventually { log.values.contains("delete default/b false") }
                #expect(Set(lister.byIndex("nodeName", "node-2").map(\.key.description)) == ["default/d"])
                #expect(lister.byIndex("nodeName", "").isEmpty)
                let tail = Array(log.values.dropFirst(3))
                #expect(tail.first == "add default/d false")
                #expect(tail.contains("update default/d -→node-2"))
                #expect(tail.last == "delete default/b false")

                // A handler added later first hears of every cached object.
                let late = Collected<String>()
                informer.addEventHandler(ResourceEventHandler(onAdd: { pod, _ in late.append(pod.key.description) }))
                #expect(Set(late.values) == ["default/a", "default/d", "other/c"])
                group.cancelAll()
            }
        }
    }

    @Test func relistAfterExpiryDeliversTombstonesForMissedDeletes() async throws {
        let directory = TestAPI.makeDirectory()
        let transport = SwitchableTransport()
        let client = APIClient(transport: transport, rateLimit: .unlimited)
        let clock = ManualClock()
        let informer = Informer(client: client.configMaps("default"), clock: clock, logger: TestAPI.quietLogger)
        let log = Collected<String>()
        informer.addEventHandler(
            ResourceEventHandler(
                onAdd: { object, _ in log.append("add \(object.metadata.name ?? "")") },
                onDelete: { deleted in
                    log.append("delete \(deleted.object.metadata.name ?? "") tombstone=\(deleted.isTombstone)")
                }
            )
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await informer.run() }
            // The first server: the informer syncs two objects, then loses its connection.
            try await TestAPI.with(directory: directory) { api in
                _ = try await api.client.configMaps("default").create(.named("kept"))
                _ = try await api.client.configMaps("default").create(.named("doomed"))
                transport.point(to: api.transport)
                try await drive(clock) { informer.hasSynced && informer.lister.list().count == 2 }
                transport.point(to: nil)
            }
            // While the informer is cut off, another server instance deletes one object and adds another.
            try await TestAPI.with(directory: directory) { api in
                try await api.client.configMaps("default").delete("doomed")
                _ = try await api.client.configMaps("default").create(.named("newcomer"))
            }
            // A restarted server no longer has the informer's resourceVersion: 410, re-list, tombstone.
            try await TestAPI.with(directory: directory) { api in
                transport.point(to: api.transport)
                // Handlers hear of a change after the cache has it (they are called asynchronously, as client-go's
                // listeners are): wait for both.
                try await drive(clock) {
                    informer.lister.get(namespace: "default", name: "newcomer") != nil
                        && log.values.contains("delete doomed tombstone=true") && log.values.contains("add newcomer")
                }
                #expect(Set(informer.lister.list().compactMap(\.metadata.name)) == ["kept", "newcomer"])
                #expect(log.values.contains("delete doomed tombstone=true"))
                #expect(log.values.contains("add newcomer"))
            }
            group.cancelAll()
        }
    }

    @Test func resyncRedeliversEveryObjectAsAnUpdate() async throws {
        try await TestAPI.with { api in
            _ = try await api.client.configMaps("default").create(.named("one"))
            _ = try await api.client.configMaps("default").create(.named("two"))
            let clock = ManualClock()
            let factory = SharedInformerFactory(
                client: api.client,
                namespace: "default",
                resyncPeriod: .seconds(30),
                clock: clock,
                logger: TestAPI.quietLogger
            )
            let informer = factory.informer(CoreV1.ConfigMap.self)
            let resynced = Collected<String>()
            informer.addEventHandler(
                ResourceEventHandler(onUpdate: { old, new in
                    if old == new { resynced.append(new.metadata.name ?? "") }
                })
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await factory.run() }
                try await factory.waitForCacheSync()
                #expect(resynced.values.isEmpty)
                await clock.waitForSleepers()
                clock.advance(by: .seconds(30))
                try await eventually { resynced.count == 2 }
                #expect(Set(resynced.values) == ["one", "two"])
                group.cancelAll()
            }
        }
    }

    @Test func factoryTransformTrimsManagedFieldsFromListsAndWatches() async throws {
        try await TestAPI.with { api in
            let pods = api.client.pods("default")
            let created = try await pods.create(.named("listed"))
            #expect(created.metadata.managedFields?.isEmpty == false)  // the server records them
            let factory = SharedInformerFactory(
                client: api.client,
                transform: .trimManagedFields,
                logger: TestAPI.quietLogger
            )
            let informer = factory.informer(CoreV1.Pod.self)
            let metadata = factory.metadataInformer(for: GroupVersionResource(group: "", version: "v1", resource: "pods"))
            let seen = Collected<String>()
            informer.addEventHandler(
                ResourceEventHandler(
                    onAdd: { pod, _ in seen.append("add \(pod.metadata.name ?? "") \(pod.metadata.managedFields == nil)") },
                    onUpdate: { _, pod in seen.append("update \(pod.metadata.name ?? "") \(pod.metadata.managedFields == nil)") }
                )
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await factory.run() }
                try await factory.waitForCacheSync()
                // From the list…
                let listed = try #require(informer.lister.get(namespace: "default", name: "listed"))
                #expect(listed.metadata.managedFields == nil)
                #expect(listed.metadata.uid == created.metadata.uid)
                #expect(listed.spec == created.spec)
                #expect(metadata.lister.get(namespace: "default", name: "listed")?.metadata.managedFields == nil)
                // …and from the watch.
                _ = try await pods.create(.named("watched"))
                try await pods.bind("watched", to: "node-1")
                try await eventually { seen.values.contains("update watched true") }
                #expect(informer.lister.get(namespace: "default", name: "watched")?.spec?.nodeName == "node-1")
                #expect(informer.lister.list().allSatisfy { $0.metadata.managedFields == nil })
                try await eventually { metadata.lister.get(namespace: "default", name: "watched") != nil }
                #expect(metadata.lister.list().allSatisfy { $0.metadata.managedFields == nil })
                #expect(seen.values.allSatisfy { $0.hasSuffix(" true") })
                // The store keeps them: an update from a trimmed copy leaves the record as it is.
                var copy = try #require(informer.lister.get(namespace: "default", name: "listed"))
                copy.metadata.labels = ["app": "web"]
                let updated = try await pods.update(copy)
                #expect(updated.metadata.managedFields?.isEmpty == false)
                group.cancelAll()
            }
        }
    }
}
