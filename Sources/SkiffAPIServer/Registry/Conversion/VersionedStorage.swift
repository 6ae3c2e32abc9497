package import SkiffAPIMachinery
package import SkiffStorage

/// Converts stored objects between the version a resource is served in and the version it is stored in.
///
/// Both directions take and return the canonical JSON of a whole object, without `metadata.resourceVersion`
/// (the store never holds it; see ``StoredObject``). A conversion must be lossless in both directions for every
/// object the served version can express (↔ the round-trip guarantee of upstream's conversion functions).
package protocol VersionConverter: Sendable {
    /// The served version's object from the stored version's.
    func toServed(_ stored: JSONValue) throws -> JSONValue
    /// The stored version's object from the served version's.
    func toStorage(_ served: JSONValue) throws -> JSONValue
}

/// Another resource's storage seen in a different API version: `events.k8s.io/v1` Events through the keys and
/// objects of `v1` Events (↔ the apiserver storing every version of a resource in one storage version).
///
/// Keys under `servedPrefix` map to the same key under `storagePrefix`; every value read is converted to the
/// served version and every value written to the storage version. Revisions, leases, compare-and-swap and watches
/// pass through unchanged, so the registry and the watch cache above work as they do for any resource, and an
/// object written in either version is at once visible, with the same resource version, in both.
package struct VersionedStorage: StorageBackend {
    let base: any StorageBackend
    let servedPrefix: String
    let storagePrefix: String
    let converter: any VersionConverter

    package init(base: any StorageBackend, servedPrefix: String, storagePrefix: String, converter: any VersionConverter) {
        self.base = base
        self.servedPrefix = servedPrefix
        self.storagePrefix = storagePrefix
        self.converter = converter
    }

    // MARK: Keys and values

    func storageKey(_ key: String) throws -> String {
        guard key.hasPrefix(self.servedPrefix) else {
            throw StorageError(code: .invalidArgument, message: "key \(key) is outside \(self.servedPrefix)", key: key)
        }
        return self.storagePrefix + key.dropFirst(self.servedPrefix.count)
    }

    func servedKey(_ key: String) -> String {
        guard key.hasPrefix(self.storagePrefix) else { return key }
        return self.servedPrefix + key.dropFirst(self.storagePrefix.count)
    }

    /// The stored value of a served-version value (empty values, as of deletes, stay empty).
    func storageValue(_ value: [UInt8]) throws -> [UInt8] {
        try Self.convert(value, with: self.converter.toStorage)
    }

    func served(_ keyValue: KeyValue) throws -> KeyValue {
        var keyValue = keyValue
        keyValue.key = self.servedKey(keyValue.key)
        keyValue.value = try Self.convert(keyValue.value, with: self.converter.toServed)
        return keyValue
    }

    private static func convert(_ value: [UInt8], with conversion: (JSONValue) throws -> JSONValue) throws -> [UInt8] {
        guard !value.isEmpty else { return value }
        guard let stored = StoredObject(value: value) else {
            throw StorageError(code: .internalError, message: "a stored value is not an object")
        }
        return StoredObject.encode(try conversion(try JSONValue.parse(stored.json)))
    }

    /// Errors that carry the current key (conflicts, existing keys) carry it in the served version.
    private func rethrow<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch var error as StorageError {
            if let current = error.current { error.current = try self.served(current) }
            if let key = error.key { error.key = self.servedKey(key) }
            throw error
        }
    }

    // MARK: StorageBackend

    /// The underlying watch's iterator, driven by the one consumer of the converted stream.
    private final class WatchIterator: @unchecked Sendable {
        // Only the converted stream's single consumer calls `next()`, one call at a time.
        private var base: WatchStream.AsyncIterator

        init(_ base: WatchStream.AsyncIterator) { self.base = base }

        func next() async throws -> WatchResponse? { try await self.base.next() }
    }

    package func currentRevision() async throws -> Revision { try await self.base.currentRevision() }

    package func compactRevision() async throws -> Revision { try await self.base.compactRevision() }

    package func get(_ key: String, at revision: Revision?) async throws -> KeyValue? {
        let key = try self.storageKey(key)
        return try await self.rethrow { try await self.base.get(key, at: revision).map(self.served) }
    }

    package func list(prefix: String, at revision: Revision?, limit: Int?, continueAfter: String?) async throws -> ListResult {
        let storagePrefix = try self.storageKey(prefix)
        let after = try continueAfter.map(self.storageKey)
        var result = try await self.rethrow {
            try await self.base.list(prefix: storagePrefix, at: revision, limit: limit, continueAfter: after)
        }
        result.keyValues = try result.keyValues.map(self.served)
        return result
    }

    package func count(prefix: String) async throws -> Int {
        try await self.base.count(prefix: try self.storageKey(prefix))
    }

    package func create(_ key: String, value: [UInt8], lease: LeaseID?) async throws -> KeyValue {
        let key = try self.storageKey(key)
        let value = try self.storageValue(value)
        return try await self.rethrow { try self.served(try await self.base.create(key, value: value, lease: lease)) }
    }

    package func update(_ key: String, value: [UInt8], expected: Revision, lease: LeaseID?) async throws -> KeyValue {
        let key = try self.storageKey(key)
        let value = try self.storageValue(value)
        return try await self.rethrow {
            try self.served(try await self.base.update(key, value: value, expected: expected, lease: lease))
        }
    }

    package func delete(_ key: String, expected: Revision?) async throws -> DeleteResult {
        let key = try self.storageKey(key)
        var result = try await self.rethrow { try await self.base.delete(key, expected: expected) }
        result.previous = try self.served(result.previous)
        return result
    }

    package func grantLease(ttlSeconds: Int64) async throws -> LeaseID { try await self.base.grantLease(ttlSeconds: ttlSeconds) }

    package func revokeLease(_ lease: LeaseID) async throws { try await self.base.revokeLease(lease) }

    package func watch(prefix: String, from revision: Revision?) async throws -> WatchStream {
        let upstream = try await self.rethrow { try await self.base.watch(prefix: try self.storageKey(prefix), from: revision) }
        let iterator = WatchIterator(upstream.makeAsyncIterator())
        return WatchStream(unfolding: {
            guard var response = try await iterator.next() else { return nil }
            response.events = try response.events.map { event in
                StorageEvent(
                    kind: event.kind,
                    keyValue: try self.served(event.keyValue),
                    previous: try event.previous.map(self.served)
                )
            }
            return response
        })
    }

    package func requestProgress() async throws { try await self.base.requestProgress() }

    package func compact(through revision: Revision) async throws { try await self.base.compact(through: revision) }

    /// Maintenance belongs to the underlying store, which its owner runs.
    package func performMaintenance() async throws {}

    /// The underlying store's owner runs it; this view has nothing of its own to run.
    package func run() async throws {}
}
