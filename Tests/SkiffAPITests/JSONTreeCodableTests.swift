@testable import SkiffAPI
import SkiffAPIMachinery
import Testing

/// The generated ``JSONTreeCodable`` code and the `Codable` code agree: the same values, the same encodings byte for
/// byte, the same unknown fields, and the same errors at the same paths, on the corpus, on objects generated from
/// the schema for every kind, and on mutants of both.
struct JSONTreeCodableTests {
    @Test(arguments: try Corpus.load())
    func corpusObjectsAgree(_ object: CorpusObject) throws {
        let type = try #require(APIObjectTypes.objects[object.groupVersionKind])
        let outcome = try Self.compare(type, object.json)
        #expect(outcome == .decoded, "\(object.groupVersionKind)")
    }

    /// Random objects of every kind, filled from the kind's schema (each property present with probability ½).
    @Test func schemaGeneratedObjectsAgree() throws {
        var random = SplitMix64(seed: 0x5EED_C0DE)
        var decoded = 0
        for (groupVersionKind, type) in APIObjectTypes.objects.sorted(by: { $0.key.description < $1.key.description }) {
            let definition = try #require(APISchema.definitionName(for: groupVersionKind))
            for _ in 0..<4 {
                let value = SchemaSampler.object(definition: definition, depth: 0, random: &random)
                if try Self.compare(type, value) == .decoded { decoded += 1 }
            }
        }
        // The sampler writes valid values, so nearly every object must decode (and be compared as values).
        #expect(decoded >= APIObjectTypes.objects.count * 4 * 9 / 10, "only \(decoded) decoded")
    }

    /// Mutants: one node replaced by a value of another shape, or an unknown member added. Both paths must fail
    /// with the same error at the same path, or succeed with the same value and unknown fields.
    @Test func mutantsAgree() throws {
        var random = SplitMix64(seed: 0xBAD_F00D)
        var failures = 0
        var unknown = 0
        var total = 0
        for object in try Corpus.load() {
            let type = try #require(APIObjectTypes.objects[object.groupVersionKind])
            for _ in 0..<60 {
                let mutant = Mutator.mutate(object.json, random: &random)
                switch try Self.compare(type, mutant) {
                case .failed: failures += 1
                case .decodedWithUnknownFields: unknown += 1
                case .decoded: break
                }
                total += 1
            }
        }
        // The mutants must exercise both the error paths and unknown-field reporting.
        #expect(failures > total / 10, "\(failures) of \(total) failed")
        #expect(unknown > total / 20, "\(unknown) of \(total) had unknown fields")
    }

