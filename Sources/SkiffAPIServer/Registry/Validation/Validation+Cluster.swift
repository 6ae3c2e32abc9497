import SkiffAPI
import SkiffAPIMachinery

/// Upstream's validation of the remaining kinds: RBAC, Ingress, PersistentVolume/Claim, Lease, Event,
/// PriorityClass, ResourceQuota, LimitRange, PodDisruptionBudget, HorizontalPodAutoscaler.
enum ClusterValidation {
    // MARK: RBAC

    static let rbacGroup = "rbac.authorization.k8s.io"

    /// `ValidateRole` / `ValidateClusterRole`: each rule has verbs and either resources or non-resource URLs.
    static func rules(_ rules: [RBACV1.PolicyRule], namespaced: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, rule) in rules.enumerated() {
            let path = FieldPath("rules").index(index)
            if rule.verbs.isEmpty {
                errors.append(.required(path.child("verbs"), "verbs must contain at least one value"))
            }
            let urls = rule.nonResourceURLs ?? []
            if !urls.isEmpty {
                if namespaced {
                    errors.append(
                        .invalid(path.child("nonResourceURLs"), .formatted(GoSyntax.stringSlice(urls)), "namespaced rules cannot apply to non-resource URLs")
                    )
                }
                if !(rule.apiGroups ?? []).isEmpty || !(rule.resources ?? []).isEmpty || !(rule.resourceNames ?? []).isEmpty {
                    errors.append(
                        .invalid(
                            path.child("nonResourceURLs"),
                            .formatted(GoSyntax.stringSlice(urls)),
                            "rules cannot apply to both regular resources and non-resource URLs"
                        )
                    )
                }
                continue
            }
            if (rule.apiGroups ?? []).isEmpty {
                errors.append(.required(path.child("apiGroups"), "resource rules must supply at least one api group"))
            }
            if (rule.resources ?? []).isEmpty {
                errors.append(.required(path.child("resources"), "resource rules must supply at least one resource"))
            }
        }
        return errors
    }

    static func role(_ role: RBACV1.Role) -> [FieldError] {
        CommonValidation.objectMeta(role.metadata, namespaced: true, name: CommonValidation.pathSegmentName)
            + Self.rules(role.rules ?? [], namespaced: true)
    }

    static func clusterRole(_ role: RBACV1.ClusterRole) -> [FieldError] {
        var errors = CommonValidation.objectMeta(role.metadata, namespaced: false, name: CommonValidation.pathSegmentName)
        if let aggregation = role.aggregationRule {
            for (index, selector) in (aggregation.clusterRoleSelectors ?? []).enumerated() {
                errors += CommonValidation.labelSelector(selector, path: FieldPath("aggregationRule").child("clusterRoleSelectors").index(index))
            }
        }
        return errors + Self.rules(role.rules ?? [], namespaced: false)
    }

    /// `ValidateRoleBinding` / `ValidateClusterRoleBinding`.
    static func binding(
        meta: MetaV1.ObjectMeta,
        roleRef: RBACV1.RoleRef,
        subjects: [RBACV1.Subject],
        namespaced: Bool
    ) -> [FieldError] {
        var errors = CommonValidation.objectMeta(meta, namespaced: namespaced, name: CommonValidation.pathSegmentName)
        let refPath = FieldPath("roleRef")
        if (roleRef.apiGroup ?? "") != Self.rbacGroup {
            errors.append(.notSupported(refPath.child("apiGroup"), roleRef.apiGroup ?? "", [Self.rbacGroup]))
        }
        let kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"]
        if !kinds.contains(roleRef.kind) {
            errors.append(.notSupported(refPath.child("kind"), roleRef.kind, kinds))
        }
        if roleRef.name.isEmpty {
            errors.append(.required(refPath.child("name"), ""))
        } else {
            for message in Validation.isValidPathSegmentName(roleRef.name) {
                errors.append(.invalid(refPath.child("name"), roleRef.name, message))
            }
        }
        for (index, subject) in subjects.enumerated() {
            let path = FieldPath("subjects").index(index)
            if subject.name.isEmpty { errors.append(.required(path.child("name"), "")) }
            let apiGroup = subject.apiGroup ?? ""
            switch subject.kind {
            case "ServiceAccount":
                if !subject.name.isEmpty {
                    for message in Validation.nameIsDNSSubdomain(subject.name, prefix: false) {
                        errors.append(.invalid(path.child("name"), subject.name, message))
                    }
                }
                if !apiGroup.isEmpty { errors.append(.notSupported(path.child("apiGroup"), apiGroup, [""])) }
                if !namespaced && (subject.namespace ?? "").isEmpty {
                    errors.append(.required(path.child("namespace"), ""))
                }
            case "User", "Group":
                if apiGroup != Self.rbacGroup { errors.append(.notSupported(path.child("apiGroup"), apiGroup, [Self.rbacGroup])) }
            default:
                errors.append(.notSupported(path.child("kind"), subject.kind, ["ServiceAccount", "User", "Group"]))
            }
        }
        return errors
    }

    /// A binding's `roleRef` cannot change.
    static func roleRefUpdate(_ new: RBACV1.RoleRef, old: RBACV1.RoleRef) -> [FieldError] {
        guard new != old else { return [] }
        return [
            .invalid(
                FieldPath("roleRef"),
                .formatted(
                    "rbac.RoleRef{APIGroup:\(GoSyntax.quoted(new.apiGroup ?? "")), Kind:\(GoSyntax.quoted(new.kind)), Name:\(GoSyntax.quoted(new.name))}"
                ),
                "cannot change roleRef"
            )
        ]
    }

    // MARK: Ingress

    /// `ValidateIngressCreate` (spec rules).
    static func ingress(_ ingress: NetworkingV1.Ingress) -> [FieldError] {
        var errors = CommonValidation.objectMeta(ingress.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let path = FieldPath("spec")
        let spec = ingress.spec ?? NetworkingV1.IngressSpec()
        let rules = spec.rules ?? []
        if rules.isEmpty && spec.defaultBackend == nil {
            errors.append(
                .invalid(path, .formatted("[]networking.IngressRule(nil)"), "either `defaultBackend` or `rules` must be specified")
            )
        }
        if let backend = spec.defaultBackend {
            errors += Self.ingressBackend(backend, path: path.child("defaultBackend"))
        }
        for (index, rule) in rules.enumerated() {
            let rulePath = path.child("rules").index(index)
            if let host = rule.host, !host.isEmpty {
                if Validation.isIPAddress(host) {
                    errors.append(.invalid(rulePath.child("host"), host, "must be a DNS name, not an IP address"))
                }
                let problems = host.contains("*") ? Validation.isWildcardDNS1123Subdomain(host) : Validation.isDNS1123Subdomain(host)
                errors += problems.map { FieldError.invalid(rulePath.child("host"), host, $0) }
            }
            if let http = rule.http {
                let httpPath = rulePath.child("http")
                if http.paths.isEmpty { errors.append(.required(httpPath.child("paths"), "")) }
                for (pathIndex, ingressPath) in http.paths.enumerated() {
                    errors += Self.ingressPath(ingressPath, path: httpPath.child("paths").index(pathIndex))
                }
            }
        }
        for (tlsIndex, tls) in (spec.tls ?? []).enumerated() {
            for (hostIndex, host) in (tls.hosts ?? []).enumerated() {
                let problems = host.contains("*") ? Validation.isWildcardDNS1123Subdomain(host) : Validation.isDNS1123Subdomain(host)
                errors += problems.map { FieldError.invalid(path.child("tls").index(tlsIndex).child("hosts").index(hostIndex), host, $0) }
            }
            if let secret = tls.secretName, !secret.isEmpty {
                for message in Validation.nameIsDNSSubdomain(secret, prefix: false) {
                    errors.append(.invalid(path.child("tls").index(tlsIndex).child("secretName"), secret, message))
                }
            }
        }
        if let className = spec.ingressClassName {
            for message in Validation.nameIsDNSSubdomain(className, prefix: false) {
                errors.append(.invalid(path.child("ingressClassName"), className, message))
            }
        }
        return errors
    }

    private static func ingressPath(_ ingressPath: NetworkingV1.HTTPIngressPath, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let value = ingressPath.path ?? ""
        switch ingressPath.pathType {
        case "":
            return [.required(path.child("pathType"), "pathType must be specified")]
        case "Exact", "Prefix":
            if !value.hasPrefix("/") {
                errors.append(.invalid(path.child("path"), value, "must be an absolute path"))
            }
            if !value.isEmpty {
                for sequence in ["//", "/./", "/../", "%2f", "%2F"] where value.contains(sequence) {
                    errors.append(.invalid(path.child("path"), value, "must not contain '\(sequence)'"))
                }
                for suffix in ["/..", "/."] where value.hasSuffix(suffix) {
                    errors.append(.invalid(path.child("path"), value, "cannot end with '\(suffix)'"))
                }
            }
        case "ImplementationSpecific":
            if !value.isEmpty && !value.hasPrefix("/") {
                errors.append(.invalid(path.child("path"), value, "must be an absolute path"))
            }
        default:
            errors.append(
                .notSupported(path.child("pathType"), ingressPath.pathType, ["Exact", "ImplementationSpecific", "Prefix"])
            )
        }
        return errors + Self.ingressBackend(ingressPath.backend, path: path.child("backend"))
    }

    private static func ingressBackend(_ backend: NetworkingV1.IngressBackend, path: FieldPath) -> [FieldError] {
        switch (backend.resource, backend.service) {
        case (.some, .some):
            return [.invalid(path, "", "cannot set both resource and service backends")]
        case (.some(let resource), nil):
            var errors: [FieldError] = []
            if resource.kind.isEmpty { errors.append(.required(path.child("resource", "kind"), "")) }
            if resource.name.isEmpty { errors.append(.required(path.child("resource", "name"), "")) }
            return errors
        case (nil, .some(let service)):
            var errors: [FieldError] = []
            if service.name.isEmpty {
                errors.append(.required(path.child("service", "name"), ""))
            } else {
                for message in Validation.nameIsDNS1035Label(service.name, prefix: false) {
                    errors.append(.invalid(path.child("service", "name"), service.name, message))
                }
            }
            let name = service.port?.name ?? ""
            let number = service.port?.number ?? 0
            if !name.isEmpty && number != 0 {
                errors.append(.invalid(path, "", "cannot set both port name & port number"))
            } else if !name.isEmpty {
                for message in Validation.isValidPortName(name) {
                    errors.append(.invalid(path.child("service", "port", "name"), name, message))
                }
            } else if number != 0 {
                for message in Validation.isValidPortNum(Int(number)) {
                    errors.append(.invalid(path.child("service", "port", "number"), number, message))
                }
            } else {
                errors.append(.required(path, "port name or number is required"))
            }
            return errors
        case (nil, nil):
            return [.invalid(path, "", "resource or service backend is required")]
        }
    }

    // MARK: Storage

    static let accessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]

    /// `ValidatePersistentVolumeClaim`.
    static func persistentVolumeClaim(_ claim: CoreV1.PersistentVolumeClaim) -> [FieldError] {
        var errors = CommonValidation.objectMeta(claim.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let path = FieldPath("spec")
        let spec = claim.spec ?? CoreV1.PersistentVolumeClaimSpec()
        errors += Self.accessModes(spec.accessModes ?? [], path: path.child("accessModes"), required: "at least 1 access mode is required")
        errors += CommonValidation.labelSelector(spec.selector, path: path.child("selector"))
        let storagePath = path.child("resources").key("storage")
        if let storage = spec.resources?.requests?["storage"] {
            if storage.sign <= 0 {
                errors.append(.invalid(storagePath, storage.string, "must be greater than zero"))
            }
        } else {
            errors.append(.required(storagePath, ""))
        }
        if let className = spec.storageClassName, !className.isEmpty {
            errors += CommonValidation.dns1123Subdomain(className, path: path.child("storageClassName"))
        }
        if let mode = spec.volumeMode, mode != "Block", mode != "Filesystem" {
            errors.append(.notSupported(path.child("volumeMode"), mode, ["Block", "Filesystem"]))
        }
        return errors
    }

    private static func accessModes(_ modes: [String], path: FieldPath, required detail: String) -> [FieldError] {
        var errors: [FieldError] = []
        if modes.isEmpty { errors.append(.required(path, detail)) }
        var oncePod = false
        var others = false
        for mode in modes {
            if !Self.accessModes.contains(mode) {
                errors.append(.notSupported(path, mode, Self.accessModes))
            } else if mode == "ReadWriteOncePod" {
                oncePod = true
            } else {
                others = true
            }
        }
        if oncePod && others {
            errors.append(.forbidden(path, "may not use ReadWriteOncePod with other access modes"))
        }
        return errors
    }

    /// `ValidatePersistentVolumeClaimUpdate`: the spec is immutable but for the storage request (which may not
    /// shrink) and a first `volumeName`.
    static func persistentVolumeClaimUpdate(_ new: CoreV1.PersistentVolumeClaim, old: CoreV1.PersistentVolumeClaim)
        -> [FieldError]
    {
        var errors = CommonValidation.objectMetaUpdate(new.metadata, old: old.metadata)
        errors += Self.persistentVolumeClaim(new)
        var newSpec = new.spec ?? CoreV1.PersistentVolumeClaimSpec()
        var oldSpec = old.spec ?? CoreV1.PersistentVolumeClaimSpec()
        if (oldSpec.volumeName ?? "").isEmpty { oldSpec.volumeName = newSpec.volumeName }
        let newSize = newSpec.resources?.requests?["storage"]
        let oldSize = oldSpec.resources?.requests?["storage"]
        if new.status?.phase == "Bound" {
            newSpec.resources?.requests?["storage"] = oldSize
        }
        newSpec.volumeAttributesClassName = oldSpec.volumeAttributesClassName
        if newSpec != oldSpec {
            errors.append(
                .forbidden(
                    FieldPath("spec"),
                    "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"
                )
            )
        }
        if let newSize, let oldSize, newSize < oldSize {
            errors.append(.forbidden(FieldPath("spec").child("resources", "requests").child("storage"), "field can not be less than previous value"))
        }
        return errors
    }

    /// `ValidatePersistentVolume` (common rules).
    static func persistentVolume(_ volume: CoreV1.PersistentVolume) -> [FieldError] {
        var errors = CommonValidation.objectMeta(volume.metadata, namespaced: false, name: CommonValidation.dnsSubdomainName)
        let path = FieldPath("spec")
        let spec = volume.spec ?? CoreV1.PersistentVolumeSpec()
        errors += Self.accessModes(spec.accessModes ?? [], path: path.child("accessModes"), required: "")
        let capacity = spec.capacity ?? [:]
        if capacity.isEmpty {
            errors.append(.required(path.child("capacity"), ""))
        } else if capacity["storage"] == nil || capacity.count > 1 {
            errors.append(.notSupported(path.child("capacity"), .formatted("core.ResourceList{…}"), ["storage"]))
        }
        if let storage = capacity["storage"], storage.sign <= 0 {
            errors.append(.invalid(path.child("capacity").key("storage"), storage.string, "must be greater than zero"))
        }
        if let policy = spec.persistentVolumeReclaimPolicy, !["Delete", "Recycle", "Retain"].contains(policy) {
            errors.append(.notSupported(path.child("persistentVolumeReclaimPolicy"), policy, ["Delete", "Recycle", "Retain"]))
        }
        if let className = spec.storageClassName, !className.isEmpty {
            errors += CommonValidation.dns1123Subdomain(className, path: path.child("storageClassName"))
        }
        let sources: [Bool] = [
            spec.hostPath != nil, spec.nfs != nil, spec.local != nil, spec.csi != nil, spec.gcePersistentDisk != nil,
            spec.awsElasticBlockStore != nil, spec.glusterfs != nil, spec.rbd != nil, spec.iscsi != nil,
            spec.cinder != nil, spec.cephfs != nil, spec.fc != nil, spec.flocker != nil, spec.flexVolume != nil,
            spec.azureFile != nil, spec.vsphereVolume != nil, spec.quobyte != nil, spec.azureDisk != nil,
            spec.photonPersistentDisk != nil, spec.portworxVolume != nil, spec.scaleIO != nil, spec.storageos != nil,
        ]
        let count = sources.filter { $0 }.count
        if count == 0 {
            errors.append(.required(path, "must specify a volume type"))
        }
        if let hostPath = spec.hostPath, hostPath.path.isEmpty {
            errors.append(.required(path.child("hostPath", "path"), ""))
        }
        if let mode = spec.volumeMode, mode != "Block", mode != "Filesystem" {
            errors.append(.notSupported(path.child("volumeMode"), mode, ["Block", "Filesystem"]))
        }
        return errors
    }

    // MARK: Coordination, events, scheduling

    static func lease(_ lease: CoordinationV1.Lease) -> [FieldError] {
        var errors = CommonValidation.objectMeta(lease.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let path = FieldPath("spec")
        if let duration = lease.spec?.leaseDurationSeconds, duration <= 0 {
            errors.append(.invalid(path.child("leaseDurationSeconds"), duration, "must be greater than 0"))
        }
        if let transitions = lease.spec?.leaseTransitions, transitions < 0 {
            errors.append(.invalid(path.child("leaseTransitions"), transitions, CommonValidation.negativeMessage))
        }
        return errors
    }

    /// `legacyValidateEvent`, the rules a `v1` Event create follows.
    static func event(_ event: CoreV1.Event) -> [FieldError] {
        var errors: [FieldError] = []
        let namespace = event.metadata.namespace ?? ""
        let involvedNamespace = event.involvedObject.namespace ?? ""
        let involvedPath = FieldPath("involvedObject").child("namespace")
        if event.eventTime == nil {
            if involvedNamespace.isEmpty {
                if !namespace.isEmpty && namespace != "default" {
                    errors.append(.invalid(involvedPath, involvedNamespace, "does not match event.namespace"))
                }
            } else if namespace != involvedNamespace {
                errors.append(.invalid(involvedPath, involvedNamespace, "does not match event.namespace"))
            }
        } else {
            if involvedNamespace.isEmpty && namespace != "default" && namespace != "kube-system" {
                errors.append(.invalid(involvedPath, involvedNamespace, "does not match event.namespace"))
            }
            let component = event.reportingComponent ?? ""
            if component.isEmpty { errors.append(.required(FieldPath("reportingComponent"), "")) }
            errors += CommonValidation.qualifiedName(component, path: FieldPath("reportingComponent"))
            let instance = event.reportingInstance ?? ""
            if instance.isEmpty { errors.append(.required(FieldPath("reportingInstance"), "")) }
            if instance.utf8.count > 128 {
                errors.append(.invalid(FieldPath("reportingInstance"), "", "can have at most 128 characters"))
            }
            let action = event.action ?? ""
            if action.isEmpty { errors.append(.required(FieldPath("action"), "")) }
            if action.utf8.count > 128 { errors.append(.invalid(FieldPath("action"), "", "can have at most 128 characters")) }
            let reason = event.reason ?? ""
            if reason.isEmpty { errors.append(.required(FieldPath("reason"), "")) }
            if reason.utf8.count > 128 { errors.append(.invalid(FieldPath("reason"), "", "can have at most 128 characters")) }
            if (event.message ?? "").utf8.count > 1024 {
                errors.append(.invalid(FieldPath("message"), "", "can have at most 1024 characters"))
            }
        }
        errors += CommonValidation.dns1123Subdomain(namespace, path: FieldPath("namespace"))
        return errors
    }

    static let systemPriorityClasses: [String: Int32] = ["system-node-critical": 2_000_001_000, "system-cluster-critical": 2_000_000_000]

    /// `ValidatePriorityClass`.
    static func priorityClass(_ priorityClass: SchedulingV1.PriorityClass) -> [FieldError] {
        var errors = CommonValidation.objectMeta(priorityClass.metadata, namespaced: false, name: CommonValidation.dnsSubdomainName)
        let name = priorityClass.metadata.name ?? ""
        let value = priorityClass.value ?? 0
        if name.hasPrefix("system-") {
            let problem: String?
            if let known = Self.systemPriorityClasses[name] {
                problem = known == value ? nil : "value of \(name) PriorityClass must be \(known)"
            } else {
                problem = "\(name) is not a known system priority class"
            }
            if let problem {
                errors.append(
                    .forbidden(
                        FieldPath("metadata").child("name"),
                        "priority class names with 'system-' prefix are reserved for system use only. error: \(problem)"
                    )
                )
            }
        } else if value > 1_000_000_000 {
            errors.append(.forbidden(FieldPath("value"), "maximum allowed value of a user defined priority is 1000000000"))
        }
        if let policy = priorityClass.preemptionPolicy, policy != "PreemptLowerPriority", policy != "Never" {
            errors.append(.notSupported(FieldPath("preemptionPolicy"), policy, ["Never", "PreemptLowerPriority"]))
        }
        return errors
    }

    static func priorityClassUpdate(_ new: SchedulingV1.PriorityClass, old: SchedulingV1.PriorityClass) -> [FieldError] {
        var errors = CommonValidation.objectMetaUpdate(new.metadata, old: old.metadata)
        if (new.value ?? 0) != (old.value ?? 0) {
            errors.append(.forbidden(FieldPath("value"), "may not be changed in an update."))
        }
        if new.preemptionPolicy != old.preemptionPolicy {
            errors.append(
                .invalid(FieldPath("preemptionPolicy"), new.preemptionPolicy.map { FieldError.Value.string($0) } ?? FieldError.Value.null, CommonValidation.immutableMessage)
            )
        }
        return errors + Self.priorityClass(new)
    }

    // MARK: Quota and limits

    static let quotaResources: Set<String> = PodValidation.standardResources

    /// `ValidateResourceQuota`.
    static func resourceQuota(_ quota: CoreV1.ResourceQuota) -> [FieldError] {
        var errors = CommonValidation.objectMeta(quota.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let hardPath = FieldPath("spec").child("hard")
        let hard = quota.spec?.hard ?? [:]
        for name in hard.keys.sorted() {
            let entryPath = hardPath.key(name)
            errors += PodValidation.resourceName(name, path: entryPath)
            if !name.contains("/") && !Self.quotaResources.contains(name) && !name.hasPrefix("requests.hugepages-")
                && !name.hasPrefix("hugepages-")
            {
                errors.append(.invalid(entryPath, name, "must be a standard resource for quota"))
            }
            errors += PodValidation.quantityValue(name, hard[name]!, path: entryPath)
        }
        let scopes = ["BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating", "PriorityClass", "Terminating"]
        for scope in quota.spec?.scopes ?? [] where !scopes.contains(scope) {
            errors.append(.invalid(FieldPath("spec").child("scopes"), scope, "unsupported scope"))
        }
        return errors
    }

    /// `ValidateLimitRange`.
    static func limitRange(_ limitRange: CoreV1.LimitRange) -> [FieldError] {
        var errors = CommonValidation.objectMeta(limitRange.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        var seenTypes = Set<String>()
        for (index, item) in (limitRange.spec?.limits ?? []).enumerated() {
            let path = FieldPath("spec").child("limits").index(index)
            if item.type.isEmpty {
                errors.append(.required(path.child("type"), ""))
            } else {
                errors += CommonValidation.qualifiedName(item.type, path: path.child("type"))
            }
            if !seenTypes.insert(item.type).inserted {
                errors.append(.duplicate(path.child("type"), item.type))
            }
            if item.type == "Pod" {
                if !(item.default ?? [:]).isEmpty {
                    errors.append(.forbidden(path.child("default"), "may not be specified when `type` is 'Pod'"))
                }
                if !(item.defaultRequest ?? [:]).isEmpty {
                    errors.append(.forbidden(path.child("defaultRequest"), "may not be specified when `type` is 'Pod'"))
                }
            }
            let max = item.max ?? [:]
            let min = item.min ?? [:]
            let defaults = item.default ?? [:]
            let requests = item.defaultRequest ?? [:]
            let keys = Set(max.keys).union(min.keys).union(defaults.keys).union(requests.keys).sorted()
            for key in keys {
                if let low = min[key], let high = max[key], low > high {
                    errors.append(
                        .invalid(path.child("min").key(key), .formatted(low.string), "min value \(low.string) is greater than max value \(high.string)")
                    )
                }
                if let request = requests[key], let low = min[key], low > request {
                    errors.append(
                        .invalid(
                            path.child("defaultRequest").key(key),
                            .formatted(request.string),
                            "min value \(low.string) is greater than default request value \(request.string)"
                        )
                    )
                }
                if let request = requests[key], let high = max[key], request > high {
                    errors.append(
                        .invalid(
                            path.child("defaultRequest").key(key),
                            .formatted(request.string),
                            "default request value \(request.string) is greater than max value \(high.string)"
                        )
                    )
                }
                if let request = requests[key], let limit = defaults[key], request > limit {
                    errors.append(
                        .invalid(
                            path.child("defaultRequest").key(key),
                            .formatted(request.string),
                            "default request value \(request.string) is greater than default limit value \(limit.string)"
                        )
                    )
                }
                if let limit = defaults[key], let low = min[key], low > limit {
                    errors.append(
                        .invalid(
                            path.child("default").key(key),
                            .formatted(low.string),
                            "min value \(low.string) is greater than default value \(limit.string)"
                        )
                    )
                }
                if let limit = defaults[key], let high = max[key], limit > high {
                    errors.append(
                        .invalid(
                            path.child("default").key(key),
                            .formatted(high.string),
                            "default value \(limit.string) is greater than max value \(high.string)"
                        )
                    )
                }
            }
        }
        return errors
    }

    // MARK: Policy and autoscaling

    /// `ValidatePodDisruptionBudget`.
    static func podDisruptionBudget(_ budget: PolicyV1.PodDisruptionBudget) -> [FieldError] {
        var errors = CommonValidation.objectMeta(budget.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let path = FieldPath("spec")
        let spec = budget.spec ?? PolicyV1.PodDisruptionBudgetSpec()
        if spec.minAvailable != nil && spec.maxUnavailable != nil {
            errors.append(
                .invalid(path, .formatted("policy.PodDisruptionBudgetSpec{…}"), "minAvailable and maxUnavailable cannot be both set")
            )
        }
        for (name, value) in [("minAvailable", spec.minAvailable), ("maxUnavailable", spec.maxUnavailable)] {
            errors += CommonValidation.positiveIntOrPercent(value, path: path.child(name))
            errors += CommonValidation.notMoreThan100Percent(value, path: path.child(name))
        }
        errors += CommonValidation.labelSelector(spec.selector, path: path.child("selector"))
        if let policy = spec.unhealthyPodEvictionPolicy, policy != "AlwaysAllow", policy != "IfHealthyBudget" {
            errors.append(
                .notSupported(path.child("unhealthyPodEvictionPolicy"), policy, ["AlwaysAllow", "IfHealthyBudget"])
            )
        }
        return errors
    }

    /// An autoscaling/v1 HorizontalPodAutoscaler is validated as upstream validates it: converted to the version
    /// it is stored in, then checked as that one is (so annotation-carried metrics and behavior are checked too).
    static func horizontalPodAutoscaler(_ autoscaler: AutoscalingV1.HorizontalPodAutoscaler) -> [FieldError] {
        let converted: AutoscalingV2.HorizontalPodAutoscaler
        do {
            let json = try AutoscalerConversion().toStorage(try JSONValueEncoder().encode(autoscaler))
            converted = try JSONValueDecoder().decode(AutoscalingV2.HorizontalPodAutoscaler.self, from: json)
        } catch {
            return [.invalid(FieldPath("metadata").child("annotations"), "", "\(error)")]
        }
        return Self.horizontalPodAutoscaler(converted)
    }

    /// `ValidateHorizontalPodAutoscaler` (replica bounds, target reference, metrics, scaling policies).
    static func horizontalPodAutoscaler(_ autoscaler: AutoscalingV2.HorizontalPodAutoscaler) -> [FieldError] {
        var errors = CommonValidation.objectMeta(autoscaler.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let path = FieldPath("spec")
        let spec = autoscaler.spec
        if let minimum = spec.minReplicas, minimum < 1 {
            errors.append(.invalid(path.child("minReplicas"), minimum, "must be greater than or equal to 1"))
        }
        if spec.maxReplicas < 1 {
            errors.append(.invalid(path.child("maxReplicas"), spec.maxReplicas, "must be greater than 0"))
        }
        if let minimum = spec.minReplicas, spec.maxReplicas < minimum {
            errors.append(.invalid(path.child("maxReplicas"), spec.maxReplicas, "must be greater than or equal to `minReplicas`"))
        }
        errors += Self.crossVersionReference(spec.scaleTargetRef, path: path.child("scaleTargetRef"))
        errors += Self.metrics(spec.metrics ?? [], path: path.child("metrics"), minReplicas: spec.minReplicas)
        for (name, rules) in [("scaleUp", spec.behavior?.scaleUp), ("scaleDown", spec.behavior?.scaleDown)] {
            guard let rules else { continue }
            let rulesPath = path.child("behavior").child(name)
            if let window = rules.stabilizationWindowSeconds, window < 0 || window > 3600 {
                errors.append(
                    .invalid(
                        rulesPath.child("stabilizationWindowSeconds"),
                        window,
                        window < 0 ? "must be greater than or equal to zero" : "must be less than or equal to 3600"
                    )
                )
            }
            if let select = rules.selectPolicy, !["Disabled", "Max", "Min"].contains(select) {
                errors.append(.notSupported(rulesPath.child("selectPolicy"), select, ["Disabled", "Max", "Min"]))
            }
            for (index, policy) in (rules.policies ?? []).enumerated() {
                let policyPath = rulesPath.child("policies").index(index)
                if policy.type != "Pods" && policy.type != "Percent" {
                    errors.append(.notSupported(policyPath.child("type"), policy.type, ["Percent", "Pods"]))
                }
                if policy.value <= 0 {
                    errors.append(.invalid(policyPath.child("value"), policy.value, "must be greater than zero"))
                }
                if policy.periodSeconds <= 0 {
                    errors.append(.invalid(policyPath.child("periodSeconds"), policy.periodSeconds, "must be greater than zero"))
                } else if policy.periodSeconds > 1800 {
                    errors.append(.invalid(policyPath.child("periodSeconds"), policy.periodSeconds, "must be less than or equal to 1800"))
                }
            }
        }
        return errors
    }

    static let metricSourceTypes = ["ContainerResource", "External", "Object", "Pods", "Resource"]

    /// `validateMetrics`: each metric, and scaling to zero only on Object or External metrics.
    static func metrics(_ metrics: [AutoscalingV2.MetricSpec], path: FieldPath, minReplicas: Int32?) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, metric) in metrics.enumerated() {
            errors += Self.metric(metric, path: path.index(index))
        }
        if minReplicas == 0, !metrics.contains(where: { $0.type == "Object" || $0.type == "External" }) {
            errors.append(.forbidden(path, "must specify at least one Object or External metric to support scaling to zero replicas"))
        }
        return errors
    }

    /// `validateMetricSpec`: a known type, its source set (and checked), no other source.
    static func metric(_ metric: AutoscalingV2.MetricSpec, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        if metric.type.isEmpty {
            errors.append(.required(path.child("type"), "must specify a metric source type"))
        }
        if !Self.metricSourceTypes.contains(metric.type) {
            errors.append(.notSupported(path.child("type"), metric.type, Self.metricSourceTypes))
        }
        // The sources present, in upstream's order; only the first is checked.
        var present: [String] = []
        if let object = metric.object {
            present.append("object")
            let objectPath = path.child("object")
            errors += Self.crossVersionReference(object.describedObject, path: objectPath.child("describedObject"))
            errors += Self.metricIdentifier(object.metric, path: objectPath.child("metric"))
            errors += Self.metricTarget(object.target, path: objectPath.child("target"))
            if object.target.value == nil && object.target.averageValue == nil {
                errors.append(.required(objectPath.child("target").child("averageValue"), "must set either a target value or averageValue"))
            }
        }
        if let external = metric.external {
            present.append("external")
            if present.count == 1 {
                let externalPath = path.child("external")
                errors += Self.metricIdentifier(external.metric, path: externalPath.child("metric"))
                errors += Self.metricTarget(external.target, path: externalPath.child("target"))
                if external.target.value == nil && external.target.averageValue == nil {
                    errors.append(
                        .required(externalPath.child("target").child("averageValue"), "must set either a target value for metric or a per-pod target")
                    )
                }
                if external.target.value != nil && external.target.averageValue != nil {
                    errors.append(
                        .forbidden(externalPath.child("target").child("value"), "may not set both a target value for metric and a per-pod target")
                    )
                }
            }
        }
        if let pods = metric.pods {
            present.append("pods")
            if present.count == 1 {
                let podsPath = path.child("pods")
                errors += Self.metricIdentifier(pods.metric, path: podsPath.child("metric"))
                errors += Self.metricTarget(pods.target, path: podsPath.child("target"))
                if pods.target.averageValue == nil {
                    errors.append(.required(podsPath.child("target").child("averageValue"), "must specify a positive target averageValue"))
                }
            }
        }
        if let resource = metric.resource {
            present.append("resource")
            if present.count == 1 {
                let resourcePath = path.child("resource")
                if resource.name.isEmpty {
                    errors.append(.required(resourcePath.child("name"), "must specify a resource name"))
                }
                errors += Self.utilizationTarget(resource.target, path: resourcePath.child("target"))
            }
        }
        if let containerResource = metric.containerResource {
            present.append("containerResource")
            if present.count == 1 {
                let resourcePath = path.child("containerResource")
                if containerResource.name.isEmpty {
                    errors.append(.required(resourcePath.child("name"), "must specify a resource name"))
                } else {
                    errors += PodValidation.containerResourceName(containerResource.name, path: resourcePath.child("name"))
                }
                if containerResource.container.isEmpty {
                    errors.append(.required(resourcePath.child("container"), "must specify a container"))
                } else {
                    errors += CommonValidation.dns1123Label(containerResource.container, path: resourcePath.child("container"))
                }
                errors += Self.utilizationTarget(containerResource.target, path: resourcePath.child("target"))
            }
        }
        // The source the type names must be set, and be the only one.
        let expected: String
        switch metric.type {
        case "Object": expected = "object"
        case "Pods": expected = "pods"
        case "Resource": expected = "resource"
        case "External": expected = "external"
        case "ContainerResource": expected = "containerResource"
        default:
            expected = ""
            errors.append(.notSupported(path.child("type"), metric.type, Self.metricSourceTypes))
        }
        if !expected.isEmpty, !present.contains(expected) {
            errors.append(.required(path.child(expected), "must populate information for the given metric source"))
        }
        if present.count != 1 {
            for source in present.sorted() where source != expected {
                errors.append(.forbidden(path.child(source), "must populate the given metric source only"))
            }
        }
        return errors
    }

    /// A Resource or ContainerResource target: a utilization or an average value, not both.
    private static func utilizationTarget(_ target: AutoscalingV2.MetricTarget, path: FieldPath) -> [FieldError] {
        var errors = Self.metricTarget(target, path: path)
        if target.averageUtilization == nil && target.averageValue == nil {
            errors.append(.required(path.child("averageUtilization"), "must set either a target raw value or a target utilization"))
        }
        if target.averageUtilization != nil && target.averageValue != nil {
            errors.append(.forbidden(path.child("averageValue"), "may not set both a target raw value and a target utilization"))
        }
        return errors
    }

    /// `validateMetricTarget`: a known type and positive values.
    static func metricTarget(_ target: AutoscalingV2.MetricTarget, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        if target.type.isEmpty {
            errors.append(.required(path.child("type"), "must specify a metric target type"))
        }
        if !["Utilization", "Value", "AverageValue"].contains(target.type) {
            errors.append(.invalid(path.child("type"), target.type, "must be either Utilization, Value, or AverageValue"))
        }
        if let value = target.value, value.sign != 1 {
            errors.append(.invalid(path.child("value"), value.description, "must be positive"))
        }
        if let value = target.averageValue, value.sign != 1 {
            errors.append(.invalid(path.child("averageValue"), value.description, "must be positive"))
        }
        if let utilization = target.averageUtilization, utilization < 1 {
            errors.append(.invalid(path.child("averageUtilization"), utilization, "must be greater than 0"))
        }
        return errors
    }

    /// `validateMetricIdentifier`: a name that can be a path segment.
    static func metricIdentifier(_ identifier: AutoscalingV2.MetricIdentifier, path: FieldPath) -> [FieldError] {
        if identifier.name.isEmpty { return [.required(path.child("name"), "must specify a metric name")] }
        return Validation.isValidPathSegmentName(identifier.name).map {
            FieldError.invalid(path.child("name"), identifier.name, $0)
        }
    }

    /// `ValidateCrossVersionObjectReference`.
    static func crossVersionReference(_ reference: AutoscalingV2.CrossVersionObjectReference, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        for (name, value) in [("kind", reference.kind), ("name", reference.name)] {
            if value.isEmpty {
                errors.append(.required(path.child(name), ""))
            } else {
                errors += Validation.isValidPathSegmentName(value).map { FieldError.invalid(path.child(name), value, $0) }
            }
        }
        return errors
    }
}
