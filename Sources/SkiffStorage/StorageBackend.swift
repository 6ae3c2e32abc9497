/// The stream a ``StorageBackend/watch(prefix:from:)`` returns.
public typealias WatchStream = AsyncThrowingStream<WatchResponse, any Error>

/// A key-value store with etcd's semantics: the only way the API server touches data.
///
/// Keys are strings such as `/registry/pods/<namespace>/<name>`, ordered by their UTF-8 bytes; values are bytes.
/// Every write gets the next global ``Revision``; the store keeps a bounded history of past revisions, so reads
/// and watches can start in the recent past, until ``compact(through:)`` removes it.
///
/// Shaped like kine's `server.Backend` and apiserver's `storage.Interface`, but narrower: read-modify-write
/// loops are written once, on top of the protocol, in
/// ``StorageBackend/guaranteedUpdate(_:ignoreNotFound:cached:lease:maxAttempts:transform:)``.
/// Every backend passes the same conformance suite (`SkiffStorageConformanceTests`).
///
/// ## Topics
/// ### Reading
/// - ``currentRevision()``
/// - ``get(_:at:)``
/// - ``list(prefix:at:limit:continueAfter:)``
/// - ``count(prefix:)``
/// ### Writing
/// - ``create(_:value:lease:)``
/// - ``update(_:value:expected:lease:)``
/// - ``delete(_:expected:)``
/// ### Leases
/// - ``grantLease(ttlSeconds:)``
/// - ``revokeLease(_:)``
/// ### Watching
/// - ``watch(prefix:from:)``
/// - ``requestProgress()``
/// ### Maintenance
/// - ``compact(through:)``
/// - ``compactRevision()``
/// - ``performMaintenance()``
/// - ``run()``
public protocol StorageBackend: Sendable {
    /// The revision of the last committed write (`0` for an empty store).
    func currentRevision() async throws -> Revision

    /// The revision history is compacted through: reads and watches must start above it (`0` if never).
    func compactRevision() async throws -> Revision

    /// The key as of `revision` (latest when `nil`), or `nil` if it did not exist then.
    ///
    /// Throws ``StorageError/Code/compacted`` when `revision` is below ``compactRevision()`` and
    /// ``StorageError/Code/futureRevision`` when it is above ``currentRevision()``.
    func get(_ key: String, at revision: Revision?) async throws -> KeyValue?

    /// The keys starting with `prefix` (the range `[prefix, prefixEnd)`), in ascending byte order.
    ///
    /// - Parameters:
    ///   - revision: the snapshot to read; `nil` reads the latest and reports its revision in the result, so the
    ///     next page can be read at the same snapshot. Errors as in ``get(_:at:)``.
    ///   - limit: at most this many keys (`nil`: all); must be positive.
    ///   - continueAfter: return only keys strictly greater than this one (the last key of the previous page).
    func list(prefix: String, at revision: Revision?, limit: Int?, continueAfter: String?) async throws -> ListResult

    /// How many keys start with `prefix`, at the latest revision.
    func count(prefix: String) async throws -> Int

    /// Creates `key`; throws ``StorageError/Code/keyExists`` (with the current key) if it exists, and
    /// ``StorageError/Code/leaseNotFound`` if `lease` does not exist. Returns the stored key.
    func create(_ key: String, value: [UInt8], lease: LeaseID?) async throws -> KeyValue

    /// Replaces `key`'s value if its modification revision is still `expected` (compare-and-swap).
    ///
    /// Throws ``StorageError/Code/notFound`` if the key does not exist and ``StorageError/Code/conflict`` (with
    /// the current key) if `expected` is stale. The key is attached to `lease`, or to none when `nil`.
    func update(_ key: String, value: [UInt8], expected: Revision, lease: LeaseID?) async throws -> KeyValue

    /// Deletes `key`, only if its modification revision is `expected` when that is given.
    ///
    /// Throws ``StorageError/Code/notFound`` if the key does not exist and ``StorageError/Code/conflict`` (with
    /// the current key) if `expected` is stale. Returns the deleted key and the revision of the delete.
    func delete(_ key: String, expected: Revision?) async throws -> DeleteResult

    /// Grants a lease that expires `ttlSeconds` after now (positive); keys attached to it are then deleted, with
    /// ordinary delete events.
    func grantLease(ttlSeconds: Int64) async throws -> LeaseID

    /// Revokes a lease now, deleting its keys; throws ``StorageError/Code/leaseNotFound`` if it does not exist.
    func revokeLease(_ lease: LeaseID) async throws

    /// Watches the keys starting with `prefix`.
    ///
    /// The stream delivers every change with a revision `>= revision` (all changes after the current revision
    /// when `nil`) in revision order, without gaps or duplicates: first the history still kept, then live
    /// changes. Throws ``StorageError/Code/compacted`` at once when `revision <= compactRevision()`. The stream
    /// ends with ``StorageError/Code/watcherTooSlow`` if its consumer falls too far behind, and the watch is
    /// cancelled when the consumer stops iterating (or its task is cancelled).
    func watch(prefix: String, from revision: Revision?) async throws -> WatchStream

    /// Sends every watcher a progress notification (a ``WatchResponse`` without events) carrying the current
    /// revision, once it has received all events up to that revision (etcd's `RequestProgress`).
    func requestProgress() async throws

    /// Removes the history at and below `revision`: later reads and watches must start above it.
    ///
    /// Compacting at or below the current compaction point does nothing; above the current revision throws
    /// ``StorageError/Code/futureRevision``.
    func compact(through revision: Revision) async throws

    /// Runs one maintenance step now: expires due leases and compacts according to the backend's
    /// ``MaintenancePolicy``. ``run()`` calls it periodically; tests call it directly after moving their clock.
    func performMaintenance() async throws

    /// Runs the maintenance loop (``performMaintenance()`` every ``MaintenancePolicy/interval``) until the task
    /// is cancelled, then returns. Shaped to be wrapped as a ServiceLifecycle `Service`.
    func run() async throws
}

extension StorageBackend {
    /// Reads the latest value of `key`.
    public func get(_ key: String) async throws -> KeyValue? {
        try await self.get(key, at: nil)
    }

    /// Lists every key starting with `prefix` at the latest revision.
    public func list(prefix: String) async throws -> ListResult {
        try await self.list(prefix: prefix, at: nil, limit: nil, continueAfter: nil)
    }

    /// Creates `key` without a lease.
    public func create(_ key: String, value: [UInt8]) async throws -> KeyValue {
        try await self.create(key, value: value, lease: nil)
    }

    /// Compare-and-swap without a lease.
    public func update(_ key: String, value: [UInt8], expected: Revision) async throws -> KeyValue {
        try await self.update(key, value: value, expected: expected, lease: nil)
    }

    /// Deletes `key` whatever its revision.
    public func delete(_ key: String) async throws -> DeleteResult {
        try await self.delete(key, expected: nil)
    }

    /// Watches from now on.
    public func watch(prefix: String) async throws -> WatchStream {
        try await self.watch(prefix: prefix, from: nil)
    }
}
