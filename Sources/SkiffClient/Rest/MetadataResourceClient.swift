import SkiffAPI
public import SkiffAPIMachinery

/// The metadata-only client of any resource (↔ client-go's `metadata.Interface`): objects arrive as
/// `PartialObjectMetadata` (the server leaves out spec and status), so controllers that care only about
/// identity, owners and finalizers (the garbage collector) read and watch every kind cheaply.
///
/// ```swift
/// let deployments = client.metadata(GroupVersionResource(group: "apps", version: "v1", resource: "deployments"),
///                                   namespace: "default")
/// let owners = try await deployments.get("web").metadata.ownerReferences
/// ```
public struct MetadataResourceClient: Sendable {
    let endpoint: ResourceEndpoint

    /// The `Accept` header client-go's metadata client sends: the metadata kinds, with plain JSON as a fallback
    /// that the decoder tolerates (a full object decodes as its metadata too).
    static let objectAccept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"
    static let listAccept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"

    init(client: APIClient, resource: GroupVersionResource, namespace: String?, isNamespaced: Bool?) {
        self.endpoint = ResourceEndpoint(client: client, resource: resource, namespace: namespace, isNamespaced: isNamespaced)
    }

    /// The resource.
    public var resource: GroupVersionResource { self.endpoint.resource }
    /// The namespace, `nil` for all namespaces or a cluster-scoped resource.
    public var namespace: String? { self.endpoint.namespace }

    /// The same resource in another namespace.
    public func inNamespace(_ namespace: String?) -> MetadataResourceClient {
        MetadataResourceClient(
            client: self.endpoint.client,
            resource: self.resource,
            namespace: namespace,
            isNamespaced: self.endpoint.isNamespaced
        )
    }

    /// The metadata of the object named `name`.
    public func get(_ name: String) async throws -> MetaV1.PartialObjectMetadata {
        let response = try await self.endpoint.send("GET", name: name, accept: Self.objectAccept)
        return try Self.decode(response.bodyBytes)
    }

    /// One page of the collection's metadata.
    public func list(_ options: ListOptions = ListOptions()) async throws -> ObjectList<MetaV1.PartialObjectMetadata> {
        let response = try await self.endpoint.send("GET", query: options.queryItems, accept: Self.listAccept)
        do {
            // Parsed and decoded as the typed client's lists are, sharing repeated strings and maps.
            return try JSONValueDecoder(maps: .shared).decode(
                ObjectList<MetaV1.PartialObjectMetadata>.self,
                from: try JSONValue.parse(
                    response.bodyBytes,
                    strings: .shared,
                    droppingManagedFields: options.dropsManagedFields
                )
            )
        } catch {
            throw APIError.internalError("unable to decode PartialObjectMetadataList of \(self.resource): \(error)")
        }
    }

    /// Patches the object named `name` (a JSON merge or JSON patch of its metadata); returns its new metadata.
    @discardableResult
    public func patch(
        _ name: String,
        type: PatchType,
        body: JSONValue,
        options: WriteOptions = WriteOptions()
    ) async throws -> MetaV1.PartialObjectMetadata {
        let response = try await self.endpoint.send(
            "PATCH",
            name: name,
            query: options.queryItems,
            body: body.serialized(),
            contentType: type.rawValue,
            accept: Self.objectAccept
        )
        return try Self.decode(response.bodyBytes)
    }

    /// Deletes the object named `name`.
    public func delete(_ name: String, options: MetaV1.DeleteOptions = MetaV1.DeleteOptions()) async throws {
        _ = try await self.endpoint.send(
            "DELETE",
            name: name,
            body: try JSONValueEncoder().encodeToBytes(options),
            contentType: "application/json",
            accept: Self.objectAccept
        )
    }

    static func decode(_ bytes: [UInt8]) throws -> MetaV1.PartialObjectMetadata {
        do {
            return try JSONValueDecoder().decode(MetaV1.PartialObjectMetadata.self, from: bytes)
        } catch {
            throw APIError.internalError("unable to decode PartialObjectMetadata: \(error)")
        }
    }
}

extension MetadataResourceClient: ListerWatcher {
    public var groupVersionResource: GroupVersionResource { self.resource }

    /// Every page of the collection's metadata.
    public func listAll(_ options: ListOptions = ListOptions()) async throws -> ObjectList<MetaV1.PartialObjectMetadata> {
        try await listAllPages(options) { try await self.list($0) }
    }

    /// Watches the collection's metadata (see ``ResourceClient/watch(_:_:)``).
    public func watch(
        _ options: ListOptions = ListOptions(),
        _ handle: (WatchEvent<MetaV1.PartialObjectMetadata>) async throws -> Void
    ) async throws {
        let decoder = WatchEventDecoder<MetaV1.PartialObjectMetadata>(
            decodeObject: { value in
                do {
                    return try JSONValueDecoder(maps: .shared).decode(MetaV1.PartialObjectMetadata.self, from: value)
                } catch {
                    throw APIError.internalError("unable to decode PartialObjectMetadata: \(error)")
                }
            },
            dropsManagedFields: options.dropsManagedFields
        )
        try await self.endpoint.watchLines(query: options.queryItems, accept: Self.objectAccept) { line in
            try await handle(try decoder.decode(line))
        }
    }
}

extension APIClient {
    /// The metadata-only client of a resource; `isNamespaced` gives the scope of resources the compiled-in
    /// schema does not know (custom resources).
    public func metadata(
        _ resource: GroupVersionResource,
        namespace: String? = nil,
        isNamespaced: Bool? = nil
    ) -> MetadataResourceClient {
        MetadataResourceClient(client: self, resource: resource, namespace: namespace, isNamespaced: isNamespaced)
    }
}
