import SkiffAPI
import SkiffAPIMachinery

extension PodValidation {
    /// The Forbidden message of a pod update that changes more than the mutable fields (the Go diff upstream
    /// appends is replaced by a list of the changed fields).
    static let updateForbiddenMessage =
        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
        + "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
        + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"

    /// `ValidatePodEphemeralContainersUpdate`: the pod is valid (its ephemeral containers included), not a static
    /// pod, and the ephemeral containers it had are all still there, unchanged.
    static func validateEphemeralContainersUpdate(_ new: CoreV1.Pod, old: CoreV1.Pod) -> [FieldError] {
        var errors = CommonValidation.objectMetaUpdate(new.metadata, old: old.metadata)
        errors += Self.metadataAndSpec(forUpdate: new)
        if old.metadata.annotations?["kubernetes.io/config.mirror"] != nil {
            return [.forbidden(FieldPath(""), "static pods do not support ephemeral containers")]
        }
        let path = FieldPath("spec").child("ephemeralContainers")
        let byName = Dictionary(
            (new.spec?.ephemeralContainers ?? []).map { ($0.name, $0) },
            uniquingKeysWith: { first, _ in first }
        )
        for container in old.spec?.ephemeralContainers ?? [] {
            // Upstream's messages end with a newline (and a diff, for a change).
            if let updated = byName[container.name] {
                if updated != container {
                    errors.append(.forbidden(path, "existing ephemeral containers \"\(container.name)\" may not be changed\n"))
                }
            } else {
                errors.append(.forbidden(path, "existing ephemeral containers \"\(container.name)\" may not be removed\n"))
            }
        }
        return errors
    }

    /// `ValidatePodUpdate`: the new pod is valid and changes only images, the active deadline (down), tolerations
    /// (additions) and the scheduling gates (removals).
    ///
    /// `allowsBinding` lets `spec.nodeName` go from unset to set.
    static func validateUpdate(_ new: CoreV1.Pod, old: CoreV1.Pod, allowsBinding: Bool) -> [FieldError] {
        var errors = CommonValidation.objectMetaUpdate(new.metadata, old: old.metadata)
        errors += Self.metadataAndSpec(forUpdate: new)
        let specPath = FieldPath("spec")
        let newSpec = new.spec ?? CoreV1.PodSpec(containers: [])
        let oldSpec = old.spec ?? CoreV1.PodSpec(containers: [])

        let (containerErrors, stop) = Self.containerUpdates(newSpec.containers, oldSpec.containers, path: specPath.child("containers"))
        errors += containerErrors
        if stop { return errors }
        let (initErrors, stopInit) = Self.containerUpdates(
            newSpec.initContainers ?? [],
            oldSpec.initContainers ?? [],
            path: specPath.child("initContainers")
        )
        errors += initErrors
        if stopInit { return errors }

        let deadlinePath = specPath.child("activeDeadlineSeconds")
        if let newDeadline = newSpec.activeDeadlineSeconds {
            if newDeadline < 0 || newDeadline > Int64(Int32.max) {
                errors.append(.invalid(deadlinePath, newDeadline, Validation.inclusiveRangeError(0, Int(Int32.max))))
                return errors
            }
            if let oldDeadline = oldSpec.activeDeadlineSeconds, oldDeadline < newDeadline {
                errors.append(.invalid(deadlinePath, newDeadline, "must be less than or equal to previous value"))
                return errors
            }
        } else if oldSpec.activeDeadlineSeconds != nil {
            errors.append(.invalid(deadlinePath, .null, "must not update from a positive integer to nil value"))
        }

        errors += Self.onlyAddedTolerations(newSpec.tolerations ?? [], old: oldSpec.tolerations ?? [], path: specPath.child("tolerations"))
        let oldGates = Set((oldSpec.schedulingGates ?? []).map(\.name))
        if let added = (newSpec.schedulingGates ?? []).first(where: { !oldGates.contains($0.name) }) {
            errors.append(
                .forbidden(
                    specPath.child("schedulingGates"),
                    "only deletion is allowed, but found new scheduling gate '\(added.name)'"
                )
            )
        }
        if newSpec == oldSpec { return errors }

        var munged = newSpec
        for index in munged.containers.indices { munged.containers[index].image = oldSpec.containers[index].image }
        if var initContainers = munged.initContainers {
            for index in initContainers.indices { initContainers[index].image = oldSpec.initContainers?[index].image }
            munged.initContainers = initContainers
        }
        munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds
        munged.schedulingGates = oldSpec.schedulingGates
        munged.tolerations = oldSpec.tolerations
        if let oldGrace = oldSpec.terminationGracePeriodSeconds, oldGrace < 0, munged.terminationGracePeriodSeconds == 1 {
            munged.terminationGracePeriodSeconds = oldGrace
        }
        if allowsBinding, (oldSpec.nodeName ?? "").isEmpty {
            munged.nodeName = oldSpec.nodeName
        }
        if !Self.semanticallyEqual(munged, oldSpec) {
            errors.append(.forbidden(specPath, Self.updateForbiddenMessage + "\n" + Self.changedFields(munged, oldSpec)))
        }
        return errors
    }

