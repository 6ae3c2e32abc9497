import SkiffAPI
import SkiffAPIMachinery
import SkiffQuota

/// Applies a namespace's LimitRanges to pods (↔ upstream `plugin/pkg/admission/limitranger`, "LimitRanger", on
/// by default).
///
/// - Admit (pod create): each container and init container gets the `Container` items' `defaultRequest` and
///   `default` values for the resources it does not set (requests first default to the container's own limits, as
///   pod defaulting does upstream before admission), recorded in the `kubernetes.io/limit-ranger` annotation.
/// - Validate (pod create): `Container` items' `min`, `max` and `maxLimitRequestRatio` per container, `Pod` items'
///   over the pod's total; a violation is 403 with upstream's wording, for example `pods "p" is forbidden: maximum
///   cpu usage per Container is 1, but limit is 2`.
///
/// Pod updates are not checked (containers cannot change), nor are subresources.
struct LimitRanger: MutatingAdmissionPlugin, ValidatingAdmissionPlugin {
    static let pluginName = "LimitRanger"
    var name: String { Self.pluginName }
    static let annotation = "kubernetes.io/limit-ranger"

    let objects: any AdmissionObjectSource

    private func limitRanges(_ attributes: AdmissionAttributes) async throws -> [CoreV1.LimitRange]? {
        guard attributes.isMainResource(.pods), attributes.operation == .create, attributes.object is CoreV1.Pod
        else { return nil }
        let ranges = try await self.objects.list(
            CoreV1.LimitRange.self,
            .limitRanges,
            namespace: attributes.namespace,
            cached: true
        )
        return ranges.isEmpty ? nil : ranges
    }

    // MARK: Defaults

    func admit(_ attributes: inout AdmissionAttributes) async throws {
        guard let ranges = try await self.limitRanges(attributes), var pod = attributes.object as? CoreV1.Pod,
            var spec = pod.spec
        else { return }
        var requests: [String: Quantity] = [:]
        var limits: [String: Quantity] = [:]
        for range in ranges {
            for item in range.spec?.limits ?? [] where item.type == "Container" {
                for (name, value) in Self.defaultRequests(item) { requests[name] = value }
                for (name, value) in Self.defaultLimits(item) { limits[name] = value }
            }
        }
        guard !requests.isEmpty || !limits.isEmpty else { return }
        var notes: [String] = []
        for index in spec.containers.indices {
            Self.merge(&spec.containers[index], requests: requests, limits: limits, label: "container", notes: &notes)
        }
        if var initContainers = spec.initContainers {
            for index in initContainers.indices {
                Self.merge(&initContainers[index], requests: requests, limits: limits, label: "init container", notes: &notes)
            }
            spec.initContainers = initContainers
        }
        pod.spec = spec
        if !notes.isEmpty {
            var annotations = pod.metadata.annotations ?? [:]
            annotations[Self.annotation] = "LimitRanger plugin set: " + notes.joined(separator: "; ")
            pod.metadata.annotations = annotations
        }
        attributes.object = pod
    }

    /// An item's default limits: `default`, else `max` (LimitRange defaulting upstream applies when it is stored).
    static func defaultLimits(_ item: CoreV1.LimitRangeItem) -> [String: Quantity] {
        var result = item.max ?? [:]
        for (name, value) in item.default ?? [:] { result[name] = value }
        return result
    }

    /// An item's default requests: `defaultRequest`, else the default limit, else `min`.
    static func defaultRequests(_ item: CoreV1.LimitRangeItem) -> [String: Quantity] {
        var result = item.min ?? [:]
        for (name, value) in Self.defaultLimits(item) { result[name] = value }
        for (name, value) in item.defaultRequest ?? [:] { result[name] = value }
        return result
    }

    private static func merge(
        _ container: inout CoreV1.Container,
        requests defaultRequests: [String: Quantity],
        limits defaultLimits: [String: Quantity],
        label: String,
        notes: inout [String]
    ) {
        var resources = container.resources ?? CoreV1.ResourceRequirements()
        var limits = resources.limits ?? [:]
        var requests = resources.requests ?? [:]
        // Pod defaulting (which upstream runs before admission): a limit without a request requests the limit.
        for (name, value) in limits where requests[name] == nil { requests[name] = value }
        var setLimits: [String] = []
        var setRequests: [String] = []
        for (name, value) in defaultLimits where limits[name] == nil {
            limits[name] = value
            setLimits.append(name)
        }
        for (name, value) in defaultRequests where requests[name] == nil {
            requests[name] = value
            setRequests.append(name)
        }
        resources.limits = limits.isEmpty ? nil : limits
        resources.requests = requests.isEmpty ? nil : requests
        container.resources = resources
        if !setRequests.isEmpty {
            notes.append(setRequests.sorted().joined(separator: ", ") + " request for \(label) \(container.name)")
        }
        if !setLimits.isEmpty {
            notes.append(setLimits.sorted().joined(separator: ", ") + " limit for \(label) \(container.name)")
        }
    }

