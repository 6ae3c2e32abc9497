#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import SkiffAPI
import SkiffAPIMachinery
import SkiffStorage

extension APIHandler {
    /// Serves `/api/v1/…` and `/apis/<group>/<version>/…` resource paths.
    func handleResource(_ request: APIRequest, info: RequestInfo, query: QueryParameters) async throws -> APIResponse {
        guard let store = self.store(group: info.apiGroup, version: info.apiVersion, resource: info.resource) else {
            throw APIError.pathNotFound()
        }
        let resource = store.resource
        // A read (get, list, watch, a subresource's get) may be answered from the watch cache.
        if request.method == "GET" { try await store.startCacheIfNeeded() }
        // Namespaced resources live under namespaces/{ns}/; cluster-scoped ones never do (namespaces aside).
        let namespace: String? = resource.isNamespaced ? info.namespace : nil
        if !resource.isNamespaced, info.namespace != nil, resource.plural != "namespaces" {
            throw APIError.pathNotFound()
        }
        if resource.isNamespaced, info.namespace == nil, info.verb != "list", info.verb != "watch" {
            throw APIError.pathNotFound()
        }
        let path = resource.group + "/" + resource.version + "/" + resource.plural
        if ResourceRegistry.virtualResources.contains(path) {
            return try await self.handleVirtual(request, info: info, store: store, query: query)
        }
        if let subresource = info.subresource {
            return try await self.handleSubresource(
                request,
                info: info,
                store: store,
                namespace: namespace,
                subresource: subresource,
                query: query
            )
        }
        guard resource.info.verbs.contains(info.verb) else {
            throw APIError.methodNotSupported(group: resource.group, resource: resource.plural, action: info.verb)
        }
        let format = try OutputFormat.negotiate(request.header("Accept"), query: query)
        switch info.verb {
        case "get":
            let bytes = try await store.get(namespace: namespace, name: info.name ?? "", resourceVersion: query["resourceVersion"])
            return try self.objectResponse(bytes, resource: resource, format: format, status: 200)
        case "list":
            return try await self.list(store: store, namespace: namespace, query: query, format: format)
        case "watch":
            return try await self.watch(store: store, namespace: namespace, name: info.name, query: query, format: format)
        case "create":
            return try await self.create(request, store: store, namespace: namespace, query: query, format: format)
        case "update":
            return try await self.update(
                request,
                store: store,
                namespace: namespace,
                name: info.name ?? "",
                subresource: nil,
                query: query,
                format: format
            )
        case "patch":
            return try await self.patch(
                request,
                store: store,
                namespace: namespace,
                name: info.name ?? "",
                subresource: nil,
                query: query,
                format: format
            )
        case "delete":
            return try await self.delete(request, store: store, namespace: namespace, name: info.name ?? "", query: query, format: format)
        case "deletecollection":
            return try await self.deleteCollection(request, store: store, namespace: namespace, query: query, format: format)
        default:
            throw APIError.methodNotAllowed()
        }
    }

    // MARK: Writes

    func create(
        _ request: APIRequest,
        store: ResourceStore,
        namespace: String?,
        query: QueryParameters,
        format: OutputFormat
    ) async throws -> APIResponse {
        let resource = store.resource
        let value = try RequestBody.decode(request, resource: resource)
        var decoded = try ObjectCodec.decode(value, as: resource)
        let warnings = try FieldValidation.check(decoded.unknownFields, query: query, resource: resource)
        let dryRun = try Self.dryRun(query)
        let manager = try FieldManager.managerName(request, query: query, options: "CreateOptions")
        if let fieldManager = FieldManager(resource: resource, subresource: nil) {
            try fieldManager.recordUpdate(live: nil, object: &decoded.object, manager: manager, now: store.clock())
        }
        let bytes = try await store.create(decoded.object, namespace: namespace, dryRun: dryRun, user: request.user)
        return try self.objectResponse(bytes, resource: resource, format: format, status: 201, warnings: warnings)
    }

    func update(
        _ request: APIRequest,
        store: ResourceStore,
        namespace: String?,
        name: String,
        subresource: String?,
        query: QueryParameters,
        format: OutputFormat
    ) async throws -> APIResponse {
        let resource = store.resource
        let value = try RequestBody.decode(request, resource: resource)
        let decoded = try ObjectCodec.decode(value, as: resource)
        let warnings = try FieldValidation.check(decoded.unknownFields, query: query, resource: resource)
        let dryRun = try Self.dryRun(query)
        let manager = try FieldManager.managerName(request, query: query, options: "UpdateOptions")
        let fieldManager = FieldManager(resource: resource, subresource: subresource)
        let clock = store.clock
        let outcome = try await store.update(
            namespace: namespace,
            name: name,
            subresource: subresource,
            allowCreate: false,
            dryRun: dryRun,
            user: request.user
        ) { current in
            var object = decoded.object
            try fieldManager?.recordUpdate(live: current?.object, object: &object, manager: manager, now: clock())
            return object
        }
        return try self.updateResponse(outcome, resource: resource, format: format, warnings: warnings)
    }

