import Synchronization

/// A ``StorageBackend`` kept in memory, for tests and benchmarks.
///
/// It has the same semantics as the durable backends (history, compaction, watch, leases); nothing survives the
/// process.
///
/// All state sits behind one `Mutex`; writes publish to the ``WatchHub`` under it, so events are published in
/// revision order.
public final class InMemoryStorage: StorageBackend {
    /// One stored version of a key.
    private struct Version {
        var revision: Int64
        var value: [UInt8]
        var createRevision: Int64
        var version: Int64
        var lease: Int64
        var deleted: Bool
    }

    private struct Lease {
        var ttlSeconds: Int64
        var expiresAt: Duration
        var keys: Set<String> = []
    }

    private struct State {
        var revision: Int64 = 0
        var compacted: Int64 = 0
        /// Every key with kept history, in byte order.
        var sortedKeys: [String] = []
        /// Each key's kept versions, oldest first.
        var versions: [String: [Version]] = [:]
        /// The kept changes, in revision order (for watches from the past).
        var events: [StorageEvent] = []
        var leases: [Int64: Lease] = [:]
        var nextLease: Int64 = 1
        var planner: CompactionPlanner
    }

    private let state: Mutex<State>
    private let hub: WatchHub
    private let clock: StorageClock
    /// How this store maintains itself.
    public let policy: MaintenancePolicy

    /// Makes an empty store.
    public init(policy: MaintenancePolicy = MaintenancePolicy(), clock: StorageClock = .system) {
        self.policy = policy
        self.clock = clock
        self.state = Mutex(State(planner: CompactionPlanner(policy: policy)))
        self.hub = WatchHub(revision: .zero, bufferLimit: policy.watchBufferLimit)
    }

    deinit {
        self.hub.close(with: StorageError(code: .unavailable, message: "the store was deallocated"))
    }

    // MARK: Reading

    public func currentRevision() async throws -> Revision {
        self.state.withLock { Revision($0.revision) }
    }

    public func compactRevision() async throws -> Revision {
        self.state.withLock { Revision($0.compacted) }
    }

    public func get(_ key: String, at revision: Revision?) async throws -> KeyValue? {
        try self.state.withLock { state in
            let at = try Self.resolve(revision, in: state)
            return Self.keyValue(key, at: at, in: state)
        }
    }

    public func list(prefix: String, at revision: Revision?, limit: Int?, continueAfter: String?) async throws
        -> ListResult
    {
        if let limit, limit <= 0 { throw StorageError.invalidArgument("limit must be positive, not \(limit)") }
        return try self.state.withLock { state in
            let at = try Self.resolve(revision, in: state)
            var index = Self.lowerBound(continueAfter ?? prefix, in: state.sortedKeys)
            if let continueAfter, index < state.sortedKeys.count, state.sortedKeys[index] == continueAfter {
                index += 1
            }
            var result: [KeyValue] = []
            var hasMore = false
            while index < state.sortedKeys.count {
                let key = state.sortedKeys[index]
                index += 1
                guard KeyOrder.hasPrefix(key, prefix) else { break }
                guard let keyValue = Self.keyValue(key, at: at, in: state) else { continue }
                if let limit, result.count == limit {
                    hasMore = true
                    break
                }
                result.append(keyValue)
            }
            return ListResult(keyValues: result, revision: Revision(at), hasMore: hasMore)
        }
    }

    public func count(prefix: String) async throws -> Int {
        self.state.withLock { state in
            var index = Self.lowerBound(prefix, in: state.sortedKeys)
            var count = 0
            while index < state.sortedKeys.count, KeyOrder.hasPrefix(state.sortedKeys[index], prefix) {
                if let last = state.versions[state.sortedKeys[index]]?.last, !last.deleted { count += 1 }
                index += 1
            }
            return count
        }
    }

    // MARK: Writing

    public func create(_ key: String, value: [UInt8], lease: LeaseID?) async throws -> KeyValue {
        try Self.validate(key)
        return try self.state.withLock { state in
            if let current = Self.keyValue(key, at: state.revision, in: state) { throw StorageError.keyExists(current) }
            return try self.put(key, value: value, lease: lease, previous: nil, in: &state)
        }
    }

