extension StorageBackend {
    /// Reads `key`, applies `transform` to it and writes the result with compare-and-swap, retrying on conflict.
    ///
    /// apiserver's `GuaranteedUpdate`, written once for every backend:
    /// 1. the current value comes from `cached` if given (it may be stale), else from a read;
    /// 2. `transform` receives it (`nil` when the key does not exist, only if `ignoreNotFound`; otherwise a
    ///    missing key throws ``StorageError/Code/notFound``) and returns the new value, or throws to abort;
    /// 3. an unchanged value is not written (the current key is returned, after confirming a cached one);
    /// 4. otherwise the value is written with ``update(_:value:expected:lease:)`` (or
    ///    ``create(_:value:lease:)`` for a missing key); on ``StorageError/Code/conflict`` or
    ///    ``StorageError/Code/keyExists`` the loop starts again from the key carried by the error, without a read.
    ///
    /// - Parameters:
    ///   - lease: the lease to attach the written key to; `nil` keeps the current key's lease (none for a create).
    ///   - maxAttempts: how many conflicts to tolerate before throwing the last ``StorageError/Code/conflict``.
    /// - Returns: the key as written (or as found, when unchanged).
    public func guaranteedUpdate(
        _ key: String,
        ignoreNotFound: Bool = false,
        cached: KeyValue? = nil,
        lease: LeaseID? = nil,
        maxAttempts: Int = 64,
        transform: (_ current: KeyValue?) async throws -> [UInt8]
    ) async throws -> KeyValue {
        var current: KeyValue?
        var isFresh: Bool
        if let cached {
            current = cached
            isFresh = false
        } else {
            current = try await self.get(key)
            isFresh = true
        }
        var lastError = StorageError(code: .conflict, message: "key \(key): too many conflicting updates", key: key)
        var attempts = 0
        while attempts < maxAttempts {
            if current == nil && !ignoreNotFound {
                if isFresh { throw StorageError.notFound(key) }
                current = try await self.get(key)
                isFresh = true
                continue
            }
            let value = try await transform(current)
            do {
                if let existing = current {
                    if value == existing.value && (lease == nil || lease == existing.lease) {
                        if isFresh { return existing }
                        current = try await self.get(key)
                        isFresh = true
                        continue
                    }
                    return try await self.update(
                        key,
                        value: value,
                        expected: existing.modRevision,
                        lease: lease ?? existing.lease
                    )
                } else {
                    return try await self.create(key, value: value, lease: lease)
                }
            } catch let error as StorageError where error.code == .conflict || error.code == .keyExists {
                attempts += 1
                lastError = error
                if let latest = error.current {
                    current = latest
                } else {
                    current = try await self.get(key)
                }
                isFresh = true
            } catch let error as StorageError where error.code == .notFound {
                attempts += 1
                lastError = error
                current = nil
                isFresh = true
            }
        }
        throw lastError
    }
}