    func updateResponse(
        _ outcome: ResourceStore.UpdateOutcome,
        resource: ServedResource,
        format: OutputFormat,
        warnings: [String]
    ) throws -> APIResponse {
        switch outcome {
        case .updated(let bytes, let created):
            return try self.objectResponse(bytes, resource: resource, format: format, status: created ? 201 : 200, warnings: warnings)
        case .deleted(let bytes):
            return try self.objectResponse(bytes, resource: resource, format: format, status: 200, warnings: warnings)
        }
    }

    func patch(
        _ request: APIRequest,
        store: ResourceStore,
        namespace: String?,
        name: String,
        subresource: String?,
        query: QueryParameters,
        format: OutputFormat
    ) async throws -> APIResponse {
        let resource = store.resource
        let contentType = RequestBody.mediaType(request.header("Content-Type"))
        guard let patchType = PatchType(rawValue: contentType) else {
            throw APIError.unsupportedMediaType(contentType, accepted: PatchType.allCases.map(\.rawValue))
        }
        let patch = try RequestBody.parsePatch(request.body, type: patchType)
        let dryRun = try Self.dryRun(query)
        let isApply = patchType == .apply
        try Self.validatePatchOptions(query, isApply: isApply)
        let manager = try FieldManager.managerName(request, query: query, options: "PatchOptions")
        let force = try query.bool("force") ?? false
        let fieldManager = FieldManager(resource: resource, subresource: subresource)
        if isApply && fieldManager == nil {
            throw APIError.unsupportedMediaType(patchType.rawValue, accepted: [PatchType.json.rawValue, PatchType.merge.rawValue])
        }
        let clock = store.clock
        let warningsBox = WarningsBox()
        let outcome = try await store.update(
            namespace: namespace,
            name: name,
            subresource: subresource,
            allowCreate: isApply,
            dryRun: dryRun,
            user: request.user
        ) { current in
            let patched: JSONValue
            if isApply, let fieldManager {
                // Server-side apply merges into the live object, or creates it from the configuration.
                patched = try fieldManager.apply(live: current?.object, config: patch, manager: manager, force: force, now: clock())
            } else if let current {
                patched = try PatchApplier.apply(patchType, patch: patch, to: current.object, resource: resource)
            } else {
                throw APIError.notFound(group: resource.group, resource: resource.plural, name: name)
            }
            let decoded = try ObjectCodec.decode(patched, as: resource)
            warningsBox.warnings = try FieldValidation.check(decoded.unknownFields, query: query, resource: resource)
            var object = decoded.object
            if isApply {
                object.metadata.resourceVersion = nil
            } else if let current {
                // A patch that does not set resourceVersion is unconditional; one that does is a precondition.
                let currentVersion = current.keyValue.modRevision.description
                if (object.metadata.resourceVersion ?? "").isEmpty { object.metadata.resourceVersion = currentVersion }
                try fieldManager?.recordUpdate(live: current.object, object: &object, manager: manager, now: clock())
            }
            return object
        }
        return try self.updateResponse(outcome, resource: resource, format: format, warnings: warningsBox.warnings)
    }

    func delete(
        _ request: APIRequest,
        store: ResourceStore,
        namespace: String?,
        name: String,
        query: QueryParameters,
        format: OutputFormat
    ) async throws -> APIResponse {
        let resource = store.resource
        let options = try DeleteOptionsParser.parse(request, query: query)
        let queryDryRun = try Self.dryRun(query)
        let dryRun = (options.dryRun ?? []).contains("All") || queryDryRun
        let outcome = try await store.delete(
            namespace: namespace,
            name: name,
            options: options,
            dryRun: dryRun,
            user: request.user
        )
        switch outcome {
        case .pending(let bytes):
            let status = options.orphanDependents == false ? 202 : 200
            return try self.objectResponse(bytes, resource: resource, format: format, status: status)
        case .deleted(let bytes, let uid):
            if Self.returnsDeletedObject(resource) {
                return try self.objectResponse(bytes, resource: resource, format: format, status: 200)
            }
            let status = MetaV1.Status(
                kind: "Status",
                apiVersion: "v1",
                metadata: MetaV1.ListMeta(),
                status: "Success",
                details: MetaV1.StatusDetails(
                    name: name,
                    group: resource.group.isEmpty ? nil : resource.group,
                    kind: resource.plural,
                    uid: uid
                )
            )
            var body = try JSONValueEncoder().encodeToBytes(status)
            body.append(UInt8(ascii: "\n"))
            return Self.jsonResponse(body)
        }
    }

