public import SkiffAPI
public import SkiffAPIMachinery

/// The typed client of one resource in one namespace (↔ client-go's generated `PodInterface`,
/// `DeploymentInterface`, …, written once for every kind).
///
/// ```swift
/// let pods = client.resource(CoreV1.Pod.self, namespace: "default")   // or client.pods("default")
/// let created = try await pods.create(pod)
/// let page = try await pods.list(ListOptions(labelSelector: "app=web", limit: 500))
/// try await pods.delete("web-0", options: MetaV1.DeleteOptions(gracePeriodSeconds: 0))
/// ```
///
/// Objects are encoded with `JSONValueEncoder` (with `kind` and `apiVersion` filled in) and decoded with
/// `JSONValueDecoder`. Every failure the server reports is thrown as an `APIError`.
///
/// ## Topics
/// ### Reading
/// - ``get(_:resourceVersion:)``
/// - ``list(_:)``
/// - ``listAll(_:)``
/// - ``watch(_:_:)``
/// ### Writing
/// - ``create(_:options:)``
/// - ``createDiscardingResult(_:options:)``
/// - ``update(_:options:)``
/// - ``updateStatus(_:options:)``
/// - ``update(_:subresource:options:)``
/// - ``patch(_:type:body:subresource:options:)``
/// - ``patchDiscardingResult(_:type:body:subresource:options:)``
/// - ``apply(_:options:subresource:)``
/// - ``delete(_:options:)``
/// - ``deleteCollection(_:listOptions:)``
/// ### Subresources
/// - ``getScale(_:)``
/// - ``updateScale(_:scale:options:)``
/// - ``getSubresource(_:subresource:as:)``
/// - ``createSubresource(_:subresource:body:as:options:)``
public struct ResourceClient<Object: APIObject>: Sendable {
    let endpoint: ResourceEndpoint
    /// The served resource (plural, scope, subresources).
    public let resource: APIResourceInfo

    init(client: APIClient, namespace: String?) {
        guard let resource = APISchema.resource(for: Object.groupVersionKind) else {
            preconditionFailure("ResourceClient: the API serves no resource of kind \(Object.groupVersionKind)")
        }
        self.resource = resource
        self.endpoint = ResourceEndpoint(
            client: client,
            resource: resource.groupVersionResource,
            isNamespaced: resource.isNamespaced,
            namespace: resource.isNamespaced ? namespace : nil
        )
    }

    /// The namespace this client works in; `nil` for all namespaces or a cluster-scoped resource.
    public var namespace: String? { self.endpoint.namespace }

    /// The same resource in another namespace.
    public func inNamespace(_ namespace: String?) -> ResourceClient<Object> {
        ResourceClient(client: self.endpoint.client, namespace: namespace)
    }

    // MARK: Reading

    /// The object named `name` (`resourceVersion: "0"` may answer from the watch cache).
    public func get(_ name: String, resourceVersion: String? = nil) async throws -> Object {
        let response = try await self.endpoint.send(
            "GET",
            name: name,
            query: resourceVersion.map { [("resourceVersion", $0)] } ?? []
        )
        return try Self.decode(response.bodyBytes)
    }

    /// One page of objects matching `options`.
    public func list(_ options: ListOptions = ListOptions()) async throws -> ObjectList<Object> {
        let response = try await self.endpoint.send("GET", query: options.queryItems)
        do {
            let value = try JSONValue.parse(
                response.bodyBytes,
                strings: .shared,
                droppingManagedFields: options.dropsManagedFields
            )
            return try ObjectList(listValue: value, decodeItem: self.decodeStored)
        } catch {
            throw APIError.internalError("unable to decode \(Object.groupVersionKind.kind)List: \(error)")
        }
    }

    /// Every object matching `options`, following `continue` tokens page by page (`options.limit` is the page
    /// size). The result's resourceVersion is the first page's, as client-go's pager returns it.
    public func listAll(_ options: ListOptions = ListOptions()) async throws -> ObjectList<Object> {
        try await listAllPages(options) { try await self.list($0) }
    }

    /// Watches the collection, calling `handle` for each event until the server ends the watch (its
    /// `timeoutSeconds`), the connection drops, `handle` throws or the task is cancelled.
    ///
    /// An `ERROR` event is thrown as its `APIError` (`410 Expired`/`Gone` when the resourceVersion is too old).
    /// For a watch that survives dropped connections, use ``RetryWatcher``; for a cache, an ``Informer``.
    public func watch(
        _ options: ListOptions = ListOptions(),
        _ handle: (WatchEvent<Object>) async throws -> Void
    ) async throws {
        let decoder = WatchEventDecoder<Object>(
            decodeObject: self.decodeStored,
            dropsManagedFields: options.dropsManagedFields
        )
        try await self.endpoint.watchLines(query: options.queryItems) { line in
            try await handle(try decoder.decode(line))
        }
    }

    // MARK: Writing

