/// One change seen by a watcher: etcd's `mvccpb.Event`.
public struct StorageEvent: Hashable, Sendable {
    /// What happened to the key.
    public enum Kind: Hashable, Sendable {
        /// The key was created or modified.
        case put
        /// The key was deleted (explicitly, or because its lease expired).
        case delete
    }

    /// What happened.
    public var kind: Kind
    /// The key after the change.
    ///
    /// For a delete: the key, an empty value, `createRevision` and `version` `0`, and
    /// `modRevision` the revision of the delete.
    public var keyValue: KeyValue
    /// The key just before the change: set for modifications and deletes, `nil` for a create.
    public var previous: KeyValue?

    /// Makes an event.
    public init(kind: Kind, keyValue: KeyValue, previous: KeyValue?) {
        self.kind = kind
        self.keyValue = keyValue
        self.previous = previous
    }

    /// The revision of the change.
    public var revision: Revision { self.keyValue.modRevision }

    /// Whether this event created the key (a put with no previous value).
    public var isCreate: Bool { self.kind == .put && self.previous == nil }
}

/// One message of a watch stream: events in revision order, or a progress notification.
public struct WatchResponse: Hashable, Sendable {
    /// The events, strictly in revision order; empty for a progress notification.
    public var events: [StorageEvent]
    /// The store's revision when this message was produced.
    ///
    /// Every change up to it that matches the watched prefix has been delivered, in this message or an earlier
    /// one. For a progress notification that is the
    /// whole point (Kubernetes turns it into a bookmark).
    public var revision: Revision

    /// Makes a watch response.
    public init(events: [StorageEvent], revision: Revision) {
        self.events = events
        self.revision = revision
    }

    /// Whether this message carries no event, only the current ``revision``.
    public var isProgressNotification: Bool { self.events.isEmpty }
}