    /// Kinds whose delete answers with the object rather than a Status (upstream's `ReturnDeletedObject`).
    static func returnsDeletedObject(_ resource: ServedResource) -> Bool {
        resource.group.isEmpty && ["pods", "services", "namespaces"].contains(resource.plural)
    }

    func deleteCollection(
        _ request: APIRequest,
        store: ResourceStore,
        namespace: String?,
        query: QueryParameters,
        format: OutputFormat
    ) async throws -> APIResponse {
        let resource = store.resource
        let options = try DeleteOptionsParser.parse(request, query: query)
        let queryDryRun = try Self.dryRun(query)
        let dryRun = (options.dryRun ?? []).contains("All") || queryDryRun
        let selection = try Selection(query: query, resource: resource)
        let page = try await self.readList(store: store, namespace: namespace, selection: selection, limit: nil, continueToken: nil, resourceVersion: nil, match: nil)
        var deleted: [[UInt8]] = []
        for item in page.items {
            guard let name = item.name else { continue }
            let itemNamespace = resource.isNamespaced ? item.namespace : nil
            do {
                switch try await store.delete(
                    namespace: itemNamespace,
                    name: name,
                    options: options,
                    dryRun: dryRun,
                    user: request.user
                ) {
                case .deleted(let bytes, _), .pending(let bytes): deleted.append(bytes)
                }
            } catch let error as APIError where error.reason == .notFound {
                continue
            }
        }
        let revision = try await self.storage.currentRevision()
        return try self.listResponse(
            items: deleted,
            resource: resource,
            resourceVersion: revision.description,
            continueToken: nil,
            format: format
        )
    }

    /// Upstream's `ValidatePatchOptions`: `force` only with apply, and apply needs a `fieldManager` (422).
    static func validatePatchOptions(_ query: QueryParameters, isApply: Bool) throws(APIError) {
        if !isApply, query["force"] != nil {
            throw APIError.invalid(
                group: "meta.k8s.io",
                kind: "PatchOptions",
                name: "",
                causes: [
                    APIError.Cause(
                        field: "force",
                        reason: "FieldValueForbidden",
                        message: "force: Forbidden: may not be specified for non-apply patch"
                    )
                ]
            )
        }
        if isApply, (query["fieldManager"] ?? "").isEmpty {
            throw APIError.invalid(
                group: "meta.k8s.io",
                kind: "PatchOptions",
                name: "",
                causes: [
                    APIError.Cause(
                        field: "fieldManager",
                        reason: "FieldValueRequired",
                        message: "fieldManager: Required value: is required for apply patch"
                    )
                ]
            )
        }
    }

    static func dryRun(_ query: QueryParameters) throws(APIError) -> Bool {
        let values = query.all("dryRun")
        for value in values where value != "All" {
            throw APIError.badRequest("dryRun: Unsupported value: \"\(value)\": supported values: \"All\"")
        }
        return !values.isEmpty
    }
}

/// The patch types the server accepts, by Content-Type.
enum PatchType: String, CaseIterable, Sendable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategic = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"
}

/// Collects warnings inside an update's transform closure.
final class WarningsBox: @unchecked Sendable {
    // Only touched by the one task running the update, sequentially.
    var warnings: [String] = []
}

/// `fieldValidation`: what to do with unknown fields (↔ apiserver's `fieldValidation` handling).
enum FieldValidation {
    /// Returns the warnings to send (Warn, the default) or throws 400 (Strict); Ignore drops them.
    static func check(_ unknown: [String], query: QueryParameters, resource: ServedResource) throws(APIError) -> [String] {
        let mode = query["fieldValidation"] ?? "Warn"
        switch mode {
        case "Ignore", "":
            return []
        case "Warn":
            return unknown.map { "unknown field \"\($0)\"" }
        case "Strict":
            guard !unknown.isEmpty else { return [] }
            let fields = unknown.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
            throw ObjectCodec.cannotHandle(resource, "strict decoding error: \(fields)")
        default:
            throw APIError.badRequest(
                "fieldValidation: Unsupported value: \"\(mode)\": supported values: \"Ignore\", \"Strict\", \"Warn\""
            )
        }
    }
}
