import Foundation
import SkiffAPI
import SkiffAPIMachinery
@testable import SkiffAPIServer
import Synchronization
import Testing

/// Admission plugins read the watch cache as upstream's read their listers, and the store only where upstream's
/// make a live lookup; a request still sees every write this server made before it.
struct AdmissionCacheTests {
    typealias P = AdmissionPluginTests

    /// In-memory objects that record how each read was made, and can make status updates lose their race.
    final class RecordingObjects: AdmissionObjectSource {
        let base = InMemoryAdmissionObjects()
        private let state = Mutex<(reads: [String], racesToLose: Int)>(([], 0))

        var reads: [String] { self.state.withLock { $0.reads } }

        func loseRaces(_ count: Int) { self.state.withLock { $0.racesToLose = count } }

        private func record(_ verb: String, _ resource: GroupResource, cached: Bool) {
            self.state.withLock { $0.reads.append("\(verb) \(resource.resource) \(cached ? "cached" : "live")") }
        }

        func get(_ resource: GroupResource, namespace: String?, name: String, cached: Bool) async throws
            -> AdmissionStoredObject?
        {
            self.record("get", resource, cached: cached)
            return try await self.base.get(resource, namespace: namespace, name: name, cached: cached)
        }

        func list(_ resource: GroupResource, namespace: String?, cached: Bool) async throws -> [AdmissionStoredObject] {
            self.record("list", resource, cached: cached)
            return try await self.base.list(resource, namespace: namespace, cached: cached)
        }

        func updateStatus(
            _ resource: GroupResource,
            namespace: String?,
            name: String,
            status: JSONValue,
            resourceVersion: String
        ) async throws -> Bool {
            let lose = self.state.withLock { state in
                defer { state.racesToLose = max(0, state.racesToLose - 1) }
                return state.racesToLose > 0
            }
            if lose {
                // Another writer charged the quota first: bump its resource version, as a concurrent update would.
                let current = try #require(try await self.base.get(CoreV1.ResourceQuota.self, resource, namespace: namespace, name: name))
                try self.base.put(current, resource)
                return false
            }
            return try await self.base.updateStatus(
                resource,
                namespace: namespace,
                name: name,
                status: status,
                resourceVersion: resourceVersion
            )
        }
    }

    static func objects() throws -> RecordingObjects {
        let objects = RecordingObjects()
        try objects.base.put(CoreV1.Namespace(metadata: MetaV1.ObjectMeta(name: "ns")), .namespaces)
        try objects.base.put(CoreV1.ServiceAccount(metadata: MetaV1.ObjectMeta(name: "default", namespace: "ns")), .serviceAccounts)
        try objects.base.put(P.limitRange([CoreV1.LimitRangeItem(type: "Container", default: ["cpu": "500m"])]), .limitRanges)
        try objects.base.put(P.quota(hard: ["pods": "5"], used: ["pods": "1"]), .resourceQuotas)
        return objects
    }

