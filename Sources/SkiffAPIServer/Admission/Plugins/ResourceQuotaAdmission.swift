import SkiffAPI
import SkiffAPIMachinery

/// Enforces a namespace's ResourceQuotas and charges their usage (↔ upstream `plugin/pkg/admission/resourcequota`
/// and the quota evaluators of `pkg/quota/v1/evaluator/core`, "ResourceQuota", on by default and last).
///
/// A create (or an update that grows usage: a Service's type or ports, a claim's size) computes the object's usage
/// (`pods`, `count/pods`, `requests.cpu`, `limits.memory`, `services.nodeports`, `count/<resource>.<group>`, …),
/// adds it to each matching quota's `status.used`, and refuses it with 403 `exceeded quota: q, requested: pods=1,
/// used: pods=2, limited: pods=2` when that passes `status.hard`. Otherwise the new usage is written to the quota
/// with compare-and-swap before the object is stored (a lost race re-reads the quota), so two concurrent creates
/// cannot both take the last unit. A dry run checks but charges nothing.
///
/// A quota whose `status` does not yet count a resource it limits refuses with `status unknown for quota`, and a
/// quota limiting cpu or memory requires every container to state them, as upstream.
struct ResourceQuotaAdmission: ValidatingAdmissionPlugin {
    static let pluginName = "ResourceQuota"
    var name: String { Self.pluginName }

    let objects: any AdmissionObjectSource

    func validate(_ attributes: AdmissionAttributes) async throws {
        guard !attributes.namespace.isEmpty, attributes.subresource.isEmpty,
            attributes.operation == .create || attributes.operation == .update,
            let object = attributes.object
        else { return }
        let evaluator = QuotaEvaluator(resource: attributes.resource)
        guard evaluator.handles(attributes.operation) else { return }
        var delta = evaluator.usage(object)
        if attributes.operation == .update, let old = attributes.oldObject {
            delta = QuotaEvaluator.subtractNonNegative(delta, evaluator.usage(old))
        }
        if delta.values.allSatisfy(\.isZero) { return }

        var charged: Set<String> = []
        for _ in 0..<16 {
            let quotas = try await self.objects.list(.resourceQuotas, namespace: attributes.namespace)
            var pending: [(name: String, used: [String: Quantity], resourceVersion: String, status: CoreV1.ResourceQuotaStatus)] = []
            for stored in quotas {
                let quota = try stored.decode(CoreV1.ResourceQuota.self)
                let quotaName = quota.metadata.name ?? ""
                guard evaluator.matches(quota, object) else { continue }
                let hard = quota.status?.hard ?? [:]
                let used = quota.status?.used ?? [:]
                let restricted = Set(hard.keys).filter { evaluator.tracks($0) }
                if restricted.isEmpty { continue }
                if let message = evaluator.constraints(restricted, object) {
                    throw attributes.forbidden("failed quota: \(quotaName): \(message)")
                }
                let unknown = restricted.filter { used[$0] == nil }.sorted()
                if !unknown.isEmpty {
                    throw attributes.forbidden(
                        "status unknown for quota: \(quotaName), resources: \(unknown.joined(separator: ","))"
                    )
                }
                let requested = delta.filter { hard[$0.key] != nil }
                if requested.isEmpty || requested.values.allSatisfy(\.isZero) || charged.contains(quotaName) { continue }
                var newUsed = used
                for (resource, value) in requested { newUsed[resource, default: Quantity()] += value }
                let exceeded = requested.keys.filter { newUsed[$0]! > hard[$0]! }.sorted()
                if !exceeded.isEmpty {
                    throw attributes.forbidden(
                        "exceeded quota: \(quotaName), requested: \(Self.pretty(requested, exceeded)), used: \(Self.pretty(used, exceeded)), limited: \(Self.pretty(hard, exceeded))"
                    )
                }
                var status = quota.status ?? CoreV1.ResourceQuotaStatus()
                status.used = newUsed
                pending.append((quotaName, newUsed, stored.resourceVersion, status))
            }
            if attributes.isDryRun || pending.isEmpty { return }
            var lost = false
            for entry in pending {
                let status = try JSONValueEncoder().encode(entry.status)
                if try await self.objects.updateStatus(
                    .resourceQuotas,
                    namespace: attributes.namespace,
                    name: entry.name,
                    status: status,
                    resourceVersion: entry.resourceVersion
                ) {
                    charged.insert(entry.name)
                } else {
                    lost = true
                }
            }
            if !lost { return }
        }
        throw APIError.conflict(
            group: "",
            resource: "resourcequotas",
            name: attributes.namespace,
            message: "too many conflicts updating the resource quota usage"
        )
    }

