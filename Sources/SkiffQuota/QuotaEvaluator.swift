public import SkiffAPI
public import SkiffAPIMachinery

/// What one resource's objects count against a quota (↔ upstream's quota evaluators of
/// `pkg/quota/v1/evaluator/core`: pods, services, persistent volume claims, and object counts for everything
/// else). Shared by the ResourceQuota admission plugin, which charges a request's usage, and the resource quota
/// controller, which recomputes `status.used` from what exists.
public struct QuotaEvaluator: Sendable {
    /// The API group of the resource (`""` for the core group).
    public let group: String
    /// The resource's plural name (`pods`).
    public let resource: String

    public init(group: String, resource: String) {
        self.group = group
        self.resource = resource
    }

    /// `count/pods`, `count/deployments.apps`.
    public var objectCountName: String {
        self.group.isEmpty ? "count/\(self.resource)" : "count/\(self.resource).\(self.group)"
    }

    var isCorePods: Bool { self.group.isEmpty && self.resource == "pods" }
    var isCoreServices: Bool { self.group.isEmpty && self.resource == "services" }
    var isCoreClaims: Bool { self.group.isEmpty && self.resource == "persistentvolumeclaims" }

    /// Resources also counted under their bare name, as before object-count quotas existed.
    private static let legacyCounted: Set<String> = [
        "configmaps", "secrets", "replicationcontrollers", "resourcequotas",
    ]

    /// Whether an update can change the usage: Services (type, ports) and claims (size) are charged on update
    /// too; pods and object counts on create only.
    public var chargesUpdates: Bool { self.isCoreServices || self.isCoreClaims }

    /// Whether this evaluator accounts for the quota resource `name`.
    public func tracks(_ name: String) -> Bool {
        if name == self.objectCountName { return true }
        if self.isCorePods {
            return Self.podResources.contains(name) || name.hasPrefix("requests.") || name.hasPrefix("limits.")
                || name.hasPrefix("hugepages-")
        }
        if self.isCoreServices {
            return ["services", "services.nodeports", "services.loadbalancers"].contains(name)
        }
        if self.isCoreClaims {
            return name == "persistentvolumeclaims" || name == "requests.storage"
                || name.hasSuffix(".storageclass.storage.k8s.io/requests.storage")
                || name.hasSuffix(".storageclass.storage.k8s.io/persistentvolumeclaims")
        }
        return self.group.isEmpty && Self.legacyCounted.contains(self.resource) && name == self.resource
    }

    /// The quota resource names an evaluator of `group`/`resource` could account for among `names` (for the
    /// controller: which resources to list for a quota).
    public static func resources(tracking names: some Sequence<String>) -> [(group: String, resource: String)] {
        var result: [(group: String, resource: String)] = []
        func add(_ group: String, _ resource: String) {
            if !result.contains(where: { $0 == (group, resource) }) { result.append((group, resource)) }
        }
        for name in names {
            if name.hasPrefix("count/") {
                let rest = name.dropFirst("count/".count)
                if let dot = rest.firstIndex(of: ".") {
                    add(String(rest[rest.index(after: dot)...]), String(rest[..<dot]))
                } else {
                    add("", String(rest))
                }
            } else if Self.legacyCounted.contains(name) {
                add("", name)
            } else if ["services", "services.nodeports", "services.loadbalancers"].contains(name) {
                add("", "services")
            } else if name == "persistentvolumeclaims" || name.hasSuffix("requests.storage")
                || name.hasSuffix(".storageclass.storage.k8s.io/persistentvolumeclaims")
            {
                add("", "persistentvolumeclaims")
            } else if Self.podResources.contains(name) || name.hasPrefix("requests.") || name.hasPrefix("limits.")
                || name.hasPrefix("hugepages-")
            {
                add("", "pods")
            }
        }
        return result
    }

    private static let podResources: Set<String> = ["pods", "cpu", "memory", "ephemeral-storage"]

    /// The object's usage.
    public func usage(_ object: any APIObject) -> [String: Quantity] {
        var usage: [String: Quantity] = [self.objectCountName: Quantity(1, format: .decimalSI)]
        switch object {
        case let pod as CoreV1.Pod:
            let phase = pod.status?.phase ?? ""
            // Pods that finished no longer use compute resources; `count/pods` still counts them.
            guard phase != "Succeeded", phase != "Failed" else { return usage }
            let spec = pod.spec ?? CoreV1.PodSpec(containers: [])
            let (requests, limits) = PodResources.totals(spec)
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
            if self.group.isEmpty, Self.legacyCounted.contains(self.resource) {
                usage[self.resource] = Quantity(1, format: .decimalSI)
            }
        }
        return usage
    }

    /// A pod's (or container's) compute usage from its requests and limits (upstream's `podComputeUsageHelper`).
    public static func computeUsage(requests: [String: Quantity], limits: [String: Quantity]) -> [String: Quantity] {
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
    public func constraints(_ restricted: Set<String>, _ object: any APIObject) -> String? {
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
    public func matches(_ quota: CoreV1.ResourceQuota, _ object: any APIObject) -> Bool {
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
    public static func subtractNonNegative(_ a: [String: Quantity], _ b: [String: Quantity]) -> [String: Quantity] {
        var result = a
        for (name, value) in b {
            guard let current = result[name] else { continue }
            let difference = current - value
            result[name] = difference.sign < 0 ? Quantity() : difference
        }
        return result
    }
}
