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
}
