import SkiffAPI
import SkiffAPIMachinery
import SkiffClient
import Testing

/// The typed and dynamic clients against the real API handler (SQLite storage) through the in-process transport.
struct ResourceClientTests {
    @Test func createsGetsUpdatesAndDeletesSeveralKinds() async throws {
        try await TestAPI.with { api in
            let client = api.client
            let namespace = try await client.namespaces.create(CoreV1.Namespace(metadata: MetaV1.ObjectMeta(name: "team-a")))
            #expect(namespace.metadata.uid?.isEmpty == false)
            #expect(namespace.status?.phase == "Active")

            let configMaps = client.configMaps("team-a")
            var configMap = try await configMaps.create(.named("settings", namespace: "team-a", data: ["a": "1"]))
            #expect(configMap.metadata.resourceVersion?.isEmpty == false)
            configMap.data = ["a": "2"]
            let updated = try await configMaps.update(configMap)
            #expect(updated.data == ["a": "2"])
            #expect(updated.metadata.resourceVersion != configMap.metadata.resourceVersion)
            #expect(try await configMaps.get("settings").data == ["a": "2"])

            let deployment = AppsV1.Deployment(
                metadata: MetaV1.ObjectMeta(name: "web", namespace: "team-a"),
                spec: AppsV1.DeploymentSpec(
                    replicas: 2,
                    selector: MetaV1.LabelSelector(matchLabels: ["app": "web"]),
                    template: CoreV1.PodTemplateSpec(
                        metadata: MetaV1.ObjectMeta(labels: ["app": "web"]),
                        spec: CoreV1.PodSpec(containers: [CoreV1.Container(name: "web", image: "nginx")])
                    )
                )
            )
            let deployments = client.deployments("team-a")
            let created = try await deployments.create(deployment)
            #expect(created.spec?.strategy?.type == "RollingUpdate")  // defaulted by the server
            #expect(try await deployments.getScale("web").spec?.replicas == 2)

            let pod = try await client.pods("team-a").create(.named("p", namespace: "team-a"))
            #expect(pod.spec?.containers.first?.terminationMessagePath == "/dev/termination-log")

            try await configMaps.delete("settings")
            await #expect(throws: APIError.self) { try await configMaps.get("settings") }
        }
    }

    @Test func failuresAreAPIErrorsFromTheStatusBody() async throws {
        try await TestAPI.with { api in
            let configMaps = api.client.configMaps("default")
            do {
                _ = try await configMaps.get("missing")
                Issue.record("expected NotFound")
            } catch let error as APIError {
                #expect(error.reason == .notFound)
                #expect(error.code == 404)
                #expect(error.message == #"configmaps "missing" not found"#)
                #expect(error.details?.name == "missing")
                #expect(error.details?.kind == "configmaps")
            }

            _ = try await configMaps.create(.named("dup"))
            do {
                _ = try await configMaps.create(.named("dup"))
                Issue.record("expected AlreadyExists")
            } catch let error as APIError {
                #expect(error.reason == .alreadyExists)
                #expect(error.code == 409)
                #expect(error.message == #"configmaps "dup" already exists"#)
            }

            var stale = try await configMaps.get("dup")
            var fresh = stale
            fresh.data = ["x": "1"]
            _ = try await configMaps.update(fresh)
            stale.data = ["x": "2"]
            do {
                _ = try await configMaps.update(stale)
                Issue.record("expected Conflict")
            } catch let error as APIError {
                #expect(error.reason == .conflict)
                #expect(error.code == 409)
                #expect(error.message.contains("the object has been modified"))
            }

            do {
                _ = try await configMaps.create(.named("Not_Valid"))
                Issue.record("expected Invalid")
            } catch let error as APIError {
                #expect(error.reason == .invalid)
                #expect(error.code == 422)
                #expect(error.details?.causes?.first?.field == "metadata.name")
            }

            do {
                _ = try await api.client.pods("no-such-namespace").create(.named("p", namespace: "no-such-namespace"))
                Issue.record("expected NotFound for the namespace")
            } catch let error as APIError {
                #expect(error.reason == .notFound)
                #expect(error.message == #"namespaces "no-such-namespace" not found"#)
            }
        }
    }

