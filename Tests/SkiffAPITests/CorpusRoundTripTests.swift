import Foundation
import SkiffAPI
import SkiffAPIMachinery
import Testing

/// Every corpus manifest decodes as the type its `apiVersion`/`kind` names and encodes back to the same JSON;
/// the only allowed difference is a required field (or `metadata`) absent from the input that the output writes
/// with its zero value, as Go does.
struct CorpusRoundTripTests {
    @Test func corpusCoversManyKinds() throws {
        let objects = try Corpus.load()
        #expect(objects.count >= 30)
        #expect(Set(objects.map(\.groupVersionKind)).count >= 30)
    }

    @Test(arguments: try Corpus.load())
    func roundTripsThroughTheGeneratedType(_ object: CorpusObject) throws {
        let type = try #require(
            APIObjectTypes.objects[object.groupVersionKind],
            "no generated kind for \(object.groupVersionKind)"
        )
        let input = Data(object.json.serialized())
        let output = try JSONValue.parse(try Self.roundTrip(type, input))
        let definition = try #require(APISchema.definitionName(for: object.groupVersionKind))
        let problems = JSONComparison.differences(
            input: object.json,
            output: output,
            schema: .object(["$ref": .string("#/definitions/" + definition)]),
            path: ""
        )
        #expect(problems.isEmpty, "\(problems)")
    }

    /// The same through ``JSONValueDecoder``, which must find no unknown field in the corpus.
    @Test(arguments: try Corpus.load())
    func roundTripsThroughTheStrictTreeDecoder(_ object: CorpusObject) throws {
        let type = try #require(APIObjectTypes.objects[object.groupVersionKind])
        let (output, unknown) = try Self.treeRoundTrip(type, object.json)
        #expect(unknown.isEmpty, "\(unknown)")
        let definition = try #require(APISchema.definitionName(for: object.groupVersionKind))
        let problems = JSONComparison.differences(
            input: object.json,
            output: output,
            schema: .object(["$ref": .string("#/definitions/" + definition)]),
            path: ""
        )
        #expect(problems.isEmpty, "\(problems)")
    }

    static func treeRoundTrip<Object: APIObject>(
        _ type: Object.Type,
        _ json: JSONValue
    ) throws -> (JSONValue, [String]) {
        let (value, unknown) = try JSONValueDecoder().decodeReportingUnknownFields(Object.self, from: json)
        return (try JSONValueEncoder().encode(value), unknown)
    }

    static func roundTrip<Object: APIObject>(_ type: Object.Type, _ data: Data) throws -> [UInt8] {
        let value = try JSONDecoder().decode(Object.self, from: data)
        return try JSONValueEncoder().encodeToBytes(value)
    }
}

/// Schema-guided comparison of an input manifest and its re-encoding.
enum JSONComparison {
    /// The schema with `$ref` resolved through ``APISchema``.
    static func resolve(_ schema: JSONValue?) -> JSONValue? {
        guard let reference = schema?["$ref"]?.stringValue else { return schema }
        return APISchema.definition(named: String(reference.dropFirst("#/definitions/".count)))
    }