    /// Creates `object`; returns it as stored (uid, resourceVersion, defaults).
    public func create(_ object: Object, options: WriteOptions = WriteOptions()) async throws -> Object {
        try Self.decode(try await self.sendCreate(object, options: options).bodyBytes)
    }

    /// Creates `object` like ``create(_:options:)``, without decoding the object the server returns: for writers
    /// that never read it (event recorders), decoding it is most of their write's cost.
    public func createDiscardingResult(_ object: Object, options: WriteOptions = WriteOptions()) async throws {
        _ = try await self.sendCreate(object, options: options)
    }

    private func sendCreate(_ object: Object, options: WriteOptions) async throws -> APIResponse {
        try await self.endpoint.send(
            "POST",
            query: options.queryItems,
            body: try Self.encode(object),
            contentType: "application/json"
        )
    }

    /// Replaces the object (`metadata.resourceVersion` makes it a compare-and-swap: a stale one is a 409
    /// Conflict).
    public func update(_ object: Object, options: WriteOptions = WriteOptions()) async throws -> Object {
        try await self.put(object, subresource: nil, options: options)
    }

    /// Replaces the object's status through the `status` subresource.
    public func updateStatus(_ object: Object, options: WriteOptions = WriteOptions()) async throws -> Object {
        try await self.put(object, subresource: "status", options: options)
    }

    /// Replaces the object through a subresource that takes the whole object (`finalize` of namespaces).
    public func update(_ object: Object, subresource: String, options: WriteOptions = WriteOptions()) async throws -> Object {
        try await self.put(object, subresource: subresource, options: options)
    }

    private func put(_ object: Object, subresource: String?, options: WriteOptions) async throws -> Object {
        let response = try await self.endpoint.send(
            "PUT",
            name: object.metadata.name ?? "",
            subresource: subresource,
            query: options.queryItems,
            body: try Self.encode(object),
            contentType: "application/json"
        )
        return try Self.decode(response.bodyBytes)
    }

    /// Patches the object named `name` with `body` of the given `type` (JSON, merge or strategic merge).
    public func patch(
        _ name: String,
        type: PatchType,
        body: JSONValue,
        subresource: String? = nil,
        options: WriteOptions = WriteOptions()
    ) async throws -> Object {
        let response = try await self.sendPatch(name, type: type, body: body, subresource: subresource, options: options)
        return try Self.decode(response.bodyBytes)
    }

    /// Patches like ``patch(_:type:body:subresource:options:)``, without decoding the object the server returns:
    /// for writers that never read it (the scheduler's status writes, event series).
    public func patchDiscardingResult(
        _ name: String,
        type: PatchType,
        body: JSONValue,
        subresource: String? = nil,
        options: WriteOptions = WriteOptions()
    ) async throws {
        _ = try await self.sendPatch(name, type: type, body: body, subresource: subresource, options: options)
    }

    private func sendPatch(
        _ name: String,
        type: PatchType,
        body: JSONValue,
        subresource: String?,
        options: WriteOptions
    ) async throws -> APIResponse {
        try await self.endpoint.send(
            "PATCH",
            name: name,
            subresource: subresource,
            query: options.queryItems,
            body: body.serialized(),
            contentType: type.rawValue
        )
    }

    /// Server-side apply: sends `configuration` (the fields this manager wants to own, with `kind`,
    /// `apiVersion`, `metadata.name`) as `application/apply-patch+yaml` (JSON is YAML).
    public func apply(_ configuration: JSONValue, options: ApplyOptions, subresource: String? = nil) async throws -> Object {
        guard let name = configuration["metadata"]?["name"]?.stringValue else {
            throw APIError.badRequest("apply configuration needs metadata.name")
        }
        var body = configuration
        if case .object(var object) = body {
            if object["kind"] == nil { object["kind"] = .string(Object.groupVersionKind.kind) }
            if object["apiVersion"] == nil { object["apiVersion"] = .string(Object.groupVersionKind.apiVersion) }
            body = .object(object)
        }
        let response = try await self.endpoint.send(
            "PATCH",
            name: name,
            subresource: subresource,
            query: options.queryItems,
            body: body.serialized(),
            contentType: PatchType.apply.rawValue
        )
        return try Self.decode(response.bodyBytes)
    }

    /// Server-side apply of a typed object: its non-empty fields are the configuration.
    public func apply(_ object: Object, options: ApplyOptions, subresource: String? = nil) async throws -> Object {
        try await self.apply(try Self.encodeValue(object), options: options, subresource: subresource)
    }

    /// Deletes the object named `name`; returns its last state when the server answers with the object (it still
    /// exists: finalizers or a grace period), `nil` when it answers with a `Status`.
    @discardableResult
    public func delete(_ name: String, options: MetaV1.DeleteOptions = MetaV1.DeleteOptions()) async throws -> Object? {
        let response = try await self.endpoint.send(
            "DELETE",
            name: name,
            body: try JSONValueEncoder().encodeToBytes(options),
            contentType: "application/json"
        )
        let value = try JSONValue.parse(response.bodyBytes)
        if value["kind"]?.stringValue == "Status" { return nil }
        return try Self.decode(value)
    }