    public func update(_ key: String, value: [UInt8], expected: Revision, lease: LeaseID?) async throws -> KeyValue {
        try Self.validate(key)
        return try self.state.withLock { state in
            guard let current = Self.keyValue(key, at: state.revision, in: state) else {
                throw StorageError.notFound(key)
            }
            guard current.modRevision == expected else { throw StorageError.conflict(current, expected: expected) }
            return try self.put(key, value: value, lease: lease, previous: current, in: &state)
        }
    }

    public func delete(_ key: String, expected: Revision?) async throws -> DeleteResult {
        try Self.validate(key)
        return try self.state.withLock { state in
            guard let current = Self.keyValue(key, at: state.revision, in: state) else {
                throw StorageError.notFound(key)
            }
            if let expected, current.modRevision != expected {
                throw StorageError.conflict(current, expected: expected)
            }
            return self.remove(current, in: &state)
        }
    }

    // MARK: Leases

    public func grantLease(ttlSeconds: Int64) async throws -> LeaseID {
        guard ttlSeconds > 0 else { throw StorageError.invalidArgument("a lease TTL must be positive") }
        let now = self.clock.now()
        return self.state.withLock { state in
            let id = state.nextLease
            state.nextLease += 1
            state.leases[id] = Lease(ttlSeconds: ttlSeconds, expiresAt: now + .seconds(ttlSeconds))
            return LeaseID(rawValue: id)
        }
    }

    public func revokeLease(_ lease: LeaseID) async throws {
        try self.state.withLock { state in
            guard state.leases[lease.rawValue] != nil else { throw StorageError.leaseNotFound(lease) }
            self.expire(lease.rawValue, in: &state)
        }
    }

    // MARK: Watching

    public func watch(prefix: String, from revision: Revision?) async throws -> WatchStream {
        try await self.hub.watch(prefix: prefix, from: revision) { from, through in
            try self.state.withLock { state in
                guard from.rawValue > state.compacted else {
                    throw StorageError.compacted(compactRevision: Revision(state.compacted), requested: from)
                }
                let start = Self.firstEvent(atOrAfter: from.rawValue, in: state.events)
                return state.events[start...].prefix { $0.revision <= through }
                    .filter { KeyOrder.hasPrefix($0.keyValue.key, prefix) }
            }
        }
    }

    public func requestProgress() async throws {
        self.state.withLock { _ in self.hub.progress() }
    }

    // MARK: Maintenance

    public func compact(through revision: Revision) async throws {
        try self.state.withLock { state in
            guard revision.rawValue <= state.revision else {
                throw StorageError.futureRevision(revision, current: Revision(state.revision))
            }
            Self.compact(through: revision.rawValue, in: &state)
        }
    }

    public func performMaintenance() async throws {
        let now = self.clock.now()
        self.state.withLock { state in
            for (id, lease) in state.leases where lease.expiresAt <= now {
                self.expire(id, in: &state)
            }
            let target = state.planner.step(
                now: now,
                current: Revision(state.revision),
                compacted: Revision(state.compacted)
            )
            if let target { Self.compact(through: target.rawValue, in: &state) }
        }
    }

    public func run() async throws {
        try await self.runMaintenanceLoop(every: self.policy.interval, clock: self.clock)
    }

    // MARK: Internals

    private static func validate(_ key: String) throws {
        if key.isEmpty { throw StorageError.invalidArgument("the key must not be empty") }
    }

    private static func resolve(_ revision: Revision?, in state: State) throws -> Int64 {
        guard let revision else { return state.revision }
        if revision.rawValue > state.revision {
            throw StorageError.futureRevision(revision, current: Revision(state.revision))
        }
        if revision.rawValue < state.compacted || revision.rawValue < 0 {
            throw StorageError.compacted(compactRevision: Revision(state.compacted), requested: revision)
        }
        return revision.rawValue
    }

