import Foundation
import SkiffAPI
import SkiffAPIMachinery
import Testing

/// Byte-level checks of the JSON the generated types write: Go's field order, zero values of required fields,
/// no `null`s, integers as integers.
struct EncodingTests {
    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONValueEncoder().encodeToBytes(value), as: UTF8.self)
    }

    @Test func mapsEncodeWithSortedKeysAsGoDoes() throws {
        var configMap = CoreV1.ConfigMap(metadata: MetaV1.ObjectMeta(name: "c"))
        configMap.metadata.labels = Dictionary(uniqueKeysWithValues: (0..<40).map { ("k\($0)", "v") })
        configMap.data = ["zeta": "1", "alpha": "2", "Beta": "3", "a.b": "4", "a": "5"]
        let json = try Self.json(configMap)
        #expect(json.contains(#""data":{"Beta":"3","a":"5","a.b":"4","alpha":"2","zeta":"1"}"#), "\(json)")
        let labelKeys = (0..<40).map { "k\($0)" }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(json.contains("\"labels\":{" + labelKeys.map { "\"\($0)\":\"v\"" }.joined(separator: ",") + "}"))
        // The same object always encodes to the same bytes, so an unchanged write is recognised as one.
        #expect(try Self.json(configMap) == json)
        let top = try JSONValueEncoder().encodeToBytes(["b": 1, "a": 2])
        #expect(String(decoding: top, as: UTF8.self) == #"{"a":2,"b":1}"#)
    }

    @Test func containerStatusWithoutImageIDWritesAnEmptyImageID() throws {
        let status = try JSONDecoder().decode(
            CoreV1.ContainerStatus.self,
            from: Data(#"{"name":"web","image":"nginx","ready":true,"restartCount":0}"#.utf8)
        )
        #expect(status.imageID == "")
        let json = try Self.json(status)
        #expect(json.contains(#""imageID":"""#))
        #expect(json == #"{"name":"web","ready":true,"restartCount":0,"image":"nginx","imageID":""}"#)  // Go order
    }

    @Test func nullRequiredFieldsDecodeAsZeroValues() throws {
        let status = try JSONDecoder().decode(
            CoreV1.ContainerStatus.self,
            from: Data(
                #"{"name":null,"image":null,"imageID":null,"ready":null,"restartCount":null,"started":null}"#.utf8
            )
        )
        #expect(status == CoreV1.ContainerStatus())
        #expect(status.started == nil)
    }

    @Test func unsetOptionalsNeverAppear() throws {
        #expect(try Self.json(CoreV1.Pod()) == #"{"kind":"Pod","apiVersion":"v1","metadata":{}}"#)
        #expect(try Self.json(CoreV1.PodSpec()) == #"{"containers":[]}"#)
        let pod = CoreV1.Pod(metadata: ObjectMeta(name: "p"), spec: CoreV1.PodSpec(containers: [.init(name: "c")]))
        let json = try Self.json(pod)
        #expect(!json.contains("null"))
        #expect(
            json == #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}}"#
        )
    }

    @Test func int32FieldsEncodeAsIntegers() throws {
        let deployment = AppsV1.Deployment(spec: AppsV1.DeploymentSpec(replicas: 3))
        let json = try Self.json(deployment)
        #expect(json.contains(#""replicas":3"#))
        #expect(!json.contains("3.0"))
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        #expect(decoded["spec"]?["replicas"] == .int(3))
    }

    @Test func statusEncodesFieldsInGoOrder() throws {
        let status = MetaV1.Status(
            status: "Failure",
            message: #"pods "web" not found"#,
            reason: "NotFound",
            details: MetaV1.StatusDetails(name: "web", kind: "pods"),
            code: 404
        )
        #expect(
            try Self.json(status)
                == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"web\" not found","reason":"NotFound","details":{"name":"web","kind":"pods"},"code":404}"#
        )
    }

    @Test func tableDefaultsToMetaGroupVersion() throws {
        #expect(
            try Self.json(MetaV1.Table())
                == #"{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{},"columnDefinitions":[],"rows":[]}"#
        )
    }

    @Test func objectMetaIsOptionalFieldsOnly() throws {
        #expect(try Self.json(ObjectMeta()) == "{}")
        #expect(try Self.json(CoreV1.PodList()) == #"{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[]}"#)
    }

    @Test func keywordAndDollarNamesKeepTheirJSONNames() throws {
        let schema = APIExtensionsV1.JSONSchemaProps(
            schema: "http://json-schema.org/draft-04/schema#",
            ref: "#/definitions/a",
            default: "x",
            xKubernetesPreserveUnknownFields: true
        )
        #expect(
            try Self.json(schema)
                == ##"{"$schema":"http://json-schema.org/draft-04/schema#","$ref":"#/definitions/a","default":"x","x-kubernetes-preserve-unknown-fields":true}"##
        )
        let options = MetaV1.ListOptions(limit: 5, continue: "token")
        #expect(try Self.json(options).contains(#""continue":"token""#))
    }
}

