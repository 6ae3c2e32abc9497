/// What an informer tells its consumers (↔ `cache.ResourceEventHandlerFuncs`).
///
/// Handlers run on the informer's task, in order, after the cache has been updated: keep them short (enqueue a
/// key) and re-read the lister in the reconcile, as level-triggered controllers do.
public struct ResourceEventHandler<Object: Sendable>: Sendable {
    /// An object appeared; `isInInitialList` is true for objects of a (re)list, as upstream's `OnAdd`.
    public var onAdd: @Sendable (_ object: Object, _ isInInitialList: Bool) -> Void
    /// An object changed, or a resync re-delivers it (then `old` and `new` are equal).
    public var onUpdate: @Sendable (_ old: Object, _ new: Object) -> Void
    /// An object went; a ``DeletedObject/tombstone(key:lastKnown:)`` when the deletion was missed and only a
    /// re-list revealed it.
    public var onDelete: @Sendable (_ object: DeletedObject<Object>) -> Void

    public init(
        onAdd: @escaping @Sendable (_ object: Object, _ isInInitialList: Bool) -> Void = { _, _ in },
        onUpdate: @escaping @Sendable (_ old: Object, _ new: Object) -> Void = { _, _ in },
        onDelete: @escaping @Sendable (_ object: DeletedObject<Object>) -> Void = { _ in }
    ) {
        self.onAdd = onAdd
        self.onUpdate = onUpdate
        self.onDelete = onDelete
    }
}

/// The object of a delete notification (↔ the object or `cache.DeletedFinalStateUnknown`).
public enum DeletedObject<Object: Sendable>: Sendable {
    /// The watch reported the deletion: `object` is its final state.
    case object(Object)
    /// A re-list found the object gone without a delete event: `lastKnown` is the cached state, which may be
    /// stale.
    case tombstone(key: ObjectKey, lastKnown: Object)

    /// The final or last known state.
    public var object: Object {
        switch self {
        case .object(let object), .tombstone(_, let object): object
        }
    }

    /// Whether the final state is unknown.
    public var isTombstone: Bool {
        if case .tombstone = self { return true }
        return false
    }
}

/// A handler's registration, to remove it later (↔ `ResourceEventHandlerRegistration`).
public struct HandlerRegistration: Sendable, Hashable {
    let id: Int
}
