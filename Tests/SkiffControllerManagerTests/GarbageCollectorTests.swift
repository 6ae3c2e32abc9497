import Foundation
import Logging
import SkiffAPI
import SkiffAPIMachinery
import SkiffAPIServer
import SkiffClient
import SkiffControllerManager
import SkiffStorageSQLite
import Testing

/// The garbage collector against a real API server on SQLite, through the in-process transport.
struct GarbageCollectorTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs `body` with a fresh API server and a garbage collector working on it.
    static func withCollector(_ body: @Sendable (APIClient) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "skiff-gc-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let handler = APIHandler(
            configuration: APIServerConfiguration(),
            storage: try SQLiteStorage(directory: directory + "/db"),
            logger: Self.quiet
        )
        let client = APIClient(
            transport: InProcessTransport(user: UserInfo(name: "system:admin", groups: ["system:masters"])) {
                await handler.handle($0)
            },
            rateLimit: .unlimited
        )
        let informers = SharedInformerFactory(client: client, logger: Self.quiet)
        let collector = GarbageCollector(client: client, informers: informers, workers: 2, logger: Self.quiet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await handler.run() }
            group.addTask { try await informers.run() }
            group.addTask { try await collector.run() }
            defer { group.cancelAll() }
            for _ in 0..<1000 where !handler.isReady { try await Task.sleep(for: .milliseconds(5)) }
            try await body(client)
        }
    }

    static func configMap(_ name: String, owners: [CoreV1.ConfigMap] = [], block: Bool = false, finalizers: [String]? = nil) -> CoreV1.ConfigMap {
        var meta = MetaV1.ObjectMeta(name: name)
        meta.finalizers = finalizers
        if !owners.isEmpty {
            meta.ownerReferences = owners.map {
                MetaV1.OwnerReference(
                    apiVersion: "v1",
                    kind: "ConfigMap",
                    name: $0.metadata.name ?? "",
                    uid: $0.metadata.uid ?? "",
                    blockOwnerDeletion: block
                )
            }
        }
        return CoreV1.ConfigMap(metadata: meta)
    }

    /// Polls `condition` for up to 10 s.
    static func eventually(_ condition: @Sendable () async throws -> Bool) async throws {
        for _ in 0..<1000 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(try await condition())
    }

    static func exists(_ client: APIClient, _ name: String) async throws -> Bool {
        do {
            _ = try await client.configMaps("default").get(name)
            return true
        } catch let error as APIError where error.reason == .notFound {
            return false
        }
    }

    @Test func dependentsOfADeletedOwnerAreCollectedAndSharedOnesKept() async throws {
        try await Self.withCollector { client in
            let configMaps = client.configMaps("default")
            let owner = try await configMaps.create(Self.configMap("owner"))
            let other = try await configMaps.create(Self.configMap("other"))
            _ = try await configMaps.create(Self.configMap("child", owners: [owner]))
            _ = try await configMaps.create(Self.configMap("shared", owners: [owner, other]))
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await Self.exists(client, "child"))  // an owner that exists protects its dependents

            try await configMaps.delete("owner")
            try await Self.eventually { try await !Self.exists(client, "child") }
            try await Self.eventually {
                try await configMaps.get("shared").metadata.ownerReferences?.map(\.name) == ["other"]
            }
        }
    }

    @Test func foregroundDeletionWaitsForBlockingDependents() async throws {
        try await Self.withCollector { client in
            let configMaps = client.configMaps("default")
            let owner = try await configMaps.create(Self.configMap("owner"))
            _ = try await configMaps.create(Self.configMap("blocker", owners: [owner], block: true, finalizers: ["test/hold"]))
            try await configMaps.delete("owner", options: MetaV1.DeleteOptions(propagationPolicy: "Foreground"))

            try await Self.eventually { try await configMaps.get("blocker").metadata.deletionTimestamp != nil }
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await configMaps.get("owner").metadata.finalizers == ["foregroundDeletion"])

            _ = try await configMaps.patch("blocker", type: .merge, body: ["metadata": ["finalizers": .null]])
            try await Self.eventually { try await !Self.exists(client, "owner") }
        }
    }

    @Test func orphanDeletionKeepsDependentsWithoutTheReference() async throws {
        try await Self.withCollector { client in
            let configMaps = client.configMaps("default")
            let owner = try await configMaps.create(Self.configMap("owner"))
            _ = try await configMaps.create(Self.configMap("child", owners: [owner]))
            try await Task.sleep(for: .milliseconds(200))
            try await configMaps.delete("owner", options: MetaV1.DeleteOptions(propagationPolicy: "Orphan"))
            try await Self.eventually { try await !Self.exists(client, "owner") }
            #expect(try await configMaps.get("child").metadata.ownerReferences == nil)
        }
    }

    /// A dependent naming an owner that lives in another namespace gets upstream's warning, and is collected: its
    /// owner can never be found in its own namespace.
    @Test func anOwnerInAnotherNamespaceIsReportedAndTheDependentCollected() async throws {
        try await Self.withCollector { client in
            _ = try await client.namespaces.create(CoreV1.Namespace(metadata: MetaV1.ObjectMeta(name: "elsewhere")))
            let owner = try await client.configMaps("elsewhere").create(Self.configMap("owner"))
            try await Task.sleep(for: .milliseconds(200))  // the owner is observed first
            let child = try await client.configMaps("default").create(Self.configMap("child", owners: [owner]))
            try await Self.eventually { try await !Self.exists(client, "child") }
            try await Self.eventually {
                try await !client.events("default").list().items.filter { $0.reason == "OwnerRefInvalidNamespace" }.isEmpty
            }
            let event = try #require(try await client.events("default").list().items.first { $0.reason == "OwnerRefInvalidNamespace" })
            #expect(event.type == "Warning")
            #expect(event.regarding?.name == "child")
            #expect(event.regarding?.uid == child.metadata.uid)
            #expect(event.reportingController == "garbage-collector-controller")
            #expect(
                event.note
                    == "ownerRef [v1/ConfigMap, namespace: default, name: owner, uid: \(owner.metadata.uid ?? "")] does not exist in namespace \"default\""
            )
            // The owner in its own namespace is untouched.
            _ = try await client.configMaps("elsewhere").get("owner")
        }
    }
}
