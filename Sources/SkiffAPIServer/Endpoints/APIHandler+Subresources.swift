#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import SkiffAPI
import SkiffAPIMachinery
import SkiffStorage

extension APIHandler {
    func handleSubresource(
        _ request: APIRequest,
        info: RequestInfo,
        store: ResourceStore,
        namespace: String?,
        subresource: String,
        query: QueryParameters
    ) async throws -> APIResponse {
        let resource = store.resource
        guard let sub = resource.info.subresource(named: subresource), let name = info.name else {
            throw APIError.pathNotFound()
        }
        guard sub.verbs.contains(info.verb) else {
            throw APIError.methodNotSupported(
                group: resource.group,
                resource: resource.plural + "/" + subresource,
                action: info.verb
            )
        }
        let format = try OutputFormat.negotiate(request.header("Accept"), query: query)
        switch (subresource, info.verb) {
        case ("status", "get"), ("ephemeralcontainers", "get"):
            let bytes = try await store.get(namespace: namespace, name: name, resourceVersion: nil)
            return try self.objectResponse(bytes, resource: resource, format: format, status: 200)
        // pods/ephemeralcontainers writes go through the pod's update path, which keeps only the ephemeral
        // containers of the write (↔ the EphemeralContainersREST).
        case ("status", "update"), ("finalize", "update"), ("ephemeralcontainers", "update"):
            return try await self.update(
                request,
                store: store,
                namespace: namespace,
                name: name,
                subresource: subresource,
                query: query,
                format: format
            )
        case ("status", "patch"), ("ephemeralcontainers", "patch"):
            return try await self.patch(
                request,
                store: store,
                namespace: namespace,
                name: name,
                subresource: subresource,
                query: query,
                format: format
            )
        case ("scale", _):
            return try await self.scale(request, info: info, store: store, namespace: namespace, name: name, query: query)
        case ("binding", "create"):
            return try await self.bind(request, store: store, namespace: namespace, name: name, query: query)
        case ("eviction", "create"):
            return try await self.evict(request, store: store, namespace: namespace, name: name, query: query)
        case ("token", "create") where resource.plural == "serviceaccounts":
            return try await self.issueToken(request, store: store, namespace: namespace, name: name, query: query)
        default:
            throw APIError.methodNotSupported(
                group: resource.group,
                resource: resource.plural + "/" + subresource,
                action: info.verb
            )
        }
    }

    // MARK: scale

    /// `…/{deployments,replicasets,statefulsets,replicationcontrollers}/{name}/scale`: an autoscaling/v1 Scale
    /// view of `spec.replicas`.
    private func scale(
        _ request: APIRequest,
        info: RequestInfo,
        store: ResourceStore,
        namespace: String?,
        name: String,
        query: QueryParameters
    ) async throws -> APIResponse {
        let resource = store.resource
        let dryRun = try Self.dryRun(query)
        switch info.verb {
        case "get":
            guard let current = try await store.current(namespace: namespace, name: name) else {
                throw APIError.notFound(group: resource.group, resource: resource.plural, name: name)
            }
            return Self.jsonResponse(Self.scaleBytes(current.object, resource: resource))
        case "update", "patch":
            var newScale: JSONValue? = nil
            let options = info.verb == "update" ? "UpdateOptions" : "PatchOptions"
            let manager = try FieldManager.managerName(request, query: query, options: options)
            let fieldManager = FieldManager(resource: resource, subresource: "scale")
            let clock = store.clock
            let outcome = try await store.update(
                namespace: namespace,
                name: name,
                subresource: "scale",
                allowCreate: false,
                dryRun: dryRun,
                user: request.user
            ) { current in
                guard let current else {
                    throw APIError.notFound(group: resource.group, resource: resource.plural, name: name)
                }
                let scale = try JSONValue.parse(Self.scaleBytes(current.object, resource: resource))
                let updated: JSONValue
                if info.verb == "update" {
                    updated = try RequestBody.decode(request, resource: resource)
                } else {
                    let contentType = RequestBody.mediaType(request.header("Content-Type"))
                    guard let type = PatchType(rawValue: contentType), type != .apply else {
                        throw APIError.unsupportedMediaType(contentType, accepted: PatchType.allCases.map(\.rawValue))
                    }
                    let patch = try RequestBody.parsePatch(request.body, type: type)
                    switch type {
                    case .json: updated = try PatchApplierScale.json(patch, scale)
                    default: updated = try PatchApplierScale.merge(patch, scale)
                    }
                }
                let scaleObject = try JSONValueDecoder().decode(AutoscalingV1.Scale.self, from: updated)
                let replicas = scaleObject.spec?.replicas ?? 0
                guard replicas >= 0 else {
                    throw APIError.invalid(
                        group: "autoscaling",
                        kind: "Scale",
                        name: name,
                        causes: [
                            APIError.Cause(
                                field: "spec.replicas",
                                reason: "FieldValueInvalid",
                                message: "spec.replicas: Invalid value: \(replicas): must be greater than or equal to 0"
                            )
                        ]
                    )
                }
                var object = current.object
                if case .object(var members) = object {
                    var spec = members["spec"]?.objectValue ?? JSONObject()
                    spec["replicas"] = .int(Int64(replicas))
                    members["spec"] = .object(spec)
                    if let pinned = scaleObject.metadata.resourceVersion, !pinned.isEmpty,
                        case .object(var metadata)? = members["metadata"]
                    {
                        metadata["resourceVersion"] = .string(pinned)
                        members["metadata"] = .object(metadata)
                    }
                    object = .object(members)
                }
                if let fieldManager {
                    object = try fieldManager.recordScale(live: current.object, object: object, manager: manager, now: clock())
                }
                newScale = updated
                return try ObjectCodec.decode(object, as: resource).object
            }
            _ = newScale
            switch outcome {
            case .updated(let bytes, _), .deleted(let bytes):
                return Self.jsonResponse(Self.scaleBytes(try JSONValue.parse(bytes), resource: resource))
            }
        default:
            throw APIError.methodNotAllowed()
        }
    }

