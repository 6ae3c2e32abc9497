#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import SkiffAPI
import SkiffAPIMachinery
import SkiffStorage
import SkiffPrinters

/// What the client asked the response to be (↔ apiserver content negotiation for `as=Table` and
/// `as=PartialObjectMetadata[List]`).
enum OutputFormat: Sendable, Equatable {
    case json
    /// A `meta.k8s.io` Table of the given version, with row objects per `includeObject`.
    case table(version: String, includeObject: String)
    /// Only the metadata (↔ client-go's metadata client, used by the garbage collector and the namespace
    /// controller): `PartialObjectMetadata` for an object or a watch event, `PartialObjectMetadataList` for a list.
    /// `list` records which of the two kinds the client named; the other shape is 406, as upstream answers.
    case partialMetadata(version: String, list: Bool)

    static func negotiate(_ accept: String?, query: QueryParameters) throws(APIError) -> OutputFormat {
        guard let accept, !accept.isEmpty else { return .json }
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.filter { $0 != " " } }
            guard let type = parts.first?.lowercased() else { continue }
            var parameters: [String: String] = [:]
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { parameters[String(pair[0]).lowercased()] = String(pair[1]) }
            }
            guard ["application/json", "application/*", "*/*", "application/vnd.kubernetes.protobuf", "application/yaml"]
                .contains(type)
            else { continue }
            if let asKind = parameters["as"] {
                if asKind == "Table", parameters["g"] == "meta.k8s.io", let version = parameters["v"],
                    version == "v1" || version == "v1beta1"
                {
                    let include = query["includeObject"] ?? "Metadata"
                    guard ["Metadata", "Object", "None"].contains(include) else {
                        throw APIError.badRequest(
                            "includeObject: Unsupported value: \"\(include)\": supported values: \"Metadata\", \"None\", \"Object\""
                        )
                    }
                    return .table(version: version, includeObject: include)
                }
                if asKind == "PartialObjectMetadata" || asKind == "PartialObjectMetadataList",
                    parameters["g"] == "meta.k8s.io", let version = parameters["v"], version == "v1" || version == "v1beta1"
                {
                    return .partialMetadata(version: version, list: asKind == "PartialObjectMetadataList")
                }
                continue
            }
            return .json
        }
        throw APIError.notAcceptable(
            "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf"
        )
    }
}

/// Parsed label and field selectors of a list or watch.
struct Selection: Sendable {
    var labels: Labels.Selector
    var fields: Fields.Selector

    init(query: QueryParameters, resource: ServedResource) throws(APIError) {
        do {
            self.labels = try Labels.Selector(parsing: query["labelSelector"] ?? "")
        } catch {
            throw APIError.badRequest("unable to parse requirement: \(error.message)")
        }
        do {
            self.fields = try Fields.Selector(parsing: query["fieldSelector"] ?? "")
        } catch {
            throw APIError.badRequest("invalid field selector: \(error.message)")
        }
        let supported = Set(resource.allSelectableFields)
        for requirement in self.fields.requirements where !supported.contains(requirement.field) {
            throw APIError.badRequest("field label not supported: \(requirement.field)")
        }
    }

    var isEverything: Bool { self.labels.isEmpty && self.fields.isEmpty }

    func matches(_ attributes: ObjectAttributes) -> Bool {
        attributes.matches(labels: self.labels, fields: self.fields)
    }
}

/// The opaque `continue` token: the list's revision and the last key returned (relative to the prefix).
struct ContinueToken: Sendable {
    var revision: Revision
    var start: String

    func encoded() -> String {
        let value: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(self.revision.rawValue), "start": .string(self.start)]
        return Data(value.serialized()).base64EncodedString()
    }

    init(revision: Revision, start: String) {
        self.revision = revision
        self.start = start
    }

    init(decoding token: String) throws(APIError) {
        guard let bytes = Data(base64Encoded: token), let value = try? JSONValue.parse(Array(bytes)),
            value["v"]?.stringValue == "meta.k8s.io/v1", case .int(let revision)? = value["rv"],
            let start = value["start"]?.stringValue, revision > 0, !start.contains("..")
        else {
            throw APIError.badRequest("continue key is not valid: invalid continue token")
        }
        self.revision = Revision(revision)
        self.start = start
    }
}

