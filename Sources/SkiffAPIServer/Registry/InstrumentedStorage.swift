import SkiffStorage

/// A storage backend that records each operation's latency in `etcd_request_duration_seconds`, as upstream
/// instruments its etcd client.
struct InstrumentedStorage: StorageBackend {
    let base: any StorageBackend
    let metrics: APIServerMetrics

    private func measure<T>(_ operation: String, _ key: String, _ body: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        defer { self.metrics.observeStore(operation: operation, type: Self.type(of: key), duration: ContinuousClock.now - start) }
        return try await body()
    }

    /// The resource part of a key: `/registry/pods/default/x` → `pods`; `/registry/apps/deployments/…` →
    /// `deployments.apps`.
    static func type(of key: String) -> String {
        let parts = key.split(separator: "/", maxSplits: 3)
        guard parts.count >= 2, parts[0] == "registry" else { return "unknown" }
        if parts[1].contains("."), parts.count >= 3 { return "\(parts[2]).\(parts[1])" }
        if parts.count >= 3, ["apps", "batch", "policy", "autoscaling"].contains(parts[1]) {
            return "\(parts[2]).\(parts[1])"
        }
        return String(parts[1])
    }

    func currentRevision() async throws -> Revision { try await self.base.currentRevision() }
    func compactRevision() async throws -> Revision { try await self.base.compactRevision() }
    func get(_ key: String, at revision: Revision?) async throws -> KeyValue? {
        try await self.measure("get", key) { try await self.base.get(key, at: revision) }
    }
    func list(prefix: String, at revision: Revision?, limit: Int?, continueAfter: String?) async throws -> ListResult {
        try await self.measure("list", prefix) {
            try await self.base.list(prefix: prefix, at: revision, limit: limit, continueAfter: continueAfter)
        }
    }
    func count(prefix: String) async throws -> Int { try await self.base.count(prefix: prefix) }
    func create(_ key: String, value: [UInt8], lease: LeaseID?) async throws -> KeyValue {
        try await self.measure("create", key) { try await self.base.create(key, value: value, lease: lease) }
    }
    func update(_ key: String, value: [UInt8], expected: Revision, lease: LeaseID?) async throws -> KeyValue {
        try await self.measure("update", key) {
            try await self.base.update(key, value: value, expected: expected, lease: lease)
        }
    }
    func delete(_ key: String, expected: Revision?) async throws -> DeleteResult {
        try await self.measure("delete", key) { try await self.base.delete(key, expected: expected) }
    }
    func grantLease(ttlSeconds: Int64) async throws -> LeaseID { try await self.base.grantLease(ttlSeconds: ttlSeconds) }
    func revokeLease(_ lease: LeaseID) async throws { try await self.base.revokeLease(lease) }
    func watch(prefix: String, from revision: Revision?) async throws -> WatchStream {
        try await self.base.watch(prefix: prefix, from: revision)
    }
    func requestProgress() async throws { try await self.base.requestProgress() }
    func compact(through revision: Revision) async throws { try await self.base.compact(through: revision) }
    func performMaintenance() async throws { try await self.base.performMaintenance() }
    func run() async throws { try await self.base.run() }
}
