import SkiffAPI
package import SkiffAPIMachinery
import SkiffStorage
import Synchronization

/// One object as admission plugins read it: its JSON and the resource version to compare-and-swap against.
package struct AdmissionStoredObject: Sendable {
    package let object: JSONValue
    package let resourceVersion: String
    /// The object as last decoded, shared by every copy of this value: a cached object that many requests read
    /// (a namespace's ServiceAccount, the PriorityClasses) is decoded once per version, not once per request.
    private let decoded = DecodedObject()

    package init(object: JSONValue, resourceVersion: String) {
        self.object = object
        self.resourceVersion = resourceVersion
    }

    /// The object decoded as `type`.
    package func decode<T: APIObject>(_ type: T.Type) throws -> T {
        if let object = self.decoded.value.withLock({ $0 }) as? T { return object }
        let object: T
        do {
            object = try JSONValueDecoder().decode(T.self, from: self.object)
        } catch {
            throw APIError.internalError("decoding \(T.groupVersionKind.kind): \(error)")
        }
        self.decoded.value.withLock { $0 = object }
        return object
    }

    private final class DecodedObject: Sendable {
        let value = Mutex<(any APIObject)?>(nil)
    }
}

/// What admission plugins read and write besides the request's object (↔ the listers and the loopback client
/// upstream plugins are given).
///
/// Reads with `cached: false` are consistent with the store (upstream's live lookups through the loopback
/// client). Reads with `cached: true` are upstream's lister reads: an implementation may answer from a watch
/// cache, a miss included, provided the cache holds every write this server has made to that resource (so a
/// request sees the LimitRange or quota status written just before it); it reads the store when the cache cannot
/// answer. Plugins fall back to a live read where upstream's do (a namespace or service account missing from
/// the lister, a quota update that lost a race).
package protocol AdmissionObjectSource: Sendable {
    /// The object, or `nil` when it does not exist.
    func get(_ resource: GroupResource, namespace: String?, name: String, cached: Bool) async throws
        -> AdmissionStoredObject?
    /// The objects of `resource` in `namespace` (cluster-wide when `nil`), in name order.
    func list(_ resource: GroupResource, namespace: String?, cached: Bool) async throws -> [AdmissionStoredObject]
    /// Replaces the object's `status` if it is still at `resourceVersion`; `false` when it changed meanwhile
    /// (the caller re-reads and retries, as upstream's quota admission does).
    func updateStatus(
        _ resource: GroupResource,
        namespace: String?,
        name: String,
        status: JSONValue,
        resourceVersion: String
    ) async throws -> Bool
}

extension AdmissionObjectSource {
    /// The object decoded as `type`, or `nil`.
    package func get<T: APIObject>(
        _ type: T.Type,
        _ resource: GroupResource,
        namespace: String?,
        name: String,
        cached: Bool = false
    ) async throws -> T? {
        try await self.get(resource, namespace: namespace, name: name, cached: cached)?.decode(T.self)
    }

    /// The objects decoded as `type`.
    package func list<T: APIObject>(
        _ type: T.Type,
        _ resource: GroupResource,
        namespace: String?,
        cached: Bool = false
    ) async throws -> [T] {
        try await self.list(resource, namespace: namespace, cached: cached).map { try $0.decode(T.self) }
    }
}

/// Admission's view of the API server's own stores.
///
/// Stores are attached after they are made (each store's chain is built before the other stores exist).
final class StoreAdmissionObjects: AdmissionObjectSource {
    private let stores = Mutex<[GroupResource: ResourceStore]>([:])
    /// The cached objects admission read last, by key, with the revision they are of: plugins read the same few
    /// objects for every request (a namespace's ServiceAccount, the PriorityClasses, its quotas), and a hit skips
    /// parsing the cached bytes and, through ``AdmissionStoredObject``, decoding them. Emptied when full.
    private let recent = Mutex<[String: (modRevision: Revision, object: AdmissionStoredObject)]>([:])
    private static let recentLimit = 1024

    init() {}

    func attach(_ stores: [ResourceStore]) {
        self.stores.withLock { map in
            for store in stores {
                map[GroupResource(group: store.resource.group, resource: store.resource.plural)] = store
            }
        }
    }

    private func store(_ resource: GroupResource) throws -> ResourceStore {
        guard let store = self.stores.withLock({ $0[resource] }) else {
            throw APIError.internalError("admission: no storage for \(resource)")
        }
        return store
    }

    func get(_ resource: GroupResource, namespace: String?, name: String, cached: Bool) async throws
        -> AdmissionStoredObject?
    {
        let store = try self.store(resource)
        let key = store.resource.key(namespace: namespace, name: name)
        if cached,
            let read = await store.readCache({ try await store.cacher.get(key: key, notOlderThan: $0, timeout: $1) })
        {
            return try read.object.map(self.admissionObject)
        }
        guard let keyValue = try await store.storage.get(key) else { return nil }
        return AdmissionStoredObject(
            object: try store.decodeStored(keyValue),
            resourceVersion: keyValue.modRevision.description
        )
    }