/// A listed item: its stored form and resource version, and the identity parts needed by delete-collection.
///
/// The JSON with the resource version is rendered only where it is written, so a list response copies each
/// item's bytes once, straight into its body.
struct ListedItem: Sendable {
    var stored: StoredObject
    var resourceVersion: String
    var namespace: String?
    var name: String?

    /// The object's JSON with its resource version.
    var bytes: [UInt8] { self.stored.render(resourceVersion: self.resourceVersion) }

    /// How many bytes ``render(into:)`` appends, at most.
    var renderedCount: Int { self.stored.json.count + StoredObject.resourceVersionMemberCount(self.resourceVersion) }

    /// Appends the object's JSON with its resource version to `buffer`.
    func render(into buffer: inout [UInt8]) {
        self.stored.render(resourceVersion: self.resourceVersion, into: &buffer)
    }
}

extension APIHandler {
    /// One page of a list, from the store (consistent, paged) or the watch cache.
    struct ListPage: Sendable {
        var items: [ListedItem]
        var revision: Revision
        var continueToken: String?
    }

    func list(store: ResourceStore, namespace: String?, query: QueryParameters, format: OutputFormat) async throws -> APIResponse {
        let selection = try Selection(query: query, resource: store.resource)
        let limit = try query.int64("limit").flatMap { $0 > 0 ? Int($0) : nil }
        let continueToken = query["continue"].flatMap { $0.isEmpty ? nil : $0 }
        let resourceVersion = query["resourceVersion"].flatMap { $0.isEmpty ? nil : $0 }
        let match = query["resourceVersionMatch"].flatMap { $0.isEmpty ? nil : $0 }
        let page = try await self.readList(
            store: store,
            namespace: namespace,
            selection: selection,
            limit: limit,
            continueToken: continueToken,
            resourceVersion: resourceVersion,
            match: match
        )
        return try self.listResponse(
            items: page.items,
            resource: store.resource,
            resourceVersion: page.revision.description,
            continueToken: page.continueToken,
            format: format
        )
    }

    /// The watch cache's objects that pass `selection`, as a list page at `revision`.
    private static func cachedPage(
        _ objects: [CachedObject<ObjectAttributes>],
        revision: Revision,
        selection: Selection
    ) -> ListPage {
        var items: [ListedItem] = []
        items.reserveCapacity(objects.count)
        for object in objects where selection.isEverything || selection.matches(object.attributes) {
            guard let stored = StoredObject(value: object.value) else { continue }
            items.append(
                ListedItem(
                    stored: stored,
                    resourceVersion: object.modRevision.description,
                    namespace: object.attributes.fields["metadata.namespace"],
                    name: object.attributes.fields["metadata.name"]
                )
            )
        }
        return ListPage(items: items, revision: revision, continueToken: nil)
    }

