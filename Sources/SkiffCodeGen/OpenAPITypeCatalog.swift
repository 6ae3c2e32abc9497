/// Which OpenAPI definitions become which Swift types, and how references resolve.
struct APIGroupVersionSpec {
    /// The OpenAPI definition prefix, without the trailing dot: `io.k8s.api.core.v1`.
    var definitionPrefix: String
    /// The namespace enum: `CoreV1`.
    var namespace: String
    /// The API group (`""` for core) and version.
    var group: String
    var version: String
    /// `true` for the types that live in SkiffAPIMachinery (meta/v1).
    var isMachinery: Bool = false

    /// Directory of the generated Swift files, relative to the package root.
    var directory: String {
        self.isMachinery ? "Sources/SkiffAPIMachinery/Generated" : "Sources/SkiffAPI/Generated"
    }
}

enum APITypeCatalog {
    /// The group-versions whose every definition is generated.
    static let groupVersions: [APIGroupVersionSpec] = [
        .init(definitionPrefix: "io.k8s.api.core.v1", namespace: "CoreV1", group: "", version: "v1"),
        .init(definitionPrefix: "io.k8s.api.apps.v1", namespace: "AppsV1", group: "apps", version: "v1"),
        .init(definitionPrefix: "io.k8s.api.batch.v1", namespace: "BatchV1", group: "batch", version: "v1"),
        .init(
            definitionPrefix: "io.k8s.api.autoscaling.v1",
            namespace: "AutoscalingV1",
            group: "autoscaling",
            version: "v1"
        ),
        .init(
            definitionPrefix: "io.k8s.api.autoscaling.v2",
            namespace: "AutoscalingV2",
            group: "autoscaling",
            version: "v2"
        ),
        .init(
            definitionPrefix: "io.k8s.api.networking.v1",
            namespace: "NetworkingV1",
            group: "networking.k8s.io",
            version: "v1"
        ),
        .init(
            definitionPrefix: "io.k8s.api.discovery.v1",
            namespace: "DiscoveryV1",
            group: "discovery.k8s.io",
            version: "v1"
        ),
        .init(
            definitionPrefix: "io.k8s.api.coordination.v1",
            namespace: "CoordinationV1",
            group: "coordination.k8s.io",
            version: "v1"
        ),
        .init(
            definitionPrefix: "io.k8s.api.rbac.v1",
            namespace: "RBACV1",
            group: "rbac.authorization.k8s.io",
            version: "v1"
        ),
        .init(definitionPrefix: "io.k8s.api.policy.v1", namespace: "PolicyV1", group: "policy", version: "v1"),
        .init(
            definitionPrefix: "io.k8s.api.storage.v1",
            namespace: "StorageV1",
            group: "storage.k8s.io",
            version: "v1"
        ),
        .init(
            definitionPrefix: "io.k8s.api.scheduling.v1",
            namespace: "SchedulingV1",
            group: "scheduling.k8s.io",
            version: "v1"
        ),
        .init(definitionPrefix: "io.k8s.api.node.v1", namespace: "NodeV1", group: "node.k8s.io", version: "v1"),
        .init(
            definitionPrefix: "io.k8s.api.events.v1",
            namespace: "EventsV1",
            group: "events.k8s.io",
            version: "v1"
        ),
        .init(
            definitionPrefix: "io.k8s.api.certificates.v1",
            namespace: "CertificatesV1",
            group: "certificates.k8s.io",
            version: "v1"
        ),
        .init(
            definitionPrefix: "io.k8s.api.authentication.v1",
            namespace: "AuthenticationV1",
            group: "authentication.k8s.io",
            version: "v1"
        ),
        .init(
            definitionPrefix: "io.k8s.api.authorization.v1",
            namespace: "AuthorizationV1",
            group: "authorization.k8s.io",
            version: "v1"
        ),
        .init(
            definitionPrefix: "io.k8s.api.admissionregistration.v1",
            namespace: "AdmissionRegistrationV1",
            group: "admissionregistration.k8s.io",
            version: "v1"
        ),
        .init(
            definitionPrefix: "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1",
            namespace: "APIExtensionsV1",
            group: "apiextensions.k8s.io",
            version: "v1"
        ),
        .init(
            definitionPrefix: "io.k8s.apimachinery.pkg.apis.meta.v1",
            namespace: "MetaV1",
            group: "meta.k8s.io",
            version: "v1",
            isMachinery: true
        ),
    ]

    /// The namespace of the types generated from protobuf messages only (not in the OpenAPI document).
    static let apiDiscovery = APIGroupVersionSpec(
        definitionPrefix: "io.k8s.api.apidiscovery.v2",
        namespace: "APIDiscoveryV2",
        group: "apidiscovery.k8s.io",
        version: "v2"
    )

    /// Single definitions generated besides the group-versions above, with their Swift name (top-level in
    /// SkiffAPIMachinery).
    static let extraDefinitions: [String: String] = [
        "io.k8s.apimachinery.pkg.version.Info": "VersionInfo"
    ]

    /// Definitions that map to hand-written types: Swift type and the expression of its zero value.
    static let handWritten: [String: (type: String, zero: String?)] = [
        "io.k8s.apimachinery.pkg.api.resource.Quantity": ("Quantity", "GeneratedSupport.zeroQuantity"),
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString": ("IntOrString", "GeneratedSupport.zeroIntOrString"),
        "io.k8s.apimachinery.pkg.apis.meta.v1.Time": ("Time", "GeneratedSupport.zeroTime"),
        "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": ("MicroTime", "GeneratedSupport.zeroMicroTime"),
        "io.k8s.apimachinery.pkg.runtime.RawExtension": ("JSONValue", "JSONValue.null"),
        "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": ("JSONValue", "JSONValue.null"),
        "io.k8s.apimachinery.pkg.apis.meta.v1.Patch": ("JSONValue", "JSONValue.null"),
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON": ("JSONValue", "JSONValue.null"),
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray": (
            "APIExtensionsV1.JSONSchemaPropsOrArray", nil
        ),
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool": (
            "APIExtensionsV1.JSONSchemaPropsOrBool", nil
        ),
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray": (
            "APIExtensionsV1.JSONSchemaPropsOrStringArray", nil
        ),
    ]

    static func spec(forDefinition name: String) -> APIGroupVersionSpec? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        let prefix = String(name[..<dot])
        return self.groupVersions.first { $0.definitionPrefix == prefix }
    }

    /// The Swift type name of a generated definition (`CoreV1.Pod`), or `nil` if the definition is not generated.
    static func qualifiedName(forDefinition name: String) -> String? {
        if self.handWritten[name] != nil { return nil }
        if let extra = self.extraDefinitions[name] { return extra }
        guard let spec = self.spec(forDefinition: name), let dot = name.lastIndex(of: ".") else { return nil }
        return spec.namespace + "." + name[name.index(after: dot)...]
    }

    /// The names of every definition that is generated or hand-written (what the compiled-in schema holds).
    static func selectedDefinitions(_ definitions: [String: [String: Any]]) -> [String] {
        definitions.keys.filter { name in
            self.spec(forDefinition: name) != nil || self.extraDefinitions[name] != nil
                || self.handWritten[name] != nil
        }.sorted()
    }
}