    /// Metadata and spec validation of an updated pod (the create rules except `cannot be set on create`).
    private static func metadataAndSpec(forUpdate pod: CoreV1.Pod) -> [FieldError] {
        var errors = CommonValidation.objectMeta(pod.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        guard let spec = pod.spec else { return errors + [.required(FieldPath("spec").child("containers"), "")] }
        errors += Self.podSpec(spec, path: FieldPath("spec"))
        return errors
    }

    /// `ValidateContainerUpdates`: the same number of containers, each with an image.
    private static func containerUpdates(_ new: [CoreV1.Container], _ old: [CoreV1.Container], path: FieldPath)
        -> ([FieldError], Bool)
    {
        if new.count != old.count {
            return ([.forbidden(path, "pod updates may not add or remove containers")], true)
        }
        var errors: [FieldError] = []
        for (index, container) in new.enumerated() {
            let image = container.image ?? ""
            if image.isEmpty { errors.append(.required(path.index(index).child("image"), "")) }
            if Self.trimmed(image) != image {
                errors.append(.invalid(path.index(index).child("image"), image, "must not have leading or trailing whitespace"))
            }
        }
        return (errors, false)
    }

    /// `validateOnlyAddedTolerations`: every old toleration is still there (its `tolerationSeconds` may change).
    private static func onlyAddedTolerations(_ new: [CoreV1.Toleration], old: [CoreV1.Toleration], path: FieldPath)
        -> [FieldError]
    {
        for oldToleration in old {
            let found = new.contains { candidate in
                var clone = oldToleration
                clone.tolerationSeconds = candidate.tolerationSeconds
                return clone == candidate
            }
            if !found {
                return [.forbidden(path, "existing toleration can not be modified except its tolerationSeconds")]
            }
        }
        return Self.tolerations(new, path: path)
    }

    /// Equality as upstream's `Semantic.DeepEqual`: empty and missing lists and maps are the same.
    static func semanticallyEqual(_ lhs: CoreV1.PodSpec, _ rhs: CoreV1.PodSpec) -> Bool {
        if lhs == rhs { return true }
        guard let left = try? JSONValueEncoder().encode(lhs), let right = try? JSONValueEncoder().encode(rhs) else {
            return false
        }
        return Self.pruned(left) == Self.pruned(right)
    }

    /// `value` without empty arrays and objects (recursively).
    static func pruned(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .array(let items):
            let kept = items.map { Self.pruned($0) ?? .object(JSONObject()) }
            return kept.isEmpty ? nil : .array(kept)
        case .object(let members):
            var kept = JSONObject()
            for (key, member) in members {
                if let pruned = Self.pruned(member) { kept[key] = pruned }
            }
            return kept.isEmpty ? nil : .object(kept)
        default:
            return value
        }
    }

    /// The top-level spec fields that differ, one per line (`spec.nodeName`), standing in for upstream's diff.
    private static func changedFields(_ new: CoreV1.PodSpec, _ old: CoreV1.PodSpec) -> String {
        guard let left = (try? JSONValueEncoder().encode(new)).flatMap(Self.pruned),
            let right = (try? JSONValueEncoder().encode(old)).flatMap(Self.pruned),
            case .object(let newMembers) = left, case .object(let oldMembers) = right
        else { return "" }
        let keys = Set(newMembers.keys).union(oldMembers.keys).sorted()
        return keys.filter { newMembers[$0] != oldMembers[$0] }.map { "  spec.\($0): changed" }.joined(separator: "\n")
    }
}