    /// Reads a list as upstream's resourceVersion semantics say: unset → a consistent read, from the watch cache
    /// once it is fresh when not paged, else from the store (paged); `0` or `NotOlderThan` → the watch cache;
    /// `Exact` → the store at that revision.
    func readList(
        store: ResourceStore,
        namespace: String?,
        selection: Selection,
        limit: Int?,
        continueToken: String?,
        resourceVersion: String?,
        match: String?
    ) async throws -> ListPage {
        let resource = store.resource
        let prefix = resource.prefix(namespace: namespace)
        if let match {
            guard resourceVersion != nil else {
                throw APIError.badRequest("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided")
            }
            guard match == "NotOlderThan" || match == "Exact" else {
                throw APIError.badRequest(
                    "resourceVersionMatch: Unsupported value: \"\(match)\": supported values: \"Exact\", \"NotOlderThan\", \"\""
                )
            }
        }
        if continueToken != nil, let resourceVersion, resourceVersion != "0" {
            throw APIError.badRequest("specifying resource version is not allowed when using continue")
        }
        let requested = try resourceVersion.map { (string) throws(APIError) in try ResourceStore.parseResourceVersion(string) }
        if match == "Exact", requested == .zero {
            throw APIError.badRequest("resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"")
        }

        // The watch cache: resourceVersion=0, or NotOlderThan a revision, without a continue token.
        if let requested, match != "Exact", continueToken == nil {
            let (objects, revision) = try await store.cacher.list(
                prefix: prefix,
                notOlderThan: requested == .zero ? nil : requested
            )
            return Self.cachedPage(objects, revision: revision, selection: selection)
        }

        // A consistent list without paging: the watch cache once it holds everything the store held when the
        // request came (↔ ConsistentListFromCache, on by default since 1.31). A cache that cannot catch up in
        // time leaves the list to the store, as upstream falls back to etcd.
        if requested == nil, match == nil, continueToken == nil, limit == nil, store.cacher.isReady {
            let current = try await store.consistentReadRevision()
            if let (objects, revision) = try? await store.cacher.list(prefix: prefix, notOlderThan: current) {
                return Self.cachedPage(objects, revision: revision, selection: selection)
            }
        }

        // The store: consistent, paged.
        var revision: Revision? = match == "Exact" ? requested : nil
        var after: String? = nil
        if let continueToken {
            let token = try ContinueToken(decoding: continueToken)
            revision = token.revision
            after = prefix + token.start
        }
        var items: [ListedItem] = []
        var hasMore = false
        var lastKey: String? = nil
        var readRevision = revision ?? .zero
        repeat {
            let batch = limit.map { max($0 - items.count, selection.isEverything ? 1 : 64) }
            let result: ListResult
            do {
                result = try await store.storage.list(prefix: prefix, at: revision, limit: batch, continueAfter: after)
            } catch let error as StorageError where error.code == .compacted {
                if continueToken != nil {
                    throw APIError.expired(
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."
                    )
                }
                throw APIError.expired(
                    "too old resource version: \(requested?.description ?? "") (\((error.compactRevision ?? .zero).rawValue + 1))"
                )
            } catch let error as StorageError where error.code == .futureRevision {
                throw APIError.timeout(
                    "Too large resource version: \(requested?.description ?? ""), current: \(error.message)",
                    retryAfterSeconds: 1
                )
            }
            revision = result.revision
            readRevision = result.revision
            var stoppedEarly = false
            for (index, keyValue) in result.keyValues.enumerated() {
                lastKey = keyValue.key
                after = keyValue.key
                guard let stored = StoredObject(value: keyValue.value) else { continue }
                var namespaceValue: String? = nil
                var nameValue: String? = nil
                if !selection.isEverything {
                    guard let object = try? JSONValue.parse(stored.json) else { continue }
                    let attributes = ObjectAttributes(object: object, resource: resource)
                    guard selection.matches(attributes) else { continue }
                    namespaceValue = attributes.fields["metadata.namespace"]
                    nameValue = attributes.fields["metadata.name"]
                } else {
                    (namespaceValue, nameValue) = Self.namespaceAndName(key: keyValue.key, prefix: resource.keyPrefix, namespaced: resource.isNamespaced)
                }
                items.append(
                    ListedItem(
                        stored: stored,
                        resourceVersion: keyValue.modRevision.description,
                        namespace: namespaceValue,
                        name: nameValue
                    )
                )
                if let limit, items.count >= limit {
                    stoppedEarly = index < result.keyValues.count - 1
                    break
                }
            }
            hasMore = result.hasMore || stoppedEarly
            if limit == nil { break }
        } while items.count < (limit ?? 0) && hasMore

        var token: String? = nil
        if hasMore, let lastKey {
            token = ContinueToken(revision: readRevision, start: String(lastKey.dropFirst(prefix.count))).encoded()
            // The token is relative to the prefix of this request; a continue on another namespace reads nothing.
        }
        return ListPage(items: items, revision: readRevision, continueToken: token)
    }

    static func namespaceAndName(key: String, prefix: String, namespaced: Bool) -> (String?, String?) {
        let rest = key.dropFirst(prefix.count)
        if namespaced {
            let parts = rest.split(separator: "/", maxSplits: 1)
            guard parts.count == 2 else { return (nil, String(rest)) }
            return (String(parts[0]), String(parts[1]))
        }
        return (nil, String(rest))
    }

    // MARK: Responses

    /// One object's response: its JSON, or a one-row Table.
    func objectResponse(
        _ bytes: consuming [UInt8],
        resource: ServedResource,
        format: OutputFormat,
        status: Int,
        warnings: [String] = []
    ) throws -> APIResponse {
        let headers = warnings.map { (name: "Warning", value: "299 - \"\(Self.escapeWarning($0))\"") }
        switch format {
        case .json:
            // Rendered objects have spare capacity, so the newline is appended in place.
            var body = consume bytes
            body.append(UInt8(ascii: "\n"))
            return APIResponse(status: status, headers: Self.jsonHeaders + headers, body: .bytes(body))
        case .table(let version, let includeObject):
            let object = try JSONValue.parse(bytes)
            let table = self.table(
                objects: [object],
                resource: resource,
                version: version,
                includeObject: includeObject,
                resourceVersion: object["metadata"]?["resourceVersion"]?.stringValue ?? "",
                continueToken: nil,
                withColumns: true
            )
            var body = table.serialized()
            body.append(UInt8(ascii: "\n"))
            return APIResponse(status: status, headers: Self.tableHeaders(version) + headers, body: .bytes(body))
        case .partialMetadata(let version, let list):
            guard !list else {
                throw APIError.notAcceptable(
                    "you requested PartialObjectMetadataList, but the requested object is not a list (\(resource.kind))"
                )
            }
            var body = Self.partialMetadata(of: try JSONValue.parse(bytes), version: version).serialized()
            body.append(UInt8(ascii: "\n"))
            return APIResponse(status: status, headers: Self.partialMetadataHeaders(version) + headers, body: .bytes(body))
        }
    }

    /// `object` as a `PartialObjectMetadata`: its metadata under the meta.k8s.io kind.
    static func partialMetadata(of object: JSONValue, version: String) -> JSONValue {
        [
            "kind": "PartialObjectMetadata",
            "apiVersion": .string("meta.k8s.io/" + version),
            "metadata": object["metadata"] ?? [:],
        ]
    }

    static func partialMetadataHeaders(_ version: String) -> [(name: String, value: String)] {
        [("Content-Type", "application/json;as=PartialObjectMetadata;v=\(version);g=meta.k8s.io")]
    }

    static func escapeWarning(_ text: String) -> String {
        text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
    }

    static func tableHeaders(_ version: String) -> [(name: String, value: String)] {
        [("Content-Type", "application/json;as=Table;v=\(version);g=meta.k8s.io")]
    }

    /// A list's response from items already rendered (the objects a delete-collection removed).
    func listResponse(
        items: [[UInt8]],
        resource: ServedResource,
        resourceVersion: String,
        continueToken: String?,
        format: OutputFormat
    ) throws -> APIResponse {
        try self.listResponse(
            count: items.count,
            bytes: { items[$0] },
            capacity: items.reduce(0) { $0 + $1.count + 1 },
            append: { buffer, index in buffer.append(contentsOf: items[index]) },
            resource: resource,
            resourceVersion: resourceVersion,
            continueToken: continueToken,
            format: format
        )
    }

    /// A list's response: the `<Kind>List` envelope with each item's JSON rendered straight into the body.
    func listResponse(
        items: [ListedItem],
        resource: ServedResource,
        resourceVersion: String,
        continueToken: String?,
        format: OutputFormat
    ) throws -> APIResponse {
        try self.listResponse(
            count: items.count,
            bytes: { items[$0].bytes },
            capacity: items.reduce(0) { $0 + $1.renderedCount + 1 },
            append: { buffer, index in items[index].render(into: &buffer) },
            resource: resource,
            resourceVersion: resourceVersion,
            continueToken: continueToken,
            format: format
        )
    }

    /// A list's response: the `<Kind>List` envelope around the items' bytes, or a Table.
    ///
    /// - Parameters:
    ///   - bytes: the JSON of the item at an index (for Tables and metadata-only lists, which parse it).
    ///   - capacity: the bytes of all the items, for the JSON body's one allocation.
    ///   - append: appends the JSON of the item at an index to the body.
    private func listResponse(
        count: Int,
        bytes: (Int) -> [UInt8],
        capacity: Int,
        append: (inout [UInt8], Int) -> Void,
        resource: ServedResource,
        resourceVersion: String,
        continueToken: String?,
        format: OutputFormat
    ) throws -> APIResponse {
        switch format {
        case .json:
            var body: [UInt8] = []
            body.reserveCapacity(128 + resource.listKind.utf8.count + resourceVersion.utf8.count + (continueToken?.utf8.count ?? 0) + capacity)
            body.append(contentsOf: #"{"kind":""#.utf8)
            body.append(contentsOf: resource.listKind.utf8)
            body.append(contentsOf: #"","apiVersion":""#.utf8)
            body.append(contentsOf: resource.apiVersion.utf8)
            body.append(contentsOf: #"","metadata":{"resourceVersion":""#.utf8)
            body.append(contentsOf: resourceVersion.utf8)
            body.append(UInt8(ascii: "\""))
            if let continueToken {
                body.append(contentsOf: #","continue":""#.utf8)
                body.append(contentsOf: continueToken.utf8)
                body.append(UInt8(ascii: "\""))
            }
            body.append(contentsOf: #"},"items":["#.utf8)
            for index in 0..<count {
                if index > 0 { body.append(UInt8(ascii: ",")) }
                append(&body, index)
            }
            body.append(contentsOf: "]}\n".utf8)
            return APIResponse(status: 200, headers: Self.jsonHeaders, body: .bytes(body))
        case .table(let version, let includeObject):
            var objects: [JSONValue] = []
            objects.reserveCapacity(count)
            for index in 0..<count { objects.append(try JSONValue.parse(bytes(index))) }
            let table = self.table(
                objects: objects,
                resource: resource,
                version: version,
                includeObject: includeObject,
                resourceVersion: resourceVersion,
                continueToken: continueToken,
                withColumns: true
            )
            var body = table.serialized()
            body.append(UInt8(ascii: "\n"))
            return APIResponse(status: 200, headers: Self.tableHeaders(version), body: .bytes(body))
        case .partialMetadata(let version, let list):
            guard list else {
                throw APIError.notAcceptable(
                    "you requested PartialObjectMetadata, but the requested object is a list (\(resource.listKind))"
                )
            }
            var metadata = JSONObject()
            metadata["resourceVersion"] = .string(resourceVersion)
            if let continueToken { metadata["continue"] = .string(continueToken) }
            var partials: [JSONValue] = []
            partials.reserveCapacity(count)
            for index in 0..<count { partials.append(Self.partialMetadata(of: try JSONValue.parse(bytes(index)), version: version)) }
            let list: JSONValue = [
                "kind": "PartialObjectMetadataList",
                "apiVersion": .string("meta.k8s.io/" + version),
                "metadata": .object(metadata),
                "items": .array(partials),
            ]
            var body = list.serialized()
            body.append(UInt8(ascii: "\n"))
            return APIResponse(
                status: 200,
                headers: [("Content-Type", "application/json;as=PartialObjectMetadataList;v=\(version);g=meta.k8s.io")],
                body: .bytes(body)
            )
        }
    }

    /// A Table of `objects` with upstream's columns for the resource.
    func table(
        objects: [JSONValue],
        resource: ServedResource,
        version: String,
        includeObject: String,
        resourceVersion: String,
        continueToken: String?,
        withColumns: Bool
    ) -> JSONValue {
        let now = Date()
        var table = JSONObject()
        table["kind"] = "Table"
        table["apiVersion"] = .string("meta.k8s.io/" + version)
        var metadata = JSONObject()
        metadata["resourceVersion"] = .string(resourceVersion)
        if let continueToken { metadata["continue"] = .string(continueToken) }
        table["metadata"] = .object(metadata)
        if withColumns {
            let columns = self.tables.columnDefinitions(group: resource.group, resource: resource.plural)
            table["columnDefinitions"] = (try? JSONValueEncoder().encode(columns)) ?? .array([])
        } else {
            table["columnDefinitions"] = .null
        }
        var rows: [JSONValue] = []
        rows.reserveCapacity(objects.count)
        for object in objects {
            let row = self.tables.row(group: resource.group, resource: resource.plural, object: object, now: now)
            var entry = JSONObject()
            entry["cells"] = .array(row.cells)
            if let conditions = row.conditions, let encoded = try? JSONValueEncoder().encode(conditions) {
                entry["conditions"] = encoded
            }
            switch includeObject {
            case "Object":
                entry["object"] = object
            case "None":
                break
            default:
                entry["object"] = [
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": object["metadata"] ?? [:],
                ]
            }
            rows.append(.object(entry))
        }
        table["rows"] = .array(rows)
        return .object(table)
    }
}
