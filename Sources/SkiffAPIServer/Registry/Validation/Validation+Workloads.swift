import SkiffAPI
import SkiffAPIMachinery

/// Upstream's validation of the workload kinds (↔ `pkg/apis/apps/validation`, `pkg/apis/batch/validation`, and
/// the ReplicationController rules of `pkg/apis/core/validation`).
enum WorkloadValidation {
    static let selectorMismatch = "`selector` does not match template `labels`"

    /// Whether the selector has neither `matchLabels` nor `matchExpressions` (a missing selector decodes so).
    static func isMissing(_ selector: MetaV1.LabelSelector?) -> Bool {
        guard let selector else { return true }
        return selector.matchLabels == nil && selector.matchExpressions == nil
    }

    static func isEmpty(_ selector: MetaV1.LabelSelector) -> Bool {
        (selector.matchLabels ?? [:]).isEmpty && (selector.matchExpressions ?? []).isEmpty
    }

    /// The selector a (possibly missing) `LabelSelector` describes, or `nil` when it cannot be built.
    static func selector(_ selector: MetaV1.LabelSelector?) -> Labels.Selector? {
        try? Labels.Selector(selector)
    }

    /// The selector-matches-labels rule of `ValidatePodTemplateSpecForReplicaSet` and its kin.
    static func selectorMatches(
        _ selector: Labels.Selector?,
        template: CoreV1.PodTemplateSpec,
        path: FieldPath,
        requireNonEmpty: Bool = true
    ) -> [FieldError] {
        guard let selector else { return [] }
        if requireNonEmpty && selector.isEmpty { return [] }
        guard !selector.matches(template.metadata.labels ?? [:]) else { return [] }
        return [
            .invalid(
                path.child("metadata", "labels"),
                .formatted(GoSyntax.stringMap(template.metadata.labels)),
                Self.selectorMismatch
            )
        ]
    }

