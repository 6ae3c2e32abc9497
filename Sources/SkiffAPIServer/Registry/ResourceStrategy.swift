#if canImport(FoundationEssentials)
    package import FoundationEssentials
#else
    package import Foundation
#endif
import SkiffAPI
package import SkiffAPIMachinery

/// Per-resource rules applied by the generic registry: defaults at create, what an update may change, object
/// metadata validation, and how a delete proceeds (↔ the `rest.RESTCreateStrategy`/`RESTUpdateStrategy`/
/// `RESTDeleteStrategy` of upstream's registries).
///
/// Create and update run upstream's defaulting (``Defaults``), the strategy's own preparation (a pod's
/// `Pending` phase and QoS class, a namespace's `Active` phase and `kubernetes` finalizer, a Job's generated
/// selector) and then per-type validation (``ObjectValidation``): any problem fails the request with one 422
/// Invalid listing every problem as a cause, before validating admission and persistence run.
package enum ResourceStrategy {
    // MARK: Create

    package static func prepareForCreate(_ object: inout any APIObject, resource: ServedResource, now: Date) throws {
        Defaults.apply(&object)
        switch object {
        case var pod as CoreV1.Pod:
            // Upstream's pod strategy replaces whatever status the request carried.
            var status = CoreV1.PodStatus(phase: "Pending", qosClass: Defaults.qosClass(of: pod))
            if !(pod.spec?.schedulingGates ?? []).isEmpty {
                status.conditions = [
                    CoreV1.PodCondition(
                        type: "PodScheduled",
                        status: "False",
                        reason: "SchedulingGated",
                        message: "Scheduling is blocked due to non-empty scheduling gates"
                    )
                ]
            }
            pod.status = status
            object = pod
        case var namespace as CoreV1.Namespace:
            var spec = namespace.spec ?? CoreV1.NamespaceSpec()
            if spec.finalizers == nil { spec.finalizers = ["kubernetes"] }
            namespace.spec = spec
            namespace.status = CoreV1.NamespaceStatus(phase: "Active")
            object = namespace
        case var job as BatchV1.Job:
            if job.spec?.manualSelector != true, var spec = job.spec {
                Self.generateSelector(&spec, name: job.metadata.name ?? "", uid: job.metadata.uid ?? "")
                job.spec = spec
            }
            object = job
        default:
            break
        }
        try Self.validateCreate(object, resource: resource)
    }

    /// Runs the per-type validation of a new object, throwing 422 Invalid with every problem.
    ///
    /// A name still to be generated from `generateName` is validated as the prefix plus a placeholder suffix,
    /// as upstream validates the generated name.
    static func validateCreate(_ object: any APIObject, resource: ServedResource) throws(APIError) {
        var candidate = object
        let generateName = object.metadata.generateName ?? ""
        if (object.metadata.name ?? "").isEmpty, !generateName.isEmpty {
            candidate.metadata.name = generateName + "xxxxx"
        }
        let errors = ObjectValidation.validateCreate(candidate, resource: resource)
        if !errors.isEmpty {
            throw APIError.invalid(group: resource.group, kind: resource.kind, name: object.metadata.name ?? "", errors: errors)
        }
    }

    /// Upstream's `generateSelector` for a Job without `manualSelector`: the template gets the job-name and
    /// controller-uid labels (both the legacy and the `batch.kubernetes.io/` forms) and the selector matches the
    /// controller uid.
    static func generateSelector(_ spec: inout BatchV1.JobSpec, name: String, uid: String) {
        var labels = spec.template.metadata.labels ?? [:]
        for key in ["job-name", "batch.kubernetes.io/job-name"] where labels[key] == nil { labels[key] = name }
        for key in ["controller-uid", "batch.kubernetes.io/controller-uid"] where labels[key] == nil { labels[key] = uid }
        spec.template.metadata.labels = labels
        var selector = spec.selector ?? MetaV1.LabelSelector()
        var matchLabels = selector.matchLabels ?? [:]
        if matchLabels["batch.kubernetes.io/controller-uid"] == nil { matchLabels["batch.kubernetes.io/controller-uid"] = uid }
        selector.matchLabels = matchLabels
        spec.selector = selector
    }

    // MARK: Update

    /// Applies the update rules to `object`, the new state built from the request, given the stored `old` one.
    ///
    /// Identity and lifecycle metadata (uid, creation time, deletion time and grace period) always come from the
    /// old object; `generation` increases when anything but metadata and status changed; with a status
    /// subresource, the main resource keeps the old status and the `status` subresource keeps everything but the
    /// status. `oldJSON`, when given, is `old`'s canonical JSON (as stored), which spares encoding it again.
    ///
    /// Returns the canonical JSON of the prepared object (what ``ObjectCodec/encode(_:as:)`` gives for it) when the
    /// rules left the encoded object as it was, so the write can store it without encoding the object again; `nil`
    /// when they edited it (a status kept, a generation bumped), in which case `object` is decoded from the edit.
    @discardableResult
    package static func prepareForUpdate(
        _ object: inout any APIObject,
        old: any APIObject,
        oldJSON: JSONValue? = nil,
        resource: ServedResource,
        subresource: String?,
        now: Date
    ) throws -> JSONValue? {
        var meta = object.metadata
        let oldMeta = old.metadata
        meta.uid = oldMeta.uid
        meta.creationTimestamp = oldMeta.creationTimestamp
        meta.deletionTimestamp = oldMeta.deletionTimestamp
        meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds
        meta.namespace = oldMeta.namespace
        meta.generateName = oldMeta.generateName
        meta.selfLink = nil
        meta.resourceVersion = "0"
        meta.generation = oldMeta.generation
        object.metadata = meta

        Defaults.apply(&object)
        var newJSON = try ObjectCodec.encode(object, as: resource)
        let oldJSON = try oldJSON ?? ObjectCodec.encode(old, as: resource)
        // Whether the rules below edit the encoded object; if not, `object` already is what decoding it would give.
        var edited = false
        // A subresource write keeps the rest of the old object; when it changed nothing else (a status write
        // usually does not), the object is left as it is, without decoding it again.
        if subresource == "status" {
            let kept = Self.keeping(["status"], of: newJSON, in: oldJSON)
            if kept != newJSON { (newJSON, edited) = (kept, true) }
        } else if subresource == "ephemeralcontainers" {
            // pods/ephemeralcontainers changes spec.ephemeralContainers and nothing else (↔
            // podEphemeralContainersStrategy.PrepareForUpdate).
            let kept = Self.keeping(["spec", "ephemeralContainers"], of: newJSON, in: oldJSON)
            if kept != newJSON { (newJSON, edited) = (kept, true) }
        } else if resource.hasStatus, case .object(var members) = newJSON, members["status"] != oldJSON["status"] {
            // The main resource keeps the old status (a request that sent it unchanged edits nothing).
            members["status"] = oldJSON["status"]
            newJSON = .object(members)
            edited = true
        }
        if Self.tracksGeneration(resource), Self.specDiffers(newJSON, oldJSON), case .object(var members) = newJSON,
            case .object(var metadata)? = members["metadata"]
        {
            metadata["generation"] = .int((oldMeta.generation ?? 0) + 1)
            members["metadata"] = .object(metadata)
            newJSON = .object(members)
            edited = true
        }
        if edited { object = try ObjectCodec.decode(newJSON, as: resource).object }
        let errors = ObjectValidation.validateUpdate(object, old: old, resource: resource, subresource: subresource)
        if !errors.isEmpty {
            throw APIError.invalid(group: resource.group, kind: resource.kind, name: meta.name ?? "", errors: errors)
        }
        // `.none` spelled out: a bare `nil` beside a JSONValue would be JSON's null.
        guard !edited else { return .none }
        return newJSON
    }

    /// `old` with the value at `path` taken from `new`: what a subresource write may change. The write's
    /// managedFields come along (the subresource writer's server-side apply bookkeeping).
    private static func keeping(_ path: [String], of new: JSONValue, in old: JSONValue) -> JSONValue {
        var value: JSONValue? = new
        for key in path { value = value?[key] }
        func replacing(_ target: JSONValue, at rest: ArraySlice<String>) -> JSONValue {
            guard let key = rest.first, case .object(var members) = target else { return target }
            if rest.count == 1 {
                members[key] = value
            } else {
                guard let child = members[key] else { return target }
                members[key] = replacing(child, at: rest.dropFirst())
            }
            return .object(members)
        }
        var merged = replacing(old, at: path[...])
        if case .object(var members) = merged, case .object(var metadata)? = members["metadata"] {
            metadata["resourceVersion"] = "0"
            metadata["managedFields"] = new["metadata"]?["managedFields"]
            members["metadata"] = .object(metadata)
            merged = .object(members)
        }
        return merged
    }

    /// Whether the resource's strategy maintains `metadata.generation`: upstream's workload and policy kinds
    /// (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController, Ingress, …), not plain
    /// data (ConfigMap, Secret) or core kinds whose strategies leave it unset (Pod, Service, Node, Namespace). A
    /// fixed list rather than a schema lookup, so serving does not parse the whole compiled-in schema.
    package static func tracksGeneration(_ resource: ServedResource) -> Bool {
        Self.generationTracking.contains(resource.group + "/" + resource.plural)
    }

    /// The resources whose upstream strategies set and bump `metadata.generation`.
    private static let generationTracking: Set<String> = [
        "/replicationcontrollers", "apps/deployments", "apps/replicasets", "apps/statefulsets", "apps/daemonsets",
        "batch/jobs", "batch/cronjobs", "networking.k8s.io/ingresses", "networking.k8s.io/networkpolicies",
        "policy/poddisruptionbudgets", "autoscaling/horizontalpodautoscalers",
        "apiextensions.k8s.io/customresourcedefinitions", "admissionregistration.k8s.io/validatingadmissionpolicies",
        "admissionregistration.k8s.io/mutatingadmissionpolicies", "admissionregistration.k8s.io/validatingwebhookconfigurations",
        "admissionregistration.k8s.io/mutatingwebhookconfigurations", "storage.k8s.io/volumeattachments",
        "certificates.k8s.io/certificatesigningrequests",
    ]

    /// Whether anything besides metadata, status, kind and apiVersion differs.
    private static func specDiffers(_ new: JSONValue, _ old: JSONValue) -> Bool {
        guard case .object(let newMembers) = new, case .object(let oldMembers) = old else { return new != old }
        let ignored: Set<String> = ["metadata", "status", "kind", "apiVersion"]
        var newRest = JSONObject()
        for (key, value) in newMembers where !ignored.contains(key) { newRest[key] = value }
        var oldRest = JSONObject()
        for (key, value) in oldMembers where !ignored.contains(key) { oldRest[key] = value }
        return newRest != oldRest
    }

    /// Whether an update that leaves `object` with a deletion timestamp lets it go: no finalizers left (and, for
    /// a namespace, no `spec.finalizers`).
    package static func isReadyToDelete(_ object: any APIObject) -> Bool {
        guard object.metadata.deletionTimestamp != nil, (object.metadata.finalizers ?? []).isEmpty else { return false }
        if let namespace = object as? CoreV1.Namespace { return (namespace.spec?.finalizers ?? []).isEmpty }
        return true
    }

    // MARK: Validation

    /// Validates the object metadata every resource shares: name (or generateName on create), namespace,
    /// labels, annotations, owner references and finalizers (upstream's `ValidateObjectMeta`).
    ///
    /// The prepare functions already validate each kind, metadata included; this check is cheap and stays for
    /// callers that write objects without them.
    package static func validateObjectMeta(
        _ meta: MetaV1.ObjectMeta,
        resource: ServedResource,
        isCreate: Bool
    ) throws(APIError) {
        var candidate = meta
        if isCreate, (meta.name ?? "").isEmpty, let generateName = meta.generateName, !generateName.isEmpty {
            candidate.name = generateName + "xxxxx"
        }
        if resource.isNamespaced, (candidate.namespace ?? "").isEmpty { candidate.namespace = "-" }
        let errors = CommonValidation.objectMeta(
            candidate,
            namespaced: resource.isNamespaced,
            name: ObjectValidation.nameRule(resource)
        )
        if !errors.isEmpty {
            throw APIError.invalid(group: resource.group, kind: resource.kind, name: meta.name ?? "", errors: errors)
        }
    }

    // MARK: Delete

    /// How a delete proceeds.
    package enum DeletePlan: Sendable {
        /// Remove the key now.
        case immediate
        /// Write the object (now marked for deletion) and let its finalizers or grace period run.
        case graceful
    }

    /// Marks `object` for deletion as upstream's `BeforeDelete` does and says whether it goes now.
    package static func planDelete(
        _ object: inout any APIObject,
        resource: ServedResource,
        options: MetaV1.DeleteOptions,
        now: Date
    ) -> DeletePlan {
        var meta = object.metadata
        var finalizers = meta.finalizers ?? []
        let alreadyDeleting = meta.deletionTimestamp != nil
        // Propagation policy: Orphan and Foreground are recorded as finalizers for the garbage collector.
        let policy = options.propagationPolicy ?? (options.orphanDependents == true ? "Orphan" : nil)
        if !alreadyDeleting {
            if policy == "Orphan", !finalizers.contains("orphan") { finalizers.append("orphan") }
            if policy == "Foreground", !finalizers.contains("foregroundDeletion") {
                finalizers.append("foregroundDeletion")
            }
        }
        meta.finalizers = finalizers.isEmpty ? nil : finalizers

        if var namespace = object as? CoreV1.Namespace {
            if !alreadyDeleting {
                namespace.metadata.deletionTimestamp = Time(now)
                namespace.metadata.deletionGracePeriodSeconds = 0
                namespace.metadata.finalizers = meta.finalizers
                namespace.status = CoreV1.NamespaceStatus(phase: "Terminating", conditions: namespace.status?.conditions)
            }
            object = namespace
            return Self.isReadyToDelete(namespace) ? .immediate : .graceful
        }

        if let pod = object as? CoreV1.Pod, !alreadyDeleting, !(pod.spec?.nodeName ?? "").isEmpty {
            let grace = options.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30
            if grace > 0 {
                meta.deletionTimestamp = Time(now.addingTimeInterval(TimeInterval(grace)))
                meta.deletionGracePeriodSeconds = grace
                object.metadata = meta
                return .graceful
            }
        }

        if !finalizers.isEmpty {
            if !alreadyDeleting {
                meta.deletionTimestamp = Time(now)
                meta.deletionGracePeriodSeconds = 0
            }
            object.metadata = meta
            return .graceful
        }
        object.metadata = meta
        return .immediate
    }
}