    /// The Scale of a workload object.
    static func scaleBytes(_ object: JSONValue, resource: ServedResource) -> [UInt8] {
        let metadata = object["metadata"] ?? [:]
        var scaleMetadata = JSONObject()
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let value = metadata[key] { scaleMetadata[key] = value }
        }
        let replicas = object["spec"]?["replicas"] ?? .int(1)
        var status = JSONObject()
        status["replicas"] = object["status"]?["replicas"] ?? .int(0)
        if let selector = Self.selectorString(object["spec"]?["selector"], resource: resource) {
            status["selector"] = .string(selector)
        }
        let scale: JSONValue = [
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": .object(scaleMetadata),
            "spec": ["replicas": replicas],
            "status": .object(status),
        ]
        var bytes = scale.serialized()
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// A label selector as the Scale's `status.selector` string (`app=web,tier in (a,b)`).
    private static func selectorString(_ selector: JSONValue?, resource: ServedResource) -> String? {
        guard let selector else { return nil }
        if resource.plural == "replicationcontrollers" {
            // A plain map selector.
            guard case .object(let members) = selector else { return nil }
            return members.sorted { $0.key < $1.key }.compactMap { key, value in
                value.stringValue.map { "\(key)=\($0)" }
            }.joined(separator: ",")
        }
        guard let decoded = try? JSONValueDecoder().decode(MetaV1.LabelSelector.self, from: selector),
            let parsed = try? Labels.Selector(decoded)
        else { return nil }
        return parsed.description
    }

    // MARK: binding

    /// `pods/{name}/binding` (and `bindings`): assigns an unscheduled pod to a node.
    func bind(
        _ request: APIRequest,
        store: ResourceStore,
        namespace: String?,
        name: String,
        query: QueryParameters
    ) async throws -> APIResponse {
        guard let bindingResource = self.registry.resource(group: "", version: "v1", plural: "bindings") else {
            throw APIError.pathNotFound()
        }
        let binding = try Self.decodeBody(request, as: CoreV1.Binding.self, resource: bindingResource)
        let podName = name.isEmpty ? (binding.metadata.name ?? "") : name
        let node = binding.target.name ?? ""
        guard !node.isEmpty else {
            throw APIError.invalid(
                group: "",
                kind: "Binding",
                name: podName,
                causes: [
                    APIError.Cause(field: "target.name", reason: "FieldValueRequired", message: "target.name: Required value")
                ]
            )
        }
        guard let podStore = self.store(group: "", version: "v1", resource: "pods") else { throw APIError.pathNotFound() }
        let annotations = binding.metadata.annotations ?? [:]
        let now = Time(Date())
        try await podStore.updateStoredJSON(namespace: namespace, name: podName, dryRun: try Self.dryRun(query)) { current in
            try Self.assign(
                current,
                to: node,
                annotations: annotations,
                uid: binding.metadata.uid,
                resourceVersion: binding.metadata.resourceVersion,
                podName: podName,
                now: now
            )
        }
        return Self.successStatus(code: 201)
    }