    /// Deletes every object matching `listOptions`.
    public func deleteCollection(
        _ options: MetaV1.DeleteOptions = MetaV1.DeleteOptions(),
        listOptions: ListOptions = ListOptions()
    ) async throws {
        if self.resource.isNamespaced, self.namespace == nil {
            throw APIError.badRequest("deletecollection of a namespaced resource needs a namespace")
        }
        _ = try await self.endpoint.send(
            "DELETE",
            query: listOptions.queryItems,
            body: try JSONValueEncoder().encodeToBytes(options),
            contentType: "application/json"
        )
    }

    // MARK: Subresources

    /// The `scale` subresource of the object named `name`.
    public func getScale(_ name: String) async throws -> AutoscalingV1.Scale {
        try await self.getSubresource(name, subresource: "scale", as: AutoscalingV1.Scale.self)
    }

    /// Replaces the `scale` subresource (`spec.replicas`).
    public func updateScale(
        _ name: String,
        scale: AutoscalingV1.Scale,
        options: WriteOptions = WriteOptions()
    ) async throws -> AutoscalingV1.Scale {
        let response = try await self.endpoint.send(
            "PUT",
            name: name,
            subresource: "scale",
            query: options.queryItems,
            body: try Self.encodeValue(scale, kind: "Scale", apiVersion: "autoscaling/v1").serialized(),
            contentType: "application/json"
        )
        return try Self.decode(response.bodyBytes, as: AutoscalingV1.Scale.self)
    }

    /// Reads any subresource as `type`.
    public func getSubresource<Value: Decodable>(
        _ name: String,
        subresource: String,
        as type: Value.Type
    ) async throws -> Value {
        let response = try await self.endpoint.send("GET", name: name, subresource: subresource)
        return try Self.decode(response.bodyBytes, as: type)
    }

    /// POSTs `body` to a subresource (`binding`, `eviction`, `token`) and decodes the answer as `type`.
    public func createSubresource<Body: Encodable, Value: Decodable>(
        _ name: String,
        subresource: String,
        body: Body,
        as type: Value.Type,
        options: WriteOptions = WriteOptions()
    ) async throws -> Value {
        let response = try await self.endpoint.send(
            "POST",
            name: name,
            subresource: subresource,
            query: options.queryItems,
            body: try JSONValueEncoder().encodeToBytes(body),
            contentType: "application/json"
        )
        return try Self.decode(response.bodyBytes, as: type)
    }

    // MARK: Coding

    static func encode(_ object: Object) throws -> [UInt8] {
        try self.encodeValue(object).serialized()
    }

    /// The object as JSON, `kind` and `apiVersion` first (filled in when the value leaves them empty).
    static func encodeValue(_ object: Object) throws -> JSONValue {
        try self.encodeValue(object, kind: Object.groupVersionKind.kind, apiVersion: Object.groupVersionKind.apiVersion)
    }

    static func encodeValue(_ value: some Encodable, kind: String, apiVersion: String) throws -> JSONValue {
        guard case .object(let object) = try JSONValueEncoder().encode(value) else {
            throw APIError.internalError("\(kind) did not encode as a JSON object")
        }
        var members: [(key: String, value: JSONValue)] = [
            ("kind", object["kind"] ?? .string(kind)),
            ("apiVersion", object["apiVersion"] ?? .string(apiVersion)),
        ]
        members.reserveCapacity(object.count + 2)
        for member in object where member.key != "kind" && member.key != "apiVersion" { members.append(member) }
        return .object(JSONObject(members))
    }

    /// A stored version of an object, as a list or watch returns it: shared through the client's
    /// ``DecodedObjectCache`` when it has one.
    @Sendable func decodeStored(_ value: JSONValue) throws -> Object {
        guard let cache = self.endpoint.client.decodedObjects else { return try Self.decode(value) }
        return try cache.object(from: value, decode: Self.decode)
    }

    static func decode(_ bytes: [UInt8]) throws -> Object {
        try self.decode(bytes, as: Object.self)
    }

    /// Decodes a listed or watched object, sharing its repeated maps with the other objects the process keeps.
    static func decode(_ value: JSONValue) throws -> Object {
        do {
            return try JSONValueDecoder(maps: .shared).decode(Object.self, from: value)
        } catch {
            throw APIError.internalError("unable to decode \(Object.groupVersionKind.kind): \(error)")
        }
    }

    static func decode<Value: Decodable>(_ bytes: [UInt8], as type: Value.Type) throws -> Value {
        do {
            return try JSONValueDecoder().decode(type, from: bytes)
        } catch {
            throw APIError.internalError("unable to decode \(Value.self): \(error)")
        }
    }
}
