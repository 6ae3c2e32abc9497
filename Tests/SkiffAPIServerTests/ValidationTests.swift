import Foundation
import SkiffAPI
import SkiffAPIMachinery
@testable import SkiffAPIServer
import Testing

/// One expected problem: `field`, cause type and message body, as upstream reports it.
struct ExpectedCause: Sendable, Equatable, CustomStringConvertible {
    var field: String
    var reason: String
    var message: String
    init(_ field: String, _ reason: String, _ message: String) {
        self.field = field
        self.reason = reason
        self.message = message
    }
    var description: String { "\(self.field) \(self.reason) \(self.message)" }
}

/// A manifest and the problems validation finds in it after defaulting (the create path of the strategy).
struct ValidationCase: Sendable, CustomTestStringConvertible {
    var name: String
    var plural: String
    var group: String = ""
    var version: String = "v1"
    var manifest: String
    var causes: [ExpectedCause]
    var testDescription: String { self.name }
}

/// `manifest` decoded as `resource`, placed in `default` when namespaced, with a fixed uid: an object as the
/// strategy tests feed the create and update paths.
func decodeTestObject(_ manifest: String, as resource: ServedResource) throws -> any APIObject {
    var object = try ObjectCodec.decode(JSONValue.parse(Array(manifest.utf8)), as: resource).object
    if resource.isNamespaced { object.metadata.namespace = "default" }
    object.metadata.uid = "3b6e1c1e-0000-4000-8000-000000000001"
    return object
}

/// Runs the strategy's create path (defaults, preparation, validation) on `manifest` and returns the causes.
func createCauses(_ c: ValidationCase) throws -> [ExpectedCause] {
    let resource = try #require(ResourceRegistry.builtIn.resource(group: c.group, version: c.version, plural: c.plural))
    var object = try decodeTestObject(c.manifest, as: resource)
    do {
        try ResourceStrategy.prepareForCreate(&object, resource: resource, now: Date())
        return []
    } catch let error as APIError {
        #expect(error.code == 422, "\(error)")
        return (error.details?.causes ?? []).map { ExpectedCause($0.field ?? "", $0.reason ?? "", $0.message ?? "") }
    }
}

let container = #"{"name":"web","image":"nginx:1.27"}"#

func pod(_ spec: String, name: String = "p") -> String {
    #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"\#(name)"},"spec":\#(spec)}"#
}

