import SkiffAPI
public import SkiffAPIMachinery

/// An untyped client of any resource by group, version and plural: objects are `JSONValue`s (↔ client-go's
/// `dynamic.ResourceInterface`). For custom resources and generic controllers (the namespace controller empties
/// namespaces of every kind with it).
///
/// The scope comes from the compiled-in schema when it knows the resource; otherwise (custom resources) from
/// `isNamespaced`, which defaults to whether a namespace was given.
public struct DynamicResourceClient: Sendable {
    let endpoint: ResourceEndpoint

    init(client: APIClient, resource: GroupVersionResource, namespace: String?, isNamespaced: Bool? = nil) {
        self.endpoint = ResourceEndpoint(client: client, resource: resource, namespace: namespace, isNamespaced: isNamespaced)
    }

    /// The resource.
    public var resource: GroupVersionResource { self.endpoint.resource }
    /// The namespace, `nil` for all namespaces or a cluster-scoped resource.
    public var namespace: String? { self.endpoint.namespace }

    /// The object named `name`.
    public func get(_ name: String, subresource: String? = nil) async throws -> JSONValue {
        try Self.parse(try await self.endpoint.send("GET", name: name, subresource: subresource))
    }

    /// One page of objects.
    public func list(_ options: ListOptions = ListOptions()) async throws -> ObjectList<JSONValue> {
        let response = try await self.endpoint.send("GET", query: options.queryItems)
        do {
            return try JSONValueDecoder().decode(ObjectList<JSONValue>.self, from: response.bodyBytes)
        } catch {
            throw APIError.internalError("unable to decode list of \(self.resource): \(error)")
        }
    }

    /// Watches the collection (see ``ResourceClient/watch(_:_:)``).
    public func watch(_ options: ListOptions = ListOptions(), _ handle: (WatchEvent<JSONValue>) async throws -> Void) async throws {
        let decoder = WatchEventDecoder<JSONValue>(decodeObject: { $0 })
        try await self.endpoint.watchLines(query: options.queryItems) { line in
            try await handle(try decoder.decode(line))
        }
    }

    /// Creates `object`.
    public func create(_ object: JSONValue, options: WriteOptions = WriteOptions()) async throws -> JSONValue {
        try Self.parse(
            try await self.endpoint.send("POST", query: options.queryItems, body: object.serialized(), contentType: "application/json")
        )
    }

    /// Replaces the object (or its `subresource`: `status`, `finalize`, `scale`).
    public func update(_ object: JSONValue, subresource: String? = nil, options: WriteOptions = WriteOptions()) async throws -> JSONValue {
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        return try Self.parse(
            try await self.endpoint.send(
                "PUT",
                name: name,
                subresource: subresource,
                query: options.queryItems,
                body: object.serialized(),
                contentType: "application/json"
            )
        )
    }

    /// Patches the object named `name`.
    public func patch(
        _ name: String,
        type: PatchType,
        body: JSONValue,
        subresource: String? = nil,
        options: WriteOptions = WriteOptions()
    ) async throws -> JSONValue {
        try Self.parse(
            try await self.endpoint.send(
                "PATCH",
                name: name,
                subresource: subresource,
                query: options.queryItems,
                body: body.serialized(),
                contentType: type.rawValue
            )
        )
    }

    /// Server-side apply of `configuration`.
    public func apply(_ configuration: JSONValue, options: ApplyOptions, subresource: String? = nil) async throws -> JSONValue {
        let name = configuration["metadata"]?["name"]?.stringValue ?? ""
        return try Self.parse(
            try await self.endpoint.send(
                "PATCH",
                name: name,
                subresource: subresource,
                query: options.queryItems,
                body: configuration.serialized(),
                contentType: PatchType.apply.rawValue
            )
        )
    }

    /// Deletes the object named `name`; returns the server's answer (the object, or a Status).
    @discardableResult
    public func delete(_ name: String, options: MetaV1.DeleteOptions = MetaV1.DeleteOptions()) async throws -> JSONValue {
        try Self.parse(
            try await self.endpoint.send(
                "DELETE",
                name: name,
                body: try JSONValueEncoder().encodeToBytes(options),
                contentType: "application/json"
            )
        )
    }

    /// Deletes every object matching `listOptions`.
    public func deleteCollection(
        _ options: MetaV1.DeleteOptions = MetaV1.DeleteOptions(),
        listOptions: ListOptions = ListOptions()
    ) async throws {
        _ = try await self.endpoint.send(
            "DELETE",
            query: listOptions.queryItems,
            body: try JSONValueEncoder().encodeToBytes(options),
            contentType: "application/json"
        )
    }

    private static func parse(_ response: APIResponse) throws -> JSONValue {
        do {
            return try JSONValue.parse(response.bodyBytes)
        } catch {
            throw APIError.internalError("unable to decode response: \(error)")
        }
    }
}

extension APIClient {
    /// The untyped client of a resource the schema may not know (custom resources), with its scope.
    public func dynamic(_ resource: GroupVersionResource, namespace: String?, isNamespaced: Bool) -> DynamicResourceClient {
        DynamicResourceClient(client: self, resource: resource, namespace: namespace, isNamespaced: isNamespaced)
    }
}
