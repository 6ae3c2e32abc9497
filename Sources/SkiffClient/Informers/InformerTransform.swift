public import SkiffAPIMachinery

/// What every informer of a ``SharedInformerFactory`` does to an object's metadata before caching it
/// (↔ client-go's `informers.WithTransform`).
///
/// kube-controller-manager and kube-scheduler give their informers ``trimManagedFields``: `metadata.managedFields`
/// (server-side apply's record of who set which field) is often the largest part of an object's metadata, and
/// nothing but the API server reads it. An update sent without it leaves the stored record as it is.
public struct InformerTransform: Sendable {
    let metadata: @Sendable (inout MetaV1.ObjectMeta) -> Void

    /// A transform of each object's metadata.
    public init(metadata: @escaping @Sendable (inout MetaV1.ObjectMeta) -> Void) {
        self.metadata = metadata
    }

    /// Drops `metadata.managedFields` (↔ upstream's `trim` transform of its components' informers).
    public static var trimManagedFields: InformerTransform {
        InformerTransform { metadata in
            if metadata.managedFields != nil { metadata.managedFields = nil }
        }
    }

    /// The transform as an informer applies it to an object.
    func callAsFunction<Object: APIObject>(_ object: inout Object) {
        self.metadata(&object.metadata)
    }
}
