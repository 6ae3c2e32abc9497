import SkiffAPI
package import SkiffAPIMachinery
import SkiffStorage
import Synchronization

/// One object as admission plugins read it: its JSON and the resource version to compare-and-swap against.
package struct AdmissionStoredObject: Sendable {
    package var object: JSONValue
    package var resourceVersion: String

    package init(object: JSONValue, resourceVersion: String) {
        self.object = object
        self.resourceVersion = resourceVersion
    }

    /// The object decoded as `type`.
    package func decode<T: APIObject>(_ type: T.Type) throws -> T {
        do {
            return try JSONValueDecoder().decode(T.self, from: self.object)
        } catch {
            throw APIError.internalError("decoding \(T.groupVersionKind.kind): \(error)")
        }
    }
}

/// What admission plugins read and write besides the request's object (↔ the listers and the loopback client
/// upstream plugins are given).
///
/// Reads are consistent with the store; `cached: true` lets an implementation answer an object it finds in a
/// watch cache without reading the store (for the hot NamespaceLifecycle check), but never answers "missing"
/// from a cache.
package protocol AdmissionObjectSource: Sendable {
    /// The object, or `nil` when it does not exist.
    func get(_ resource: GroupResource, namespace: String?, name: String, cached: Bool) async throws
        -> AdmissionStoredObject?
    /// The objects of `resource` in `namespace` (cluster-wide when `nil`), in name order.
    func list(_ resource: GroupResource, namespace: String?) async throws -> [AdmissionStoredObject]
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
    package func list<T: APIObject>(_ type: T.Type, _ resource: GroupResource, namespace: String?) async throws -> [T] {
        try await self.list(resource, namespace: namespace).map { try $0.decode(T.self) }
    }
}

/// Admission's view of the API server's own stores.
///
/// Stores are attached after they are made (each store's chain is built before the other stores exist).
final class StoreAdmissionObjects: AdmissionObjectSource {
    private let stores = Mutex<[GroupResource: ResourceStore]>([:])

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
        if cached, store.cacher.isReady,
            let object = try? await store.cacher.get(key: key, notOlderThan: nil).object,
            let stored = StoredObject(value: object.value),
            let json = try? stored.decode(resourceVersion: object.modRevision.description)
        {
            return AdmissionStoredObject(object: json, resourceVersion: object.modRevision.description)
        }
        guard let keyValue = try await store.storage.get(key) else { return nil }
        return AdmissionStoredObject(
            object: try store.decodeStored(keyValue),
            resourceVersion: keyValue.modRevision.description
        )
    }

    func list(_ resource: GroupResource, namespace: String?) async throws -> [AdmissionStoredObject] {
        let store = try self.store(resource)
        let result = try await store.storage.list(prefix: store.resource.prefix(namespace: namespace))
        return try result.keyValues.map {
            AdmissionStoredObject(object: try store.decodeStored($0), resourceVersion: $0.modRevision.description)
        }
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

    package func list(_ resource: GroupResource, namespace: String?) async throws -> [AdmissionStoredObject] {
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
            guard var stored = state.objects[key], stored.resourceVersion == resourceVersion,
                case .object(var members) = stored.object
            else { return false }
            members["status"] = status
            state.revision += 1
            stored.object = .object(members)
            stored.resourceVersion = String(state.revision)
            state.objects[key] = stored
            return true
        }
    }
}