    /// `ValidatePodTemplateSpecForReplicaSet`: selector match, template, `Always` restart, no deadline.
    static func templateForReplicaSet(
        _ template: CoreV1.PodTemplateSpec?,
        selector: Labels.Selector?,
        kind: String,
        path: FieldPath
    ) -> [FieldError] {
        guard let template else { return [.required(path, "")] }
        var errors = Self.selectorMatches(selector, template: template, path: path)
        errors += PodValidation.podTemplateSpec(template, path: path)
        let restartPolicy = template.spec?.restartPolicy ?? ""
        if restartPolicy != "Always" {
            errors.append(.notSupported(path.child("spec", "restartPolicy"), restartPolicy, ["Always"]))
        }
        if template.spec?.activeDeadlineSeconds != nil {
            errors.append(
                .forbidden(path.child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in \(kind) is not Supported")
            )
        }
        return errors
    }

    /// The selector checks shared by Deployment, ReplicaSet and StatefulSet: required, valid, not empty.
    private static func requiredSelector(_ selector: MetaV1.LabelSelector, emptyKind: String, path: FieldPath)
        -> [FieldError]
    {
        if Self.isMissing(selector) { return [.required(path, "")] }
        var errors = CommonValidation.labelSelector(selector, path: path)
        if Self.isEmpty(selector) {
            errors.append(
                .invalid(path, .formatted(CommonValidation.goLabelSelector(selector)), "empty selector is invalid for \(emptyKind)")
            )
        }
        return errors
    }

    /// The selector as validation builds it: `nil` (selects nothing) when missing.
    private static func effectiveSelector(_ selector: MetaV1.LabelSelector) -> Labels.Selector? {
        Self.isMissing(selector) ? .nothing : Self.selector(selector)
    }

    // MARK: Deployment

    static func deployment(_ deployment: AppsV1.Deployment) -> [FieldError] {
        var errors = CommonValidation.objectMeta(deployment.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let path = FieldPath("spec")
        let spec = deployment.spec ?? AppsV1.DeploymentSpec()
        errors += CommonValidation.nonnegative(spec.replicas, path: path.child("replicas"))
        errors += Self.requiredSelector(spec.selector, emptyKind: "deployment", path: path.child("selector"))
        if let selector = Self.effectiveSelector(spec.selector) {
            errors += Self.templateForReplicaSet(spec.template, selector: selector, kind: "ReplicaSet", path: path.child("template"))
        } else {
            errors.append(
                .invalid(path.child("selector"), .formatted(CommonValidation.goLabelSelector(spec.selector)), "invalid label selector")
            )
        }
        errors += Self.deploymentStrategy(spec.strategy, path: path.child("strategy"))
        errors += CommonValidation.nonnegative(spec.minReadySeconds, path: path.child("minReadySeconds"))
        errors += CommonValidation.nonnegative(spec.revisionHistoryLimit, path: path.child("revisionHistoryLimit"))
        if let deadline = spec.progressDeadlineSeconds {
            errors += CommonValidation.nonnegative(deadline, path: path.child("progressDeadlineSeconds"))
            if deadline <= spec.minReadySeconds ?? 0 {
                errors.append(.invalid(path.child("progressDeadlineSeconds"), deadline, "must be greater than minReadySeconds"))
            }
        }
        return errors
    }

    private static func deploymentStrategy(_ strategy: AppsV1.DeploymentStrategy?, path: FieldPath) -> [FieldError] {
        let strategy = strategy ?? AppsV1.DeploymentStrategy()
        switch strategy.type ?? "" {
        case "Recreate":
            if strategy.rollingUpdate != nil {
                return [.forbidden(path.child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")]
            }
            return []
        case "RollingUpdate":
            guard let rolling = strategy.rollingUpdate else {
                return [.required(path.child("rollingUpdate"), "this should be defaulted and never be nil")]
            }
            let rollingPath = path.child("rollingUpdate")
            var errors = CommonValidation.positiveIntOrPercent(rolling.maxUnavailable, path: rollingPath.child("maxUnavailable"))
            errors += CommonValidation.positiveIntOrPercent(rolling.maxSurge, path: rollingPath.child("maxSurge"))
            if Self.intOrPercentValue(rolling.maxUnavailable) == 0 && Self.intOrPercentValue(rolling.maxSurge) == 0 {
                errors.append(
                    .invalid(
                        rollingPath.child("maxUnavailable"),
                        rolling.maxUnavailable.map(CommonValidation.intOrStringValue) ?? .null,
                        "may not be 0 when `maxSurge` is 0"
                    )
                )
            }
            errors += CommonValidation.notMoreThan100Percent(rolling.maxUnavailable, path: rollingPath.child("maxUnavailable"))
            return errors
        default:
            let rolling = strategy.rollingUpdate == nil ? "(*apps.RollingUpdateDeployment)(nil)" : "(*apps.RollingUpdateDeployment)(0xc000000000)"
            return [
                .notSupported(
                    path,
                    .formatted("apps.DeploymentStrategy{Type:\(GoSyntax.quoted(strategy.type ?? "")), RollingUpdate:\(rolling)}"),
                    ["Recreate", "RollingUpdate"]
                )
            ]
        }
    }

    /// Upstream's `getIntOrPercentValue`: the integer, or the percentage's number (0 when unparsable).
    static func intOrPercentValue(_ value: IntOrString?) -> Int {
        switch value {
        case .int(let number)?: Int(number)
        case .string(let string)?: string.hasSuffix("%") ? Int(string.dropLast()) ?? 0 : 0
        case nil: 0
        }
    }

    // MARK: ReplicaSet and ReplicationController

    static func replicaSet(_ replicaSet: AppsV1.ReplicaSet) -> [FieldError] {
        var errors = CommonValidation.objectMeta(replicaSet.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let path = FieldPath("spec")
        let spec = replicaSet.spec ?? AppsV1.ReplicaSetSpec()
        errors += CommonValidation.nonnegative(spec.replicas, path: path.child("replicas"))
        errors += CommonValidation.nonnegative(spec.minReadySeconds, path: path.child("minReadySeconds"))
        errors += Self.requiredSelector(spec.selector, emptyKind: "deployment", path: path.child("selector"))
        if let selector = Self.effectiveSelector(spec.selector) {
            errors += Self.templateForReplicaSet(spec.template, selector: selector, kind: "ReplicaSet", path: path.child("template"))
        } else {
            errors.append(
                .invalid(path.child("selector"), .formatted(CommonValidation.goLabelSelector(spec.selector)), "invalid label selector")
            )
        }
        return errors
    }

    static func replicationController(_ controller: CoreV1.ReplicationController) -> [FieldError] {
        var errors = CommonValidation.objectMeta(controller.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let path = FieldPath("spec")
        let spec = controller.spec ?? CoreV1.ReplicationControllerSpec()
        errors += CommonValidation.nonnegative(spec.minReadySeconds, path: path.child("minReadySeconds"))
        if (spec.selector ?? [:]).isEmpty { errors.append(.required(path.child("selector"), "")) }
        errors += CommonValidation.nonnegative(spec.replicas, path: path.child("replicas"))
        let selector = Labels.Selector(spec.selector ?? [:])
        errors += Self.templateForReplicaSet(
            spec.template,
            selector: selector,
            kind: "ReplicationController",
            path: path.child("template")
        )
        return errors
    }

    // MARK: StatefulSet

    static func statefulSet(_ statefulSet: AppsV1.StatefulSet) -> [FieldError] {
        var errors = CommonValidation.objectMeta(statefulSet.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let path = FieldPath("spec")
        let spec = statefulSet.spec ?? AppsV1.StatefulSetSpec()
        switch spec.podManagementPolicy ?? "" {
        case "": errors.append(.required(path.child("podManagementPolicy"), ""))
        case "OrderedReady", "Parallel": break
        default:
            errors.append(
                .invalid(path.child("podManagementPolicy"), spec.podManagementPolicy!, "must be 'OrderedReady' or 'Parallel'")
            )
        }
        let strategy = spec.updateStrategy ?? AppsV1.StatefulSetUpdateStrategy()
        switch strategy.type ?? "" {
        case "": errors.append(.required(path.child("updateStrategy"), ""))
        case "OnDelete":
            if strategy.rollingUpdate != nil {
                errors.append(
                    .invalid(
                        path.child("updateStrategy", "rollingUpdate"),
                        .formatted("&apps.RollingUpdateStatefulSetStrategy{Partition:\(strategy.rollingUpdate?.partition ?? 0), MaxUnavailable:(*intstr.IntOrString)(nil)}"),
                        "only allowed for updateStrategy 'RollingUpdate'"
                    )
                )
            }
        case "RollingUpdate":
            if let partition = strategy.rollingUpdate?.partition {
                errors += CommonValidation.nonnegative(partition, path: path.child("updateStrategy", "rollingUpdate", "partition"))
            }
        default:
            errors.append(
                .invalid(
                    path.child("updateStrategy"),
                    .formatted("apps.StatefulSetUpdateStrategy{Type:\(GoSyntax.quoted(strategy.type ?? "")), RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}"),
                    "must be 'RollingUpdate' or 'OnDelete'"
                )
            )
        }
        if let retention = spec.persistentVolumeClaimRetentionPolicy {
            let retentionPath = path.child("persistentVolumeClaimRetentionPolicy")
            for (name, value) in [("whenDeleted", retention.whenDeleted), ("whenScaled", retention.whenScaled)] {
                let value = value ?? ""
                if value != "Retain" && value != "Delete" {
                    errors.append(.notSupported(retentionPath.child(name), value, ["Retain", "Delete"]))
                }
            }
        }
        errors += CommonValidation.nonnegative(spec.replicas, path: path.child("replicas"))
        if let start = spec.ordinals?.start {
            errors += CommonValidation.nonnegative(start, path: path.child("ordinals", "start"))
        }
        errors += CommonValidation.nonnegative(spec.minReadySeconds, path: path.child("minReadySeconds"))
        errors += Self.requiredSelector(spec.selector, emptyKind: "statefulset", path: path.child("selector"))
        if let selector = Self.effectiveSelector(spec.selector) {
            let templatePath = path.child("template")
            errors += Self.selectorMatches(selector, template: spec.template, path: templatePath)
            errors += CommonValidation.labels(spec.template.metadata.labels, path: templatePath.child("labels"))
            errors += CommonValidation.annotations(spec.template.metadata.annotations, path: templatePath.child("annotations"))
        } else {
            errors.append(.invalid(path.child("selector"), .formatted(CommonValidation.goLabelSelector(spec.selector)), ""))
        }
        let restartPolicy = spec.template.spec?.restartPolicy ?? ""
        if restartPolicy != "Always" {
            errors.append(.notSupported(path.child("template", "spec", "restartPolicy"), restartPolicy, ["Always"]))
        }
        if spec.template.spec?.activeDeadlineSeconds != nil {
            errors.append(
                .forbidden(
                    path.child("template", "spec", "activeDeadlineSeconds"),
                    "activeDeadlineSeconds in StatefulSet is not Supported"
                )
            )
        }
        return errors
    }

    /// `ValidateStatefulSetUpdate`: only replicas, ordinals, template, update strategy, retention policy and
    /// minReadySeconds may change.
    static func statefulSetUpdate(_ new: AppsV1.StatefulSet, old: AppsV1.StatefulSet) -> [FieldError] {
        var errors = CommonValidation.objectMetaUpdate(new.metadata, old: old.metadata)
        errors += Self.statefulSet(new)
        var restored = new.spec ?? AppsV1.StatefulSetSpec()
        let oldSpec = old.spec ?? AppsV1.StatefulSetSpec()
        restored.replicas = oldSpec.replicas
        restored.ordinals = oldSpec.ordinals
        restored.template = oldSpec.template
        restored.updateStrategy = oldSpec.updateStrategy
        restored.minReadySeconds = oldSpec.minReadySeconds
        restored.persistentVolumeClaimRetentionPolicy = oldSpec.persistentVolumeClaimRetentionPolicy
        if restored != oldSpec {
            errors.append(
                .forbidden(
                    FieldPath("spec"),
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                        + "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
                )
            )
        }
        return errors
    }

    // MARK: DaemonSet

    static func daemonSet(_ daemonSet: AppsV1.DaemonSet) -> [FieldError] {
        var errors = CommonValidation.objectMeta(daemonSet.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let path = FieldPath("spec")
        let spec = daemonSet.spec ?? AppsV1.DaemonSetSpec()
        errors += CommonValidation.labelSelector(Self.isMissing(spec.selector) ? nil : spec.selector, path: path.child("selector"))
        if let selector = Self.effectiveSelector(spec.selector) {
            errors += Self.selectorMatches(selector, template: spec.template, path: path.child("template"), requireNonEmpty: false)
        }
        if !Self.isMissing(spec.selector) && Self.isEmpty(spec.selector) {
            errors.append(
                .invalid(
                    path.child("selector"),
                    .formatted(CommonValidation.goLabelSelector(spec.selector)),
                    "empty selector is invalid for daemonset"
                )
            )
        }
        errors += PodValidation.podTemplateSpec(spec.template, path: path.child("template"))
        let restartPolicy = spec.template.spec?.restartPolicy ?? ""
        if restartPolicy != "Always" {
            errors.append(.notSupported(path.child("template", "spec", "restartPolicy"), restartPolicy, ["Always"]))
        }
        if let deadline = spec.template.spec?.activeDeadlineSeconds {
            errors.append(
                .invalid(
                    path.child("template", "spec", "activeDeadlineSeconds"),
                    deadline,
                    "activeDeadlineSeconds must be nil for DaemonSets"
                )
            )
        }
        errors += CommonValidation.nonnegative(spec.minReadySeconds, path: path.child("minReadySeconds"))
        errors += Self.daemonSetUpdateStrategy(spec.updateStrategy, path: path.child("updateStrategy"))
        errors += CommonValidation.nonnegative(spec.revisionHistoryLimit, path: path.child("revisionHistoryLimit"))
        return errors
    }

    private static func daemonSetUpdateStrategy(_ strategy: AppsV1.DaemonSetUpdateStrategy?, path: FieldPath) -> [FieldError] {
        let strategy = strategy ?? AppsV1.DaemonSetUpdateStrategy()
        switch strategy.type ?? "" {
        case "OnDelete":
            return []
        case "RollingUpdate":
            guard let rolling = strategy.rollingUpdate else { return [.required(path.child("rollingUpdate"), "")] }
            let rollingPath = path.child("rollingUpdate")
            var errors: [FieldError] = []
            var hasUnavailable = false
            var hasSurge = false
            if let unavailable = rolling.maxUnavailable, Self.intOrPercentValue(unavailable) != 0 {
                hasUnavailable = true
                errors += CommonValidation.positiveIntOrPercent(unavailable, path: rollingPath.child("maxUnavailable"))
                errors += CommonValidation.notMoreThan100Percent(unavailable, path: rollingPath.child("maxUnavailable"))
            }
            if let surge = rolling.maxSurge, Self.intOrPercentValue(surge) != 0 {
                hasSurge = true
                errors += CommonValidation.positiveIntOrPercent(surge, path: rollingPath.child("maxSurge"))
                errors += CommonValidation.notMoreThan100Percent(surge, path: rollingPath.child("maxSurge"))
            }
            if hasUnavailable && hasSurge {
                errors.append(
                    .invalid(
                        rollingPath.child("maxSurge"),
                        CommonValidation.intOrStringValue(rolling.maxSurge!),
                        "may not be set when maxUnavailable is non-zero"
                    )
                )
            } else if !hasUnavailable && !hasSurge {
                errors.append(.required(rollingPath.child("maxUnavailable"), "cannot be 0 when maxSurge is 0"))
            }
            return errors
        default:
            return [
                .notSupported(
                    path,
                    .formatted("apps.DaemonSetUpdateStrategy{Type:\(GoSyntax.quoted(strategy.type ?? "")), RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}"),
                    ["RollingUpdate", "OnDelete"]
                )
            ]
        }
    }

    // MARK: Updates of apps kinds

    /// The selector of an apps/v1 Deployment, ReplicaSet or DaemonSet cannot change (`field is immutable`).
    static func immutableSelector(_ new: MetaV1.LabelSelector, old: MetaV1.LabelSelector) -> [FieldError] {
        CommonValidation.immutableSelector(new, old: old, path: FieldPath("spec").child("selector"))
    }
}