    /// `pods=1,requests.cpu=500m`: the named resources of `list`, sorted (upstream's `prettyPrint`).
    static func pretty(_ list: [String: Quantity], _ names: [String]) -> String {
        names.compactMap { name in list[name].map { "\(name)=\($0)" } }.joined(separator: ",")
    }
}

/// What one resource's objects count against a quota (↔ upstream's quota evaluators: pods, services, persistent
/// volume claims, and object counts for everything else).
struct QuotaEvaluator {
    let resource: GroupResource

    /// `count/pods`, `count/deployments.apps`.
    var objectCountName: String {
        self.resource.group.isEmpty ? "count/\(self.resource.resource)" : "count/\(self.resource.resource).\(self.resource.group)"
    }

    /// Resources also counted under their bare name, as before object-count quotas existed.
    private static let legacyCounted: Set<String> = [
        "configmaps", "secrets", "replicationcontrollers", "resourcequotas",
    ]

    /// Pods are charged on create only; Services and claims also on update (type, ports, size); object counts on
    /// create.
    func handles(_ operation: AdmissionAttributes.Operation) -> Bool {
        switch self.resource {
        case .services, .persistentVolumeClaims: return operation == .create || operation == .update
        default: return operation == .create
        }
    }

    /// Whether this evaluator accounts for the quota resource `name`.
    func tracks(_ name: String) -> Bool {
        if name == self.objectCountName { return true }
        switch self.resource {
        case .pods:
            return Self.podResources.contains(name) || name.hasPrefix("requests.") || name.hasPrefix("limits.")
                || name.hasPrefix("hugepages-")
        case .services:
            return ["services", "services.nodeports", "services.loadbalancers"].contains(name)
        case .persistentVolumeClaims:
            return name == "persistentvolumeclaims" || name == "requests.storage"
                || name.hasSuffix(".storageclass.storage.k8s.io/requests.storage")
                || name.hasSuffix(".storageclass.storage.k8s.io/persistentvolumeclaims")
        default:
            return self.resource.group.isEmpty && Self.legacyCounted.contains(self.resource.resource)
                && name == self.resource.resource
        }
    }

    private static let podResources: Set<String> = ["pods", "cpu", "memory", "ephemeral-storage"]

    /// The object's usage.
    func usage(_ object: any APIObject) -> [String: Quantity] {
        var usage: [String: Quantity] = [self.objectCountName: Quantity(1, format: .decimalSI)]
        switch object {
        case let pod as CoreV1.Pod:
            let phase = pod.status?.phase ?? ""
            // Pods that finished no longer use compute resources; `count/pods` still counts them.
            guard phase != "Succeeded", phase != "Failed" else { return usage }
            let spec = pod.spec ?? CoreV1.PodSpec(containers: [])
            let (requests, limits) = LimitRanger.podTotals(spec)
            for (name, value) in Self.computeUsage(requests: requests, limits: limits) { usage[name] = value }
        case let service as CoreV1.Service:
            let spec = service.spec ?? CoreV1.ServiceSpec()
            let ports = Int64(spec.ports?.count ?? 0)
            usage["services"] = Quantity(1, format: .decimalSI)
            usage["services.loadbalancers"] = Quantity(spec.type == "LoadBalancer" ? 1 : 0, format: .decimalSI)
            var nodePorts: Int64 = 0
            if spec.type == "NodePort" {
                nodePorts = ports
            } else if spec.type == "LoadBalancer" {
                nodePorts =
                    spec.allocateLoadBalancerNodePorts == false
                    ? Int64(spec.ports?.filter { ($0.nodePort ?? 0) != 0 }.count ?? 0) : ports
            }
            usage["services.nodeports"] = Quantity(nodePorts, format: .decimalSI)
        case let claim as CoreV1.PersistentVolumeClaim:
            usage["persistentvolumeclaims"] = Quantity(1, format: .decimalSI)
            let storage = claim.spec?.resources?.requests?["storage"]
            if let storage { usage["requests.storage"] = storage }
            if let className = claim.spec?.storageClassName, !className.isEmpty {
                usage["\(className).storageclass.storage.k8s.io/persistentvolumeclaims"] = Quantity(1, format: .decimalSI)
                if let storage { usage["\(className).storageclass.storage.k8s.io/requests.storage"] = storage }
            }
        default:
            if self.resource.group.isEmpty, Self.legacyCounted.contains(self.resource.resource) {
                usage[self.resource.resource] = Quantity(1, format: .decimalSI)
            }
        }
        return usage
    }