    func list(_ resource: GroupResource, namespace: String?, cached: Bool) async throws -> [AdmissionStoredObject] {
        let store = try self.store(resource)
        let prefix = store.resource.prefix(namespace: namespace)
        if cached,
            let read = await store.readCache({
                try await store.cacher.list(prefix: prefix, notOlderThan: $0, timeout: $1)
            })
        {
            return try read.objects.map(self.admissionObject)
        }
        let result = try await store.storage.list(prefix: prefix)
        return try result.keyValues.map {
            AdmissionStoredObject(object: try store.decodeStored($0), resourceVersion: $0.modRevision.description)
        }
    }

    private func admissionObject(_ object: CachedObject<ObjectAttributes>) throws -> AdmissionStoredObject {
        if let known = self.recent.withLock({ $0[object.key] }), known.modRevision == object.modRevision {
            return known.object
        }
        let resourceVersion = object.modRevision.description
        guard let stored = StoredObject(value: object.value),
            let json = try? stored.decode(resourceVersion: resourceVersion)
        else { throw APIError.internalError("the cached value of \(object.key) is corrupted") }
        let result = AdmissionStoredObject(object: json, resourceVersion: resourceVersion)
        self.recent.withLock { recent in
            if recent.count >= Self.recentLimit { recent.removeAll(keepingCapacity: true) }
            recent[object.key] = (object.modRevision, result)
        }
        return result
    }

    func updateStatus(
        _ resource: GroupResource,
        namespace: String?,
        name: String,
        status: JSONValue,
        resourceVersion: String
    ) async throws -> Bool {
        let store = try self.store(resource)
        do {
            _ = try await store.update(
                namespace: namespace,
                name: name,
                subresource: "status",
                allowCreate: false,
                dryRun: false,
                runAdmission: false
            ) { current in
                guard let current else {
                    throw APIError.notFound(group: resource.group, resource: resource.resource, name: name)
                }
                var object = current.object
                if case .object(var members) = object {
                    members["status"] = status
                    if case .object(var metadata)? = members["metadata"] {
                        metadata["resourceVersion"] = .string(resourceVersion)
                        members["metadata"] = .object(metadata)
                    }
                    object = .object(members)
                }
                return try ObjectCodec.decode(object, as: store.resource).object
            }
            return true
        } catch let error as APIError where error.reason == .conflict {
            return false
        }
    }
}

/// Objects held in memory, for testing plugins without a store (the test double beside
/// ``StoreAdmissionObjects``).
package final class InMemoryAdmissionObjects: AdmissionObjectSource {
    private struct Key: Hashable {
        var resource: GroupResource
        var namespace: String
        var name: String
    }

    private struct State {
        var objects: [Key: AdmissionStoredObject] = [:]
        var revision = 1
    }

    private let state = Mutex(State())

    package init() {}

    /// Adds or replaces an object.
    package func put<T: APIObject>(_ object: T, _ resource: GroupResource) throws {
        let json = try JSONValueEncoder().encode(object)
        let key = Key(resource: resource, namespace: object.metadata.namespace ?? "", name: object.metadata.name ?? "")
        self.state.withLock { state in
            state.revision += 1
            state.objects[key] = AdmissionStoredObject(object: json, resourceVersion: String(state.revision))
        }
    }

    package func get(_ resource: GroupResource, namespace: String?, name: String, cached: Bool) async throws
        -> AdmissionStoredObject?
    {
        self.state.withLock { $0.objects[Key(resource: resource, namespace: namespace ?? "", name: name)] }
    }

    package func list(_ resource: GroupResource, namespace: String?, cached: Bool) async throws
        -> [AdmissionStoredObject]
    {
        self.state.withLock { state in
            state.objects
                .filter { $0.key.resource == resource && (namespace == nil || $0.key.namespace == namespace) }
                .sorted { ($0.key.namespace, $0.key.name) < ($1.key.namespace, $1.key.name) }
                .map(\.value)
        }
    }

    package func updateStatus(
        _ resource: GroupResource,
        namespace: String?,
        name: String,
        status: JSONValue,
        resourceVersion: String
    ) async throws -> Bool {
        self.state.withLock { state in
            let key = Key(resource: resource, namespace: namespace ?? "", name: name)
            guard let stored = state.objects[key], stored.resourceVersion == resourceVersion,
                case .object(var members) = stored.object
            else { return false }
            members["status"] = status
            state.revision += 1
            state.objects[key] = AdmissionStoredObject(object: .object(members), resourceVersion: String(state.revision))
            return true
        }
    }
}
