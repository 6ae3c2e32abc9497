import Foundation
import SkiffAPI
import SkiffAPIMachinery
import Testing

/// Go's strictness and unknown-field reporting of ``JSONValueDecoder``.
struct JSONValueDecoderTests {
    static func parse(_ text: String) throws -> JSONValue {
        try JSONValue.parse(Array(text.utf8))
    }

    @Test func reportsUnknownFieldsWithTheirPaths() throws {
        let json = try Self.parse(
            #"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","nmae":"typo"},
             "spec":{"containers":[{"name":"c","image":"i","imagePullPolcy":"Always"}],"bogus":{"a":1}}}
            """#
        )
        let (pod, unknown) = try JSONValueDecoder().decodeReportingUnknownFields(CoreV1.Pod.self, from: json)
        #expect(pod.metadata.name == "p")
        #expect(pod.spec?.containers.first?.image == "i")
        #expect(unknown == ["metadata.nmae", "spec.containers[0].imagePullPolcy", "spec.bogus"])
    }

    @Test func preservedUnknownFieldsAreNotUnknown() throws {
        let json = try Self.parse(
            #"{"type":"object","default":{"anything":[1,{"x":true}]},"x-kubernetes-preserve-unknown-fields":true}"#
        )
        let (schema, unknown) = try JSONValueDecoder().decodeReportingUnknownFields(
            APIExtensionsV1.JSONSchemaProps.self,
            from: json
        )
        #expect(unknown.isEmpty)
        #expect(schema.default?["anything"]?.arrayValue?.count == 2)
        #expect(schema.xKubernetesPreserveUnknownFields == true)
    }

    @Test(arguments: [#"{"replicas":3.0}"#, #"{"replicas":"3"}"#, #"{"replicas":3000000000}"#, #"{"paused":1}"#])
    func rejectsWhatGoRejects(_ text: String) throws {
        #expect(throws: DecodingError.self) {
            try JSONValueDecoder().decode(AppsV1.DeploymentSpec.self, from: try Self.parse(text))
        }
    }

    @Test func nullMeansAbsent() throws {
        let spec = try JSONValueDecoder().decode(
            AppsV1.DeploymentSpec.self,
            from: try Self.parse(#"{"replicas":null,"selector":null,"template":{"spec":{"containers":null}}}"#)
        )
        #expect(spec.replicas == nil)
        #expect(spec.selector == MetaV1.LabelSelector())
        #expect(spec.template.spec?.containers == [])
    }

    @Test func decodesFromBytesLikeJSONDecoder() throws {
        let bytes = Array(
            #"{"kind":"Status","apiVersion":"v1","status":"Failure","code":404,"reason":"NotFound"}"#.utf8
        )
        let viaTree = try JSONValueDecoder().decode(MetaV1.Status.self, from: bytes)
        let viaFoundation = try JSONDecoder().decode(MetaV1.Status.self, from: Data(bytes))
        #expect(viaTree == viaFoundation)
        #expect(viaTree.code == 404)
    }

    @Test func repeatedMembersOfABuiltObjectKeepTheLastValue() throws {
        let object = JSONValue.object(JSONObject([("replicas", 1), ("paused", true), ("replicas", 2)]))
        let (spec, unknown) = try JSONValueDecoder().decodeReportingUnknownFields(
            AppsV1.DeploymentSpec.self,
            from: object
        )
        #expect(spec.replicas == 2)
        #expect(spec.paused == true)
        #expect(unknown.isEmpty)
    }

    @Test func largeObjectsAreFoundAndReported() throws {
        var labels = JSONObject()
        for index in 0..<100 { labels["label-\(index)"] = .string("value-\(index)") }
        var metadata = JSONObject()
        metadata["name"] = "big"
        metadata["labels"] = .object(labels)
        for index in 0..<30 { metadata["extra\(index)"] = .int(Int64(index)) }
        let (meta, unknown) = try JSONValueDecoder().decodeReportingUnknownFields(
            MetaV1.ObjectMeta.self,
            from: .object(metadata)
        )
        #expect(meta.name == "big")
        #expect(meta.labels?.count == 100)
        #expect(meta.labels?["label-42"] == "value-42")
        #expect(unknown == (0..<30).map { "extra\($0)" })
    }

    @Test func errorsCarryTheCodingPath() throws {
        let json = try Self.parse(
            #"{"spec":{"containers":[{"name":"a"},{"name":"b","ports":[{"containerPort":"80"}]}]}}"#
        )
        do {
            _ = try JSONValueDecoder().decode(CoreV1.Pod.self, from: json)
            Issue.record("decoded a string port")
        } catch DecodingError.typeMismatch(_, let context) {
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            #expect(path == ["spec", "containers", "1", "ports", "0", "containerPort"])
        }
    }

    struct Scalars: Codable, Equatable {
        var small: Int8
        var unsigned: UInt
        var float: Float
        var wide: UInt64
        var nested: [String: [Int16]]
    }

    @Test func decodesEveryScalarWidth() throws {
        let json = try Self.parse(#"{"small":-8,"unsigned":7,"float":1.5,"wide":9,"nested":{"a":[1,2]}}"#)
        let value = try JSONValueDecoder().decode(Scalars.self, from: json)
        #expect(value == Scalars(small: -8, unsigned: 7, float: 1.5, wide: 9, nested: ["a": [1, 2]]))
        #expect(try JSONValueDecoder().decode(Scalars.self, from: try JSONValueEncoder().encode(value)) == value)
        #expect(throws: DecodingError.self) {
            try JSONValueDecoder().decode(Scalars.self, from: try Self.parse(#"{"small":300}"#))
        }
    }

    /// Written by hand with nested and super containers, which the generated types never use.
    struct Nested: Codable, Equatable {
        var name: String
        var inner: [Int]
        var child: String

        enum Keys: String, CodingKey { case name, inner, child }
        enum ChildKeys: String, CodingKey { case value }

        init(name: String, inner: [Int], child: String) {
            self.name = name
            self.inner = inner
            self.child = child
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            self.name = try container.decode(String.self, forKey: .name)
            var inner = try container.nestedUnkeyedContainer(forKey: .inner)
            self.inner = []
            while !inner.isAtEnd { self.inner.append(try inner.decode(Int.self)) }
            let child = try container.nestedContainer(keyedBy: ChildKeys.self, forKey: .child)
            self.child = try child.decode(String.self, forKey: .value)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(self.name, forKey: .name)
            var inner = container.nestedUnkeyedContainer(forKey: .inner)
            for value in self.inner { try inner.encode(value) }
            var child = container.nestedContainer(keyedBy: ChildKeys.self, forKey: .child)
            try child.encode(self.child, forKey: .value)
        }
    }

    @Test func nestedContainersRoundTripInOrder() throws {
        let value = Nested(name: "n", inner: [1, 2, 3], child: "c")
        let bytes = try JSONValueEncoder().encodeToBytes(value)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"name":"n","inner":[1,2,3],"child":{"value":"c"}}"#)
        #expect(try JSONValueDecoder().decode(Nested.self, from: bytes) == value)
    }

    @Test func podRoundTripsAndAgreesWithFoundation() throws {
        let json = try Self.parse(
            #"""
            {"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","labels":{"a":"1","b":"2"}},
             "spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80}],
             "readinessProbe":{"tcpSocket":{"port":8080}},"resources":{"limits":{"cpu":"500m"}}}]},
             "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True","lastProbeTime":null}]}}
            """#
        )
        let (pod, unknown) = try JSONValueDecoder().decodeReportingUnknownFields(CoreV1.Pod.self, from: json)
        #expect(unknown.isEmpty)
        let bytes = json.serialized()
        #expect(pod == (try JSONDecoder().decode(CoreV1.Pod.self, from: Data(bytes))))
        let encoded = try JSONValueEncoder().encode(pod)
        #expect(try JSONValueDecoder().decode(CoreV1.Pod.self, from: encoded) == pod)
        #expect(encoded["spec"]?["containers"]?.arrayValue?.first?["readinessProbe"] == json["spec"]?["containers"]?
            .arrayValue?.first?["readinessProbe"])
    }
}