struct PodValidationTests {
    static let cases: [ValidationCase] = [
        ValidationCase(name: "a valid pod", plural: "pods", manifest: pod(#"{"containers":[\#(container)]}"#), causes: []),
        ValidationCase(
            name: "container name and image are required",
            plural: "pods",
            manifest: pod(#"{"containers":[{}]}"#),
            causes: [
                ExpectedCause("spec.containers[0].name", "FieldValueRequired", "Required value"),
                ExpectedCause("spec.containers[0].image", "FieldValueRequired", "Required value"),
            ]
        ),
        ValidationCase(
            name: "containers are required",
            plural: "pods",
            manifest: pod(#"{"containers":[]}"#),
            causes: [ExpectedCause("spec.containers", "FieldValueRequired", "Required value")]
        ),
        ValidationCase(
            name: "container names are DNS labels",
            plural: "pods",
            manifest: pod(#"{"containers":[{"name":"Web_1","image":"nginx"}]}"#),
            causes: [
                ExpectedCause(
                    "spec.containers[0].name",
                    "FieldValueInvalid",
                    #"Invalid value: "Web_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"#
                )
            ]
        ),
        ValidationCase(
            name: "container names are unique across init and regular containers",
            plural: "pods",
            manifest: pod(#"{"containers":[\#(container),\#(container)],"initContainers":[\#(container)]}"#),
            causes: [
                ExpectedCause("spec.containers[1].name", "FieldValueDuplicate", #"Duplicate value: "web""#),
                ExpectedCause("spec.initContainers[0].name", "FieldValueDuplicate", #"Duplicate value: "web""#),
            ]
        ),
        ValidationCase(
            name: "ports are in range, named uniquely and use a supported protocol",
            plural: "pods",
            manifest: pod(
                #"{"containers":[{"name":"web","image":"nginx","ports":[{"name":"http","containerPort":70000},{"name":"http","containerPort":80,"protocol":"HTTP"},{"containerPort":0,"hostPort":-1}]}]}"#
            ),
            causes: [
                ExpectedCause(
                    "spec.containers[0].ports[0].containerPort",
                    "FieldValueInvalid",
                    "Invalid value: 70000: must be between 1 and 65535, inclusive"
                ),
                ExpectedCause("spec.containers[0].ports[1].name", "FieldValueDuplicate", #"Duplicate value: "http""#),
                ExpectedCause(
                    "spec.containers[0].ports[1].protocol",
                    "FieldValueNotSupported",
                    #"Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP""#
                ),
                ExpectedCause("spec.containers[0].ports[2].containerPort", "FieldValueRequired", "Required value"),
                ExpectedCause(
                    "spec.containers[0].ports[2].hostPort",
                    "FieldValueInvalid",
                    "Invalid value: -1: must be between 1 and 65535, inclusive"
                ),
            ]
        ),
        ValidationCase(
            name: "environment variable names are printable and not empty",
            plural: "pods",
            manifest: pod(#"{"containers":[{"name":"web","image":"nginx","env":[{"name":"A=B","value":"x"},{"name":""}]}]}"#),
            causes: [
                ExpectedCause(
                    "spec.containers[0].env[0].name",
                    "FieldValueInvalid",
                    #"Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='"#
                ),
                ExpectedCause("spec.containers[0].env[1].name", "FieldValueRequired", "Required value"),
                ExpectedCause(
                    "spec.containers[0].env[1].name",
                    "FieldValueInvalid",
                    #"Invalid value: "": environment variable name must be non-empty"#
                ),
            ]
        ),
        ValidationCase(
            name: "value and valueFrom are exclusive",
            plural: "pods",
            manifest: pod(
                #"{"containers":[{"name":"web","image":"nginx","env":[{"name":"A","value":"x","valueFrom":{"configMapKeyRef":{"name":"c","key":"k"}}},{"name":"B","valueFrom":{"fieldRef":{"fieldPath":"spec.bogus"}}}]}]}"#
            ),
            causes: [
                ExpectedCause(
                    "spec.containers[0].env[0].valueFrom",
                    "FieldValueInvalid",
                    #"Invalid value: "": may not be specified when `value` is not empty"#
                ),
                ExpectedCause(
                    "spec.containers[0].env[1].valueFrom.fieldRef.fieldPath",
                    "FieldValueNotSupported",
                    #"Unsupported value: "spec.bogus": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs""#
                ),
            ]
        ),
        ValidationCase(
            name: "volume names are unique and mounts reference volumes",
            plural: "pods",
            manifest: pod(
                #"{"volumes":[{"name":"data","emptyDir":{}},{"name":"data","emptyDir":{}},{"name":"cfg","configMap":{}}],"containers":[{"name":"web","image":"nginx","volumeMounts":[{"name":"data","mountPath":"/d"},{"name":"missing","mountPath":"/d"}]}]}"#
            ),
            causes: [
                ExpectedCause("spec.volumes[1].name", "FieldValueDuplicate", #"Duplicate value: "data""#),
                ExpectedCause("spec.volumes[2].configMap.name", "FieldValueRequired", "Required value"),
                ExpectedCause("spec.containers[0].volumeMounts[1].name", "FieldValueNotFound", #"Not found: "missing""#),
                ExpectedCause("spec.containers[0].volumeMounts[1].mountPath", "FieldValueInvalid", #"Invalid value: "/d": must be unique"#),
            ]
        ),
        ValidationCase(
            name: "a volume has exactly one source",
            plural: "pods",
            manifest: pod(#"{"volumes":[{"name":"v","emptyDir":{},"hostPath":{"path":"/x"}}],"containers":[\#(container)]}"#),
            causes: [ExpectedCause("spec.volumes[0].hostPath", "FieldValueForbidden", "Forbidden: may not specify more than 1 volume type")]
        ),
        ValidationCase(
            name: "requests may not exceed limits",
            plural: "pods",
            manifest: pod(
                #"{"containers":[{"name":"web","image":"nginx","resources":{"requests":{"cpu":"2","memory":"1Gi"},"limits":{"cpu":"1"}}}]}"#
            ),
            causes: [
                ExpectedCause(
                    "spec.containers[0].resources.requests",
                    "FieldValueInvalid",
                    #"Invalid value: "2": must be less than or equal to cpu limit of 1"#
                )
            ]
        ),
        ValidationCase(
            name: "resource names are standard and quantities not negative",
            plural: "pods",
            manifest: pod(
                #"{"containers":[{"name":"web","image":"nginx","resources":{"requests":{"gpu":"1","memory":"-1"}}}]}"#
            ),
            causes: [
                ExpectedCause(
                    "spec.containers[0].resources.requests[gpu]",
                    "FieldValueInvalid",
                    #"Invalid value: "gpu": must be a standard resource type or fully qualified"#
                ),
                ExpectedCause(
                    "spec.containers[0].resources.requests[gpu]",
                    "FieldValueInvalid",
                    #"Invalid value: "gpu": must be a standard resource for containers"#
                ),
                ExpectedCause(
                    "spec.containers[0].resources.requests[memory]",
                    "FieldValueInvalid",
                    #"Invalid value: "-1": must be greater than or equal to 0"#
                ),
            ]
        ),
        ValidationCase(
            name: "extended resources need equal limits",
            plural: "pods",
            manifest: pod(#"{"containers":[{"name":"web","image":"nginx","resources":{"requests":{"example.com/gpu":"1"}}}]}"#),
            causes: [
                ExpectedCause(
                    "spec.containers[0].resources.limits",
                    "FieldValueRequired",
                    "Required value: Limit must be set for non overcommitable resources"
                )
            ]
        ),
        ValidationCase(
            name: "restartPolicy and dnsPolicy take supported values",
            plural: "pods",
            manifest: pod(#"{"restartPolicy":"Sometimes","dnsPolicy":"Google","containers":[\#(container)]}"#),
            causes: [
                ExpectedCause(
                    "spec.restartPolicy",
                    "FieldValueNotSupported",
                    #"Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never""#
                ),
                ExpectedCause(
                    "spec.dnsPolicy",
                    "FieldValueNotSupported",
                    #"Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None""#
                ),
            ]
        ),
        ValidationCase(
            name: "imagePullPolicy takes supported values",
            plural: "pods",
            manifest: pod(#"{"containers":[{"name":"web","image":"nginx","imagePullPolicy":"Sometimes"}]}"#),
            causes: [
                ExpectedCause(
                    "spec.containers[0].imagePullPolicy",
                    "FieldValueNotSupported",
                    #"Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never""#
                )
            ]
        ),
        ValidationCase(
            name: "an image may not have surrounding whitespace",
            plural: "pods",
            manifest: pod(#"{"containers":[{"name":"web","image":" nginx"}]}"#),
            causes: [
                ExpectedCause(
                    "spec.containers[0].image",
                    "FieldValueInvalid",
                    #"Invalid value: " nginx": must not have leading or trailing whitespace"#
                )
            ]
        ),
        ValidationCase(
            name: "probes need one handler and liveness succeeds once",
            plural: "pods",
            manifest: pod(
                #"{"containers":[{"name":"web","image":"nginx","livenessProbe":{"successThreshold":2,"httpGet":{"port":0}},"readinessProbe":{}}]}"#
            ),
            causes: [
                ExpectedCause(
                    "spec.containers[0].livenessProbe.httpGet.port",
                    "FieldValueInvalid",
                    "Invalid value: 0: must be between 1 and 65535, inclusive"
                ),
                ExpectedCause("spec.containers[0].livenessProbe.successThreshold", "FieldValueInvalid", "Invalid value: 2: must be 1"),
                ExpectedCause("spec.containers[0].readinessProbe", "FieldValueRequired", "Required value: must specify a handler type"),
            ]
        ),
        ValidationCase(
            name: "tolerations",
            plural: "pods",
            manifest: pod(
                #"{"tolerations":[{"operator":"Equal","value":"x"},{"key":"k","operator":"Exists","value":"v"},{"key":"k","effect":"Sometimes"}],"containers":[\#(container)]}"#
            ),
            causes: [
                ExpectedCause(
                    "spec.tolerations[0].operator",
                    "FieldValueInvalid",
                    #"Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys""#
                ),
                ExpectedCause(
                    "spec.tolerations[1].operator",
                    "FieldValueInvalid",
                    #"Invalid value: core.Toleration{Key:"k", Operator:"Exists", Value:"v", Effect:"", TolerationSeconds:(*int64)(nil)}: value must be empty when `operator` is 'Exists'"#
                ),
                ExpectedCause(
                    "spec.tolerations[2].effect",
                    "FieldValueNotSupported",
                    #"Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute""#
                ),
            ]
        ),
        ValidationCase(
            name: "metadata name, labels and annotations",
            plural: "pods",
            manifest: #"{"metadata":{"name":"Bad_Name","labels":{"a/b/c":"ok","k":"-bad"},"annotations":{"@x":"1"}},"spec":{"containers":[\#(container)]}}"#,
            causes: [
                ExpectedCause(
                    "metadata.name",
                    "FieldValueInvalid",
                    #"Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
                ),
                ExpectedCause(
                    "metadata.labels",
                    "FieldValueInvalid",
                    #"Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"#
                ),
                ExpectedCause(
                    "metadata.labels",
                    "FieldValueInvalid",
                    #"Invalid value: "-bad": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"#
                ),
                ExpectedCause(
                    "metadata.annotations",
                    "FieldValueInvalid",
                    #"Invalid value: "@x": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"#
                ),
            ]
        ),
        ValidationCase(
            name: "annotations may hold 256 KiB in total",
            plural: "pods",
            manifest: #"{"metadata":{"name":"p","annotations":{"a":"\#(String(repeating: "x", count: 262144))"}},"spec":{"containers":[\#(container)]}}"#,
            causes: [ExpectedCause("metadata.annotations", "FieldValueTooLong", "Too long: may not be more than 262144 bytes")]
        ),
        ValidationCase(
            name: "ephemeral containers cannot be set on create",
            plural: "pods",
            manifest: pod(#"{"containers":[\#(container)],"ephemeralContainers":[{"name":"debug","image":"busybox"}]}"#),
            causes: [ExpectedCause("spec.ephemeralContainers", "FieldValueForbidden", "Forbidden: cannot be set on create")]
        ),
        ValidationCase(
            name: "activeDeadlineSeconds is positive",
            plural: "pods",
            manifest: pod(#"{"activeDeadlineSeconds":0,"containers":[\#(container)]}"#),
            causes: [
                ExpectedCause(
                    "spec.activeDeadlineSeconds",
                    "FieldValueInvalid",
                    "Invalid value: 0: must be between 1 and 2147483647, inclusive"
                )
            ]
        ),
        ValidationCase(
            name: "init containers may not have probes without restartPolicy Always",
            plural: "pods",
            manifest: pod(
                #"{"containers":[\#(container)],"initContainers":[{"name":"init","image":"busybox","readinessProbe":{"exec":{"command":["true"]}}},{"name":"side","image":"busybox","restartPolicy":"OnFailure"}]}"#
            ),
            causes: [
                ExpectedCause(
                    "spec.initContainers[0].readinessProbe",
                    "FieldValueForbidden",
                    "Forbidden: may not be set for init containers without restartPolicy=Always"
                ),
                ExpectedCause(
                    "spec.initContainers[1].restartPolicy",
                    "FieldValueNotSupported",
                    #"Unsupported value: "OnFailure": supported values: "Always""#
                ),
            ]
        ),
    ]

    @Test(arguments: Self.cases)
    func podRules(_ c: ValidationCase) throws {
        #expect(try createCauses(c) == c.causes)
    }

    @Test func podGetsPendingAndItsQoSClass() throws {
        let resource = try #require(ResourceRegistry.builtIn.resource(group: "", version: "v1", plural: "pods"))
        let cases: [(String, String)] = [
            (#"{"name":"web","image":"nginx"}"#, "BestEffort"),
            (#"{"name":"web","image":"nginx","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}"#, "Guaranteed"),
            (#"{"name":"web","image":"nginx","resources":{"requests":{"cpu":"100m"}}}"#, "Burstable"),
            (#"{"name":"web","image":"nginx","resources":{"requests":{"cpu":"1","memory":"1Gi"},"limits":{"cpu":"2","memory":"1Gi"}}}"#, "Burstable"),
        ]
        for (containerJSON, expected) in cases {
            var object = try ObjectCodec.decode(
                JSONValue.parse(Array(pod(#"{"containers":[\#(containerJSON)]}"#).utf8)),
                as: resource
            ).object
            object.metadata.namespace = "default"
            try ResourceStrategy.prepareForCreate(&object, resource: resource, now: Date())
            let created = try #require(object as? CoreV1.Pod)
            #expect(created.status?.phase == "Pending")
            #expect(created.status?.qosClass == expected, "\(containerJSON)")
        }
    }

    @Test func requestsDefaultToLimitsOnPodsOnly() throws {
        let resource = try #require(ResourceRegistry.builtIn.resource(group: "", version: "v1", plural: "pods"))
        var object = try ObjectCodec.decode(
            JSONValue.parse(Array(pod(#"{"containers":[{"name":"web","image":"nginx","resources":{"limits":{"cpu":"500m"}}}]}"#).utf8)),
            as: resource
        ).object
        object.metadata.namespace = "default"
        try ResourceStrategy.prepareForCreate(&object, resource: resource, now: Date())
        let created = try #require(object as? CoreV1.Pod)
        #expect(created.spec?.containers[0].resources?.requests?["cpu"] == Quantity("500m"))
    }
}
