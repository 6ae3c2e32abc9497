public import Foundation

/// One file the generator writes, relative to the package root.
public struct GeneratedFile: Sendable, Hashable {
    public var path: String
    public var contents: String
    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}

/// The inputs every generator reads, loaded once.
struct GeneratorInput {
    /// `definitions` of the OpenAPI v2 document, keyed by definition name (`io.k8s.api.core.v1.Pod`).
    var definitions: [String: [String: Any]]
    /// The whole OpenAPI v2 document (for `paths`).
    var document: [String: Any]
    /// Every message of `proto/**/generated.proto`, keyed by fully qualified name (`k8s.io.api.core.v1.Pod`).
    var protoMessages: [String: ProtoMessage]
}

/// Entry point of `skiff-api-gen`: everything generated from `../shared/reference`.
public enum CodeGen {
    /// Generates every file, in memory. Deterministic: the same inputs give byte-identical output.
    public static func generateAll(referenceDirectory: URL) throws -> [GeneratedFile] {
        let data = try Data(contentsOf: referenceDirectory.appending(path: "kubernetes-1.36-openapi-v2.json"))
        guard let document = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let definitions = document["definitions"] as? [String: [String: Any]]
        else { throw ProtoIDLError(message: "the OpenAPI document has no definitions") }
        let input = GeneratorInput(
            definitions: definitions,
            document: document,
            protoMessages: try ProtoIDL.parseTree(root: referenceDirectory.appending(path: "proto"))
        )
        var files: [GeneratedFile] = []
        files += try OpenAPITypesGenerator.generate(input)
        files += try ProtobufSchemaGenerator.generate(input)
        return files.sorted { $0.path < $1.path }
    }
}