/// The hand-written schema unions and the boxed recursive property.
struct JSONSchemaPropsTests {
    @Test func unionsDecodeBothShapes() throws {
        let json = #"""
            {"type":"object","additionalProperties":false,"additionalItems":{"type":"string"},
            "items":[{"type":"string"},{"type":"integer"}],"dependencies":{"a":["b"],"c":{"type":"object"}},
            "not":{"type":"string","not":{"type":"integer"}}}
            """#
        let schema = try JSONDecoder().decode(APIExtensionsV1.JSONSchemaProps.self, from: Data(json.utf8))
        #expect(schema.additionalProperties == .bool(false))
        #expect(schema.additionalItems == .schema(.init(type: "string")))
        #expect(schema.items == .schemas([.init(type: "string"), .init(type: "integer")]))
        #expect(schema.dependencies?["a"] == .strings(["b"]))
        #expect(schema.dependencies?["c"] == .schema(.init(type: "object")))
        #expect(schema.not?.not?.type == "integer")
        let back = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(schema))
        let original = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        #expect(back == original)
    }

    @Test func boxedPropertyKeepsValueSemantics() {
        let original = APIExtensionsV1.JSONSchemaProps(not: .init(type: "string"))
        var copy = original
        copy.not?.type = "integer"
        #expect(original.not?.type == "string")
        #expect(copy.not?.type == "integer")
        #expect(original != copy)
        copy.not?.type = "string"
        #expect(original == copy)
        #expect(original.hashValue == copy.hashValue)
    }
}

/// Conformances and the group-version-kind defaults.
struct APIObjectTests {
    @Test func kindsKnowTheirGroupVersionKind() {
        #expect(CoreV1.Pod.groupVersionKind == GroupVersionKind(group: "", version: "v1", kind: "Pod"))
        #expect(AppsV1.Deployment.groupVersionKind.apiVersion == "apps/v1")
        #expect(CoreV1.Pod.groupVersionKind.apiVersion == "v1")
        #expect(AppsV1.Deployment().apiVersion == "apps/v1")
        #expect(AppsV1.Deployment().kind == "Deployment")
        #expect(AppsV1.DeploymentList.Item.self == AppsV1.Deployment.self)
        #expect(AppsV1.DeploymentList.groupVersionKind.kind == "DeploymentList")
    }

    @Test func registryHoldsEveryKindOnce() {
        #expect(APIObjectTypes.objects.count >= 60)
        #expect(APIObjectTypes.objects[CoreV1.Secret.groupVersionKind] == CoreV1.Secret.self)
        #expect(APIObjectTypes.lists[CoreV1.PodList.groupVersionKind] == CoreV1.PodList.self)
        for (gvk, type) in APIObjectTypes.objects { #expect(type.groupVersionKind == gvk) }
    }
}

/// The compiled-in schema and resource table.
struct APISchemaTests {
    @Test func definitionsAreCompiledIn() throws {
        let pod = try #require(APISchema.definition(named: "io.k8s.api.core.v1.Pod"))
        #expect(pod["properties"]?["spec"]?["$ref"] == "#/definitions/io.k8s.api.core.v1.PodSpec")
        let containers = APISchema.definition(named: "io.k8s.api.core.v1.PodSpec")?["properties"]?["containers"]
        #expect(containers?["x-kubernetes-patch-merge-key"] == "name")
        #expect(containers?["x-kubernetes-list-type"] == "map")
        #expect(APISchema.definition(named: "io.k8s.apimachinery.pkg.api.resource.Quantity") != nil)
        #expect(APISchema.definitionNames.count > 500)
    }

    @Test func definitionsAreFoundByKind() {
        let gvk = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
        #expect(APISchema.definitionName(for: gvk) == "io.k8s.api.apps.v1.Deployment")
        #expect(APISchema.definition(for: gvk)?["description"] != nil)
        #expect(APISchema.definitionName(for: GroupVersionKind(group: "", version: "v1", kind: "Status")) != nil)
    }

    @Test func everyGeneratedKindHasADefinition() {
        for gvk in APIObjectTypes.objects.keys where gvk.group != "apidiscovery.k8s.io" {
            #expect(APISchema.definitionName(for: gvk) != nil, "\(gvk)")
        }
    }

    @Test func resourceTableKnowsScopesAndSubresources() throws {
        let deployments = try #require(APISchema.resource(group: "apps", version: "v1", plural: "deployments"))
        #expect(deployments.isNamespaced)
        #expect(deployments.groupVersionKind == AppsV1.Deployment.groupVersionKind)
        #expect(
            deployments.verbs == ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
        )
        #expect(
            deployments.subresource(named: "scale")?.groupVersionKind
                == GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale")
        )
        let namespaces = try #require(APISchema.resource(for: CoreV1.Namespace.groupVersionKind))
        #expect(!namespaces.isNamespaced)
        #expect(namespaces.plural == "namespaces")
        let pods = try #require(APISchema.resource(for: CoreV1.Pod.groupVersionKind))
        #expect(pods.shortNames == ["po"])
        #expect(pods.categories == ["all"])
        #expect(deployments.shortNames == ["deploy"])
        #expect(pods.subresource(named: "eviction")?.groupVersionKind.kind == "Eviction")
        #expect(pods.subresource(named: "binding")?.verbs == ["create"])
        #expect(pods.subresource(named: "status")?.verbs == ["get", "patch", "update"])
        let reviews = try #require(
            APISchema.resource(group: "authorization.k8s.io", version: "v1", plural: "selfsubjectaccessreviews")
        )
        #expect(reviews.verbs == ["create"])
    }
}

/// Aggregated discovery (`apidiscovery.k8s.io/v2`), which the OpenAPI document lacks.
struct APIDiscoveryTests {
    @Test func groupDiscoveryListEncodesAsUpstream() throws {
        let list = APIDiscoveryV2.APIGroupDiscoveryList(items: [
            APIDiscoveryV2.APIGroupDiscovery(
                metadata: ObjectMeta(name: "apps"),
                versions: [
                    APIDiscoveryV2.APIVersionDiscovery(
                        version: "v1",
                        resources: [
                            APIDiscoveryV2.APIResourceDiscovery(
                                resource: "deployments",
                                responseKind: MetaV1.GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"),
                                scope: "Namespaced",
                                singularResource: "deployment",
                                verbs: ["get", "list"],
                                shortNames: ["deploy"]
                            )
                        ],
                        freshness: "Current"
                    )
                ]
            )
        ])
        let expected =
            #"{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","metadata":{},"items":[{"#
            + #""metadata":{"name":"apps"},"versions":[{"version":"v1","resources":[{"resource":"deployments","#
            + #""responseKind":{"group":"apps","version":"v1","kind":"Deployment"},"scope":"Namespaced","#
            + #""singularResource":"deployment","verbs":["get","list"],"shortNames":["deploy"]}],"#
            + #""freshness":"Current"}]}]}"#
        #expect(try EncodingTests.json(list) == expected)
    }
}

/// `meta.k8s.io/v1` Table, which kubectl asks for with `Accept: …;as=Table`.
struct TableTests {
    @Test func tableWithRowsEncodesAsUpstream() throws {
        let table = MetaV1.Table(
            metadata: ListMeta(resourceVersion: "42"),
            columnDefinitions: [
                MetaV1.TableColumnDefinition(
                    name: "Name",
                    type: "string",
                    format: "name",
                    description: "Name",
                    priority: 0
                ),
                MetaV1.TableColumnDefinition(name: "Age", type: "string", description: "Age"),
            ],
            rows: [
                MetaV1.TableRow(
                    cells: ["web", 3, true, .null],
                    object: ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1"]
                )
            ]
        )
        let expected =
            #"{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"42"},"columnDefinitions":["#
            + #"{"name":"Name","type":"string","format":"name","description":"Name","priority":0},"#
            + #"{"name":"Age","type":"string","format":"","description":"Age","priority":0}],"#
            + #""rows":[{"cells":["web",3,true,null],"object":{"kind":"PartialObjectMetadata","#
            + #""apiVersion":"meta.k8s.io/v1"}}]}"#
        #expect(try EncodingTests.json(table) == expected)
    }
}
