public import SkiffAPIMachinery

/// A resource the API serves: its kind, its name in URLs, its scope, verbs and subresources.
///
/// Derived at generation time from the `paths` of the OpenAPI document (the `x-kubernetes-action` and
/// `x-kubernetes-group-version-kind` of every operation), so it describes exactly what upstream serves; short names
/// and categories, which the document lacks, come from a table in the generator.
public struct APIResourceInfo: Sendable, Hashable {
    /// The kind of the resource's objects (`apps/v1 Deployment`).
    public var groupVersionKind: GroupVersionKind
    /// The resource name in URLs: `deployments`.
    public var plural: String
    /// The lower-cased kind: `deployment`.
    public var singular: String
    /// Whether objects live in a namespace (`/namespaces/{namespace}/…`) or at cluster scope.
    public var isNamespaced: Bool
    /// The discovery verbs, sorted: `create`, `delete`, `deletecollection`, `get`, `list`, `patch`, `update`, `watch`.
    public var verbs: [String]
    /// Upstream's short names (`po`, `deploy`), which kubectl accepts in place of the plural.
    public var shortNames: [String]
    /// Upstream's categories (`all`, `api-extensions`), which `kubectl get all` expands.
    public var categories: [String]
    /// The subresources (`status`, `scale`, `binding`, `eviction`, `exec`, …), sorted by name.
    public var subresources: [APISubresourceInfo]

    public init(
        groupVersionKind: GroupVersionKind,
        plural: String,
        singular: String,
        isNamespaced: Bool,
        verbs: [String],
        shortNames: [String] = [],
        categories: [String] = [],
        subresources: [APISubresourceInfo]
    ) {
        self.groupVersionKind = groupVersionKind
        self.plural = plural
        self.singular = singular
        self.isNamespaced = isNamespaced
        self.verbs = verbs
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
    }

    /// The subresource named `name`, if the resource has it.
    public func subresource(named name: String) -> APISubresourceInfo? {
        self.subresources.first { $0.name == name }
    }
}

/// A subresource of an ``APIResourceInfo``: `pods/status`, `deployments/scale`, `pods/eviction`.
public struct APISubresourceInfo: Sendable, Hashable {
    /// The name after the object's name in URLs: `status`.
    public var name: String
    /// The kind of the subresource's request and response bodies (`autoscaling/v1 Scale` for `scale`).
    public var groupVersionKind: GroupVersionKind
    /// The discovery verbs, sorted.
    public var verbs: [String]

    public init(name: String, groupVersionKind: GroupVersionKind, verbs: [String]) {
        self.name = name
        self.groupVersionKind = groupVersionKind
        self.verbs = verbs
    }
}
