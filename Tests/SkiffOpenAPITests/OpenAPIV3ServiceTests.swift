import SkiffAPI
import SkiffAPIMachinery
import SkiffOpenAPI
import Testing

/// One service for the whole suite, so each document is built once.
enum Fixture {
    static let service = OpenAPIV3Service()

    /// The parsed document of `path` (`api/v1`).
    static func document(_ path: String) throws -> JSONValue {
        let document = try #require(Self.service.document(path: path), "no document for \(path)")
        return try JSONValue.parse(document.bytes)
    }

    static func documentPath(group: String, version: String) -> String {
        group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
    }

    /// Every `$ref` string in `value`.
    static func references(in value: JSONValue, into references: inout [String]) {
        switch value {
        case .object(let object):
            for (key, member) in object {
                if key == "$ref", let reference = member.stringValue { references.append(reference) }
                Self.references(in: member, into: &references)
            }
        case .array(let elements):
            for element in elements { Self.references(in: element, into: &references) }
        default:
            break
        }
    }

    /// The operations of a document: (path, method, operation, path-level parameters).
    static func operations(
        of document: JSONValue
    ) -> [(path: String, method: String, operation: JSONValue, pathParameters: [JSONValue])] {
        var result: [(String, String, JSONValue, [JSONValue])] = []
        for (path, item) in document["paths"]?.objectValue ?? JSONObject() {
            let parameters = item["parameters"]?.arrayValue ?? []
            for (method, operation) in item.objectValue ?? JSONObject() where method != "parameters" {
                result.append((path, method, operation, parameters))
            }
        }
        return result
    }
}

struct OpenAPIV3ServiceTests {
    @Test func servesOneDocumentPerGroupVersion() {
        let expected = Set(
            APISchema.resources.map {
                Fixture.documentPath(group: $0.groupVersionKind.group, version: $0.groupVersionKind.version)
            }
        )
        #expect(Set(Fixture.service.groupVersionPaths) == expected)
        #expect(Fixture.service.groupVersionPaths.contains("api/v1"))
        #expect(Fixture.service.groupVersionPaths.contains("apis/apps/v1"))
        #expect(Fixture.service.document(path: "apis/apps/v1beta1") == nil)
        #expect(Fixture.service.document(path: "apis/apps") == nil)
    }

    @Test func indexListsEveryGroupVersionWithItsDocumentHash() throws {
        let index = try JSONValue.parse(Fixture.service.index())
        let paths = try #require(index["paths"]?.objectValue)
        #expect(paths.keys.sorted() == Fixture.service.groupVersionPaths)
        for path in Fixture.service.groupVersionPaths {
            let url = try #require(paths[path]?["serverRelativeURL"]?.stringValue)
            let hash = try #require(Fixture.service.document(path: path)?.hash)
            #expect(url == "/openapi/v3/\(path)?hash=\(hash)")
            #expect(hash.count == 32 && hash.allSatisfy { $0.isHexDigit && !$0.isLowercase })
        }
    }

    @Test func documentsAreDeterministic() throws {
        let other = OpenAPIV3Service()
        for path in ["api/v1", "apis/apps/v1", "apis/batch/v1", "apis/rbac.authorization.k8s.io/v1"] {
            let first = try #require(Fixture.service.document(path: path))
            let second = try #require(other.document(path: path))
            #expect(first.bytes == second.bytes, "\(path) differs between two builds")
            #expect(first.hash == second.hash)
        }
        #expect(Fixture.service.index() == other.index())
    }

    @Test func documentsHaveTheOpenAPI3Envelope() throws {
        let service = OpenAPIV3Service(serverVersion: "v1.32.9")
        let document = try JSONValue.parse(try #require(service.document(path: "apis/apps/v1")).bytes)
        #expect(document["openapi"] == "3.0.0")
        #expect(document["info"] == ["title": "Kubernetes", "version": "v1.32.9"])
        #expect(
            document["components"]?["securitySchemes"]?["BearerToken"]
                == [
                    "description": "Bearer Token authentication", "in": "header", "name": "authorization",
                    "type": "apiKey",
                ]
        )
        #expect((document["components"]?["schemas"]?.objectValue?.count ?? 0) > 10)
    }

    @Test(arguments: OpenAPIV3Service().groupVersionPaths)
    func everyReferenceResolvesInsideItsDocument(_ path: String) throws {
        let bytes = try #require(Fixture.service.document(path: path)).bytes
        #expect(!String(decoding: bytes, as: UTF8.self).contains("#/definitions/"))
        let document = try JSONValue.parse(bytes)
        let schemas = try #require(document["components"]?["schemas"]?.objectValue)
        var references: [String] = []
        Fixture.references(in: document, into: &references)
        #expect(!references.isEmpty)
        for reference in Set(references) {
            #expect(reference.hasPrefix("#/components/schemas/"), "\(path): \(reference)")
            let name = String(reference.dropFirst("#/components/schemas/".count))
            #expect(schemas[name] != nil, "\(path): \(reference) does not resolve")
        }
        // Nothing unreachable is published either.
        let referenced = Set(references.map { String($0.dropFirst("#/components/schemas/".count)) })
        #expect(Set(schemas.keys) == referenced, "\(path) has unreferenced schemas")
    }
}
