/// One object held by a ``Cacher``: a stored key with its value, revisions and the attributes derived from it.
///
/// The ``attributes`` are computed once per stored change by the closure given to
/// ``Cacher/init(storage:prefix:historyCapacity:watcherBufferSize:progressInterval:clock:attributes:)``
/// (for example the labels and fields the API server filters on), and shared by every list and watcher.
public struct CachedObject<Attributes: Sendable>: Sendable {
    /// The key, for example `/registry/pods/default/web-0`.
    public var key: String
    /// The stored bytes (an encoded object).
    public var value: [UInt8]
    /// The revision of the write that created this incarnation of the key.
    public var createRevision: Revision
    /// The revision of the last write to the key (the object's `resourceVersion`).
    public var modRevision: Revision
    /// What the cacher's `attributes` closure derived from the stored key.
    public var attributes: Attributes

    /// Makes a cached object.
    public init(
        key: String,
        value: [UInt8],
        createRevision: Revision,
        modRevision: Revision,
        attributes: Attributes
    ) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.attributes = attributes
    }
}

extension CachedObject: Equatable where Attributes: Equatable {}
extension CachedObject: Hashable where Attributes: Hashable {}

/// One message of a ``Cacher`` watch: a change to an object, or a marker carrying a revision.
///
/// Changes arrive strictly in revision order, without gaps or duplicates. The API server maps them to watch event
/// types: ``added(_:)`` → `ADDED`, ``modified(_:previous:)`` → `MODIFIED`, ``deleted(previous:revision:)`` →
/// `DELETED`, ``progress(_:)`` and ``initialEventsEnd(_:)`` → `BOOKMARK`.
public enum CacheEvent<Attributes: Sendable>: Sendable {
    /// The object was created (or, in a ``Cacher/WatchStart/initialState(notOlderThan:)`` watch, exists).
    case added(CachedObject<Attributes>)
    /// The object was modified; `previous` is the object just before.
    case modified(CachedObject<Attributes>, previous: CachedObject<Attributes>)
    /// The object was deleted at `revision`; `previous` is the object just before.
    case deleted(previous: CachedObject<Attributes>, revision: Revision)
    /// Every change up to this revision has been delivered (a bookmark).
    case progress(Revision)
    /// The snapshot of a ``Cacher/WatchStart/initialState(notOlderThan:)`` watch is complete, at this revision;
    /// live changes follow (the watch-list bookmark, `k8s.io/initial-events-end`).
    case initialEventsEnd(Revision)

    /// The revision of the change, or the revision a marker carries.
    public var revision: Revision {
        switch self {
        case .added(let object), .modified(let object, previous: _): object.modRevision
        case .deleted(previous: _, let revision), .progress(let revision), .initialEventsEnd(let revision): revision
        }
    }

    /// The key the change is about; `nil` for a marker.
    public var key: String? {
        switch self {
        case .added(let object), .modified(let object, previous: _), .deleted(previous: let object, revision: _):
            object.key
        case .progress, .initialEventsEnd:
            nil
        }
    }
}

extension CacheEvent: Equatable where Attributes: Equatable {}
extension CacheEvent: Hashable where Attributes: Hashable {}
