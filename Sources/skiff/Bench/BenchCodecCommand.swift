import ArgumentParser
import Foundation
import SkiffAPI
import SkiffAPIMachinery

/// `skiff bench codec`: API object codecs on a typical ~3 KB Pod, each beside a reference measured in the same run.
///
/// Every line is the best of `--rounds` rounds of `--iterations` operations, in µs per object; "ratio" is ours
/// divided by the reference (below 1.0× means faster than the reference).
struct BenchCodecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "codec", abstract: "Benchmark API object codecs.")

    @Option(help: "Operations per round.")
    var iterations: Int = 2000

    @Option(help: "Rounds per case; the best is reported.")
    var rounds: Int = 5

    @Option(help: "Run only the cases whose name contains this text (for profiling one case).")
    var only: String?

    func validate() throws {
        guard self.iterations > 0, self.rounds > 0 else {
            throw ValidationError("--iterations and --rounds must be positive")
        }
    }

    func run() async throws {
        let json = Array(BenchCodecFixture.podJSON.utf8)
        let tree = try JSONValue.parse(json)
        let protobuf = try KubernetesProtobuf.encode(tree)
        let data = Data(json)
        let pod = try JSONDecoder().decode(CoreV1.Pod.self, from: data)
        let foundationObject = try JSONSerialization.jsonObject(with: data)
        let bench = CodecBench(iterations: self.iterations, rounds: self.rounds, only: self.only)
        print("skiff bench codec: Pod of \(json.count) bytes JSON, \(protobuf.count) bytes protobuf")
        print("best of \(self.rounds) × \(self.iterations); µs per object; ratio = ours / reference")

        bench.compare("JSON → CoreV1.Pod", "JSONSerialization → [String: Any]") {
            try JSONValueDecoder().decode(CoreV1.Pod.self, from: json).metadata.name?.count ?? 0
        } reference: {
            (try JSONSerialization.jsonObject(with: data) as? [String: Any])?.count ?? 0
        }
        bench.compare("JSON → CoreV1.Pod, unknown fields", "JSONDecoder → CoreV1.Pod") {
            try JSONValueDecoder().decodeReportingUnknownFields(CoreV1.Pod.self, from: try JSONValue.parse(json))
                .value.metadata.name?.count ?? 0
        } reference: {
            try JSONDecoder().decode(CoreV1.Pod.self, from: data).metadata.name?.count ?? 0
        }
        bench.compare("JSON → CoreV1.Pod (JSONDecoder)", "JSONSerialization → [String: Any]") {
            try JSONDecoder().decode(CoreV1.Pod.self, from: data).metadata.name?.count ?? 0
        } reference: {
            (try JSONSerialization.jsonObject(with: data) as? [String: Any])?.count ?? 0
        }
        bench.compare("CoreV1.Pod → JSON", "JSONSerialization of [String: Any]") {
            try JSONValueEncoder().encodeToBytes(pod).count
        } reference: {
            try JSONSerialization.data(withJSONObject: foundationObject).count
        }
        bench.compare("CoreV1.Pod → JSON (JSONEncoder)", "JSONSerialization of [String: Any]") {
            try JSONEncoder().encode(pod).count
        } reference: {
            try JSONSerialization.data(withJSONObject: foundationObject).count
        }
        bench.compare("JSON → JSONValue", "JSONSerialization → [String: Any]") {
            try JSONValue.parse(json).objectValue?.count ?? 0
        } reference: {
            (try JSONSerialization.jsonObject(with: data) as? [String: Any])?.count ?? 0
        }
        bench.compare("protobuf → JSONValue", "JSONValue.parse of the same Pod's JSON") {
            try KubernetesProtobuf.decode(protobuf).object.objectValue?.count ?? 0
        } reference: {
            try JSONValue.parse(json).objectValue?.count ?? 0
        }
        bench.compare("protobuf → CoreV1.Pod", "JSON → CoreV1.Pod") {
            try KubernetesProtobuf.decodeObject(CoreV1.Pod.self, from: protobuf).metadata.name?.count ?? 0
        } reference: {
            try JSONValueDecoder().decode(CoreV1.Pod.self, from: json).metadata.name?.count ?? 0
        }
        bench.compare("JSONValue → protobuf", "JSONValue → JSON (serialized())") {
            try KubernetesProtobuf.encode(tree).count
        } reference: {
            tree.serialized().count
        }
    }
}

/// Times closures and prints one comparison line per case.
private struct CodecBench {
    var iterations: Int
    var rounds: Int
    var only: String?

    /// The time per operation of one round, in µs.
    func time(_ body: () throws -> Int) rethrows -> Double {
        var sink = 0
        let elapsed = try ContinuousClock().measure {
            for _ in 0..<self.iterations { sink &+= try body() }
        }
        if sink == 42 { print("", terminator: "") }  // keeps the work observable
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return seconds * 1e6 / Double(self.iterations)
    }

