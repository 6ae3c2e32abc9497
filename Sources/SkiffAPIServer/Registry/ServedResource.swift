package import SkiffAPI
package import SkiffAPIMachinery

/// A resource the server stores and serves: its discovery facts, its storage key space and its selectable fields
/// (↔ a `genericregistry.Store` configured for one resource).
package struct ServedResource: Sendable {
    /// Discovery facts from the compiled-in schema.
    package let info: APIResourceInfo
    /// The generated type of its objects.
    package var type: any APIObject.Type
    /// The store keys of its objects start with this: `/registry/pods/`, `/registry/apps/deployments/`.
    package var keyPrefix: String
    /// The field selector labels it supports beyond `metadata.name` and `metadata.namespace`.
    package let selectableFields: [String]
    /// Every field selector label the resource supports: `metadata.name`, `metadata.namespace` when namespaced,
    /// then ``selectableFields``. One array shared by every ``ObjectAttributes`` of the resource.
    package let allSelectableFields: [String]

    package init(info: APIResourceInfo, type: any APIObject.Type, keyPrefix: String, selectableFields: [String]) {
        self.info = info
        self.type = type
        self.keyPrefix = keyPrefix
        self.selectableFields = selectableFields
        self.allSelectableFields = Self.allSelectableFields(info.isNamespaced, selectableFields)
    }

    private static func allSelectableFields(_ isNamespaced: Bool, _ selectableFields: [String]) -> [String] {
        (isNamespaced ? ["metadata.name", "metadata.namespace"] : ["metadata.name"]) + selectableFields
    }

    package var group: String { self.info.groupVersionKind.group }
    package var version: String { self.info.groupVersionKind.version }
    package var kind: String { self.info.groupVersionKind.kind }
    package var plural: String { self.info.plural }
    package var isNamespaced: Bool { self.info.isNamespaced }
    /// `pods`, `deployments.apps`: how upstream names the resource in messages.
    package var qualifiedResource: String { APIError.qualifiedResource(group: self.group, resource: self.plural) }
    /// `Pod`, `Deployment.apps`: how upstream names the kind in validation messages.
    package var qualifiedKind: String { self.group.isEmpty ? self.kind : self.kind + "." + self.group }
    /// The list kind: `PodList`.
    package var listKind: String { self.kind + "List" }
    package var apiVersion: String { self.info.groupVersionKind.apiVersion }
    package var hasStatus: Bool { self.info.subresource(named: "status") != nil }

    /// The key of one object.
    package func key(namespace: String?, name: String) -> String {
        if self.isNamespaced, let namespace { return self.keyPrefix + namespace + "/" + name }
        return self.keyPrefix + name
    }

    /// The prefix of the objects in `namespace` (all namespaces, or cluster scope, when `nil`).
    package func prefix(namespace: String?) -> String {
        if self.isNamespaced, let namespace { return self.keyPrefix + namespace + "/" }
        return self.keyPrefix
    }

    /// A description of a subresource's body kind (`policy/v1 Eviction`, `authentication.k8s.io/v1 TokenRequest`),
    /// for decoding request bodies with the same rules and messages; `nil` when the kind is not generated.
    package static func body(of subresource: APISubresourceInfo, parent: ServedResource) -> ServedResource? {
        let gvk = subresource.groupVersionKind
        guard let type = APIObjectTypes.objects[gvk] else { return nil }
        return ServedResource(
            info: APIResourceInfo(
                groupVersionKind: gvk,
                plural: parent.plural + "/" + subresource.name,
                singular: "",
                isNamespaced: parent.isNamespaced,
                verbs: subresource.verbs,
                subresources: []
            ),
            type: type,
            keyPrefix: "",
            selectableFields: []
        )
    }
}

/// The resources this server stores, keyed by group, version and plural.
package struct ResourceRegistry: Sendable {
    package let resources: [ServedResource]
    private let byPath: [String: Int]

    /// Resources with only `create` (reviews, bindings): answered by special handlers, not stored.
    package static let virtualResources: Set<String> = [
        "/v1/bindings", "authentication.k8s.io/v1/selfsubjectreviews", "authentication.k8s.io/v1/tokenreviews",
        "authorization.k8s.io/v1/localsubjectaccessreviews", "authorization.k8s.io/v1/selfsubjectaccessreviews",
        "authorization.k8s.io/v1/selfsubjectrulesreviews", "authorization.k8s.io/v1/subjectaccessreviews",
    ]

    /// Resources of the schema that are not served (none at present: autoscaling/v1 HorizontalPodAutoscalers are
    /// served by conversion from v2's, see ``AutoscalerConversion``).
    package static let unservedResources: Set<String> = []

    /// The registry of every resource of the compiled-in schema.
    package static let builtIn = ResourceRegistry(infos: APISchema.resources)

    package init(infos: [APIResourceInfo]) {
        var resources: [ServedResource] = []
        for info in infos {
            let gvk = info.groupVersionKind
            let path = gvk.group + "/" + gvk.version + "/" + info.plural
            guard !Self.unservedResources.contains(path) else { continue }
            let type: (any APIObject.Type)? = APIObjectTypes.objects[gvk]
            guard let type else { continue }
            let prefix =
                gvk.group.isEmpty ? "/registry/\(info.plural)/" : "/registry/\(gvk.group)/\(info.plural)/"
            resources.append(
                ServedResource(
                    info: info,
                    type: type,
                    keyPrefix: prefix,
                    selectableFields: Self.selectableFields[path] ?? []
                )
            )
        }
        self.resources = resources
        var byPath: [String: Int] = [:]
        for (index, resource) in resources.enumerated() {
            byPath[resource.group + "/" + resource.version + "/" + resource.plural] = index
        }
        self.byPath = byPath
    }

    /// The resource at `/apis/<group>/<version>/<plural>` (group empty for `/api/v1`).
    package func resource(group: String, version: String, plural: String) -> ServedResource? {
        self.byPath[group + "/" + version + "/" + plural].map { self.resources[$0] }
    }

    /// Field selector labels per resource, as upstream's `GetAttrs`/`SelectableFields` functions define them.
    private static let selectableFields: [String: [String]] = [
        "/v1/pods": [
            "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
        ],
        "/v1/events": [
            "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
            "reportingComponent", "source", "type",
        ],
        "/v1/secrets": ["type"],
        "/v1/namespaces": ["status.phase"],
        "/v1/nodes": ["spec.unschedulable"],
        "/v1/replicationcontrollers": ["status.replicas"],
        "/v1/persistentvolumeclaims": [],
        "apps/v1/replicasets": ["status.replicas"],
        "batch/v1/jobs": ["status.successful"],
        "certificates.k8s.io/v1/certificatesigningrequests": ["spec.signerName"],
        "events.k8s.io/v1/events": [
            "regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "regarding.apiVersion",
            "regarding.resourceVersion", "regarding.fieldPath", "reason", "reportingController", "type",
        ],
    ]
}