    @Test func listsWithSelectorsAndPages() async throws {
        try await TestAPI.with { api in
            let configMaps = api.client.configMaps("default")
            for index in 0..<7 {
                _ = try await configMaps.create(.named("cm-\(index)", labels: ["parity": index % 2 == 0 ? "even" : "odd"]))
            }
            let even = try await configMaps.list(ListOptions(labelSelector: "parity=even"))
            #expect(even.items.map { $0.metadata.name ?? "" }.sorted() == ["cm-0", "cm-2", "cm-4", "cm-6"])
            #expect(!even.resourceVersion.isEmpty)

            let byName = try await configMaps.list(ListOptions(fieldSelector: "metadata.name=cm-3"))
            #expect(byName.items.map(\.metadata.name) == ["cm-3"])

            let firstPage = try await configMaps.list(ListOptions(labelSelector: "parity", limit: 3))
            #expect(firstPage.items.count == 3)
            #expect(firstPage.continueToken != nil)
            let all = try await configMaps.listAll(ListOptions(labelSelector: "parity", limit: 3))
            #expect(all.items.count == 7)
            #expect(Set(all.items.compactMap(\.metadata.name)).count == 7)

            // Every namespace.
            let everywhere = try await api.client.configMaps(nil).list()
            #expect(everywhere.items.count >= 7)
        }
    }

    struct PatchCase: Sendable, CustomTestStringConvertible {
        var type: PatchType
        var body: JSONValue
        var testDescription: String { "\(self.type)" }
    }

    @Test(arguments: [
        PatchCase(type: .merge, body: ["data": ["b": "2"]]),
        PatchCase(type: .strategic, body: ["data": ["b": "2"]]),
        PatchCase(type: .json, body: [["op": "add", "path": "/data/b", "value": "2"]]),
    ])
    func patchesEveryKind(_ c: PatchCase) async throws {
        try await TestAPI.with { api in
            let configMaps = api.client.configMaps("default")
            _ = try await configMaps.create(.named("patched", data: ["a": "1"]))
            let patched = try await configMaps.patch("patched", type: c.type, body: c.body)
            #expect(patched.data == ["a": "1", "b": "2"])
        }
    }

    @Test func appliesServerSideWithFieldManagersAndForce() async throws {
        try await TestAPI.with { api in
            let configMaps = api.client.configMaps("default")
            let configuration: JSONValue = [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": ["name": "applied", "namespace": "default"],
                "data": ["owned": "by-a"],
            ]
            let first = try await configMaps.apply(configuration, options: ApplyOptions(fieldManager: "manager-a"))
            #expect(first.data == ["owned": "by-a"])
            #expect(first.metadata.managedFields?.first?.manager == "manager-a")

            let rival: JSONValue = [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": ["name": "applied", "namespace": "default"],
                "data": ["owned": "by-b"],
            ]
            do {
                _ = try await configMaps.apply(rival, options: ApplyOptions(fieldManager: "manager-b"))
                Issue.record("expected an apply conflict")
            } catch let error as APIError {
                #expect(error.reason == .conflict)
                #expect(error.message.contains("manager-a"))
            }
            let forced = try await configMaps.apply(rival, options: ApplyOptions(fieldManager: "manager-b", force: true))
            #expect(forced.data == ["owned": "by-b"])
        }
    }

    @Test func deletesWithPreconditionsAndCollections() async throws {
        try await TestAPI.with { api in
            let configMaps = api.client.configMaps("default")
            let created = try await configMaps.create(.named("guarded"))
            do {
                try await configMaps.delete(
                    "guarded",
                    options: MetaV1.DeleteOptions(preconditions: MetaV1.Preconditions(uid: "not-the-uid"))
                )
                Issue.record("expected a precondition conflict")
            } catch let error as APIError {
                #expect(error.reason == .conflict)
                #expect(error.message.contains("Precondition failed: UID in precondition: not-the-uid"))
            }
            try await configMaps.delete(
                "guarded",
                options: MetaV1.DeleteOptions(
                    preconditions: MetaV1.Preconditions(uid: created.metadata.uid),
                    propagationPolicy: "Background"
                )
            )

            for index in 0..<3 { _ = try await configMaps.create(.named("bulk-\(index)", labels: ["bulk": "yes"])) }
            _ = try await configMaps.create(.named("keep"))
            try await configMaps.deleteCollection(listOptions: ListOptions(labelSelector: "bulk=yes"))
            let left = try await configMaps.list().items.compactMap(\.metadata.name)
            #expect(left.contains("keep"))
            #expect(!left.contains { $0.hasPrefix("bulk-") })
        }
    }

