import SkiffAPI
import SkiffAPIMachinery
import SkiffOpenAPI
import Testing

/// cli-runtime's `QueryParamVerifierV3`, kubectl's check that the server validates fields, and its check that
/// a strategic merge patch can be computed from `/openapi/v3`.
struct QueryParamVerifierTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var groupVersionKind: GroupVersionKind
        var documentPath: String
        var testDescription: String { "\(self.groupVersionKind)" }
    }

    /// Every kind that some resource or subresource lets clients patch.
    static let patchableKinds: [Case] = {
        var seen = Set<GroupVersionKind>()
        var cases: [Case] = []
        for resource in APISchema.resources {
            let path = Fixture.documentPath(
                group: resource.groupVersionKind.group,
                version: resource.groupVersionKind.version
            )
            if resource.verbs.contains("patch"), seen.insert(resource.groupVersionKind).inserted {
                cases.append(Case(groupVersionKind: resource.groupVersionKind, documentPath: path))
            }
        }
        return cases
    }()

    /// Whether some `patch` operation of `document` is for `gvk`, takes `fieldValidation` in the query and accepts
    /// strategic merge patches: what kubectl 1.32 looks for.
    static func supportsFieldValidationAndStrategicMerge(_ document: JSONValue, gvk: GroupVersionKind) -> Bool {
        for entry in Fixture.operations(of: document) where entry.method == "patch" {
            let operation = entry.operation
            guard
                operation["x-kubernetes-group-version-kind"]
                    == ["group": .string(gvk.group), "kind": .string(gvk.kind), "version": .string(gvk.version)]
            else { continue }
            let parameters = (operation["parameters"]?.arrayValue ?? []) + entry.pathParameters
            let hasFieldValidation = parameters.contains {
                $0["name"] == "fieldValidation" && $0["in"] == "query" && $0["schema"]?["type"] == "string"
            }
            let content = operation["requestBody"]?["content"]?.objectValue
            if hasFieldValidation, content?["application/strategic-merge-patch+json"] != nil { return true }
        }
        return false
    }

    @Test(arguments: Self.patchableKinds)
    func patchOperationAdvertisesFieldValidationAndStrategicMerge(_ c: Case) throws {
        let document = try Fixture.document(c.documentPath)
        #expect(Self.supportsFieldValidationAndStrategicMerge(document, gvk: c.groupVersionKind))
    }

    @Test func coversEveryPatchableResource() {
        let patchable = APISchema.resources.filter { $0.verbs.contains("patch") }
        #expect(Self.patchableKinds.count == Set(patchable.map(\.groupVersionKind)).count)
        #expect(Self.patchableKinds.count > 40)
    }

    @Test func theCheckFailsForAKindTheDocumentDoesNotServe() throws {
        let document = try Fixture.document("apis/apps/v1")
        let pod = GroupVersionKind(group: "", version: "v1", kind: "Pod")
        #expect(!Self.supportsFieldValidationAndStrategicMerge(document, gvk: pod))
    }

    @Test func patchOperationsAcceptEveryPatchType() throws {
        let document = try Fixture.document("api/v1")
        let operation = try #require(document["paths"]?["/api/v1/namespaces/{namespace}/pods/{name}"]?["patch"])
        let content = try #require(operation["requestBody"]?["content"]?.objectValue)
        #expect(
            content.keys.sorted() == [
                "application/apply-patch+cbor", "application/apply-patch+yaml", "application/json-patch+json",
                "application/merge-patch+json", "application/strategic-merge-patch+json",
            ]
        )
        for (_, mediaType) in content {
            #expect(mediaType["schema"] == ["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch"])
        }
    }
}