    // MARK: Constraints

    func validate(_ attributes: AdmissionAttributes) async throws {
        guard let ranges = try await self.limitRanges(attributes), let pod = attributes.object as? CoreV1.Pod,
            let spec = pod.spec
        else { return }
        for range in ranges {
            let problems = Self.problems(range, spec)
            switch problems.count {
            case 0: continue
            case 1: throw attributes.forbidden(problems[0])
            default: throw attributes.forbidden("[" + problems.joined(separator: ", ") + "]")
            }
        }
    }

    /// What a pod violates in one LimitRange (upstream's `PodValidateLimitFunc`), resources in name order.
    static func problems(_ range: CoreV1.LimitRange, _ spec: CoreV1.PodSpec) -> [String] {
        var problems: [String] = []
        for item in range.spec?.limits ?? [] {
            switch item.type {
            case "Container":
                for container in spec.containers + (spec.initContainers ?? []) {
                    let requests = container.resources?.requests ?? [:]
                    let limits = container.resources?.limits ?? [:]
                    problems += Self.check(item, kind: "Container", requests: requests, limits: limits)
                }
            case "Pod":
                let (requests, limits) = PodResources.totals(spec)
                problems += Self.check(item, kind: "Pod", requests: requests, limits: limits)
            default:
                continue
            }
        }
        return problems
    }

    private static func check(
        _ item: CoreV1.LimitRangeItem,
        kind: String,
        requests: [String: Quantity],
        limits: [String: Quantity]
    ) -> [String] {
        var problems: [String] = []
        for (name, enforced) in (item.min ?? [:]).sorted(by: { $0.key < $1.key }) {
            let (request, limit, bound) = Self.comparable(requests[name], limits[name], enforced)
            if requests[name] == nil {
                problems.append("minimum \(name) usage per \(kind) is \(enforced).  No request is specified")
            } else if request < bound {
                problems.append("minimum \(name) usage per \(kind) is \(enforced), but request is \(requests[name]!)")
            } else if let given = limits[name], limit < bound {
                problems.append("minimum \(name) usage per \(kind) is \(enforced), but limit is \(given)")
            }
        }
        for (name, enforced) in (item.max ?? [:]).sorted(by: { $0.key < $1.key }) {
            let (request, limit, bound) = Self.comparable(requests[name], limits[name], enforced)
            if limits[name] == nil {
                problems.append("maximum \(name) usage per \(kind) is \(enforced).  No limit is specified")
            } else if limit > bound {
                problems.append("maximum \(name) usage per \(kind) is \(enforced), but limit is \(limits[name]!)")
            } else if let given = requests[name], request > bound {
                problems.append("maximum \(name) usage per \(kind) is \(enforced), but request is \(given)")
            }
        }
        for (name, enforced) in (item.maxLimitRequestRatio ?? [:]).sorted(by: { $0.key < $1.key }) {
            let (request, limit, _) = Self.comparable(requests[name], limits[name], enforced)
            if requests[name] == nil || request == 0 {
                problems.append(
                    "\(name) max limit to request ratio per \(kind) is \(enforced), but no request is specified or request is 0"
                )
                continue
            }
            if limits[name] == nil || limit == 0 {
                problems.append(
                    "\(name) max limit to request ratio per \(kind) is \(enforced), but no limit is specified or limit is 0"
                )
                continue
            }
            var observed = Double(limit) / Double(request)
            let shown = observed
            var maximum = Double(enforced.value)
            if enforced.value <= Self.maxMilliValue {
                observed *= 1000
                maximum = Double(enforced.milliValue)
            }
            if observed > maximum {
                problems.append(
                    "\(name) max limit to request ratio per \(kind) is \(enforced), but provided ratio is \(Self.sixDecimals(shown))"
                )
            }
        }
        return problems
    }

    /// Upstream's `resource.MaxMilliValue`: the largest value whose milli-value fits in 64 bits.
    static let maxMilliValue = Int64.max / 1000

    /// Request, limit and bound at a common precision: milli-units when none overflows (upstream's
    /// `requestLimitEnforcedValues`).
    private static func comparable(_ request: Quantity?, _ limit: Quantity?, _ enforced: Quantity) -> (Int64, Int64, Int64) {
        let request = request ?? Quantity()
        let limit = limit ?? Quantity()
        if request.value <= Self.maxMilliValue, limit.value <= Self.maxMilliValue, enforced.value <= Self.maxMilliValue {
            return (request.milliValue, limit.milliValue, enforced.milliValue)
        }
        return (request.value, limit.value, enforced.value)
    }

    /// Go's `%f`.
    static func sixDecimals(_ value: Double) -> String {
        let scaled = (value * 1_000_000).rounded()
        let whole = Int64(scaled / 1_000_000)
        let fraction = Int64(scaled) - whole * 1_000_000
        let digits = String(fraction)
        return "\(whole)." + String(repeating: "0", count: 6 - digits.count) + digits
    }
}
