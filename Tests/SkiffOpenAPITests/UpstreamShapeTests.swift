import Foundation
import SkiffAPIMachinery
import SkiffOpenAPI
import Testing

/// The reference OpenAPI v2 document of Kubernetes 1.36, beside the package (read by tests only).
enum Reference {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let url = root.deletingLastPathComponent().appending(
        path: "shared/reference/kubernetes-1.36-openapi-v2.json"
    )

    static let document: JSONValue? = {
        guard let data = try? Data(contentsOf: Self.url) else { return nil }
        return try? JSONValue.parse(Array(data))
    }()

    /// The names of an operation's parameters (path level and operation level, `#/parameters/` resolved), with
    /// `in` for non-query ones, sorted; the v2 body parameter and parameters newer than kubectl 1.32's server
    /// are left out.
    static func parameterNames(_ parameters: [JSONValue], shared: JSONObject?) -> [String] {
        var names: [String] = []
        for var parameter in parameters {
            if let reference = parameter["$ref"]?.stringValue,
                let resolved = shared?[String(reference.dropFirst("#/parameters/".count))]
            {
                parameter = resolved
            }
            guard let name = parameter["name"]?.stringValue, let location = parameter["in"]?.stringValue,
                location != "body", name != "shardSelector"
            else { continue }
            names.append(location == "query" ? name : "\(name)[\(location)]")
        }
        return names.sorted()
    }
}