    @Test func usesSubresourcesStatusScaleBindingAndEviction() async throws {
        try await TestAPI.with { api in
            let client = api.client
            let pods = client.pods("default")
            var pod = try await pods.create(.named("bound"))
            try await pods.bind("bound", to: "node-1", uid: pod.metadata.uid)
            pod = try await pods.get("bound")
            #expect(pod.spec?.nodeName == "node-1")

            pod.status = CoreV1.PodStatus(phase: "Running")
            let updated = try await pods.updateStatus(pod)
            #expect(updated.status?.phase == "Running")

            try await pods.evict("bound")
            let evicted = try await pods.get("bound")
            #expect(evicted.metadata.deletionTimestamp != nil)

            let deployments = client.deployments("default")
            _ = try await deployments.create(
                AppsV1.Deployment(
                    metadata: MetaV1.ObjectMeta(name: "scaled", namespace: "default"),
                    spec: AppsV1.DeploymentSpec(
                        replicas: 1,
                        selector: MetaV1.LabelSelector(matchLabels: ["app": "s"]),
                        template: CoreV1.PodTemplateSpec(
                            metadata: MetaV1.ObjectMeta(labels: ["app": "s"]),
                            spec: CoreV1.PodSpec(containers: [CoreV1.Container(name: "c", image: "nginx")])
                        )
                    )
                )
            )
            var scale = try await deployments.getScale("scaled")
            scale.spec = AutoscalingV1.ScaleSpec(replicas: 5)
            let rescaled = try await deployments.updateScale("scaled", scale: scale)
            #expect(rescaled.spec?.replicas == 5)
            #expect(try await deployments.get("scaled").spec?.replicas == 5)
        }
    }

    @Test func writesThatDiscardTheirResultStillWriteAndFail() async throws {
        try await TestAPI.with { api in
            let pods = api.client.pods("default")
            try await pods.createDiscardingResult(.named("a"))
            #expect(try await pods.get("a").metadata.name == "a")
            try await pods.patchDiscardingResult("a", type: .merge, body: ["metadata": ["labels": ["app": "web"]]])
            #expect(try await pods.get("a").metadata.labels == ["app": "web"])
            try await pods.patchDiscardingResult(
                "a",
                type: .strategic,
                body: ["status": ["conditions": [["type": "PodScheduled", "status": "False", "reason": "Unschedulable"]]]],
                subresource: "status"
            )
            #expect(try await pods.get("a").status?.conditions?.first?.reason == "Unschedulable")
            await #expect(throws: APIError.self) { try await pods.createDiscardingResult(.named("a")) }
            do {
                try await pods.patchDiscardingResult("missing", type: .merge, body: ["metadata": ["labels": ["x": "y"]]])
                Issue.record("a patch of a missing pod succeeded")
            } catch let error as APIError {
                #expect(error.reason == .notFound)
            }
        }
    }

    @Test func dynamicClientReadsAndWritesJSON() async throws {
        try await TestAPI.with { api in
            let resource = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
            let dynamic = api.client.dynamic(resource, namespace: "default")
            let created = try await dynamic.create([
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "untyped"], "data": ["k": "v"],
            ])
            #expect(created["metadata"]?["uid"]?.stringValue?.isEmpty == false)
            let listed = try await dynamic.list()
            #expect(listed.items.contains { $0["metadata"]?["name"] == "untyped" })
            let patched = try await dynamic.patch("untyped", type: .merge, body: ["data": ["k": "w"]])
            #expect(patched["data"]?["k"] == "w")
            try await dynamic.delete("untyped")
            await #expect(throws: APIError.self) { try await dynamic.get("untyped") }
        }
    }
}