    /// Alternates rounds of the reference and ours (fair on a noisy machine) and prints the best of each.
    func compare(
        _ name: String,
        _ referenceName: String,
        ours: () throws -> Int,
        reference: () throws -> Int
    ) {
        if let only = self.only, !name.contains(only) { return }
        do {
            var bestOurs = Double.infinity
            var bestReference = Double.infinity
            for _ in 0..<self.rounds {
                bestReference = min(bestReference, try self.time(reference))
                bestOurs = min(bestOurs, try self.time(ours))
            }
            print(
                Self.pad(name, 34) + Self.pad(String(format: "%8.2f µs", bestOurs), 13)
                    + Self.pad("ref: " + referenceName, 44) + Self.pad(String(format: "%8.2f µs", bestReference), 13)
                    + String(format: "ratio %.2f×", bestOurs / bestReference)
            )
        } catch {
            print(Self.pad(name, 34) + "failed: \(error)")
        }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}

/// A typical scheduled, running Pod as the API server stores it (~3 KB of JSON).
enum BenchCodecFixture {
    static let podJSON = #"""
        {"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-7d4b9c8f5-x2x9k","generateName":"web-7d4b9c8f5-",\#
        "namespace":"default","uid":"0d6f5b9e-1c2a-4f00-9a57-1d8f0c3b6a11","resourceVersion":"123456",\#
        "creationTimestamp":"2024-05-01T10:00:00Z","labels":{"app":"web","pod-template-hash":"7d4b9c8f5"},\#
        "annotations":{"kubectl.kubernetes.io/restartedAt":"2024-05-01T09:59:00Z"},"ownerReferences":\#
        [{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d4b9c8f5",\#
        "uid":"5b1c7e9a-3d2f-4c1b-8a6e-2f9d0c1b3a44",\#
        "controller":true,"blockOwnerDeletion":true}],"managedFields":[{"manager":"kube-controller-manager",\#
        "operation":"Update","apiVersion":"v1","time":"2024-05-01T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":\#
        {"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{},"f:pod-template-hash":{}}}}}]},\#
        "spec":{"volumes":[{"name":"config","configMap":{"name":"web-config","defaultMode":420}},\#
        {"name":"kube-api-access-abcde","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,\#
        "path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},\#
        {"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1",\#
        "fieldPath":"metadata.namespace"}}]}}],\#
        "defaultMode":420}}],"containers":[{"name":"web","image":"nginx:1.27","args":["--port=8080","--verbose"],\#
        "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],"env":[{"name":"MODE","value":"production"},\#
        {"name":"POD_IP","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"status.podIP"}}},{"name":"PASSWORD",\#
        "valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}}],"resources":{"limits":{"cpu":"500m",\#
        "memory":"256Mi"},"requests":{"cpu":"250m","memory":"128Mi"}},"volumeMounts":[{"name":"config",\#
        "readOnly":true,"mountPath":"/etc/web"},{"name":"kube-api-access-abcde","readOnly":true,\#
        "mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],"livenessProbe":{"httpGet":{"path":"/healthz",\#
        "port":"http","scheme":"HTTP"},"initialDelaySeconds":5,"timeoutSeconds":1,"periodSeconds":10,\#
        "successThreshold":1,"failureThreshold":3},"readinessProbe":{"tcpSocket":{"port":8080},"timeoutSeconds":1,\#
        "periodSeconds":5,"successThreshold":1,"failureThreshold":3},"terminationMessagePath":"/dev/termination-log",\#
        "terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","securityContext":{"runAsNonRoot":true,\#
        "allowPrivilegeEscalation":false}}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,\#
        "dnsPolicy":"ClusterFirst","serviceAccountName":"default","serviceAccount":"default","nodeName":"node-1",\#
        "securityContext":{"fsGroup":2000},"schedulerName":"default-scheduler","tolerations":\#
        [{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},\#
        {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],\#
        "priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},"status":{"phase":"Running",\#
        "conditions":[{"type":"Initialized","status":"True","lastProbeTime":null,\#
        "lastTransitionTime":"2024-05-01T10:00:00Z"},{"type":"Ready","status":"True","lastProbeTime":null,\#
        "lastTransitionTime":"2024-05-01T10:00:10Z"}],"hostIP":"10.0.0.5","hostIPs":[{"ip":"10.0.0.5"}],\#
        "podIP":"10.244.1.7","podIPs":[{"ip":"10.244.1.7"}],"startTime":"2024-05-01T10:00:00Z","containerStatuses":\#
        [{"name":"web","state":{"running":{"startedAt":"2024-05-01T10:00:05Z"}},"lastState":{},"ready":true,\#
        "restartCount":0,"image":"docker.io/library/nginx:1.27",\#
        "imageID":"docker.io/library/nginx@sha256:0123456789abcdef",\#
        "containerID":"containerd://0123456789abcdef","started":true}],"qosClass":"Burstable"}}
        """#
}
