public import SkiffAPIMachinery

/// What every informer of a ``SharedInformerFactory`` does to an object's metadata before caching it
/// (↔ client-go's `informers.WithTransform`).
///
/// kube-controller-manager and kube-scheduler give their informers ``trimManagedFields``: `metadata.managedFields`
/// (server-side apply's record of who set which field) is often the largest part of an object's metadata, and
/// nothing but the API server reads it. An update sent without it leaves the stored record as it is.
public struct InformerTransform: Sendable {
    let metadata: @Sendable (inout MetaV1.ObjectMeta) -> Void
    /// Whether the transform drops `metadata.managedFields`, so that informers need not parse them at all
    /// (``ListOptions/dropsManagedFields``).
    let dropsManagedFields: Bool

    /// A transform of each object's metadata.
    public init(metadata: @escaping @Sendable (inout MetaV1.ObjectMeta) -> Void) {
        self.init(metadata: metadata, dropsManagedFields: false)
    }

    private init(metadata: @escaping @Sendable (inout MetaV1.ObjectMeta) -> Void, dropsManagedFields: Bool) {
        self.metadata = metadata
        self.dropsManagedFields = dropsManagedFields
    }

    /// Drops `metadata.managedFields` (↔ upstream's `trim` transform of its components' informers). Informers
    /// with it skip them while parsing what they list and watch.
    public static var trimManagedFields: InformerTransform {
        InformerTransform(
            metadata: { metadata in
                if metadata.managedFields != nil { metadata.managedFields = nil }
            },
            dropsManagedFields: true
        )
    }

    /// The transform as an informer applies it to an object.
    func callAsFunction<Object: APIObject>(_ object: inout Object) {
        self.metadata(&object.metadata)
    }
}