    /// The pod `current` assigned to `node` (↔ the binding REST's `setPodHostAndAnnotations`): `spec.nodeName`
    /// set, the binding's annotations added, the `PodScheduled` condition true. It edits the stored JSON, adding
    /// members where Go's struct order puts them. The binding's `uid` and `resourceVersion`, when given, are
    /// preconditions on the pod.
    static func assign(
        _ current: JSONValue,
        to node: String,
        annotations: [String: String],
        uid: String?,
        resourceVersion: String?,
        podName: String,
        now: Time
    ) throws -> JSONValue {
        guard case .object(var pod) = current, case .object(var metadata)? = pod["metadata"] else {
            throw APIError.internalError("pods/binding: the stored object is not a Pod")
        }
        var spec = pod["spec"]?.objectValue ?? JSONObject()
        func refused(_ message: String) -> APIError {
            APIError.conflict(group: "", resource: "pods/binding", name: podName, message: message)
        }
        if metadata["deletionTimestamp"].map({ $0 != .null }) == true {
            throw refused("pod \(podName) is being deleted, cannot be assigned to a host")
        }
        if case .string(let existing)? = spec["nodeName"], !existing.isEmpty {
            throw refused("pod \(podName) is already assigned to node \"\(existing)\"")
        }
        if let gates = spec["schedulingGates"]?.arrayValue, !gates.isEmpty {
            throw refused("pod \(podName) has non-empty .spec.schedulingGates")
        }
        let storedUID = metadata["uid"]?.stringValue ?? ""
        if let uid, !uid.isEmpty, uid != storedUID {
            throw refused("Precondition failed: UID in precondition: \(uid), UID in object meta: \(storedUID)")
        }
        let storedVersion = metadata["resourceVersion"]?.stringValue ?? ""
        if let resourceVersion, !resourceVersion.isEmpty, resourceVersion != storedVersion {
            throw refused(
                "Precondition failed: ResourceVersion in precondition: \(resourceVersion), ResourceVersion in object meta: "
                    + storedVersion
            )
        }
        spec.setInGoOrder("nodeName", .string(node), after: Self.podSpecBeforeNodeName)
        pod["spec"] = .object(spec)
        if !annotations.isEmpty {
            var merged: [String: JSONValue] = [:]
            for (key, value) in metadata["annotations"]?.objectValue ?? JSONObject() { merged[key] = value }
            for (key, value) in annotations { merged[key] = .string(value) }
            // Go writes a map's keys sorted.
            let sorted = JSONObject(merged.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })
            metadata.setInGoOrder("annotations", .object(sorted), after: Self.objectMetaBeforeAnnotations)
            pod["metadata"] = .object(metadata)
        }
        var status = pod["status"]?.objectValue ?? JSONObject()
        var conditions = (status["conditions"]?.arrayValue ?? []).filter { $0["type"] != "PodScheduled" }
        conditions.append(
            .object(JSONObject([("type", "PodScheduled"), ("status", "True"), ("lastTransitionTime", now.jsonTree())]))
        )
        status.setInGoOrder("conditions", .array(conditions), after: ["observedGeneration", "phase"])
        pod.setInGoOrder("status", .object(status), after: ["apiVersion", "kind", "metadata", "spec"])
        return .object(pod)
    }

    /// The members of `PodSpec` that Go's struct order puts before `nodeName`.
    static let podSpecBeforeNodeName: Set<String> = [
        "volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy",
        "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy", "nodeSelector", "serviceAccountName",
        "serviceAccount", "automountServiceAccountToken",
    ]

    /// The members of `ObjectMeta` that Go's struct order puts before `annotations`.
    static let objectMetaBeforeAnnotations: Set<String> = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
    ]

    /// A subresource request's body (JSON, YAML or protobuf) as `type`, with the 400 wording of `resource`.
    static func decodeBody<T: Decodable>(_ request: APIRequest, as type: T.Type, resource: ServedResource) throws -> T {
        let value = try RequestBody.decode(request, resource: resource)
        do {
            return try JSONValueDecoder().decode(T.self, from: value)
        } catch {
            throw ObjectCodec.cannotHandle(resource, ObjectCodec.describe(error))
        }
    }

    static func successStatus(code: Int) -> APIResponse {
        let status = MetaV1.Status(kind: "Status", apiVersion: "v1", metadata: MetaV1.ListMeta(), status: "Success", code: Int32(code))
        var body = (try? JSONValueEncoder().encodeToBytes(status)) ?? []
        body.append(UInt8(ascii: "\n"))
        return Self.jsonResponse(body, status: code)
    }

    // MARK: eviction

    /// `pods/{name}/eviction`: deletes the pod unless a PodDisruptionBudget forbids it (429).
    private func evict(
        _ request: APIRequest,
        store: ResourceStore,
        namespace: String?,
        name: String,
        query: QueryParameters
    ) async throws -> APIResponse {
        guard let subresource = store.resource.info.subresource(named: "eviction"),
            let evictionResource = ServedResource.body(of: subresource, parent: store.resource)
        else { throw APIError.pathNotFound() }
        let eviction = try Self.decodeBody(request, as: PolicyV1.Eviction.self, resource: evictionResource)
        guard let current = try await store.current(namespace: namespace, name: name) else {
            throw APIError.notFound(group: "", resource: "pods", name: name)
        }
        let pod = try JSONValueDecoder().decode(CoreV1.Pod.self, from: current.object)
        let phase = pod.status?.phase ?? ""
        // Terminal and being-deleted pods are evicted without consulting budgets, as upstream.
        if phase != "Succeeded" && phase != "Failed" && pod.metadata.deletionTimestamp == nil,
            let budgets = self.store(group: "policy", version: "v1", resource: "poddisruptionbudgets")
        {
            let page = try await self.readList(
                store: budgets,
                namespace: namespace,
                selection: try Selection(query: QueryParameters(""), resource: budgets.resource),
                limit: nil,
                continueToken: nil,
                resourceVersion: nil,
                match: nil
            )
            let labels = pod.metadata.labels ?? [:]
            var matching: [PolicyV1.PodDisruptionBudget] = []
            for item in page.items {
                guard let budget = try? JSONValueDecoder().decode(PolicyV1.PodDisruptionBudget.self, from: JSONValue.parse(item.bytes)),
                    let selector = budget.spec?.selector,
                    let parsed = try? Labels.Selector(selector),
                    !parsed.isEmpty, parsed.matches(labels)
                else { continue }
                matching.append(budget)
            }
            if matching.count > 1 {
                throw APIError.internalError("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
            }
            if let budget = matching.first, (budget.status?.disruptionsAllowed ?? 0) <= 0 {
                throw APIError.tooManyRequests(
                    "Cannot evict pod as it would violate the pod's disruption budget.",
                    retryAfterSeconds: 10
                ).withCause(
                    reason: "DisruptionBudget",
                    message: "The disruption budget \(budget.metadata.name ?? "") needs \(budget.status?.desiredHealthy ?? 0) healthy pods and has \(budget.status?.currentHealthy ?? 0) currently"
                )
            }
        }
        var options = eviction.deleteOptions ?? MetaV1.DeleteOptions()
        if options.preconditions == nil { options.preconditions = MetaV1.Preconditions(uid: pod.metadata.uid) }
        _ = try await store.delete(namespace: namespace, name: name, options: options, dryRun: try Self.dryRun(query))
        return Self.successStatus(code: 201)
    }

    // MARK: token

    /// `serviceaccounts/{name}/token`: a TokenRequest answered with a signed, bound, expiring token.
    private func issueToken(
        _ request: APIRequest,
        store: ResourceStore,
        namespace: String?,
        name: String,
        query: QueryParameters
    ) async throws -> APIResponse {
        guard let tokens = self.serviceAccountTokens,
            let subresource = store.resource.info.subresource(named: "token"),
            let requestResource = ServedResource.body(of: subresource, parent: store.resource)
        else {
            throw APIError.methodNotSupported(group: "", resource: "serviceaccounts/token", action: "create")
        }
        var tokenRequest = try Self.decodeBody(request, as: AuthenticationV1.TokenRequest.self, resource: requestResource)
        guard let current = try await store.current(namespace: namespace, name: name) else {
            throw APIError.notFound(group: "", resource: "serviceaccounts", name: name)
        }
        let uid = current.object["metadata"]?["uid"]?.stringValue ?? ""
        var spec = tokenRequest.spec ?? AuthenticationV1.TokenRequestSpec()
        let expiration = spec.expirationSeconds ?? 3600
        guard expiration >= 600 else {
            throw APIError.invalid(
                group: "authentication.k8s.io",
                kind: "TokenRequest",
                name: name,
                causes: [
                    APIError.Cause(
                        field: "spec.expirationSeconds",
                        reason: "FieldValueInvalid",
                        message: "spec.expirationSeconds: Invalid value: \(expiration): may not specify a duration less than 10 minutes"
                    )
                ]
            )
        }
        let audiences = (spec.audiences ?? []).isEmpty ? [ServiceAccountTokens.defaultIssuer] : spec.audiences!
        let bound = spec.boundObjectRef.map { ($0.kind ?? "", $0.name ?? "", $0.uid ?? "") }
        let now = Date()
        let issued = try tokens.issue(
            namespace: namespace ?? "",
            name: name,
            uid: uid,
            audiences: audiences,
            expirationSeconds: expiration,
            boundObject: bound,
            now: now
        )
        spec.audiences = audiences
        spec.expirationSeconds = expiration
        tokenRequest.spec = spec
        tokenRequest.metadata.name = name
        tokenRequest.metadata.namespace = namespace
        tokenRequest.metadata.creationTimestamp = Time(now)
        tokenRequest.status = AuthenticationV1.TokenRequestStatus(token: issued.token, expirationTimestamp: Time(issued.expiration))
        var json = try JSONValueEncoder().encode(tokenRequest)
        if case .object(var members) = json {
            members["kind"] = "TokenRequest"
            members["apiVersion"] = "authentication.k8s.io/v1"
            json = .object(members)
        }
        var body = json.serialized()
        body.append(UInt8(ascii: "\n"))
        return Self.jsonResponse(body, status: 201)
    }

    // MARK: virtual resources

    /// Create-only resources that are answered, not stored: reviews and bindings.
    func handleVirtual(_ request: APIRequest, info: RequestInfo, store: ResourceStore, query: QueryParameters) async throws -> APIResponse {
        let resource = store.resource
        guard info.verb == "create", info.subresource == nil else {
            throw APIError.methodNotSupported(group: resource.group, resource: resource.plural, action: info.verb)
        }
        if resource.plural == "bindings" {
            return try await self.bind(request, store: store, namespace: info.namespace, name: "", query: query)
        }
        let value = try RequestBody.decode(request, resource: resource)
        guard case .object(var object) = value else { throw ObjectCodec.cannotHandle(resource, "the request body must be a JSON object") }
        object["kind"] = .string(resource.kind)
        object["apiVersion"] = .string(resource.apiVersion)
        let user = request.user ?? UserInfo(name: "system:anonymous", groups: ["system:unauthenticated"])
        switch resource.plural {
        case "selfsubjectreviews":
            object["status"] = [
                "userInfo": [
                    "username": .string(user.name),
                    "uid": .string(user.uid),
                    "groups": .array(user.groups.map { .string($0) }),
                ]
            ]
        case "selfsubjectaccessreviews", "subjectaccessreviews", "localsubjectaccessreviews":
            // Authorization arrives with RBAC; until then every authenticated user may do everything.
            object["status"] = ["allowed": true, "reason": "Skiff allows every authenticated request until RBAC is enabled"]
        case "selfsubjectrulesreviews":
            object["status"] = [
                "resourceRules": [["verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]]],
                "nonResourceRules": [["verbs": ["*"], "nonResourceURLs": ["*"]]],
                "incomplete": false,
            ]
        default:
            throw APIError.methodNotSupported(group: resource.group, resource: resource.plural, action: "create")
        }
        if object["metadata"] == nil { object["metadata"] = [:] }
        var body = JSONValue.object(object).serialized()
        body.append(UInt8(ascii: "\n"))
        return Self.jsonResponse(body, status: 201)
    }
}

extension APIError {
    /// The error with one more cause in its details.
    func withCause(reason: String, message: String) -> APIError {
        var copy = self
        var details = copy.details ?? MetaV1.StatusDetails()
        details.causes = (details.causes ?? []) + [MetaV1.StatusCause(reason: reason, message: message)]
        copy.details = details
        return copy
    }
}

/// Patches on a Scale, which has no schema of its own worth merging strategically.
enum PatchApplierScale {
    static func json(_ patch: JSONValue, _ scale: JSONValue) throws(APIError) -> JSONValue {
        do { return try JSONPatch.apply(patch, to: scale) } catch { throw PatchApplier.apiError(error) }
    }

    static func merge(_ patch: JSONValue, _ scale: JSONValue) throws(APIError) -> JSONValue {
        do { return try JSONMergePatch.apply(patch, to: scale) } catch { throw PatchApplier.apiError(error) }
    }
}
