import SkiffAPI
import SkiffAPIMachinery
import SkiffOpenAPI
import Testing

/// The component schemas keep what kubectl's explain and strategic merge patch read.
struct SchemaConversionTests {
    static func schema(_ name: String, in path: String) throws -> JSONValue {
        let document = try Fixture.document(path)
        return try #require(document["components"]?["schemas"]?[name], "\(name) missing from \(path)")
    }

    @Test func podContainersKeepTheirMergeKeyStrategyAndListType() throws {
        let podSpec = try Self.schema("io.k8s.api.core.v1.PodSpec", in: "api/v1")
        let containers = try #require(podSpec["properties"]?["containers"])
        #expect(containers["x-kubernetes-patch-merge-key"] == "name")
        #expect(containers["x-kubernetes-patch-strategy"] == "merge")
        #expect(containers["x-kubernetes-list-type"] == "map")
        #expect(containers["x-kubernetes-list-map-keys"] == ["name"])
        #expect(containers["type"] == "array")
        #expect(containers["items"] == ["allOf": [["$ref": "#/components/schemas/io.k8s.api.core.v1.Container"]]])
        #expect(containers["description"]?.stringValue?.isEmpty == false)
    }

    @Test func referencedPropertiesAreWrappedInAllOfWithTheirSiblings() throws {
        let pod = try Self.schema("io.k8s.api.core.v1.Pod", in: "api/v1")
        let metadata = try #require(pod["properties"]?["metadata"])
        #expect(
            metadata["allOf"] == [["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]]
        )
        #expect(metadata["$ref"] == nil)
        #expect(metadata["description"]?.stringValue?.hasPrefix("Standard object's metadata") == true)
        #expect(pod["x-kubernetes-group-version-kind"] == [["group": "", "kind": "Pod", "version": "v1"]])
    }

    @Test func deploymentKeepsItsGroupVersionKindArray() throws {
        let deployment = try Self.schema("io.k8s.api.apps.v1.Deployment", in: "apis/apps/v1")
        #expect(
            deployment["x-kubernetes-group-version-kind"] == [["group": "apps", "kind": "Deployment", "version": "v1"]]
        )
        let v2 = try #require(APISchema.definition(named: "io.k8s.api.apps.v1.Deployment"))
        #expect(deployment["description"] == v2["description"])
        #expect(deployment["properties"]?.objectValue?.keys.sorted() == v2["properties"]?.objectValue?.keys.sorted())
    }

    @Test func intOrStringBecomesOneOf() throws {
        let intOrString = try Self.schema("io.k8s.apimachinery.pkg.util.intstr.IntOrString", in: "apis/apps/v1")
        #expect(intOrString["format"] == "int-or-string")
        #expect(intOrString["oneOf"] == [["type": "integer"], ["type": "string"]])
        #expect(intOrString["type"] == nil)
    }

    @Test func sharedMetaSchemasArePresent() throws {
        let document = try Fixture.document("apis/apps/v1")
        let schemas = try #require(document["components"]?["schemas"]?.objectValue)
        for name in [
            "io.k8s.apimachinery.pkg.apis.meta.v1.Patch", "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
            "io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "io.k8s.api.apps.v1.DeploymentList",
            "io.k8s.api.autoscaling.v1.Scale", "io.k8s.api.core.v1.PodTemplateSpec",
        ] {
            #expect(schemas[name] != nil, "\(name)")
        }
    }

    /// Every extension of every reachable v2 definition survives the conversion, and nothing but `$ref` (turned
    /// into `allOf`) and IntOrString's `type` changes.
    @Test(arguments: ["api/v1", "apis/apps/v1", "apis/batch/v1", "apis/networking.k8s.io/v1"])
    func conversionKeepsEveryDescriptionAndExtension(_ path: String) throws {
        let document = try Fixture.document(path)
        let schemas = try #require(document["components"]?["schemas"]?.objectValue)
        for (name, schema) in schemas {
            let original = try #require(APISchema.definition(named: name))
            #expect(Self.strippingReferences(schema) == Self.strippingReferences(original), "\(name)")
        }
    }

    /// `schema` without `$ref`, `allOf` and `oneOf`/`type`, so v2 and v3 forms compare equal.
    static func strippingReferences(_ schema: JSONValue) -> JSONValue {
        switch schema {
        case .object(let object):
            var members: [(key: String, value: JSONValue)] = []
            for (key, value) in object where !["$ref", "allOf", "oneOf", "type"].contains(key) {
                members.append((key, Self.strippingReferences(value)))
            }
            return .object(JSONObject(members))
        case .array(let elements):
            return .array(elements.map(Self.strippingReferences))
        default:
            return schema
        }
    }
}