    private static func keyValue(_ key: String, at revision: Int64, in state: State) -> KeyValue? {
        guard let versions = state.versions[key],
            let index = versions.lastIndex(where: { $0.revision <= revision })
        else { return nil }
        let version = versions[index]
        if version.deleted { return nil }
        return KeyValue(
            key: key,
            value: version.value,
            createRevision: Revision(version.createRevision),
            modRevision: Revision(version.revision),
            version: version.version,
            lease: version.lease == 0 ? nil : LeaseID(rawValue: version.lease)
        )
    }

    private static func lowerBound(_ key: String, in keys: [String]) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if KeyOrder.precedes(keys[middle], key) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func firstEvent(atOrAfter revision: Int64, in events: [StorageEvent]) -> Int {
        var low = 0
        var high = events.count
        while low < high {
            let middle = (low + high) / 2
            if events[middle].revision.rawValue < revision { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private func put(
        _ key: String,
        value: [UInt8],
        lease: LeaseID?,
        previous: KeyValue?,
        in state: inout State
    ) throws -> KeyValue {
        if let lease, state.leases[lease.rawValue] == nil { throw StorageError.leaseNotFound(lease) }
        state.revision += 1
        let revision = state.revision
        if let old = previous?.lease { state.leases[old.rawValue]?.keys.remove(key) }
        if let lease { state.leases[lease.rawValue]?.keys.insert(key) }
        let keyValue = KeyValue(
            key: key,
            value: value,
            createRevision: previous?.createRevision ?? Revision(revision),
            modRevision: Revision(revision),
            version: (previous?.version ?? 0) + 1,
            lease: lease
        )
        self.append(
            Version(
                revision: revision,
                value: value,
                createRevision: keyValue.createRevision.rawValue,
                version: keyValue.version,
                lease: lease?.rawValue ?? 0,
                deleted: false
            ),
            to: key,
            in: &state
        )
        let event = StorageEvent(kind: .put, keyValue: keyValue, previous: previous)
        state.events.append(event)
        self.hub.publish([event])
        return keyValue
    }

    private func remove(_ current: KeyValue, in state: inout State) -> DeleteResult {
        state.revision += 1
        let revision = state.revision
        if let lease = current.lease { state.leases[lease.rawValue]?.keys.remove(current.key) }
        self.append(
            Version(revision: revision, value: [], createRevision: 0, version: 0, lease: 0, deleted: true),
            to: current.key,
            in: &state
        )
        let tombstone = KeyValue(
            key: current.key,
            value: [],
            createRevision: .zero,
            modRevision: Revision(revision),
            version: 0
        )
        let event = StorageEvent(kind: .delete, keyValue: tombstone, previous: current)
        state.events.append(event)
        self.hub.publish([event])
        return DeleteResult(previous: current, revision: Revision(revision))
    }

    private func append(_ version: Version, to key: String, in state: inout State) {
        if state.versions[key] == nil {
            let index = Self.lowerBound(key, in: state.sortedKeys)
            state.sortedKeys.insert(key, at: index)
            state.versions[key] = [version]
        } else {
            state.versions[key]?.append(version)
        }
    }

    private func expire(_ lease: Int64, in state: inout State) {
        guard let removed = state.leases.removeValue(forKey: lease) else { return }
        for key in removed.keys.sorted(by: KeyOrder.precedes) {
            if let current = Self.keyValue(key, at: state.revision, in: state) {
                _ = self.remove(current, in: &state)
            }
        }
    }

    private static func compact(through revision: Int64, in state: inout State) {
        guard revision > state.compacted else { return }
        state.compacted = revision
        let dropped = Self.firstEvent(atOrAfter: revision + 1, in: state.events)
        state.events.removeFirst(dropped)
        var emptied: Set<String> = []
        for (key, var versions) in state.versions {
            guard let last = versions.lastIndex(where: { $0.revision <= revision }) else { continue }
            let keepFrom = versions[last].deleted ? last + 1 : last
            guard keepFrom > 0 else { continue }
            versions.removeFirst(keepFrom)
            if versions.isEmpty {
                emptied.insert(key)
                state.versions[key] = nil
            } else {
                state.versions[key] = versions
            }
        }
        if !emptied.isEmpty { state.sortedKeys.removeAll { emptied.contains($0) } }
    }
}
