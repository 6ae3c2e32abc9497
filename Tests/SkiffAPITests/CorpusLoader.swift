import Foundation
import SkiffAPIMachinery
import Testing
import Yams

/// One object of the corpus: a YAML document of `Corpus/*.yaml`, converted to JSON.
struct CorpusObject: Sendable, CustomTestStringConvertible {
    var file: String
    var index: Int
    var json: JSONValue

    var apiVersion: String { self.json["apiVersion"]?.stringValue ?? "" }
    var kind: String { self.json["kind"]?.stringValue ?? "" }
    var name: String { self.json["metadata"]?["name"]?.stringValue ?? "" }
    var testDescription: String { "\(self.file)#\(self.index) \(self.apiVersion) \(self.kind) \(self.name)" }

    var groupVersionKind: GroupVersionKind {
        let parts = self.apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        return parts.count == 2
            ? GroupVersionKind(group: parts[0], version: parts[1], kind: self.kind)
            : GroupVersionKind(group: "", version: self.apiVersion, kind: self.kind)
    }
}

enum Corpus {
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// Every document of every `Corpus/*.yaml`, in file order.
    static func load() throws -> [CorpusObject] {
        guard let directory = Bundle.module.url(forResource: "Corpus", withExtension: nil) else {
            throw LoadError(description: "the Corpus resource is missing")
        }
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        var objects: [CorpusObject] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (index, node) in try Yams.compose_all(yaml: text).enumerated() {
                objects.append(
                    CorpusObject(file: file.lastPathComponent, index: index, json: try YAMLJSON.json(from: node))
                )
            }
        }
        return objects
    }
}

/// YAML → JSON the way Kubernetes reads manifests: quoted scalars are strings; plain scalars resolve to null,
/// booleans, integers and floats (YAML 1.2 core schema), anything else stays a string.
enum YAMLJSON {
    static func json(from node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            return self.plain(scalar.string)
        case .sequence(let sequence):
            return .array(try sequence.map { try self.json(from: $0) })
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else {
                    throw Corpus.LoadError(description: "a mapping key is not a scalar")
                }
                object[scalar.string] = try self.json(from: value)
            }
            return .object(object)
        case .alias:
            throw Corpus.LoadError(description: "aliases are not supported in the corpus")
        }
    }

    static func plain(_ text: String) -> JSONValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let integer = Int64(text) { return .int(integer) }
        let isFloat = text.range(
            of: #"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"#,
            options: .regularExpression
        )
        if isFloat != nil, let double = Double(text) { return .double(double) }
        return .string(text)
    }
}