    /// A pod's (or container's) compute usage from its requests and limits (upstream's `podComputeUsageHelper`).
    static func computeUsage(requests: [String: Quantity], limits: [String: Quantity]) -> [String: Quantity] {
        var result: [String: Quantity] = ["pods": Quantity(1, format: .decimalSI)]
        for name in ["cpu", "memory", "ephemeral-storage"] {
            if let request = requests[name] {
                result[name] = request
                result["requests.\(name)"] = request
            }
            if let limit = limits[name] { result["limits.\(name)"] = limit }
        }
        for (name, request) in requests where name.hasPrefix("hugepages-") {
            result[name] = request
            result["requests.\(name)"] = request
        }
        for (name, request) in requests where name.contains("/") && !name.hasPrefix("kubernetes.io/") {
            result["requests.\(name)"] = request
        }
        return result
    }

    /// Resources that, when a quota limits them, every container must state (upstream's backward-compatible
    /// `Constraints`); the message lists what is missing where.
    func constraints(_ restricted: Set<String>, _ object: any APIObject) -> String? {
        guard let pod = object as? CoreV1.Pod else { return nil }
        let required = restricted.intersection([
            "requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "cpu", "memory",
        ])
        guard !required.isEmpty else { return nil }
        var missing: [String: Set<String>] = [:]
        for container in (pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? []) {
            let usage = Self.computeUsage(
                requests: container.resources?.requests ?? [:],
                limits: container.resources?.limits ?? [:]
            )
            for name in required where usage[name] == nil { missing[name, default: []].insert(container.name) }
        }
        guard !missing.isEmpty else { return nil }
        let parts = missing.keys.sorted().map { "\($0) for: \(missing[$0]!.sorted().joined(separator: ","))" }
        return "must specify " + parts.joined(separator: "; ")
    }

    /// Whether a quota with scopes applies to the object (pods only; a scoped quota matches nothing else).
    func matches(_ quota: CoreV1.ResourceQuota, _ object: any APIObject) -> Bool {
        let scopes = quota.spec?.scopes ?? []
        let selectors = quota.spec?.scopeSelector?.matchExpressions ?? []
        if scopes.isEmpty && selectors.isEmpty { return true }
        guard let pod = object as? CoreV1.Pod else { return false }
        let spec = pod.spec ?? CoreV1.PodSpec(containers: [])
        func matchesScope(_ scope: String) -> Bool {
            switch scope {
            case "Terminating": return spec.activeDeadlineSeconds != nil
            case "NotTerminating": return spec.activeDeadlineSeconds == nil
            case "BestEffort": return Self.isBestEffort(spec)
            case "NotBestEffort": return !Self.isBestEffort(spec)
            case "PriorityClass": return !(spec.priorityClassName ?? "").isEmpty
            case "CrossNamespacePodAffinity": return false
            default: return false
            }
        }
        for scope in scopes where !matchesScope(scope) { return false }
        for selector in selectors {
            let values = selector.values ?? []
            switch (selector.scopeName, selector.operator) {
            case ("PriorityClass", "In"): if !values.contains(spec.priorityClassName ?? "") { return false }
            case ("PriorityClass", "NotIn"): if values.contains(spec.priorityClassName ?? "") { return false }
            case ("PriorityClass", "Exists"): if (spec.priorityClassName ?? "").isEmpty { return false }
            case ("PriorityClass", "DoesNotExist"): if !(spec.priorityClassName ?? "").isEmpty { return false }
            case (let scope, "Exists"): if !matchesScope(scope) { return false }
            case (let scope, "DoesNotExist"): if matchesScope(scope) { return false }
            default: return false
            }
        }
        return true
    }

    private static func isBestEffort(_ spec: CoreV1.PodSpec) -> Bool {
        (spec.containers + (spec.initContainers ?? [])).allSatisfy {
            ($0.resources?.requests ?? [:]).isEmpty && ($0.resources?.limits ?? [:]).isEmpty
        }
    }

    /// `a - b` per resource, never below zero.
    static func subtractNonNegative(_ a: [String: Quantity], _ b: [String: Quantity]) -> [String: Quantity] {
        var result = a
        for (name, value) in b {
            guard let current = result[name] else { continue }
            let difference = current - value
            result[name] = difference.sign < 0 ? Quantity() : difference
        }
        return result
    }
}