    static func differences(input: JSONValue, output: JSONValue, schema: JSONValue?, path: String) -> [String] {
        let schema = self.resolve(schema)
        switch (input, output) {
        case (.object(let inputObject), .object(let outputObject)):
            var problems: [String] = []
            let required = Set(schema?["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            for (key, value) in inputObject where value != .null {
                let member = path + "." + key
                guard let written = outputObject[key] else {
                    problems.append("\(member): dropped")
                    continue
                }
                let property = schema?["properties"]?[key] ?? schema?["additionalProperties"] ?? schema?["items"]
                problems += self.differences(input: value, output: written, schema: property, path: member)
            }
            for (key, value) in outputObject where inputObject[key] == nil || inputObject[key] == .null {
                let member = path + "." + key
                if !required.contains(key) && key != "metadata" {
                    problems.append("\(member): written but neither in the input nor required")
                } else if !self.isZero(value) {
                    problems.append("\(member): a required field absent from the input is not zero: \(value)")
                }
            }
            return problems
        case (.array(let inputArray), .array(let outputArray)):
            guard inputArray.count == outputArray.count else {
                return ["\(path): \(inputArray.count) items became \(outputArray.count)"]
            }
            return zip(inputArray, outputArray).enumerated().flatMap { index, pair in
                self.differences(input: pair.0, output: pair.1, schema: schema?["items"], path: "\(path)[\(index)]")
            }
        case (.int(let integer), .double(let double)), (.double(let double), .int(let integer)):
            return Double(integer) == double ? [] : ["\(path): \(input) became \(output)"]
        default:
            return input == output ? [] : ["\(path): \(input) became \(output)"]
        }
    }

    /// Go's zero value as JSON: `""`, `0`, `false`, `[]`, `{}`, `null`, a zero Quantity (`"0"`) or Time (the
    /// epoch), or an object of zero values.
    static func isZero(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .bool(let bool): !bool
        case .int(let integer): integer == 0
        case .double(let double): double == 0
        case .string(let string): string.isEmpty || string == "0" || string.hasPrefix("1970-01-01T00:00:00")
        case .array(let array): array.isEmpty
        case .object(let object): object.allSatisfy { self.isZero($0.value) }
        }
    }
}

/// The comparison itself must catch what it is there to catch.
struct JSONComparisonTests {
    static let containerStatus: JSONValue = ["$ref": "#/definitions/io.k8s.api.core.v1.ContainerStatus"]

    @Test func reportsDroppedMembers() {
        let problems = JSONComparison.differences(
            input: ["name": "web", "bogus": 1],
            output: ["name": "web"],
            schema: Self.containerStatus,
            path: ""
        )
        #expect(problems == [".bogus: dropped"])
    }

    @Test func acceptsOnlyRequiredZeroValuesThatWereAbsent() {
        #expect(
            JSONComparison.differences(
                input: ["name": "web"],
                output: ["name": "web", "imageID": "", "ready": false],
                schema: Self.containerStatus,
                path: ""
            ).isEmpty
        )
        #expect(
            JSONComparison.differences(
                input: ["name": "web"],
                output: ["name": "web", "imageID": "sha"],
                schema: Self.containerStatus,
                path: ""
            ).count == 1
        )
        #expect(
            JSONComparison.differences(
                input: ["name": "web"],
                output: ["name": "web", "started": false],
                schema: Self.containerStatus,
                path: ""
            ).count == 1
        )
    }

    @Test func unknownFieldsDoNotSurviveDecoding() throws {
        let input: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": [:], "spec": ["bogus": 1]]
        let output = try JSONValue.parse(
            CorpusRoundTripTests.roundTrip(CoreV1.Pod.self, Data(input.serialized()))
        )
        let problems = JSONComparison.differences(
            input: input,
            output: output,
            schema: ["$ref": "#/definitions/io.k8s.api.core.v1.Pod"],
            path: ""
        )
        #expect(problems == [".spec.bogus: dropped"])
    }
}

/// The corpus covers what it claims to cover.
struct CorpusCoverageTests {
    @Test func oneManifestUsesEveryVolumeType() throws {
        let pod = try #require(try Corpus.load().first { $0.name == "every-volume" })
        let used = Set((pod.json["spec"]?["volumes"]?.arrayValue ?? []).flatMap { $0.objectValue?.keys ?? [] })
        let volume = try #require(APISchema.definition(named: "io.k8s.api.core.v1.Volume"))
        let types = Set(volume["properties"]?.objectValue?.keys ?? []).subtracting(["name"])
        #expect(types.count >= 29)
        #expect(types.subtracting(used).isEmpty, "\(types.subtracting(used).sorted())")
    }

    @Test func servicesOfEveryType() throws {
        let types = Set(
            try Corpus.load().filter { $0.kind == "Service" }.map {
                $0.json["spec"]?["type"]?.stringValue ?? "ClusterIP"
            }
        )
        #expect(types == ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"])
    }
}
