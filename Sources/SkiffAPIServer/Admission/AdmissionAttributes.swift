import SkiffAPI
package import SkiffAPIMachinery

/// A group and resource, as admission plugins and quota name them: `pods`, `deployments.apps`.
package struct GroupResource: Hashable, Sendable, CustomStringConvertible {
    package var group: String
    package var resource: String

    package init(group: String, resource: String) {
        self.group = group
        self.resource = resource
    }

    package var description: String { APIError.qualifiedResource(group: self.group, resource: self.resource) }

    package static let pods = GroupResource(group: "", resource: "pods")
    package static let services = GroupResource(group: "", resource: "services")
    package static let namespaces = GroupResource(group: "", resource: "namespaces")
    package static let serviceAccounts = GroupResource(group: "", resource: "serviceaccounts")
    package static let limitRanges = GroupResource(group: "", resource: "limitranges")
    package static let resourceQuotas = GroupResource(group: "", resource: "resourcequotas")
    package static let persistentVolumeClaims = GroupResource(group: "", resource: "persistentvolumeclaims")
    package static let priorityClasses = GroupResource(group: "scheduling.k8s.io", resource: "priorityclasses")
    package static let storageClasses = GroupResource(group: "storage.k8s.io", resource: "storageclasses")
    package static let ingresses = GroupResource(group: "networking.k8s.io", resource: "ingresses")
    package static let ingressClasses = GroupResource(group: "networking.k8s.io", resource: "ingressclasses")
}

/// What one admission request is about (↔ apiserver `admission.Attributes`): the operation, the resource and
/// object concerned, who asks, and whether anything will be persisted.
///
/// Mutating plugins change ``object``; validating plugins only read it.
package struct AdmissionAttributes: Sendable {
    /// The operation being admitted (↔ `admission.Operation`).
    package struct Operation: Hashable, Sendable, CustomStringConvertible {
        package let rawValue: String
        package static let create = Operation(rawValue: "CREATE")
        package static let update = Operation(rawValue: "UPDATE")
        package static let delete = Operation(rawValue: "DELETE")
        package static let connect = Operation(rawValue: "CONNECT")
        package var description: String { self.rawValue }
    }

    package var operation: Operation
    /// The resource (group and plural) and its kind.
    package var resource: GroupResource
    package var kind: String
    /// `status`, `scale`, `binding`, …; empty for the main resource.
    package var subresource: String
    /// The request's namespace; empty for cluster-scoped resources.
    package var namespace: String
    /// The object's name; empty for a create with `generateName` (see ``objectName``).
    package var name: String
    /// Who sent the request; `nil` for the server's own writes.
    package var user: UserInfo?
    /// `dryRun=All`: admit everything, persist and count nothing.
    package var isDryRun: Bool
    /// The new object (create, update); `nil` for delete and connect.
    package var object: (any APIObject)?
    /// The stored object (update, delete).
    package var oldObject: (any APIObject)?

    package init(
        operation: Operation,
        resource: GroupResource,
        kind: String,
        subresource: String = "",
        namespace: String,
        name: String,
        user: UserInfo? = nil,
        isDryRun: Bool = false,
        object: (any APIObject)?,
        oldObject: (any APIObject)? = nil
    ) {
        self.operation = operation
        self.resource = resource
        self.kind = kind
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
        self.user = user
        self.isDryRun = isDryRun
        self.object = object
        self.oldObject = oldObject
    }

    /// The name upstream's admission errors use: the request's name, else the object's name, else its
    /// `generateName` (names are generated after admission), else `Unknown`.
    package var objectName: String {
        if !self.name.isEmpty { return self.name }
        if let meta = self.object?.metadata {
            if let name = meta.name, !name.isEmpty { return name }
            if let generateName = meta.generateName, !generateName.isEmpty { return generateName }
        }
        return "Unknown"
    }

    /// 403 `<resource> "<name>" is forbidden: <reason>`, as `admission.NewForbidden` words it.
    package func forbidden(_ reason: String) -> APIError {
        APIError.forbidden(group: self.resource.group, resource: self.resource.resource, name: self.objectName, reason: reason)
    }

    /// Whether this is the main resource (no subresource) of `resource`.
    package func isMainResource(_ resource: GroupResource) -> Bool {
        self.resource == resource && self.subresource.isEmpty
    }
}
