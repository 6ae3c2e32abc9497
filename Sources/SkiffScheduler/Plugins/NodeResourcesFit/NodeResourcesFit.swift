import SkiffAPI
import SkiffAPIMachinery

/// Checks that a node has room for the pod's requests and pod count, and scores nodes by a strategy:
/// LeastAllocated (default), MostAllocated or RequestedToCapacityRatio (↔ `noderesources.Fit`; weight 1).
public struct NodeResourcesFit: PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
    public var name: String { PluginNames.nodeResourcesFit }

    /// `NodeResourcesFitArgs`.
    public struct Args: Codable, Sendable, Hashable {
        /// Resources Filter ignores.
        public var ignoredResources: [String]?
        /// Resource groups (the prefix before `/`) Filter ignores.
        public var ignoredResourceGroups: [String]?
        /// How nodes are scored.
        public var scoringStrategy: ScoringStrategy?

        public init(
            ignoredResources: [String]? = nil,
            ignoredResourceGroups: [String]? = nil,
            scoringStrategy: ScoringStrategy? = nil
        ) {
            self.ignoredResources = ignoredResources
            self.ignoredResourceGroups = ignoredResourceGroups
            self.scoringStrategy = scoringStrategy
        }
    }

    /// `ScoringStrategy`.
    public struct ScoringStrategy: Codable, Sendable, Hashable {
        /// `LeastAllocated`, `MostAllocated` or `RequestedToCapacityRatio`.
        public var type: String?
        /// Resources and weights (default cpu and memory, weight 1).
        public var resources: [ResourceSpec]?
        /// The shape of RequestedToCapacityRatio.
        public var requestedToCapacityRatio: RequestedToCapacityRatioParam?

        public init(
            type: String? = nil,
            resources: [ResourceSpec]? = nil,
            requestedToCapacityRatio: RequestedToCapacityRatioParam? = nil
        ) {
            self.type = type
            self.resources = resources
            self.requestedToCapacityRatio = requestedToCapacityRatio
        }
    }

    /// `ResourceSpec`.
    public struct ResourceSpec: Codable, Sendable, Hashable {
        public var name: String
        public var weight: Int64?
        public init(name: String, weight: Int64? = nil) {
            self.name = name
            self.weight = weight
        }
    }

    /// `RequestedToCapacityRatioParam`.
    public struct RequestedToCapacityRatioParam: Codable, Sendable, Hashable {
        public var shape: [UtilizationShapePoint]?
        public init(shape: [UtilizationShapePoint]? = nil) { self.shape = shape }
    }

    /// `UtilizationShapePoint`: utilization 0-100 → score 0-10.
    public struct UtilizationShapePoint: Codable, Sendable, Hashable {
        public var utilization: Int32
        public var score: Int32
        public init(utilization: Int32, score: Int32) {
            self.utilization = utilization
            self.score = score
        }
    }

    let ignoredResources: Set<String>
    let ignoredResourceGroups: Set<String>
    let scorer: ResourceAllocationScorer

    /// Makes the plugin; throws for an unknown strategy or a bad shape, as upstream's validation.
    public init(args: Args = Args()) throws {
        self.ignoredResources = Set(args.ignoredResources ?? [])
        self.ignoredResourceGroups = Set(args.ignoredResourceGroups ?? [])
        let strategy = args.scoringStrategy ?? ScoringStrategy()
        let resources = (strategy.resources ?? [ResourceSpec(name: "cpu", weight: 1), ResourceSpec(name: "memory", weight: 1)])
            .map { ResourceAllocationScorer.Weighted(name: $0.name, weight: ($0.weight ?? 0) == 0 ? 1 : $0.weight!) }
        let function: ResourceAllocationScorer.Function
        switch strategy.type ?? "LeastAllocated" {
        case "LeastAllocated": function = .leastAllocated
        case "MostAllocated": function = .mostAllocated
        case "RequestedToCapacityRatio":
            let shape = strategy.requestedToCapacityRatio?.shape ?? []
            if shape.isEmpty {
                throw SchedulerError("scoringStrategy.requestedToCapacityRatio.shape: Required value: at least one point must be specified")
            }
            function = .requestedToCapacityRatio(
                shape.map { (utilization: Int64($0.utilization), score: Int64($0.score) * (maxNodeScore / 10)) }
            )
        case let other:
            throw SchedulerError(
                "scoringStrategy.type: Unsupported value: \"\(other)\": supported values: \"LeastAllocated\", "
                    + "\"MostAllocated\", \"RequestedToCapacityRatio\""
            )
        }
        self.scorer = ResourceAllocationScorer(resources: resources, useRequested: false, function: function)
    }

    public static let factory: PluginFactory = { args, _ in
        try NodeResourcesFit(args: try decodeArgs(Args.self, args) ?? Args())
    }

    public func preFilter(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus) {
        // The requests are computed once in PodInfo; nothing to store.
        (nil, .success)
    }

    /// A resource the node lacks (↔ `InsufficientResource`).
    public struct InsufficientResource: Sendable, Hashable {
        public var resourceName: String
        public var reason: String
        public var requested: Int64
        public var used: Int64
        public var capacity: Int64
        /// The request exceeds the node's allocatable itself: preemption cannot help.
        public var unresolvable: Bool
    }

    /// The resources `pod` lacks on `node` (↔ `fitsRequest`).
    public func insufficientResources(_ pod: PodInfo, on node: NodeInfo) -> [InsufficientResource] {
        var result: [InsufficientResource] = []
        let allocatable = node.allocatable
        let requested = node.requested
        if Int64(node.pods.count) + 1 > allocatable.allowedPodNumber {
            result.append(
                InsufficientResource(
                    resourceName: "pods",
                    reason: "Too many pods",
                    requested: 1,
                    used: Int64(node.pods.count),
                    capacity: allocatable.allowedPodNumber,
                    unresolvable: false
                )
            )
        }
        let request = pod.requests
        if request.milliCPU == 0 && request.memory == 0 && request.ephemeralStorage == 0
            && request.scalarResources.isEmpty
        {
            return result
        }
        if request.milliCPU > 0 && request.milliCPU > allocatable.milliCPU - requested.milliCPU {
            result.append(
                InsufficientResource(
                    resourceName: "cpu",
                    reason: "Insufficient cpu",
                    requested: request.milliCPU,
                    used: requested.milliCPU,
                    capacity: allocatable.milliCPU,
                    unresolvable: request.milliCPU > allocatable.milliCPU
                )
            )
        }
        if request.memory > 0 && request.memory > allocatable.memory - requested.memory {
            result.append(
                InsufficientResource(
                    resourceName: "memory",
                    reason: "Insufficient memory",
                    requested: request.memory,
                    used: requested.memory,
                    capacity: allocatable.memory,
                    unresolvable: request.memory > allocatable.memory
                )
            )
        }
        if request.ephemeralStorage > 0
            && request.ephemeralStorage > allocatable.ephemeralStorage - requested.ephemeralStorage
        {
            result.append(
                InsufficientResource(
                    resourceName: "ephemeral-storage",
                    reason: "Insufficient ephemeral-storage",
                    requested: request.ephemeralStorage,
                    used: requested.ephemeralStorage,
                    capacity: allocatable.ephemeralStorage,
                    unresolvable: request.ephemeralStorage > allocatable.ephemeralStorage
                )
            )
        }
        for (name, quantity) in request.scalarResources.sorted(by: { $0.key < $1.key }) where quantity != 0 {
            if Self.isExtendedResourceName(name) {
                let group = name.split(separator: "/", maxSplits: 1).first.map(String.init) ?? name
                if self.ignoredResources.contains(name) || self.ignoredResourceGroups.contains(group) { continue }
            }
            let available = (allocatable.scalarResources[name] ?? 0) - (requested.scalarResources[name] ?? 0)
            if quantity > available {
                result.append(
                    InsufficientResource(
                        resourceName: name,
                        reason: "Insufficient \(name)",
                        requested: quantity,
                        used: requested.scalarResources[name] ?? 0,
                        capacity: allocatable.scalarResources[name] ?? 0,
                        unresolvable: quantity > (allocatable.scalarResources[name] ?? 0)
                    )
                )
            }
        }
        return result
    }

    /// `true` for extended resources: a domain-qualified name outside `kubernetes.io/`, not `requests.`-prefixed
    /// (↔ `IsExtendedResourceName`).
    static func isExtendedResourceName(_ name: String) -> Bool {
        guard name.contains("/"), !name.contains("kubernetes.io/"), !name.hasPrefix("requests.") else { return false }
        return true
    }

    public func filter(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> PluginStatus {
        // Fast path: the common case fits on every dimension. Fields are read in place: copying the Resource
        // values would retain their scalar dictionaries, per node and pod.
        if pod.requests.scalarResources.isEmpty
            && Int64(node.pods.count) + 1 <= node.allocatable.allowedPodNumber
            && pod.requests.milliCPU <= node.allocatable.milliCPU - node.requested.milliCPU
            && pod.requests.memory <= node.allocatable.memory - node.requested.memory
            && pod.requests.ephemeralStorage <= node.allocatable.ephemeralStorage - node.requested.ephemeralStorage
        {
            return .success
        }
        let insufficient = self.insufficientResources(pod, on: node)
        if insufficient.isEmpty { return .success }
        let code: PluginStatus.Code =
            insufficient.contains { $0.unresolvable } ? .unschedulableAndUnresolvable : .unschedulable
        return PluginStatus(code, reasons: insufficient.map(\.reason))
    }

    public func preScore(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) -> PluginStatus {
        .success
    }

    public func score(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> (Int64, PluginStatus) {
        (self.scorer.score(pod, on: node), .success)
    }

    public func eventsToRegister() -> [ClusterEventWithHint] {
        [
            ClusterEventWithHint(.assignedPodDelete),
            ClusterEventWithHint(
                ClusterEvent(resource: .assignedPod, actionType: .updatePodScaleDown, label: "AssignedPodScaleDown")
            ),
            ClusterEventWithHint(
                ClusterEvent(resource: .node, actionType: [.add, .updateNodeAllocatable], label: "NodeAllocatableChange")
            ) { pod, _, new in
                guard let node = new?.node else { return .skip }
                let info = NodeInfo(node: node)
                let insufficient = (try? NodeResourcesFit())?.insufficientResources(pod, on: info) ?? []
                return insufficient.isEmpty ? .queue : .skip
            },
        ]
    }
}

/// Scores a node from requested/allocatable ratios of a set of weighted resources (↔
/// `resourceAllocationScorer`), shared by NodeResourcesFit and NodeResourcesBalancedAllocation.
struct ResourceAllocationScorer: Sendable {
    struct Weighted: Sendable, Hashable {
        enum Kind: Sendable, Hashable {
            case cpu
            case memory
            case ephemeralStorage
            case scalar
        }

        var name: String
        var weight: Int64
        var kind: Kind

        init(name: String, weight: Int64) {
            self.name = name
            self.weight = weight
            switch name {
            case Resource.Name.cpu: self.kind = .cpu
            case Resource.Name.memory: self.kind = .memory
            case Resource.Name.ephemeralStorage: self.kind = .ephemeralStorage
            default: self.kind = .scalar
            }
        }
    }

    enum Function: Sendable {
        case leastAllocated
        case mostAllocated
        case requestedToCapacityRatio([(utilization: Int64, score: Int64)])
        case balanced
    }

    let resources: [Weighted]
    /// `true`: the node's plain requests and the pod's requests (balanced allocation); `false`: the non-zero ones.
    let useRequested: Bool
    let function: Function

    func score(_ pod: PodInfo, on node: NodeInfo) -> Int64 {
        let count = self.resources.count
        return withUnsafeTemporaryAllocation(of: Int64.self, capacity: count * 2) { buffer in
            for index in 0..<count {
                let (a, r) = self.allocatableAndRequested(index, pod: pod, node: node)
                buffer[index] = r
                buffer[count + index] = a
            }
            return self.combine(
                requested: UnsafeBufferPointer(rebasing: buffer[0..<count]),
                allocatable: UnsafeBufferPointer(rebasing: buffer[count..<(2 * count)])
            )
        }
    }

    /// (allocatable, requested after placing the pod) of the `index`th resource (↔
    /// `calculateResourceAllocatableRequest`); reads single fields, so no resource set is copied per node.
    func allocatableAndRequested(_ index: Int, pod: PodInfo, node: NodeInfo) -> (Int64, Int64) {
        let useRequested = self.useRequested
        switch self.resources[index].kind {
        case .cpu:
            let nodeRequest = useRequested ? node.requested.milliCPU : node.nonZeroRequested.milliCPU
            let podRequest = useRequested ? pod.requests.milliCPU : pod.nonZeroRequests.milliCPU
            return (node.allocatable.milliCPU, nodeRequest + podRequest)
        case .memory:
            let nodeRequest = useRequested ? node.requested.memory : node.nonZeroRequested.memory
            let podRequest = useRequested ? pod.requests.memory : pod.nonZeroRequests.memory
            return (node.allocatable.memory, nodeRequest + podRequest)
        case .ephemeralStorage:
            let podRequest = useRequested ? pod.requests.ephemeralStorage : pod.nonZeroRequests.ephemeralStorage
            return (node.allocatable.ephemeralStorage, node.requested.ephemeralStorage + podRequest)
        case .scalar:
            let name = self.resources[index].name
            let podRequest =
                (useRequested ? pod.requests.scalarResources[name] : pod.nonZeroRequests.scalarResources[name]) ?? 0
            // A scalar resource the pod does not request is not scored.
            if podRequest == 0 { return (0, 0) }
            guard let allocatable = node.allocatable.scalarResources[name] else { return (0, 0) }
            return (allocatable, (node.requested.scalarResources[name] ?? 0) + podRequest)
        }
    }

    func combine(requested: UnsafeBufferPointer<Int64>, allocatable: UnsafeBufferPointer<Int64>) -> Int64 {
        switch self.function {
        case .leastAllocated, .mostAllocated:
            var nodeScore: Int64 = 0
            var weightSum: Int64 = 0
            for index in requested.indices {
                let offset = index
                let capacity = allocatable[index]
                if capacity == 0 { continue }
                let weight = self.resources[offset].weight
                let request = requested[index]
                let score: Int64
                if case .leastAllocated = self.function {
                    score = request > capacity ? 0 : ((capacity - request) * maxNodeScore) / capacity
                } else {
                    score = min(request, capacity) * maxNodeScore / capacity
                }
                nodeScore += score * weight
                weightSum += weight
            }
            return weightSum == 0 ? 0 : nodeScore / weightSum
        case .requestedToCapacityRatio(let shape):
            func raw(_ utilization: Int64) -> Int64 {
                for index in shape.indices where utilization <= shape[index].utilization {
                    if index == 0 { return shape[0].score }
                    let previous = shape[index - 1]
                    return previous.score + (shape[index].score - previous.score) * (utilization - previous.utilization)
                        / (shape[index].utilization - previous.utilization)
                }
                return shape[shape.count - 1].score
            }
            var nodeScore: Int64 = 0
            var weightSum: Int64 = 0
            for index in requested.indices {
                let offset = index
                let capacity = allocatable[index]
                if capacity == 0 { continue }
                let request = requested[index]
                let score = request > capacity ? raw(100) : raw(request * 100 / capacity)
                if score > 0 {
                    nodeScore += score * self.resources[offset].weight
                    weightSum += self.resources[offset].weight
                }
            }
            return weightSum == 0 ? 0 : Int64((Double(nodeScore) / Double(weightSum)).rounded())
        case .balanced:
            return withUnsafeTemporaryAllocation(of: Double.self, capacity: requested.count) { fractions in
                var count = 0
                var total = 0.0
                for index in requested.indices {
                    let capacity = allocatable[index]
                    if capacity == 0 { continue }
                    let fraction = min(Double(requested[index]) / Double(capacity), 1)
                    total += fraction
                    fractions[count] = fraction
                    count += 1
                }
                var deviation = 0.0
                if count == 2 {
                    deviation = abs((fractions[0] - fractions[1]) / 2)
                } else if count > 2 {
                    let mean = total / Double(count)
                    var sum = 0.0
                    for index in 0..<count { sum += (fractions[index] - mean) * (fractions[index] - mean) }
                    deviation = (sum / Double(count)).squareRoot()
                }
                return Int64((1 - deviation) * Double(maxNodeScore))
            }
        }
    }
}