    @Test func aPodCreateReadsOnlyTheCache() async throws {
        let objects = try Self.objects()
        let chain = AdmissionChain(
            names: AdmissionPlugins.order,
            context: AdmissionPluginContext(objects: objects, requireDefaultServiceAccount: true)
        )
        var attributes = P.create(P.pod())
        try await chain.admit(&attributes)
        try await chain.validate(attributes)
        #expect(objects.reads.allSatisfy { $0.hasSuffix(" cached") })
        #expect(
            Set(objects.reads) == [
                "get namespaces cached", "list limitranges cached", "get serviceaccounts cached",
                "list priorityclasses cached", "list resourcequotas cached",
            ]
        )
        let quota = try await objects.base.get(CoreV1.ResourceQuota.self, .resourceQuotas, namespace: "ns", name: "q")
        #expect(quota?.status?.used == ["pods": "2"])
    }

    @Test func aMissingDefaultAccountIsNotLookedUpLiveWhenTolerated() async throws {
        let objects = RecordingObjects()
        let plugin = ServiceAccountAdmission(objects: objects, randomSuffix: { "abcde" }, toleratesMissingDefault: true)
        var attributes = P.create(P.pod())
        try await plugin.admit(&attributes)
        try await plugin.validate(attributes)
        #expect(objects.reads == ["get serviceaccounts cached", "get serviceaccounts cached"])
    }

    @Test func aMissingNamespaceIsLookedUpLive() async throws {
        let objects = RecordingObjects()
        var attributes = P.create(P.pod())
        let error = await P.message { try await NamespaceLifecycle(objects: objects).admit(&attributes) }
        #expect(error == #"404 namespaces "ns" not found"#)
        #expect(objects.reads == ["get namespaces cached", "get namespaces live"])
    }

    @Test func quotaIsReadLiveAfterALostRace() async throws {
        let objects = try Self.objects()
        objects.loseRaces(1)
        try await ResourceQuotaAdmission(objects: objects).validate(P.create(P.pod()))
        #expect(objects.reads == ["list resourcequotas cached", "list resourcequotas live"])
        let quota = try await objects.base.get(CoreV1.ResourceQuota.self, .resourceQuotas, namespace: "ns", name: "q")
        #expect(quota?.status?.used == ["pods": "2"])
    }

    // MARK: Through the handler, on SQLite

    static let podBody = #"{"metadata":{"name":"NAME"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}"#

    static func createPod(_ client: TestClient, _ namespace: String, _ name: String) async -> Reply {
        await client.request(
            "POST",
            "/api/v1/namespaces/\(namespace)/pods",
            body: Self.podBody.replacingOccurrences(of: "NAME", with: name)
        )
    }

    /// `etcd_request_duration_seconds_count` for one store operation on one resource (0 when never observed).
    static func storeCount(_ client: TestClient, operation: String, type: String) async -> Int {
        let text = await client.request("GET", "/metrics").text
        for line in text.split(separator: "\n") where line.hasPrefix("etcd_request_duration_seconds_count{") {
            guard line.contains(#"operation="\#(operation)""#), line.contains(#"type="\#(type)""#) else { continue }
            return Int(Double(line.split(separator: " ").last ?? "") ?? -1)
        }
        return 0
    }

    @Test func podCreatesDoNotReadTheStoreForAdmission() async throws {
        try await withSQLiteHandler { client in
            #expect(await client.request("POST", "/api/v1/namespaces", body: #"{"metadata":{"name":"quiet"}}"#).status == 201)
            let reads = [
                ("get", "namespaces"), ("get", "serviceaccounts"), ("list", "limitranges"), ("list", "resourcequotas"),
                ("list", "priorityclasses"),
            ]
            var before: [Int] = []
            for (operation, type) in reads { before.append(await Self.storeCount(client, operation: operation, type: type)) }
            for index in 0..<5 {
                #expect(await Self.createPod(client, "quiet", "p\(index)").status == 201)
            }
            for ((operation, type), count) in zip(reads, before) {
                #expect(await Self.storeCount(client, operation: operation, type: type) == count, "\(operation) \(type)")
            }
            #expect(await Self.storeCount(client, operation: "create", type: "pods") >= 5)
        }
    }

    @Test func aLimitRangeWrittenJustBeforeAPodAppliesToIt() async throws {
        try await withSQLiteHandler { client in
            await client.request("POST", "/api/v1/namespaces", body: #"{"metadata":{"name":"ranged"}}"#)
            for round in 0..<5 {
                let range = await client.request(
                    "POST",
                    "/api/v1/namespaces/ranged/limitranges",
                    body: #"{"metadata":{"name":"l"},"spec":{"limits":[{"type":"Container","default":{"cpu":"300m"}}]}}"#
                )
                #expect(range.status == 201)
                let limited = try JSONValueDecoder().decode(
                    CoreV1.Pod.self,
                    from: await Self.createPod(client, "ranged", "a\(round)").json
                )
                #expect(limited.spec?.containers.first?.resources?.limits == ["cpu": "300m"])
                #expect(await client.request("DELETE", "/api/v1/namespaces/ranged/limitranges/l").status == 200)
                let reply = await Self.createPod(client, "ranged", "b\(round)")
                #expect(reply.status == 201)
                let free = try JSONValueDecoder().decode(CoreV1.Pod.self, from: reply.json)
                #expect(free.spec?.containers.first?.resources?.limits == nil)
            }
        }
    }

    /// Admission keeps the objects it decoded last; a changed ServiceAccount is a new version, read anew.
    @Test func aServiceAccountChangedBetweenPodsIsReadAnew() async throws {
        try await withSQLiteHandler { client in
            await client.request("POST", "/api/v1/namespaces", body: #"{"metadata":{"name":"robots"}}"#)
            let account = "/api/v1/namespaces/robots/serviceaccounts"
            #expect(
                await client.request("POST", account, body: #"{"metadata":{"name":"r"},"automountServiceAccountToken":false}"#)
                    .status == 201
            )
            let body = #"{"metadata":{"name":"NAME"},"spec":{"serviceAccountName":"r","containers":[{"name":"c","image":"nginx"}]}}"#
            func tokenVolumes(_ name: String) async -> Int? {
                let reply = await client.request(
                    "POST",
                    "/api/v1/namespaces/robots/pods",
                    body: body.replacingOccurrences(of: "NAME", with: name)
                )
                #expect(reply.status == 201)
                guard let pod = try? JSONValueDecoder().decode(CoreV1.Pod.self, from: reply.json) else { return nil }
                return (pod.spec?.volumes ?? []).filter { $0.name.hasPrefix("kube-api-access-") }.count
            }
            for round in 0..<3 {
                #expect(await tokenVolumes("off\(round)") == 0)
                let on = #"{"automountServiceAccountToken":true}"#
                #expect(
                    await client.request("PATCH", account + "/r", body: on, contentType: "application/merge-patch+json").status == 200
                )
                #expect(await tokenVolumes("on\(round)") == 1)
                let off = #"{"automountServiceAccountToken":false}"#
                #expect(
                    await client.request("PATCH", account + "/r", body: off, contentType: "application/merge-patch+json").status == 200
                )
            }
        }
    }

    @Test func quotaChargesEachCreateOnceAndRefusesPastTheLimit() async throws {
        try await withSQLiteHandler { client in
            await client.request("POST", "/api/v1/namespaces", body: #"{"metadata":{"name":"metered"}}"#)
            #expect(
                await client.request(
                    "POST",
                    "/api/v1/namespaces/metered/resourcequotas",
                    body: #"{"metadata":{"name":"q"},"spec":{"hard":{"pods":"3"}}}"#
                ).status == 201
            )
            // No quota controller runs here: set the status it would.
            #expect(
                await client.request(
                    "PUT",
                    "/api/v1/namespaces/metered/resourcequotas/q/status",
                    body: #"{"metadata":{"name":"q"},"spec":{"hard":{"pods":"3"}},"status":{"hard":{"pods":"3"},"used":{"pods":"0"}}}"#
                ).status == 200
            )
            for index in 0..<3 {
                #expect(await Self.createPod(client, "metered", "p\(index)").status == 201)
            }
            let refused = await Self.createPod(client, "metered", "p3")
            #expect(refused.status == 403)
            #expect(refused.json["message"] == #"pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3"#)
            let quota = await client.request("GET", "/api/v1/namespaces/metered/resourcequotas/q")
            #expect(quota.json["status"]?["used"]?["pods"] == "3")
        }
    }
}