    @Test func errorsNameThePathAndTheValue() throws {
        let pod: JSONValue = ["spec": ["containers": [["name": "a", "ports": [["containerPort": "80"]]]]]]
        #expect {
            try JSONValueDecoder().decode(CoreV1.Pod.self, from: pod)
        } throws: { error in
            guard case .typeMismatch(_, let context) = error as? DecodingError else { return false }
            return Self.path(context.codingPath) == "spec.containers[0].ports[0].containerPort"
                && context.debugDescription == "cannot unmarshal string into Int32"
        }
        let overflow: JSONValue = ["spec": ["priority": .int(1 << 40)]]
        #expect {
            try JSONValueDecoder().decode(CoreV1.Pod.self, from: overflow)
        } throws: { error in
            guard case .dataCorrupted(let context) = error as? DecodingError else { return false }
            return Self.path(context.codingPath) == "spec.priority"
                && context.debugDescription == "number 1099511627776 overflows Int32"
        }
    }

    @Test func unknownFieldsAreReportedInDocumentOrder() throws {
        let pod: JSONValue = [
            "spex": 1,
            "spec": ["containers": [["name": "a", "imagePullPolcy": "Always"]], "nodeNam": "n"],
            "metadata": ["nam": "x"],
        ]
        let (_, unknown) = try JSONValueDecoder().decodeReportingUnknownFields(CoreV1.Pod.self, from: pod)
        #expect(unknown == ["spex", "spec.containers[0].imagePullPolcy", "spec.nodeNam", "metadata.nam"])
    }

    @Test func generatedTypesInsideHandWrittenDecodablesKeepTheirPath() throws {
        struct Envelope: Codable, Equatable {
            var type: String
            var object: CoreV1.ConfigMap
        }
        let bad: JSONValue = ["type": "ADDED", "object": ["data": ["k": 1]]]
        #expect {
            try JSONValueDecoder().decode(Envelope.self, from: bad)
        } throws: { error in
            guard case .typeMismatch(_, let context) = error as? DecodingError else { return false }
            return Self.path(context.codingPath) == "object.data.k"
        }
        let unknown: JSONValue = ["type": "ADDED", "object": ["dat": ["k": "v"]], "extra": true]
        let (_, fields) = try JSONValueDecoder().decodeReportingUnknownFields(Envelope.self, from: unknown)
        #expect(fields.sorted() == ["extra", "object.dat"])
    }

    // MARK: Comparison

    enum Outcome: Equatable {
        case decoded
        case decodedWithUnknownFields
        case failed
    }

    /// Decodes `json` as `type` both ways and records an issue for any difference.
    static func compare<Object: APIObject>(_ type: Object.Type, _ json: JSONValue) throws -> Outcome {
        var codable = JSONValueDecoder()
        codable.usesTreeCodable = false
        let viaCodable = Result { try codable.decodeReportingUnknownFields(Object.self, from: json) }
        let viaTree = Result { try JSONValueDecoder().decodeReportingUnknownFields(Object.self, from: json) }
        switch (viaCodable, viaTree) {
        case (.success(let expected), .success(let actual)):
            #expect(actual.value == expected.value, "\(Object.self) decoded differently from \(json)")
            // The `Codable` path reports a nested object's unknown members before its parent's; the direct path in
            // document order, as Go's decoder finds them.
            #expect(actual.unknownFields.sorted() == expected.unknownFields.sorted(), "\(Object.self)")
            var encoder = JSONValueEncoder()
            encoder.usesTreeCodable = false
            let expectedBytes = try encoder.encodeToBytes(expected.value)
            let actualBytes = try JSONValueEncoder().encodeToBytes(actual.value)
            #expect(
                actualBytes == expectedBytes,
                "\(Object.self): \(String(decoding: actualBytes, as: UTF8.self)) ≠ \(String(decoding: expectedBytes, as: UTF8.self))"
            )
            return expected.unknownFields.isEmpty ? .decoded : .decodedWithUnknownFields
        case (.failure(let expected), .failure(let actual)):
            #expect(Self.describe(actual) == Self.describe(expected), "\(Object.self) from \(json)")
            return .failed
        case (.success, .failure(let error)):
            Issue.record("\(Object.self): only the direct decoder failed: \(Self.describe(error)) on \(json)")
            return .failed
        case (.failure(let error), .success):
            Issue.record("\(Object.self): only the Codable decoder failed: \(Self.describe(error)) on \(json)")
            return .failed
        }
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .typeMismatch(let type, let context):
            return "typeMismatch \(type) at \(self.path(context.codingPath)): \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            return "valueNotFound \(type) at \(self.path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "keyNotFound \(key.stringValue) at \(self.path(context.codingPath))"
        case .dataCorrupted(let context):
            return "dataCorrupted at \(self.path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            if let index = key.intValue { path += "[\(index)]" } else { path += (path.isEmpty ? "" : ".") + key.stringValue }
        }
        return path
    }
}

/// A small deterministic generator, so a failure reproduces.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Values that follow the compiled-in OpenAPI schema.
enum SchemaSampler {
    static let handWritten: [String: [JSONValue]] = [
        "io.k8s.apimachinery.pkg.api.resource.Quantity": ["100m", "1Gi", .int(3), "  2 ", .double(0.5)],
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString": [.int(8080), "http", "25%"],
        "io.k8s.apimachinery.pkg.apis.meta.v1.Time": ["2024-05-01T10:00:00Z", .null],
        "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": ["2024-05-01T10:00:00.123456Z"],
        "io.k8s.apimachinery.pkg.runtime.RawExtension": [["a": [1, "b"]]],
        "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": [["f:metadata": ["f:labels": [:]]]],
    ]

