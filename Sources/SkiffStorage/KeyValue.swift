/// One key as stored at some revision: etcd's `mvccpb.KeyValue`.
public struct KeyValue: Hashable, Sendable {
    /// The key, for example `/registry/pods/default/web-0`.
    public var key: String
    /// The stored bytes (an encoded object); empty in a delete event's ``StorageEvent/keyValue``.
    public var value: [UInt8]
    /// The revision of the write that created this incarnation of the key (after a delete, a new create starts a
    /// new incarnation).
    public var createRevision: Revision
    /// The revision of the last write to the key: the value compare-and-swap operations expect.
    public var modRevision: Revision
    /// The number of writes to this incarnation of the key, `1` after the create (etcd's `version`); `0` in a
    /// delete event.
    public var version: Int64
    /// The lease the key is attached to, if any.
    public var lease: LeaseID?

    /// Makes a key-value.
    public init(
        key: String,
        value: [UInt8],
        createRevision: Revision,
        modRevision: Revision,
        version: Int64,
        lease: LeaseID? = nil
    ) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.lease = lease
    }
}

/// The keys of one page of a list, and the revision it was read at.
public struct ListResult: Hashable, Sendable {
    /// The keys, in ascending byte order of ``KeyValue/key``.
    public var keyValues: [KeyValue]
    /// The revision the list was read at.
    ///
    /// A list "at latest" reports the store's revision at the time; pass it
    /// back as `at:` with `continueAfter:` to read the next page from the same snapshot.
    public var revision: Revision
    /// Whether more keys follow the last one returned (only possible with a `limit`).
    public var hasMore: Bool

    /// Makes a list result.
    public init(keyValues: [KeyValue], revision: Revision, hasMore: Bool) {
        self.keyValues = keyValues
        self.revision = revision
        self.hasMore = hasMore
    }
}

/// The outcome of a successful delete.
public struct DeleteResult: Hashable, Sendable {
    /// The key as it was just before the delete.
    public var previous: KeyValue
    /// The revision of the delete itself.
    public var revision: Revision

    /// Makes a delete result.
    public init(previous: KeyValue, revision: Revision) {
        self.previous = previous
        self.revision = revision
    }
}
