/// The API group, version and kind of a type (`apps`, `v1`, `Deployment`), as `schema.GroupVersionKind` upstream.
public struct GroupVersionKind: Sendable, Hashable, CustomStringConvertible {
    /// The API group; empty for the core group.
    public var group: String
    public var version: String
    public var kind: String

    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    /// The `apiVersion` field of an object of this kind: `v1` for the core group, `group/version` otherwise.
    public var apiVersion: String { self.group.isEmpty ? self.version : self.group + "/" + self.version }

    /// `Deployment.v1.apps`, Kubernetes' own spelling; `Pod.v1.` for the core group.
    public var description: String { self.kind + "." + self.version + "." + self.group }
}

/// A top-level API object: a kind with a single group-version-kind and standard object metadata.
///
/// Every generated kind such as `CoreV1.Pod` or `AppsV1.Deployment` conforms.
public protocol APIObject: Codable, Sendable, Hashable {
    /// The kind's group, version and kind.
    static var groupVersionKind: GroupVersionKind { get }
    /// Standard object metadata.
    var metadata: MetaV1.ObjectMeta { get set }
}

/// A list kind (`PodList`): list metadata and the items.
public protocol APIListObject: Codable, Sendable, Hashable {
    associatedtype Item: APIObject
    /// The list kind's group, version and kind.
    static var groupVersionKind: GroupVersionKind { get }
    /// Standard list metadata.
    var metadata: MetaV1.ListMeta { get set }
    /// The objects of the list.
    var items: [Item] { get set }
}

/// `PartialObjectMetadata` stands for an object of any kind by its metadata alone, so metadata-only clients,
/// informers and listers work with it like with any kind.
extension MetaV1.PartialObjectMetadata: APIObject {
    public static let groupVersionKind = GroupVersionKind(group: "meta.k8s.io", version: "v1", kind: "PartialObjectMetadata")
}