    static func object(definition: String, depth: Int, random: inout SplitMix64) -> JSONValue {
        if let choices = self.handWritten[definition] { return choices.randomElement(using: &random)! }
        guard let schema = APISchema.definition(named: definition) else { return .null }
        return self.value(schema: schema, depth: depth, random: &random)
    }

    static func value(schema: JSONValue, depth: Int, random: inout SplitMix64) -> JSONValue {
        if let reference = schema["$ref"]?.stringValue {
            return self.object(
                definition: String(reference.dropFirst("#/definitions/".count)),
                depth: depth + 1,
                random: &random
            )
        }
        if let allOf = schema["allOf"]?.arrayValue, let first = allOf.first {
            return self.value(schema: first, depth: depth, random: &random)
        }
        switch schema["type"]?.stringValue {
        case "string":
            if schema["format"]?.stringValue == "int-or-string" { return .int(80) }
            if schema["format"]?.stringValue == "date-time" { return "2024-05-01T10:00:00Z" }
            if schema["format"]?.stringValue == "byte" { return "aGVsbG8=" }
            return .string(["a", "web", "Always", "", "x-y.z"].randomElement(using: &random)!)
        case "integer":
            return .int(Int64.random(in: -3...100_000, using: &random))
        case "number":
            return Bool.random(using: &random) ? .double(1.5) : .int(2)
        case "boolean":
            return .bool(Bool.random(using: &random))
        case "array":
            guard depth < 6, let items = schema["items"] else { return [] }
            let count = Int.random(in: 0...2, using: &random)
            return .array((0..<count).map { _ in self.value(schema: items, depth: depth + 1, random: &random) })
        default:
            if let values = schema["additionalProperties"], values.objectValue != nil {
                guard depth < 6 else { return [:] }
                let count = Int.random(in: 0...2, using: &random)
                var object = JSONObject()
                for index in 0..<count {
                    object["k\(index)"] = self.value(schema: values, depth: depth + 1, random: &random)
                }
                return .object(object)
            }
            guard let properties = schema["properties"]?.objectValue else { return ["any": [1, "two"]] }
            var object = JSONObject()
            for (name, property) in properties where depth < 6 && Bool.random(using: &random) {
                object[name] = self.value(schema: property, depth: depth, random: &random)
            }
            return .object(object)
        }
    }
}

/// Replaces one node of a JSON tree (or adds an unknown member to an object).
enum Mutator {
    static let replacements: [JSONValue] = [
        .null, true, .int(7), .int(1 << 40), .int(-1), .double(2.5), .double(3.0), "", "x", "80", "1Gi",
        "2024-13-01T00:00:00Z", [], [1], ["a"], [.null], [:], ["zzUnknown": 1], [["name": "q"]],
    ]

    static func mutate(_ value: JSONValue, random: inout SplitMix64) -> JSONValue {
        var nodes = 0
        self.count(value, into: &nodes)
        var target = Int.random(in: 0..<nodes, using: &random)
        let replacement = self.replacements.randomElement(using: &random)!
        let addsMember = Int.random(in: 0..<4, using: &random) == 0
        return self.replace(value, target: &target, replacement: replacement, addsMember: addsMember)
    }

    private static func count(_ value: JSONValue, into nodes: inout Int) {
        nodes += 1
        switch value {
        case .array(let elements): for element in elements { self.count(element, into: &nodes) }
        case .object(let object): for member in object { self.count(member.value, into: &nodes) }
        default: break
        }
    }

    private static func replace(
        _ value: JSONValue,
        target: inout Int,
        replacement: JSONValue,
        addsMember: Bool
    ) -> JSONValue {
        if target == 0 {
            target = -1
            if addsMember, case .object(var object) = value {
                object["zzExtra"] = replacement
                return .object(object)
            }
            return replacement
        }
        target -= 1
        switch value {
        case .array(let elements):
            return .array(
                elements.map { self.replace($0, target: &target, replacement: replacement, addsMember: addsMember) }
            )
        case .object(let object):
            var result = JSONObject()
            for member in object {
                result[member.key] = self.replace(
                    member.value,
                    target: &target,
                    replacement: replacement,
                    addsMember: addsMember
                )
            }
            return .object(result)
        default:
            return value
        }
    }
}
