import SkiffAPI
import SkiffAPIMachinery
import SkiffClient
import Testing

/// The metadata-only client, informer and REST mapper against a real in-process API server.
struct MetadataClientTests {
    static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")

    @Test func getListAndPatchReturnOnlyMetadata() async throws {
        try await TestAPI.with { api in
            _ = try await api.client.configMaps("default").create(.named("a", labels: ["app": "web"], data: ["k": "v"]))
            _ = try await api.client.configMaps("default").create(.named("b", data: ["k": "v"]))
            let metadata = api.client.metadata(Self.configMaps, namespace: "default")

            let object = try await metadata.get("a")
            #expect(object.kind == "PartialObjectMetadata")
            #expect(object.apiVersion == "meta.k8s.io/v1")
            #expect(object.metadata.name == "a")
            #expect(object.metadata.labels == ["app": "web"])
            #expect(object.metadata.uid?.isEmpty == false)

            let list = try await metadata.list(ListOptions(limit: 1))
            #expect(list.items.map(\.metadata.name) == ["a"])
            #expect(list.continueToken != nil)
            let all = try await metadata.listAll(ListOptions(limit: 1))
            #expect(all.items.compactMap(\.metadata.name) == ["a", "b"])
            #expect(!all.resourceVersion.isEmpty)

            let patched = try await metadata.patch("b", type: .merge, body: ["metadata": ["labels": ["tier": "db"]]])
            #expect(patched.kind == "PartialObjectMetadata")
            #expect(patched.metadata.labels == ["tier": "db"])
            // The object kept its data: only the response was cut down.
            #expect(try await api.client.configMaps("default").get("b").data == ["k": "v"])

            try await metadata.delete("b")
            await #expect(throws: APIError.self) { try await metadata.get("b") }
        }
    }

    @Test func theServerAnswersTheRawMediaTypesAsUpstream() async throws {
        try await TestAPI.with { api in
            _ = try await api.client.configMaps("default").create(.named("a"))
            func get(_ path: String, accept: String) async throws -> APIResponse {
                try await api.transport.send(APIRequest(method: "GET", path: path, headers: [("Accept", accept)]))
            }
            let list = try await get(
                "/api/v1/namespaces/default/configmaps",
                accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
            )
            #expect(list.status == 200)
            #expect(list.header("Content-Type") == "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io")
            let body = try JSONValue.parse(list.bodyBytes)
            #expect(body["kind"] == "PartialObjectMetadataList")
            #expect(body["items"]?.arrayValue?.first?["kind"] == "PartialObjectMetadata")
            #expect(body["items"]?.arrayValue?.first?["data"] == nil)

            // The wrong shape for the request is 406, with upstream's message.
            let wrongList = try await get(
                "/api/v1/namespaces/default/configmaps",
                accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"
            )
            #expect(wrongList.status == 406)
            #expect(
                try JSONValue.parse(wrongList.bodyBytes)["message"]?.stringValue
                    == "you requested PartialObjectMetadata, but the requested object is a list (ConfigMapList)"
            )
            let wrongObject = try await get(
                "/api/v1/namespaces/default/configmaps/a",
                accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
            )
            #expect(wrongObject.status == 406)
            // An unknown `as` kind falls back to the next media type the client accepts.
            let fallback = try await get(
                "/api/v1/namespaces/default/configmaps/a",
                accept: "application/json;as=Bogus;g=meta.k8s.io;v=v1,application/json"
            )
            #expect(try JSONValue.parse(fallback.bodyBytes)["kind"] == "ConfigMap")
        }
    }

    @Test func metadataInformerFollowsChangesWithBookmarksInItsOwnKind() async throws {
        try await TestAPI.with { api in
            _ = try await api.client.configMaps("default").create(.named("a"))
            let factory = SharedInformerFactory(client: api.client, logger: TestAPI.quietLogger)
            let informer = factory.metadataInformer(for: Self.configMaps)
            #expect(factory.metadataInformer(for: Self.configMaps) === informer)  // shared
            let log = Collected<String>()
            informer.addEventHandler(
                ResourceEventHandler(
                    onAdd: { object, _ in log.append("add \(object.metadata.name ?? "")") },
                    onUpdate: { _, object in log.append("update \(object.metadata.name ?? "") \(object.metadata.finalizers ?? [])") },
                    onDelete: { deleted in log.append("delete \(deleted.object.metadata.name ?? "")") }
                )
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await factory.run() }
                try await factory.waitForCacheSync()
                #expect(informer.lister.get(namespace: "default", name: "a")?.kind == "PartialObjectMetadata")

                var configMap = CoreV1.ConfigMap.named("b")
                configMap.metadata.finalizers = ["example.com/hold"]
                _ = try await api.client.configMaps("default").create(configMap)
                try await api.client.configMaps("default").delete("b")
                try await eventually { log.values.contains("update b [\"example.com/hold\"]") }
                _ = try await api.client.configMaps("default").patch(
                    "b",
                    type: .merge,
                    body: ["metadata": ["finalizers": .null]]
                )
                try await eventually { log.values.contains("delete b") }
                #expect(informer.lister.get(namespace: "default", name: "b") == nil)
                // Bookmarks (every 100 ms here) keep the resourceVersion current and decode as the metadata kind.
                let before = informer.lastSyncResourceVersion
                _ = try await api.client.secrets("default").create(CoreV1.Secret(metadata: MetaV1.ObjectMeta(name: "s")))
                try await eventually { informer.lastSyncResourceVersion != before }
                group.cancelAll()
            }
        }
    }

    @Test func restMapperFindsKindsByGroupAtThePreferredVersion() async throws {
        try await TestAPI.with { api in
            let mapper = DiscoveryRESTMapper(client: api.client)
            let deployment = try await mapper.mapping(apiVersion: "apps/v1", kind: "Deployment")
            #expect(deployment.resource == GroupVersionResource(group: "apps", version: "v1", resource: "deployments"))
            #expect(deployment.isNamespaced)
            let role = try await mapper.mapping(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole")
            #expect(!role.isNamespaced)
            // Another version of a served group maps to the version the server prefers.
            let autoscaler = try await mapper.mapping(apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler")
            #expect(autoscaler.resource.group == "autoscaling")
            await #expect(throws: RESTMappingError.self) {
                try await mapper.mapping(apiVersion: "example.com/v1", kind: "Widget")
            }
        }
    }
}