/// Our documents against the shape of upstream's: the same paths, operation ids, actions, kinds and parameters.
@Suite(.enabled(if: Reference.document != nil, "needs ../shared/reference/kubernetes-1.36-openapi-v2.json"))
struct UpstreamShapeTests {
    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]

    @Test(arguments: OpenAPIV3Service().groupVersionPaths)
    func operationsMatchTheReferenceDocument(_ documentPath: String) throws {
        let reference = try #require(Reference.document)
        let referencePaths = try #require(reference["paths"]?.objectValue)
        let sharedParameters = reference["parameters"]?.objectValue
        let document = try Fixture.document(documentPath)
        var checked = 0
        for entry in Fixture.operations(of: document) {
            let referenceItem = try #require(referencePaths[entry.path], "\(entry.path) is not an upstream path")
            let upstream = try #require(referenceItem[entry.method], "\(entry.method) \(entry.path) is not upstream")
            let operation = entry.operation
            let label = "\(entry.method) \(entry.path)"
            #expect(operation["operationId"] == upstream["operationId"], "\(label)")
            #expect(operation["x-kubernetes-action"] == upstream["x-kubernetes-action"], "\(label)")
            #expect(
                operation["x-kubernetes-group-version-kind"] == upstream["x-kubernetes-group-version-kind"],
                "\(label)"
            )
            #expect(operation["tags"] == upstream["tags"], "\(label)")
            #expect(operation["description"] == upstream["description"], "\(label)")
            let ours = Reference.parameterNames(
                (operation["parameters"]?.arrayValue ?? []) + entry.pathParameters,
                shared: nil
            )
            let theirs = Reference.parameterNames(
                (upstream["parameters"]?.arrayValue ?? []) + (referenceItem["parameters"]?.arrayValue ?? []),
                shared: sharedParameters
            )
            #expect(ours == theirs, "\(label)")
            // Response codes and schemas.
            for (code, response) in upstream["responses"]?.objectValue ?? JSONObject() {
                let ourResponse = try #require(operation["responses"]?[code], "\(label) lacks response \(code)")
                let upstreamSchema = response["schema"].map {
                    Self.v3Reference($0)
                }
                for (_, mediaType) in ourResponse["content"]?.objectValue ?? JSONObject() {
                    #expect(mediaType["schema"] == upstreamSchema, "\(label) \(code)")
                }
            }
            #expect(
                operation["responses"]?.objectValue?.keys.sorted()
                    == upstream["responses"]?.objectValue?.keys.sorted(),
                "\(label)"
            )
            // Request bodies: the v2 consumes become the v3 content types (CBOR apart from apply-patch+cbor).
            if let body = upstream["parameters"]?.arrayValue?.first(where: { Self.isBody($0, sharedParameters) }) {
                let content = try #require(operation["requestBody"]?["content"]?.objectValue, "\(label)")
                let consumes = upstream["consumes"]?.arrayValue?.compactMap(\.stringValue) ?? []
                #expect(content.keys.sorted() == consumes.sorted(), "\(label)")
                let schema = Self.resolve(body, sharedParameters)["schema"].map(Self.v3Reference)
                for (_, mediaType) in content { #expect(mediaType["schema"] == schema, "\(label)") }
            } else {
                #expect(operation["requestBody"] == nil, "\(label)")
            }
            checked += 1
        }
        #expect(checked > 0)
    }

    /// Every upstream operation of a served resource is in our document (watch and proxy paths included).
    @Test(arguments: OpenAPIV3Service().groupVersionPaths)
    func everyUpstreamOperationIsPublished(_ documentPath: String) throws {
        let reference = try #require(Reference.document)
        let document = try Fixture.document(documentPath)
        let ours = Set(Fixture.operations(of: document).map { "\($0.method) \($0.path)" })
        let prefix = "/" + documentPath + "/"
        var missing: [String] = []
        for (path, item) in reference["paths"]?.objectValue ?? JSONObject() where path.hasPrefix(prefix) {
            for (method, _) in item.objectValue ?? JSONObject() where Self.methods.contains(method) {
                if !ours.contains("\(method) \(path)") { missing.append("\(method) \(path)") }
            }
        }
        #expect(missing.isEmpty, "\(missing.sorted())")
    }

    /// The operation cli-runtime and kubectl look at for pods, field by field against upstream's v3 shape.
    @Test func patchNamespacedPodHasUpstreamsShape() throws {
        let document = try Fixture.document("api/v1")
        let item = try #require(document["paths"]?["/api/v1/namespaces/{namespace}/pods/{name}"])
        let patch = try #require(item["patch"])
        #expect(patch["operationId"] == "patchCoreV1NamespacedPod")
        #expect(patch["x-kubernetes-action"] == "patch")
        #expect(patch["x-kubernetes-group-version-kind"] == ["group": "", "kind": "Pod", "version": "v1"])
        #expect(patch["tags"] == ["core_v1"])
        let names = patch["parameters"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["dryRun", "fieldManager", "fieldValidation", "force"])
        for parameter in patch["parameters"]?.arrayValue ?? [] {
            #expect(parameter["in"] == "query")
            #expect(parameter["schema"]?["type"] != nil)
            #expect(parameter["description"]?.stringValue?.isEmpty == false)
        }
        let pathNames = item["parameters"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(pathNames == ["name", "namespace", "pretty"])
        #expect(item["parameters"]?.arrayValue?.first?["required"] == true)
        let responses = try #require(patch["responses"]?.objectValue)
        #expect(responses.keys.sorted() == ["200", "201", "401"])
        #expect(
            responses["200"]?["content"]?.objectValue?.keys.sorted() == [
                "application/json", "application/vnd.kubernetes.protobuf", "application/yaml",
            ]
        )
        #expect(
            responses["200"]?["content"]?["application/json"]?["schema"]
                == ["$ref": "#/components/schemas/io.k8s.api.core.v1.Pod"]
        )
        #expect(responses["401"] == ["description": "Unauthorized"])
    }

    static func isBody(_ parameter: JSONValue, _ shared: JSONObject?) -> Bool {
        Self.resolve(parameter, shared)["in"] == "body"
    }

    static func resolve(_ parameter: JSONValue, _ shared: JSONObject?) -> JSONValue {
        guard let reference = parameter["$ref"]?.stringValue else { return parameter }
        return shared?[String(reference.dropFirst("#/parameters/".count))] ?? parameter
    }

    /// A v2 response or body schema in v3 form.
    static func v3Reference(_ schema: JSONValue) -> JSONValue {
        guard let reference = schema["$ref"]?.stringValue else { return schema }
        return ["$ref": .string(reference.replacingOccurrences(of: "#/definitions/", with: "#/components/schemas/"))]
    }
}
