#if canImport(FoundationEssentials)
    package import FoundationEssentials
#else
    package import Foundation
#endif
import SkiffAPI
package import SkiffAPIMachinery
package import SkiffStorage
import Synchronization

/// The generic registry of one resource: create, read, update and delete over the store, with upstream's
/// object-metadata rules (↔ apiserver `pkg/registry/generic/registry.Store`).
///
/// Objects travel as ``StoredObject`` bytes: reads render them with their resource version and never decode them;
/// writes decode the current object, apply the request and the resource's strategy, and write the canonical JSON
/// with compare-and-swap.
package final class ResourceStore: Sendable {
    package let resource: ServedResource
    package let storage: any StorageBackend
    package let cacher: Cacher<ObjectAttributes>
    let clock: @Sendable () -> Date
    /// The admission plugins every create, update and delete passes (mutating before the strategy, validating
    /// after it).
    package let admission: AdmissionChain
    /// What the resource's objects hold outside their own key (a Service's cluster IP and node ports).
    let allocator: (any ResourceAllocator)?
    let groupResource: GroupResource
    /// The revision of the last write this store made (see ``readCache(_:)``).
    private let lastWrite = Atomic<Int64>(0)
    /// Whether the watch cache starts only when this resource is first read (get, list or watch) rather than with
    /// the server: so for views of another version's storage (events.k8s.io/v1 Events, autoscaling/v1
    /// HorizontalPodAutoscalers), which few clients read, every write to the stored version is not converted and
    /// cached a second time for nobody. Once started, it runs until the server stops.
    let cachesOnDemand: Bool
    /// Signalled by the first read of a store that caches on demand.
    private let cacheDemand = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    /// Whether a stored object, as read, is exactly the canonical JSON of its decoded form, so an update may use it
    /// as the old object's JSON instead of encoding it again (not so for a view converting another version).
    let readsCanonicalJSON: Bool

    package init(
        resource: ServedResource,
        storage: any StorageBackend,
        clock: @escaping @Sendable () -> Date,
        admission: AdmissionChain = .empty,
        allocator: (any ResourceAllocator)? = nil
    ) {
        self.admission = admission
        self.allocator = allocator
        self.resource = resource
        self.groupResource = GroupResource(group: resource.group, resource: resource.plural)
        self.storage = storage
        self.readsCanonicalJSON = !(storage is VersionedStorage)
        self.cachesOnDemand = storage is VersionedStorage
        self.clock = clock
        let resourceCopy = resource
        self.cacher = Cacher(storage: storage, prefix: resource.keyPrefix) { keyValue in
            guard let stored = StoredObject(value: keyValue.value),
                let object = try? JSONValue.parse(stored.json)
            else { return ObjectAttributes() }
            return ObjectAttributes(object: object, resource: resourceCopy)
        }
    }

    // MARK: The watch cache

    /// Runs the watch cache until cancelled; one that caches on demand first waits for the first read.
    package func runCache() async throws {
        if self.cachesOnDemand {
            var demands = self.cacheDemand.stream.makeAsyncIterator()
            guard await demands.next() != nil, !Task.isCancelled else { return }
        }
        try await self.cacher.run()
    }

    /// Starts the watch cache of a store that caches on demand, and waits until it has loaded, so the read that
    /// needs it (and a watch that follows a list from the store) finds every change since. A cache that cannot
    /// load (the store is down) fails the read after ``cacheStartTimeout``, as a read of any cache not ready does.
    package func startCacheIfNeeded() async throws {
        guard self.cachesOnDemand, !self.cacher.isReady else { return }
        self.cacheDemand.continuation.yield()
        try await self.cacher.waitUntilReady(timeout: Self.cacheStartTimeout)
    }

    /// How long the first read of a store caching on demand waits for its cache to load.
    static let cacheStartTimeout = Duration.seconds(3)

    /// Offers the cache the attributes of a value about to be written, when the cache runs (a store caching on
    /// demand may not have started: nothing would take them).
    private func expect(_ value: [UInt8], at key: String, json: JSONValue) {
        guard !self.cachesOnDemand || self.cacher.isReady else { return }
        self.cacher.expect(value, at: key, attributes: ObjectAttributes(object: json, resource: self.resource))
    }

    // MARK: Reading

    /// The object's JSON with its resource version, or 404.
    package func get(namespace: String?, name: String, resourceVersion: String?) async throws -> [UInt8] {
        let key = self.resource.key(namespace: namespace, name: name)
        if let resourceVersion, resourceVersion != "" {
            // "0" and "not older than N" may be served from the cache, as upstream.
            let minimum = try Self.parseResourceVersion(resourceVersion)
            let (object, _) = try await self.cacher.get(key: key, notOlderThan: minimum == .zero ? nil : minimum)
            guard let object, let stored = StoredObject(value: object.value) else {
                throw APIError.notFound(group: self.resource.group, resource: self.resource.plural, name: name)
            }
            return stored.render(resourceVersion: object.modRevision.description)
        }
        guard let keyValue = try await self.storage.get(key) else {
            throw APIError.notFound(group: self.resource.group, resource: self.resource.plural, name: name)
        }
        return try self.render(keyValue)
    }

    /// The current object, decoded, with its key-value; `nil` when missing.
    package func current(namespace: String?, name: String) async throws -> (object: JSONValue, keyValue: KeyValue)? {
        let key = self.resource.key(namespace: namespace, name: name)
        guard let keyValue = try await self.storage.get(key) else { return nil }
        return (try self.decodeStored(keyValue), keyValue)
    }

    func render(_ keyValue: KeyValue) throws -> [UInt8] {
        guard let stored = StoredObject(value: keyValue.value) else {
            throw APIError.internalError("the stored value of \(keyValue.key) is corrupted")
        }
        return stored.render(resourceVersion: keyValue.modRevision.description)
    }

    func decodeStored(_ keyValue: KeyValue) throws -> JSONValue {
        guard let stored = StoredObject(value: keyValue.value),
            let object = try? stored.decode(resourceVersion: keyValue.modRevision.description)
        else { throw APIError.internalError("the stored value of \(keyValue.key) is corrupted") }
        return object
    }

    /// The store's revision now (`nil` before any write): what a consistent read from the watch cache waits for.
    package func consistentReadRevision() async throws -> Revision? {
        let current = try await self.storage.currentRevision()
        return current == .zero ? nil : current
    }

    /// The revision of the last create, update or delete this store made; `0` before the first.
    package var lastWriteRevision: Revision {
        Revision(self.lastWrite.load(ordering: .acquiring))
    }

    /// Remembers that this store wrote at `revision`.
    func recordWrite(_ revision: Revision) {
        var current = self.lastWrite.load(ordering: .relaxed)
        while current < revision.rawValue {
            let (exchanged, original) = self.lastWrite.compareExchange(
                expected: current,
                desired: revision.rawValue,
                ordering: .releasing
            )
            if exchanged { return }
            current = original
        }
    }

    /// How long an admission read waits for the watch cache to catch up with this store's last write before it
    /// reads the store instead.
    static let cacheReadTimeout = Duration.seconds(1)

    /// Runs `read` against the watch cache, as upstream's admission plugins read their listers: `read` is given
    /// the revision the cache must have reached, this store's last write (`nil` before any), so a request sees
    /// every write made through this server before it, and a timeout. `nil` when the cache is not ready or
    /// cannot answer in time; the caller then reads the store.
    func readCache<T>(_ read: (_ notOlderThan: Revision?, _ timeout: Duration) async throws -> T) async -> T? {
        guard self.cacher.isReady else { return nil }
        let written = self.lastWriteRevision
        return try? await read(written == .zero ? nil : written, Self.cacheReadTimeout)
    }

    static func parseResourceVersion(_ string: String) throws(APIError) -> Revision {
        guard let revision = Revision(string), revision.rawValue >= 0 else {
            throw APIError.badRequest("resourceVersion: Invalid value: \"\(string)\": must be a non-negative integer")
        }
        return revision
    }

    // MARK: Creating

    /// Creates `object` in `namespace`; returns the stored object's JSON (with its resource version).
    ///
    /// The request passes mutating admission, the strategy (defaults and validation), validating admission and
    /// the resource's allocations, in that order, before it is written; `dryRun` runs them all but writes,
    /// allocates and charges nothing.
    ///
    /// - Parameters:
    ///   - user: who asks, for admission; `nil` for the server's own writes.
    ///   - runAdmission: `false` only for the server's internal bookkeeping writes.
    package func create(
        _ decoded: any APIObject,
        namespace: String?,
        dryRun: Bool,
        user: UserInfo? = nil,
        runAdmission: Bool = true
    ) async throws -> [UInt8] {
        var object = decoded
        var meta = object.metadata
        if self.resource.isNamespaced {
            guard let namespace, !namespace.isEmpty else {
                throw APIError.badRequest("the namespace of the object must be set for a namespaced resource")
            }
            if let given = meta.namespace, !given.isEmpty, given != namespace {
                throw APIError.badRequest(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            }
            meta.namespace = namespace
        } else {
            meta.namespace = nil
        }
        object.metadata = meta
        var attributes = AdmissionAttributes(
            operation: .create,
            resource: self.groupResource,
            kind: self.resource.kind,
            namespace: meta.namespace ?? "",
            name: meta.name ?? "",
            user: user,
            isDryRun: dryRun,
            object: object
        )
        if runAdmission, !self.admission.mutating.isEmpty {
            try await self.admission.admit(&attributes)
            if let admitted = attributes.object { object = admitted }
            meta = object.metadata
            meta.namespace = self.resource.isNamespaced ? namespace : nil
        }
        let generated = (meta.name ?? "").isEmpty && !(meta.generateName ?? "").isEmpty
        let now = self.clock()
        meta.uid = RandomNames.uuid()
        meta.creationTimestamp = Time(now)
        meta.generation = ResourceStrategy.tracksGeneration(self.resource) ? 1 : nil
        meta.resourceVersion = "0"  // placeholder: positions the member; StoredObject drops the value
        meta.deletionTimestamp = nil
        meta.deletionGracePeriodSeconds = nil
        meta.selfLink = nil
        object.metadata = meta
        try ResourceStrategy.prepareForCreate(&object, resource: self.resource, now: now)
        try ResourceStrategy.validateObjectMeta(object.metadata, resource: self.resource, isCreate: true)
        if generated {
            object.metadata.name = (meta.generateName ?? "") + Self.randomSuffix()
        }
        let allocation = try await self.allocator?.allocate(&object, old: nil, dryRun: dryRun) ?? AllocationTransaction.none
        do {
            if runAdmission, !self.admission.validating.isEmpty {
                attributes.object = object
                try await self.admission.validate(attributes)
            }
            let bytes = try await self.persistCreate(
                object,
                generated: generated,
                generateName: meta.generateName ?? "",
                dryRun: dryRun
            )
            if dryRun { await allocation.revert() } else { await allocation.commit() }
            return bytes
        } catch {
            await allocation.revert()
            throw error
        }
    }

    private func persistCreate(_ object: any APIObject, generated: Bool, generateName: String, dryRun: Bool) async throws -> [UInt8] {
        for attempt in 0..<8 {
            var candidate = object
            if generated && attempt > 0 {
                candidate.metadata.name = generateName + Self.randomSuffix()
            }
            let name = candidate.metadata.name ?? ""
            let json = try ObjectCodec.encode(candidate, as: self.resource)
            let value = StoredObject.encode(json)
            if dryRun {
                return JSONValueEncoderSupport.removingResourceVersion(json).serialized()
            }
            let key = self.resource.key(namespace: candidate.metadata.namespace, name: name)
            // The watch cache takes the attributes from the object in hand rather than parsing the stored bytes.
            self.expect(value, at: key, json: json)
            do {
                let keyValue = try await self.storage.create(key, value: value, lease: nil)
                self.recordWrite(keyValue.modRevision)
                return try self.render(keyValue)
            } catch let error as StorageError where error.code == .keyExists {
                self.cacher.withdrawExpectation(at: key)
                if generated && attempt < 7 { continue }
                throw APIError.alreadyExists(group: self.resource.group, resource: self.resource.plural, name: name)
            }
        }
        throw APIError.internalError("could not generate a unique name")
    }

    /// Five characters from upstream's alphabet (no vowels, no look-alikes), as `generateName` appends.
    static func randomSuffix() -> String { RandomNames.suffix() }

    // MARK: Updating

    /// What an update's transform is given: the current object, decoded, and its stored key.
    package struct Current: Sendable {
        /// The current object's JSON, with its resource version.
        package var object: JSONValue
        package var keyValue: KeyValue
        /// The current object as the resource's type (the update's old object), decoded once for the transform
        /// and the update rules.
        package var decoded: any APIObject
    }

    /// The result of an update.
    package enum UpdateOutcome: Sendable {
        /// The object as stored now (with `created` when the update created it).
        case updated([UInt8], created: Bool)
        /// The update removed the last finalizer of an object being deleted, which is now gone.
        case deleted([UInt8])
    }

    /// Reads the object, lets `transform` build the new one, applies the update rules and writes it with
    /// compare-and-swap, retrying on conflicts when the new object does not pin a resource version.
    ///
    /// - Parameters:
    ///   - subresource: `status` keeps everything but the status; `nil` keeps the status (when the resource has
    ///     a status subresource).
    ///   - allowCreate: create the object when missing (PUT on some kinds, server-side apply).
    ///   - user: who asks, for admission; `nil` for the server's own writes.
    ///   - runAdmission: `false` only for the server's internal bookkeeping writes.
    package func update(
        namespace: String?,
        name: String,
        subresource: String?,
        allowCreate: Bool,
        dryRun: Bool,
        user: UserInfo? = nil,
        runAdmission: Bool = true,
        transform: (_ current: Current?) async throws -> any APIObject
    ) async throws -> UpdateOutcome {
        let key = self.resource.key(namespace: namespace, name: name)
        var keyValue = try await self.storage.get(key)
        for _ in 0..<64 {
            guard let existing = keyValue else {
                guard allowCreate else {
                    throw APIError.notFound(group: self.resource.group, resource: self.resource.plural, name: name)
                }
                let object = try await transform(nil)
                try self.checkIdentity(object.metadata, namespace: namespace, name: name)
                do {
                    let bytes = try await self.create(
                        object,
                        namespace: namespace,
                        dryRun: dryRun,
                        user: user,
                        runAdmission: runAdmission
                    )
                    return .updated(bytes, created: true)
                } catch let error as APIError where error.reason == .alreadyExists {
                    keyValue = try await self.storage.get(key)
                    continue
                }
            }
            let currentObject = try self.decodeStored(existing)
            let old = try ObjectCodec.decode(currentObject, as: self.resource).object
            var object = try await transform(Current(object: currentObject, keyValue: existing, decoded: old))
            try self.checkIdentity(object.metadata, namespace: namespace, name: name)
            let pinned = object.metadata.resourceVersion ?? ""
            if !pinned.isEmpty && pinned != existing.modRevision.description {
                throw self.modifiedConflict(name: name)
            }
            var attributes = AdmissionAttributes(
                operation: .update,
                resource: self.groupResource,
                kind: self.resource.kind,
                subresource: subresource ?? "",
                namespace: self.resource.isNamespaced ? (namespace ?? "") : "",
                name: name,
                user: user,
                isDryRun: dryRun,
                object: object,
                oldObject: old
            )
            if runAdmission, !self.admission.mutating.isEmpty {
                try await self.admission.admit(&attributes)
                if let admitted = attributes.object { object = admitted }
            }
            let allocates = self.allocator != nil && subresource == nil
            if allocates { self.allocator?.prepareForUpdate(&object, old: old) }
            var encoded = try ResourceStrategy.prepareForUpdate(
                &object,
                old: old,
                oldJSON: self.readsCanonicalJSON ? currentObject : nil,
                resource: self.resource,
                subresource: subresource,
                now: self.clock()
            )
            try ResourceStrategy.validateObjectMeta(object.metadata, resource: self.resource, isCreate: false)
            var allocation = AllocationTransaction.none
            if allocates, let allocator = self.allocator {
                allocation = try await allocator.allocate(&object, old: old, dryRun: dryRun)
                encoded = .none  // the allocation may have changed the object
            }
            let outcome: UpdateOutcome?
            do {
                if runAdmission, !self.admission.validating.isEmpty {
                    attributes.object = object
                    try await self.admission.validate(attributes)
                }
                outcome = try await self.persistUpdate(
                    object,
                    encoded: encoded,
                    old: old,
                    existing: existing,
                    key: key,
                    dryRun: dryRun,
                    keyValue: &keyValue
                )
            } catch {
                await allocation.revert()
                throw error
            }
            guard let outcome else {
                await allocation.revert()
                continue
            }
            if dryRun { await allocation.revert() } else { await allocation.commit() }
            return outcome
        }
        throw self.modifiedConflict(name: name)
    }

    /// Changes the stored object's JSON with `mutate`, below the update rules, as upstream's registries change
    /// objects straight through the storage (↔ `GuaranteedUpdate` with a mutation function, e.g. `pods/binding`'s
    /// `setPodHostAndAnnotations`): no admission, no strategy, no typed decoding. `mutate` gets the current object
    /// (with its resource version) and returns the new one; it runs again after a conflict. Whatever it adds must
    /// follow Go's member order, which the typed encoder writes, so the stored bytes are what a typed write of
    /// the same object stores.
    package func updateStoredJSON(
        namespace: String?,
        name: String,
        dryRun: Bool,
        mutate: (_ current: JSONValue) throws -> JSONValue
    ) async throws {
        let key = self.resource.key(namespace: namespace, name: name)
        var keyValue = try await self.storage.get(key)
        for _ in 0..<64 {
            guard let existing = keyValue else {
                throw APIError.notFound(group: self.resource.group, resource: self.resource.plural, name: name)
            }
            let json = try mutate(try self.decodeStored(existing))
            let value = StoredObject.encode(json)
            if value == existing.value || dryRun { return }
            if try await self.compareAndSwap(value, json: json, over: existing, key: key, keyValue: &keyValue) != nil {
                return
            }
        }
        throw self.modifiedConflict(name: name)
    }

    /// Writes `value` (the encoding of `json`) over `existing` with compare-and-swap, telling the watch cache to
    /// expect it; the written key-value, or `nil` when the object changed or went meanwhile, with `keyValue` set to
    /// its new state for the next attempt.
    private func compareAndSwap(
        _ value: [UInt8],
        json: JSONValue,
        over existing: KeyValue,
        key: String,
        keyValue: inout KeyValue?
    ) async throws -> KeyValue? {
        self.expect(value, at: key, json: json)
        do {
            let written = try await self.storage.update(key, value: value, expected: existing.modRevision, lease: existing.lease)
            self.recordWrite(written.modRevision)
            return written
        } catch let error as StorageError where error.code == .conflict {
            keyValue = error.current
        } catch let error as StorageError where error.code == .notFound {
            keyValue = nil
        }
        self.cacher.withdrawExpectation(at: key)
        return nil
    }

    /// The 409 of a write whose object changed under it (a pinned resourceVersion that is not current, or a
    /// compare-and-swap lost too often).
    private func modifiedConflict(name: String) -> APIError {
        APIError.conflict(group: self.resource.group, resource: self.resource.plural, name: name, message: APIError.modifiedMessage)
    }

    /// Writes an update (or the delete it amounts to); `nil` when the object changed meanwhile, with `keyValue`
    /// set to its new state for the next attempt. `encoded`, when given, is the object's canonical JSON, which
    /// spares encoding it again.
    private func persistUpdate(
        _ object: any APIObject,
        encoded: JSONValue?,
        old: any APIObject,
        existing: KeyValue,
        key: String,
        dryRun: Bool,
        keyValue: inout KeyValue?
    ) async throws -> UpdateOutcome? {
        let json = try encoded ?? ObjectCodec.encode(object, as: self.resource)
        let value = StoredObject.encode(json)
        if ResourceStrategy.isReadyToDelete(object) {
            if dryRun { return .deleted(StoredObject(value: value)!.render(resourceVersion: existing.modRevision.description)) }
            do {
                let result = try await self.storage.delete(key, expected: existing.modRevision)
                self.recordWrite(result.revision)
                await self.allocator?.release(old)
                return .deleted(try self.render(existing))
            } catch let error as StorageError where error.code == .conflict || error.code == .notFound {
                keyValue = error.current
                return nil
            }
        }
        if value == existing.value || dryRun {
            // Nothing changed (or nothing is written): the object keeps its resource version.
            return .updated(
                StoredObject(value: value)!.render(resourceVersion: existing.modRevision.description),
                created: false
            )
        }
        guard let written = try await self.compareAndSwap(value, json: json, over: existing, key: key, keyValue: &keyValue)
        else { return nil }
        return .updated(try self.render(written), created: false)
    }

    private func checkIdentity(_ meta: MetaV1.ObjectMeta, namespace: String?, name: String) throws(APIError) {
        if let given = meta.name, given != name {
            throw APIError.badRequest(
                "the name of the object (\(given)) does not match the name on the URL (\(name))"
            )
        }
        if self.resource.isNamespaced, let given = meta.namespace, !given.isEmpty, given != namespace {
            throw APIError.badRequest(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        }
    }

    // MARK: Deleting

    /// What a delete did.
    package enum DeleteOutcome: Sendable {
        /// The object is gone; its last state.
        case deleted([UInt8], uid: String)
        /// The object is being deleted (finalizers or a grace period); its current state.
        case pending([UInt8])
    }

    /// Deletes the object, honouring preconditions, finalizers, propagation policy and pods' grace period.
    ///
    /// Admission sees the delete (operation `DELETE`, the stored object as the old object) before anything changes.
    package func delete(
        namespace: String?,
        name: String,
        options: MetaV1.DeleteOptions,
        dryRun: Bool,
        user: UserInfo? = nil,
        runAdmission: Bool = true
    ) async throws -> DeleteOutcome {
        let key = self.resource.key(namespace: namespace, name: name)
        var keyValue = try await self.storage.get(key)
        for _ in 0..<64 {
            guard let existing = keyValue else {
                throw APIError.notFound(group: self.resource.group, resource: self.resource.plural, name: name)
            }
            let current = try self.decodeStored(existing)
            var object = try ObjectCodec.decode(current, as: self.resource).object
            let meta = object.metadata
            if runAdmission, !self.admission.isEmpty {
                var attributes = AdmissionAttributes(
                    operation: .delete,
                    resource: self.groupResource,
                    kind: self.resource.kind,
                    namespace: self.resource.isNamespaced ? (namespace ?? "") : "",
                    name: name,
                    user: user,
                    isDryRun: dryRun,
                    object: nil,
                    oldObject: object
                )
                try await self.admission.admit(&attributes)
                try await self.admission.validate(attributes)
            }
            if let uid = options.preconditions?.uid, uid != (meta.uid ?? "") {
                throw APIError.conflict(
                    group: self.resource.group,
                    resource: self.resource.plural,
                    name: name,
                    message: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(meta.uid ?? "")"
                )
            }
            if let version = options.preconditions?.resourceVersion, version != existing.modRevision.description {
                throw APIError.conflict(
                    group: self.resource.group,
                    resource: self.resource.plural,
                    name: name,
                    message:
                        "Precondition failed: ResourceVersion in precondition: \(version), ResourceVersion in object meta: \(existing.modRevision)"
                )
            }
            let plan = ResourceStrategy.planDelete(&object, resource: self.resource, options: options, now: self.clock())
            switch plan {
            case .immediate:
                if dryRun { return .deleted(try self.render(existing), uid: meta.uid ?? "") }
                do {
                    let result = try await self.storage.delete(key, expected: existing.modRevision)
                    self.recordWrite(result.revision)
                    await self.allocator?.release(object)
                    return .deleted(try self.render(result.previous), uid: meta.uid ?? "")
                } catch let error as StorageError where error.code == .conflict {
                    keyValue = error.current
                } catch let error as StorageError where error.code == .notFound {
                    keyValue = nil
                }
            case .graceful:
                object.metadata.resourceVersion = "0"
                let json = try ObjectCodec.encode(object, as: self.resource)
                let value = StoredObject.encode(json)
                if dryRun || value == existing.value {
                    return .pending(StoredObject(value: value)!.render(resourceVersion: existing.modRevision.description))
                }
                do {
                    let written = try await self.storage.update(key, value: value, expected: existing.modRevision, lease: existing.lease)
                    self.recordWrite(written.modRevision)
                    return .pending(try self.render(written))
                } catch let error as StorageError where error.code == .conflict {
                    keyValue = error.current
                } catch let error as StorageError where error.code == .notFound {
                    keyValue = nil
                }
            }
        }
        throw self.modifiedConflict(name: name)
    }
}

/// What a resource's objects hold outside their own key, such as a Service's cluster IP and node ports
/// (↔ the `BeginCreate`/`BeginUpdate` hooks of upstream's service registry).
///
/// ``ResourceStore`` asks for allocations after validation and before validating admission, then commits them
/// once the object is written or reverts them when anything fails (or the request is a dry run).
package protocol ResourceAllocator: Sendable {
    /// Carries allocated values from `old` into an update that left them unset, and drops the values the new
    /// object's type no longer uses (runs before the strategy, as upstream's `PrepareForUpdate`).
    func prepareForUpdate(_ object: inout any APIObject, old: any APIObject)
    /// Allocates what `object` needs that `old` (`nil` for a create) did not hold; throws 422 for a value that is
    /// out of range or taken. A dry run reserves nothing but reports the same errors.
    func allocate(_ object: inout any APIObject, old: (any APIObject)?, dryRun: Bool) async throws -> AllocationTransaction
    /// Releases what a deleted object held.
    func release(_ object: any APIObject) async
}

/// The two ways an allocation ends.
package struct AllocationTransaction: Sendable {
    /// The object was written: release what the old object held and the new one does not.
    package var commit: @Sendable () async -> Void
    /// The request failed: release what was reserved for it.
    package var revert: @Sendable () async -> Void

    package init(commit: @escaping @Sendable () async -> Void, revert: @escaping @Sendable () async -> Void) {
        self.commit = commit
        self.revert = revert
    }

    /// Nothing allocated.
    package static let none = AllocationTransaction(commit: {}, revert: {})
}

/// Helpers for dry-run responses.
enum JSONValueEncoderSupport {
    /// `object` without `metadata.resourceVersion` (a dry-run create has none).
    static func removingResourceVersion(_ object: JSONValue) -> JSONValue {
        guard case .object(var root) = object, case .object(var metadata)? = root["metadata"] else { return object }
        metadata["resourceVersion"] = nil
        root["metadata"] = .object(metadata)
        return .object(root)
    }
}
