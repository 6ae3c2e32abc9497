import SkiffAPI
import SkiffAPIMachinery
import SkiffTestKit
import Testing

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// The fixtures in ProtobufFixtures.swift are real request bodies: kubectl 1.32.4 pointed at a logging fake API
// server on 127.0.0.1 (`kubectl create deployment|job|cronjob|configmap|secret|namespace|service|…`, `create token`,
// `auth can-i`, `auth whoami`), plus a few built with Python's `protobuf` from the reference `.proto` files. The
// expected JSON is what Go's `json.Marshal` writes for the decoded Go object (k8s.io/api 1.36).

struct KubectlCase: CustomTestStringConvertible, Sendable {
    var name: String
    var hex: String
    var json: String
    var testDescription: String { self.name }
}

let kubectlCases: [KubectlCase] = [
    KubectlCase(
        name: "create deployment --replicas=0",
        hex: ProtobufFixtures.deploymentReplicas0,
        json: #"""
            {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","labels":{"app":"web"}},"spec":\#
            {"replicas":0,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},\#
            "spec":{"containers":[{"name":"nginx","image":"nginx:1.27","resources":{}}]}},"strategy":{}},"status":{}}
            """#
    ),
    KubectlCase(
        name: "create deployment --port",
        hex: ProtobufFixtures.deploymentPort,
        json: #"""
            {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web2","labels":{"app":"web2"}},"spec":\#
            {"replicas":3,"selector":{"matchLabels":{"app":"web2"}},"template":{"metadata":{"labels":{"app":"web2"}},\#
            "spec":{"containers":[{"name":"nginx","image":"nginx:1.27","ports":[{"containerPort":8080}],\#
            "resources":{}}]}},"strategy":{}},"status":{}}
            """#
    ),
    KubectlCase(
        name: "create job",
        hex: ProtobufFixtures.job,
        json: #"""
            {"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"pi"},"spec":{"template":{"metadata":{},"spec":\#
            {"containers":[{"name":"pi","image":"perl:5.34","command":["perl","-Mbignum=bpi","-wle","print bpi(20)"],\#
            "resources":{}}],"restartPolicy":"Never"}}},"status":{}}
            """#
    ),
    KubectlCase(
        name: "create cronjob",
        hex: ProtobufFixtures.cronJob,
        json: #"""
            {"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"hello"},"spec":{"schedule":"*/1 * * * *",\#
            "jobTemplate":{"metadata":{"name":"hello"},"spec":{"template":{"metadata":{},"spec":{"containers":\#
            [{"name":"hello","image":"busybox:1.36","command":["echo","hi"],"resources":{}}],\#
            "restartPolicy":"OnFailure"}}}}},"status":{}}
            """#
    ),
    KubectlCase(
        name: "create configmap",
        hex: ProtobufFixtures.configMap,
        json: #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cfg"},"data":{"a":"1","b":"two"}}"#
    ),
    KubectlCase(
        name: "create secret generic (bytes)",
        hex: ProtobufFixtures.secret,
        json: #"""
            {"kind":"Secret","apiVersion":"v1","metadata":{"name":"s1"},"data":{"empty":"",\#
            "password":"cEBzczp3w7ZyZA=="}}
            """#
    ),
    KubectlCase(
        name: "create namespace",
        hex: ProtobufFixtures.namespace,
        json: #"{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"ns1"},"spec":{},"status":{}}"#
    ),
    KubectlCase(
        name: "create service clusterip (IntOrString)",
        hex: ProtobufFixtures.service,
        json: #"""
            {"kind":"Service","apiVersion":"v1","metadata":{"name":"svc1","labels":{"app":"svc1"}},"spec":{"ports":\#
            [{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080},{"name":"443-https","protocol":"TCP",\#
            "port":443,"targetPort":"https"}],"selector":{"app":"svc1"},"type":"ClusterIP"},"status":\#
            {"loadBalancer":{}}}
            """#
    ),
    KubectlCase(
        name: "create serviceaccount",
        hex: ProtobufFixtures.serviceAccount,
        json: #"{"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"sa1"}}"#
    ),
    KubectlCase(
        name: "create role",
        hex: ProtobufFixtures.role,
        json: #"""
            {"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"r1"},"rules":\#
            [{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"]}]}
            """#
    ),
    KubectlCase(
        name: "create rolebinding",
        hex: ProtobufFixtures.roleBinding,
        json: #"""
            {"kind":"RoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"rb1"},"subjects":\#
            [{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"},{"kind":"ServiceAccount",\#
            "name":"sa1","namespace":"default"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role",\#
            "name":"r1"}}
            """#
    ),
    KubectlCase(
        name: "create clusterrolebinding",
        hex: ProtobufFixtures.clusterRoleBinding,
        json: #"""
            {"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"crb1"},\#
            "subjects":[{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"devs"}],"roleRef":\#
            {"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"}}
            """#
    ),
    KubectlCase(
        name: "create token (TokenRequest)",
        hex: ProtobufFixtures.tokenRequest,
        json: #"""
            {"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","metadata":{},"spec":\#
            {"expirationSeconds":3600},"status":{"token":"","expirationTimestamp":null}}
            """#
    ),
    KubectlCase(
        name: "auth can-i (SelfSubjectAccessReview)",
        hex: ProtobufFixtures.selfSubjectAccessReview,
        json: #"""
            {"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{},"spec":\#
            {"resourceAttributes":{"namespace":"default","verb":"create","resource":"pods"}},"status":{"allowed":false}}
            """#
    ),
    KubectlCase(
        name: "auth whoami (SelfSubjectReview)",
        hex: ProtobufFixtures.selfSubjectReview,
        json: #"""
            {"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1","metadata":{},"status":{"userInfo":{}}}
            """#
    ),
    KubectlCase(
        name: "create poddisruptionbudget",
        hex: ProtobufFixtures.podDisruptionBudget,
        json: #"""
            {"kind":"PodDisruptionBudget","apiVersion":"policy/v1","metadata":{"name":"pdb1"},"spec":\#
            {"minAvailable":"50%","selector":{"matchLabels":{"app":"web"}}},"status":{"disruptionsAllowed":0,\#
            "currentHealthy":0,"desiredHealthy":0,"expectedPods":0}}
            """#
    ),
    KubectlCase(
        name: "create priorityclass",
        hex: ProtobufFixtures.priorityClass,
        json: #"""
            {"kind":"PriorityClass","apiVersion":"scheduling.k8s.io/v1","metadata":{"name":"high"},"value":1000,\#
            "description":"high prio","preemptionPolicy":"PreemptLowerPriority"}
            """#
    ),
    KubectlCase(
        name: "create ingress",
        hex: ProtobufFixtures.ingress,
        json: #"""
            {"kind":"Ingress","apiVersion":"networking.k8s.io/v1","metadata":{"name":"ing1"},"spec":{"rules":\#
            [{"host":"foo.com","http":{"paths":[{"path":"/bar","pathType":"Exact","backend":{"service":\#
            {"name":"svc1","port":{"number":80}}}}]}}]},"status":{"loadBalancer":{}}}
            """#
    ),
    KubectlCase(
        name: "create quota (Quantity)",
        hex: ProtobufFixtures.resourceQuota,
        json: #"""
            {"kind":"ResourceQuota","apiVersion":"v1","metadata":{"name":"q1"},"spec":{"hard":{"cpu":"1",\#
            "memory":"1G","pods":"2"}},"status":{}}
            """#
    ),
    KubectlCase(
        name: "DeleteOptions",
        hex: ProtobufFixtures.deleteOptions,
        json: #"""
            {"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0,"preconditions":{"uid":"u-1"},\#
            "propagationPolicy":"Background"}
            """#
    ),
]

@Suite("Kubernetes protobuf")
struct ProtobufTests {
    typealias Support = ProtobufTestSupport

    // MARK: Real bodies

    @Test("a real client's body decodes to upstream's JSON and re-encodes to the same bytes", arguments: kubectlCases)
    func kubectlBody(_ testCase: KubectlCase) throws {
        let body = Support.bytes(hex: testCase.hex)
        let decoded = try KubernetesProtobuf.decode(body)
        // Member order too: Go's struct order.
        #expect(Support.compact(decoded.object) == testCase.json)
        #expect(decoded.object == (try Support.parse(testCase.json)))
        #expect(decoded.object["kind"]?.stringValue == decoded.kind)
        #expect(decoded.object["apiVersion"]?.stringValue == decoded.apiVersion)
        #expect(Support.hex(try KubernetesProtobuf.encode(decoded.object)) == Support.hex(body))
    }

    @Test("an envelope without apiVersion and kind takes the caller's defaults")
    func envelopeDefaults() throws {
        // Envelope {typeMeta {}, raw ConfigMap{metadata{name "abc"}}}.
        let body = Support.bytes(hex: "6b3873000a001207" + "0a050a03616263")
        #expect(throws: KubernetesProtobufError.self) { try KubernetesProtobuf.decode(body) }
        let decoded = try KubernetesProtobuf.decode(body, defaultAPIVersion: "v1", defaultKind: "ConfigMap")
        #expect(decoded.object == ["kind": "ConfigMap", "apiVersion": "v1", "metadata": ["name": "abc"]])
    }

    @Test("a non-contiguous collection decodes like an array")
    func nonContiguousBody() throws {
        let body = Support.bytes(hex: ProtobufFixtures.configMap)
        let decoded = try KubernetesProtobuf.decode(body.lazy.map { $0 })
        #expect(decoded == (try KubernetesProtobuf.decode(body)))
    }

    @Test("decodeObject gives a Decodable value")
    func decodeObject() throws {
        struct Metadata: Decodable { var name: String }
        struct Spec: Decodable { var replicas: Int32? }
        struct Deployment: Decodable {
            var kind: String
            var metadata: Metadata
            var spec: Spec
        }
        let body = Support.bytes(hex: ProtobufFixtures.deploymentReplicas0)
        let deployment = try KubernetesProtobuf.decodeObject(Deployment.self, from: body)
        #expect(deployment.kind == "Deployment")
        #expect(deployment.metadata.name == "web")
        #expect(deployment.spec.replicas == 0)
    }

    // MARK: Special types

    @Test("Time keeps seconds, MicroTime microseconds; zero Time is null; omitempty zeros are dropped")
    func times() throws {
        let decoded = try KubernetesProtobuf.decode(Support.bytes(hex: ProtobufFixtures.event)).object
        #expect(decoded["metadata"]?["creationTimestamp"] == "2023-11-14T22:13:20Z")
        #expect(decoded["eventTime"] == "2023-11-14T22:13:20.123456Z")
        #expect(decoded["series"]?["lastObservedTime"] == "2000-02-29T00:00:00.000005Z")
        #expect(decoded["series"]?["count"] == 2)
        #expect(decoded["deprecatedFirstTimestamp"] == "1969-12-31T23:59:59Z")
        // `deprecatedCount int32 omitempty`, written as 0: dropped.
        #expect(decoded["deprecatedCount"] == nil)
        #expect(decoded["regarding"] == ["kind": "Pod", "name": "p"])
    }

    @Test(
        "times round-trip through the encoder",
        arguments: [
            ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59.000000Z"),
            ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000000Z"),
            ("0001-01-01T00:00:01Z", "0001-01-01T00:00:01.000000Z"),
            ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59.000000Z"),
            ("2024-06-01T12:00:00+02:00", "2024-06-01T10:00:00.000000Z"),
            ("2024-06-01T12:00:00.1234567Z", "2024-06-01T12:00:00.123456Z"),
        ]
    )
    func timeRoundTrip(_ input: String, _ micro: String) throws {
        let lease: JSONValue = [
            "kind": "Lease", "apiVersion": "coordination.k8s.io/v1", "metadata": ["name": "l"],
            "spec": ["acquireTime": .string(input), "renewTime": .string(input)],
        ]
        let decoded = try KubernetesProtobuf.decode(try KubernetesProtobuf.encode(lease)).object
        #expect(decoded["spec"]?["acquireTime"] == .string(micro))
        let condition: JSONValue = [
            "kind": "Namespace", "apiVersion": "v1", "metadata": ["name": "n", "creationTimestamp": .string(input)],
        ]
        let namespace = try KubernetesProtobuf.decode(try KubernetesProtobuf.encode(condition)).object
        #expect(namespace["metadata"]?["creationTimestamp"] == .string(String(micro.prefix(19)) + "Z"))
    }

    @Test("RawExtension: embedded JSON, and a nested protobuf object")
    func rawExtension() throws {
        let json = try KubernetesProtobuf.decode(Support.bytes(hex: ProtobufFixtures.revisionJSON)).object
        #expect(json["data"] == ["spec": ["template": ["x": [1, 2.5, "s", nil, true]]]])
        #expect(json["revision"] == 7)
        let nested = try KubernetesProtobuf.decode(Support.bytes(hex: ProtobufFixtures.revisionNested)).object
        #expect(
            nested["data"] == [
                "kind": "ConfigMap", "apiVersion": "v1", "metadata": ["name": "inner"], "data": ["k": "v"],
            ]
        )
        // `revision int64` has no omitempty: its zero stays.
        #expect(nested["revision"] == 0)
    }

    @Test("apiextensions: $ref, x-kubernetes-*, JSON, JSONSchemaPropsOrArray/OrBool/OrStringArray")
    func customResourceDefinition() throws {
        let crd = try KubernetesProtobuf.decode(Support.bytes(hex: ProtobufFixtures.crd)).object
        let schema = try #require(crd["spec"]?["versions"]?.arrayValue?.first?["schema"]?["openAPIV3Schema"])
        #expect(schema["type"] == "object")
        #expect(schema["required"] == ["spec"])
        let spec = try #require(schema["properties"]?["spec"])
        #expect(spec["properties"]?["size"] == ["type": "integer", "default": 3, "maximum": 10.5])
        #expect(spec["properties"]?["port"] == ["x-kubernetes-int-or-string": true])
        #expect(spec["properties"]?["ref"] == ["$ref": "#/definitions/x"])
        #expect(spec["additionalProperties"] == false)
        #expect(schema["properties"]?["tags"]?["items"] == ["type": "string"])
        #expect(schema["properties"]?["tuple"]?["items"] == [["type": "string"], ["type": "integer"]])
        #expect(
            schema["properties"]?["meta"] == [
                "additionalProperties": ["type": "string"], "x-kubernetes-preserve-unknown-fields": true,
            ]
        )
        #expect(schema["dependencies"] == ["a": ["b"], "c": ["required": ["d"]]])
        // And back: the encoder writes the same shapes.
        // (Only `spec`: the encoder adds the non-pointer `status` Go would have written, which Python left out.)
        let again = try KubernetesProtobuf.decode(try KubernetesProtobuf.encode(crd)).object
        #expect(again["spec"] == crd["spec"])
    }

    // MARK: Round trips

    @Test("Go-style JSON → protobuf → JSON is the identity", arguments: ProtobufCorpus.objects)
    func roundTrip(_ json: String) throws {
        let object = try Support.parse(json)
        let body = try KubernetesProtobuf.encode(object)
        let decoded = try KubernetesProtobuf.decode(body)
        #expect(decoded.object == object, "\(Support.compact(decoded.object))")
        // Deterministic: encoding the decoded object gives the same bytes.
        #expect(try KubernetesProtobuf.encode(decoded.object) == body)
    }

    @Test("byte-level encodings of scalars, IntOrString and maps")
    func knownEncodings() throws {
        // ServicePort{port: 80, targetPort: "http"}: name "", protocol "", port 80, targetPort {1, 0, "http"},
        // nodePort 0.
        let port = try KubernetesProtobuf.encodeMessage(
            ["port": 80, "targetPort": "http"],
            messageName: "k8s.io.api.core.v1.ServicePort"
        )
        #expect(Support.hex(port) == "0a0012001850220a080110001a04687474702800")
        // ScaleSpec{replicas: -1}: int32 negative is a 10-byte varint.
        let scale = try KubernetesProtobuf.encodeMessage(
            ["replicas": -1],
            messageName: "k8s.io.api.autoscaling.v1.ScaleSpec"
        )
        #expect(Support.hex(scale) == "08ffffffffffffffffff01")
        #expect(
            try KubernetesProtobuf.decodeMessage(scale, messageName: "k8s.io.api.autoscaling.v1.ScaleSpec") == [
                "replicas": -1
            ]
        )
        // Packed repeated int32 decodes like unpacked (PodPortForwardOptions.ports = 1).
        let packed = Support.bytes(hex: "0a03500102")
        #expect(
            try KubernetesProtobuf.decodeMessage(packed, messageName: "k8s.io.api.core.v1.PodPortForwardOptions")
                == ["ports": [80, 1, 2]]
        )
        let unpacked = Support.bytes(hex: "085008010802")
        #expect(
            try KubernetesProtobuf.decodeMessage(unpacked, messageName: "k8s.io.api.core.v1.PodPortForwardOptions")
                == ["ports": [80, 1, 2]]
        )
        // Unknown fields (number 99 of every wire type) are skipped.
        let unknown = Support.bytes(hex: "98060199060102030405060708" + "9a0602aabb" + "9d0601020304")
        #expect(
            try KubernetesProtobuf.decodeMessage(
                unknown + Support.bytes(hex: "0a03616263"),
                messageName: "k8s.io.api.core.v1.LocalObjectReference"
            ) == ["name": "abc"]
        )
    }

    @Test("inline Go structs flatten into their parent (VolumeSource, LocalObjectReference, ProbeHandler)")
    func inlineFields() throws {
        let volume: JSONValue = ["name": "cfg", "configMap": ["name": "settings", "defaultMode": 420]]
        let bytes = try KubernetesProtobuf.encodeMessage(volume, messageName: "k8s.io.api.core.v1.Volume")
        // Volume{name=1, volumeSource=2{configMap=19{localObjectReference=1{name=1}, defaultMode=3, optional unset}}}
        #expect(Support.hex(bytes) == "0a0363666712129a010f0a0a0a0873657474696e677318a403")
        #expect(try KubernetesProtobuf.decodeMessage(bytes, messageName: "k8s.io.api.core.v1.Volume") == volume)
    }

    // MARK: Errors

    @Test(
        "malformed bodies throw clear errors",
        arguments: [
            ("", KubernetesProtobufError.Code.notProtobuf),
            ("7b226b696e64223a22506f64227d", .notProtobuf),  // {"kind":"Pod"}
            ("6b387300", .unknownKind),  // magic only: no type
            ("6b3873000a", .malformed),  // truncated length
            ("6b3873000a80", .malformed),  // truncated varint
            ("6b3873000a05", .malformed),  // length past the end
            ("6b3873000aff", .malformed),  // truncated varint (continuation bit)
            ("6b3873000a080a027631120a4e73", .malformed),  // typeMeta kind length past the end
            ("6b3873000a0f0a0276311209436f6e6669674d6170120a0a050a03616263ffff", .malformed),  // garbage after raw
            ("6b3873000a0f0a0276311209436f6e6669674d617012050a058080808080", .malformed),  // nested length past end
            ("6b3873000a0f0a0276311209436f6e6669674d61701204080a1000", .malformed),  // metadata with varint wire type
            ("6b3873000a0c0a027631120657696467657412001a00", .unknownKind),
            ("6b3873000a0f0a0276311209436f6e6669674d617012001a04677a6970", .unsupportedContentEncoding),
            ("6b3873000a0f0a0276311209436f6e6669674d617012030b0000", .malformed),  // group wire type
            ("6b3873000a0f0a0276311209436f6e6669674d617012020000", .malformed),  // field number 0
        ]
    )
    func malformed(_ hex: String, _ code: KubernetesProtobufError.Code) {
        #expect {
            _ = try KubernetesProtobuf.decode(Support.bytes(hex: hex))
        } throws: { error in
            guard let error = error as? KubernetesProtobufError else { return false }
            return error.code == code && !error.message.isEmpty
        }
    }

    @Test("errors name the field path and an HTTP status")
    func errorDetails() throws {
        // A ConfigMap whose metadata.name claims 9 bytes but has 3.
        let body = Support.bytes(hex: "6b3873000a0f0a0276311209436f6e6669674d61701207 0a050a09616263")
        do {
            _ = try KubernetesProtobuf.decode(body)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .malformed)
            #expect(error.fieldPath == "metadata.name")
            #expect(error.httpStatusCode == 400)
            #expect(error.description.contains("metadata.name"))
        }
        let encoding = KubernetesProtobufError(code: .unsupportedContentEncoding, message: "gzip")
        #expect(encoding.httpStatusCode == 415)
        #expect(throws: KubernetesProtobufError.self) {
            try KubernetesProtobuf.encode(["kind": "Pod", "apiVersion": "v1", "spec": ["containers": "nope"]])
        }
    }

    @Test("every prefix and single-byte corruption of real bodies decodes or throws, never traps")
    func truncationAndCorruption() {
        var generator = SplitMix64(seed: 42)
        for hex in kubectlCases.map(\.hex) + [ProtobufFixtures.crd, ProtobufFixtures.event] {
            let body = Support.bytes(hex: hex)
            for length in 0..<body.count { _ = try? KubernetesProtobuf.decode(body[0..<length]) }
            for _ in 0..<200 {
                var corrupted = body
                let index = Int(generator.next() % UInt64(body.count))
                corrupted[index] = UInt8(truncatingIfNeeded: generator.next())
                _ = try? KubernetesProtobuf.decode(corrupted)
            }
        }
    }

    @Test("deeply nested input is refused, not a stack overflow")
    func deepNesting() {
        // JSONSchemaProps.not (28) nested 10 000 times.
        var message: [UInt8] = []
        for _ in 0..<10_000 {
            var writer: [UInt8] = [0xe2, 0x01]  // field 28, wire type 2
            var length = message.count
            while length >= 0x80 {
                writer.append(UInt8(length & 0x7f) | 0x80)
                length >>= 7
            }
            writer.append(UInt8(length))
            message = writer + message
        }
        #expect(throws: KubernetesProtobufError.self) {
            try KubernetesProtobuf.decodeMessage(
                message,
                messageName: "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"
            )
        }
    }

    // MARK: Table

    @Test("every kind: the zero object survives encode → decode → encode unchanged")
    func everyKindFixpoint() throws {
        let kinds = KubernetesProtobuf.kinds
        #expect(kinds.count > 200)
        for (apiVersion, kind) in kinds {
            let empty: JSONValue = ["apiVersion": .string(apiVersion), "kind": .string(kind)]
            let body = try KubernetesProtobuf.encode(empty)
            let decoded = try KubernetesProtobuf.decode(body)
            #expect(decoded.apiVersion == apiVersion && decoded.kind == kind)
            #expect(try KubernetesProtobuf.encode(decoded.object) == body, "\(apiVersion) \(kind)")
        }
    }

    @Test(
        "the minimum set of kinds real clients send is decodable",
        arguments: [
            ("apps/v1", "Deployment"), ("batch/v1", "Job"), ("batch/v1", "CronJob"), ("v1", "ConfigMap"),
            ("v1", "Secret"),
            ("v1", "Namespace"), ("v1", "Service"), ("v1", "ServiceAccount"),
            ("authentication.k8s.io/v1", "TokenRequest"),
            ("authorization.k8s.io/v1", "SelfSubjectAccessReview"), ("authentication.k8s.io/v1", "SelfSubjectReview"),
            ("rbac.authorization.k8s.io/v1", "Role"), ("rbac.authorization.k8s.io/v1", "ClusterRole"),
            ("rbac.authorization.k8s.io/v1", "RoleBinding"), ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
            ("policy/v1", "PodDisruptionBudget"), ("scheduling.k8s.io/v1", "PriorityClass"),
            ("networking.k8s.io/v1", "Ingress"), ("v1", "ResourceQuota"),
            ("certificates.k8s.io/v1", "CertificateSigningRequest"),
            ("v1", "DeleteOptions"), ("meta.k8s.io/v1", "DeleteOptions"), ("apps/v1", "DeleteOptions"),
            ("autoscaling/v2", "HorizontalPodAutoscaler"), ("autoscaling/v1", "Scale"),
            ("discovery.k8s.io/v1", "EndpointSlice"),
            ("coordination.k8s.io/v1", "Lease"), ("storage.k8s.io/v1", "StorageClass"),
            ("node.k8s.io/v1", "RuntimeClass"),
            ("events.k8s.io/v1", "Event"), ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
            ("apiextensions.k8s.io/v1", "CustomResourceDefinition"), ("policy/v1", "Eviction"), ("v1", "Binding"),
        ]
    )
    func knownKinds(_ apiVersion: String, _ kind: String) {
        #expect(KubernetesProtobuf.canDecode(apiVersion: apiVersion, kind: kind))
    }
}
