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
/// This covers the metadata rules every resource shares and the few type-specific defaults clients depend on at
/// once (a pod's `Pending` phase, a namespace's `Active` phase and `kubernetes` finalizer). Full defaulting and
/// validation of each type's spec is the next step (issue #4).
package enum ResourceStrategy {
    // MARK: Create

    package static func prepareForCreate(_ object: inout any APIObject, resource: ServedResource, now: Date) throws {
        Defaults.apply(&object)
        switch object {
        case var pod as CoreV1.Pod:
            var status = pod.status ?? CoreV1.PodStatus()
            if (status.phase ?? "").isEmpty { status.phase = "Pending" }
            pod.status = status
            object = pod
        case var namespace as CoreV1.Namespace:
            var spec = namespace.spec ?? CoreV1.NamespaceSpec()
            if spec.finalizers == nil { spec.finalizers = ["kubernetes"] }
            namespace.spec = spec
            namespace.status = CoreV1.NamespaceStatus(phase: "Active")
            object = namespace
        default:
            break
        }
    }

    // MARK: Update

    /// Applies the update rules to `object`, the new state built from the request, given the stored `old` one.
    ///
    /// Identity and lifecycle metadata (uid, creation time, deletion time and grace period) always come from the
    /// old object; `generation` increases when anything but metadata and status changed; with a status
    /// subresource, the main resource keeps the old status and the `status` subresource keeps everything but the
    /// status.
    package static func prepareForUpdate(
        _ object: inout any APIObject,
        old: any APIObject,
        resource: ServedResource,
        subresource: String?,
        now: Date
    ) throws {
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
        let oldJSON = try ObjectCodec.encode(old, as: resource)
        if subresource == "status" {
            var merged = oldJSON
            if case .object(var members) = merged {
                members["status"] = newJSON["status"]
                if case .object(var metadata)? = members["metadata"] {
                    metadata["resourceVersion"] = "0"
                    members["metadata"] = .object(metadata)
                }
                merged = .object(members)
            }
            newJSON = merged
        } else if resource.hasStatus, case .object(var members) = newJSON {
            members["status"] = oldJSON["status"]
            newJSON = .object(members)
        }
        if Self.tracksGeneration(resource), Self.specDiffers(newJSON, oldJSON), case .object(var members) = newJSON,
            case .object(var metadata)? = members["metadata"]
        {
            metadata["generation"] = .int((oldMeta.generation ?? 0) + 1)
            members["metadata"] = .object(metadata)
            newJSON = .object(members)
        }
        object = try ObjectCodec.decode(newJSON, as: resource).object
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

    /// Validates the object metadata every resource shares: name, labels, annotations.
    package static func validateObjectMeta(
        _ meta: MetaV1.ObjectMeta,
        resource: ServedResource,
        isCreate: Bool
    ) throws(APIError) {
        var causes: [APIError.Cause] = []
        let name = meta.name ?? ""
        if name.isEmpty {
            if !isCreate || (meta.generateName ?? "").isEmpty {
                causes.append(
                    APIError.Cause(
                        field: "metadata.name",
                        reason: "FieldValueRequired",
                        message: "metadata.name: Required value: name or generateName is required"
                    )
                )
            }
        } else {
            for problem in Self.nameProblems(name, resource: resource) {
                causes.append(
                    APIError.Cause(
                        field: "metadata.name",
                        reason: "FieldValueInvalid",
                        message: "metadata.name: Invalid value: \"\(name)\": \(problem)"
                    )
                )
            }
        }
        for (key, value) in (meta.labels ?? [:]).sorted(by: { $0.key < $1.key }) {
            for problem in Validation.isQualifiedName(key) {
                causes.append(
                    APIError.Cause(
                        field: "metadata.labels",
                        reason: "FieldValueInvalid",
                        message: "metadata.labels: Invalid value: \"\(key)\": \(problem)"
                    )
                )
            }
            for problem in Validation.isValidLabelValue(value) {
                causes.append(
                    APIError.Cause(
                        field: "metadata.labels",
                        reason: "FieldValueInvalid",
                        message: "metadata.labels: Invalid value: \"\(value)\": \(problem)"
                    )
                )
            }
        }
        if let annotations = meta.annotations {
            for key in annotations.keys.sorted() {
                for problem in Validation.isQualifiedName(key.lowercased()) {
                    causes.append(
                        APIError.Cause(
                            field: "metadata.annotations",
                            reason: "FieldValueInvalid",
                            message: "metadata.annotations: Invalid value: \"\(key)\": \(problem)"
                        )
                    )
                }
            }
            if let problem = Validation.validateAnnotationsSize(annotations) {
                causes.append(
                    APIError.Cause(
                        field: "metadata.annotations",
                        reason: "FieldValueTooLong",
                        message: "metadata.annotations: Too long: \(problem)"
                    )
                )
            }
        }
        if !causes.isEmpty {
            throw APIError.invalid(group: resource.group, kind: resource.kind, name: name, causes: causes)
        }
    }

    /// Upstream's name rule per resource: a DNS label for namespaces, a path segment for RBAC objects, a DNS
    /// subdomain otherwise.
    private static func nameProblems(_ name: String, resource: ServedResource) -> [String] {
        switch (resource.group, resource.plural) {
        case ("", "namespaces"):
            return Validation.isDNS1123Label(name)
        case ("rbac.authorization.k8s.io", _):
            return Validation.isValidPathSegmentName(name)
        default:
            return Validation.isDNS1123Subdomain(name)
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
