public import SkiffAPI
import SkiffAPIMachinery

/// Spreads matching pods evenly over topology domains (↔ `podtopologyspread.PodTopologySpread`; score weight 2).
///
/// Filter enforces the pod's `DoNotSchedule` constraints (max skew against the global minimum over the eligible
/// domains, `minDomains`); Score prefers domains with fewer matching pods for `ScheduleAnyway` constraints and, for
/// pods without constraints, for the cluster default constraints (zone max skew 5, hostname max skew 3).
///
/// The default constraints select pods with the selectors of the Services, ReplicationControllers, ReplicaSets and
/// StatefulSets the framework's ``ClusterListers`` know (↔ `helper.DefaultSelector`). When the pod's controller is a
/// ReplicaSet, StatefulSet or ReplicationController the listers do not know, the pod's own labels stand in for the
/// controller's selector (a controller's pods carry its selector's labels).
public struct PodTopologySpread: PreFilterPlugin, PreFilterExtensions, FilterPlugin, PreScorePlugin, ScorePlugin,
    ScoreExtensions, EnqueueExtensions
{
    public var name: String { PluginNames.podTopologySpread }

    /// `PodTopologySpreadArgs`.
    public struct Args: Codable, Sendable, Hashable {
        /// Constraints for pods without their own (only with `defaultingType: List`).
        public var defaultConstraints: [CoreV1.TopologySpreadConstraint]?
        /// `System` (default: the system's zone/hostname constraints) or `List`.
        public var defaultingType: String?

        public init(defaultConstraints: [CoreV1.TopologySpreadConstraint]? = nil, defaultingType: String? = nil) {
            self.defaultConstraints = defaultConstraints
            self.defaultingType = defaultingType
        }
    }

    /// Filter reasons (↔ `ErrReasonConstraintsNotMatch`, `ErrReasonNodeLabelNotMatch`).
    public static let constraintsNotMatch = "node(s) didn't match pod topology spread constraints"
    public static let nodeLabelNotMatch = constraintsNotMatch + " (missing required label)"

    static let hostnameKey = "kubernetes.io/hostname"
    static let zoneKey = "topology.kubernetes.io/zone"

    /// The system default constraints (↔ `systemDefaultConstraints`).
    public static let systemDefaultConstraints: [CoreV1.TopologySpreadConstraint] = [
        CoreV1.TopologySpreadConstraint(maxSkew: 3, topologyKey: hostnameKey, whenUnsatisfiable: "ScheduleAnyway"),
        CoreV1.TopologySpreadConstraint(maxSkew: 5, topologyKey: zoneKey, whenUnsatisfiable: "ScheduleAnyway"),
    ]

    let defaultConstraints: [CoreV1.TopologySpreadConstraint]
    let systemDefaulted: Bool
    let listers: any ClusterListers
    let snapshot: Snapshot?

    /// Makes the plugin; throws for an unknown defaulting type or default constraints with a label selector
    /// (↔ `ValidatePodTopologySpreadArgs`).
    public init(args: Args = Args(), listers: any ClusterListers = EmptyClusterListers(), snapshot: Snapshot? = nil)
        throws
    {
        switch args.defaultingType ?? "System" {
        case "System":
            if let constraints = args.defaultConstraints, !constraints.isEmpty {
                throw SchedulerError(
                    "defaultConstraints: Invalid value: \"\(constraints.count) constraints\": when `defaultingType` is \"System\", `defaultConstraints` must be empty"
                )
            }
            self.defaultConstraints = Self.systemDefaultConstraints
            self.systemDefaulted = true
        case "List":
            for (index, constraint) in (args.defaultConstraints ?? []).enumerated() {
                if constraint.labelSelector != nil {
                    throw SchedulerError(
                        "defaultConstraints[\(index)].labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod"
                    )
                }
                if constraint.maxSkew <= 0 {
                    throw SchedulerError(
                        "defaultConstraints[\(index)].maxSkew: Invalid value: \(constraint.maxSkew): not in valid range [1, inf)"
                    )
                }
            }
            self.defaultConstraints = args.defaultConstraints ?? []
            self.systemDefaulted = false
        case let other:
            throw SchedulerError(
                "defaultingType: Unsupported value: \"\(other)\": supported values: \"List\", \"System\""
            )
        }
        self.listers = listers
        self.snapshot = snapshot
    }

    public static let factory: PluginFactory = { args, handle in
        try PodTopologySpread(
            args: try decodeArgs(Args.self, args) ?? Args(),
            listers: handle.listers,
            snapshot: handle.snapshot
        )
    }

    // MARK: - Constraints

    /// A parsed constraint (↔ `topologySpreadConstraint`).
    struct Constraint: Sendable {
        var maxSkew: Int32
        var topologyKey: String
        var selector: Labels.Selector
        var minDomains: Int32
        /// `nodeAffinityPolicy: Honor` (the default).
        var honorNodeAffinity: Bool
        /// `nodeTaintsPolicy: Honor` (default Ignore).
        var honorNodeTaints: Bool

        /// `true` when `node` counts for this constraint (↔ `matchNodeInclusionPolicies`).
        func includes(_ node: NodeInfo, pod: PodInfo) -> Bool {
            if self.honorNodeAffinity && !pod.requiredNodeAffinity.isEmpty && !pod.requiredNodeAffinity.matches(node) {
                return false
            }
            if self.honorNodeTaints && !node.taints.isEmpty {
                let untolerated = TaintToleration.firstUntolerated(
                    node.taints,
                    tolerations: pod.pod.spec?.tolerations ?? [],
                    effects: PodTopologySpread.doNotScheduleEffects
                )
                if untolerated != nil { return false }
            }
            return true
        }
    }

    static let doNotScheduleEffects: Set<String> = ["NoSchedule", "NoExecute"]

    /// The constraints of `constraints` with `whenUnsatisfiable == action`, parsed (↔
    /// `filterTopologySpreadConstraints`).
    static func parse(
        _ constraints: [CoreV1.TopologySpreadConstraint],
        podLabels: [String: String],
        action: String
    ) throws(Labels.SelectorError) -> [Constraint] {
        var result: [Constraint] = []
        for constraint in constraints where constraint.whenUnsatisfiable == action {
            var selector = try Labels.Selector(constraint.labelSelector)
            if let keys = constraint.matchLabelKeys, !keys.isEmpty, !selector.isNothing {
                var matchLabels: [String: String] = [:]
                for key in keys {
                    if let value = podLabels[key] { matchLabels[key] = value }
                }
                if !matchLabels.isEmpty {
                    selector = Labels.Selector(Labels.Selector(matchLabels).requirements + selector.requirements)
                }
            }
            result.append(
                Constraint(
                    maxSkew: constraint.maxSkew,
                    topologyKey: constraint.topologyKey,
                    selector: selector,
                    minDomains: constraint.minDomains ?? 1,
                    honorNodeAffinity: (constraint.nodeAffinityPolicy ?? "Honor") == "Honor",
                    honorNodeTaints: (constraint.nodeTaintsPolicy ?? "Ignore") == "Honor"
                )
            )
        }
        return result
    }

    /// The pod's constraints for `action`, or the default ones with the pod's default selector.
    func constraints(of pod: PodInfo, action: String) throws(Labels.SelectorError) -> [Constraint] {
        if let own = pod.pod.spec?.topologySpreadConstraints, !own.isEmpty {
            return try Self.parse(own, podLabels: pod.labels, action: action)
        }
        var constraints = try Self.parse(self.defaultConstraints, podLabels: pod.labels, action: action)
        if constraints.isEmpty { return [] }
        let selector = self.defaultSelector(pod)
        if selector.isEmpty { return [] }
        for index in constraints.indices { constraints[index].selector = selector }
        return constraints
    }

    /// The selector of the Services, ReplicationController, ReplicaSet or StatefulSet of `pod` (↔
    /// `helper.DefaultSelector`).
    func defaultSelector(_ pod: PodInfo) -> Labels.Selector {
        var labelSet: [String: String] = [:]
        for service in self.listers.services(namespace: pod.namespace) {
            guard let selector = service.spec?.selector, !selector.isEmpty else { continue }
            if Labels.Selector(selector).matches(pod.labels) {
                labelSet.merge(selector) { _, new in new }
            }
        }
        var selector = Labels.Selector(labelSet)
        guard let owner = pod.pod.metadata.ownerReferences?.first(where: { $0.controller == true }) else {
            return selector
        }
        let group = owner.apiVersion.split(separator: "/").count == 2 ? String(owner.apiVersion.split(separator: "/")[0]) : ""
        var ownerSelector: Labels.Selector?
        var knownKind = false
        switch (group, owner.kind) {
        case ("", "ReplicationController"):
            knownKind = true
            if let controller = self.listers.replicationControllers(namespace: pod.namespace)
                .first(where: { $0.metadata.name == owner.name })
            {
                labelSet.merge(controller.spec?.selector ?? [:]) { _, new in new }
                selector = Labels.Selector(labelSet)
                return selector
            }
        case ("apps", "ReplicaSet"):
            knownKind = true
            if let set = self.listers.replicaSets(namespace: pod.namespace).first(where: { $0.metadata.name == owner.name }) {
                ownerSelector = try? Labels.Selector(set.spec?.selector)
            }
        case ("apps", "StatefulSet"):
            knownKind = true
            if let set = self.listers.statefulSets(namespace: pod.namespace).first(where: { $0.metadata.name == owner.name }) {
                ownerSelector = try? Labels.Selector(set.spec?.selector)
            }
        default:
            break
        }
        if let ownerSelector {
            if !ownerSelector.isNothing { selector = Labels.Selector(selector.requirements + ownerSelector.requirements) }
        } else if knownKind && !pod.labels.isEmpty {
            // The controller is not known to the listers: its pods carry its selector's labels.
            labelSet.merge(pod.labels) { old, _ in old }
            selector = Labels.Selector(labelSet)
        }
        return selector
    }

    /// `true` when `labels` has every constraint's topology key (↔ `nodeLabelsMatchSpreadConstraints`).
    static func hasAllKeys(_ labels: [String: String], _ constraints: [Constraint]) -> Bool {
        for constraint in constraints where labels[constraint.topologyKey] == nil {
            return false
        }
        return true
    }

    /// The pods on the node in `namespace` that `selector` selects, terminating pods aside (↔
    /// `countPodsMatchSelector`).
    static func countMatching(_ pods: [PodInfo], _ selector: Labels.Selector, namespace: String) -> Int {
        if pods.isEmpty || selector.isNothing { return 0 }
        var count = 0
        for pod in pods where pod.namespace == namespace && !pod.isTerminating {
            if selector.matches(pod.labels) { count += 1 }
        }
        return count
    }

    // MARK: - PreFilter / Filter

    /// The two domains with the fewest matching pods (↔ `criticalPaths`).
    struct CriticalPaths: Sendable {
        var first: (value: String, count: Int) = ("", Int(Int32.max))
        var second: (value: String, count: Int) = ("", Int(Int32.max))

        mutating func update(_ value: String, _ count: Int) {
            if value == self.first.value {
                self.first.count = count
            } else if value == self.second.value {
                self.second.count = count
            } else {
                if count < self.first.count {
                    self.second = self.first
                    self.first = (value, count)
                } else if count < self.second.count {
                    self.second = (value, count)
                }
                return
            }
            if self.first.count > self.second.count {
                let lower = self.second
                self.second = self.first
                self.first = lower
            }
        }
    }

    /// What PreFilter computed (↔ `preFilterState`); a value, cloned by copying.
    struct PreFilterState: CycleStateData {
        /// Read by Filter alone.
        static var isSchedulingCycleOnly: Bool { true }
        var constraints: [Constraint] = []
        /// Matching pods per domain value, per constraint.
        var matchCounts: [[String: Int]] = []
        var criticalPaths: [CriticalPaths] = []
        /// 1 when constraint `index`'s selector selects the incoming pod itself, else 0 (computed once).
        var selfMatches: [Int] = []

        /// The global minimum for constraint `index`, 0 when there are fewer domains than `minDomains`.
        func minMatchCount(_ index: Int) -> Int {
            if self.matchCounts[index].count < Int(self.constraints[index].minDomains) { return 0 }
            return self.criticalPaths[index].first.count
        }
    }

    public func preFilter(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus) {
        let constraints: [Constraint]
        do {
            constraints = try self.constraints(of: pod, action: "DoNotSchedule")
        } catch {
            return (nil, .error("\(error)"))
        }
        if constraints.isEmpty { return (nil, .skip) }
        var data = PreFilterState(
            constraints: constraints,
            matchCounts: Array(repeating: [:], count: constraints.count),
            criticalPaths: Array(repeating: CriticalPaths(), count: constraints.count)
        )
        if let snapshot = self.snapshot, snapshot.isNodeList(nodes),
            let counts = Self.aggregatedMatchCounts(pod, constraints, snapshot: snapshot)
        {
            data.matchCounts = counts
        } else {
            Self.countMatchingPods(pod, constraints, nodes: nodes, into: &data)
        }
        for index in constraints.indices {
            for (value, count) in data.matchCounts[index] {
                data.criticalPaths[index].update(value, count)
            }
        }
        data.selfMatches = constraints.map { $0.selector.matches(pod.labels) ? 1 : 0 }
        state.write(data)
        return (nil, .success)
    }

    /// `true` when every node of the snapshot counts for each of `constraints` (no node is left out by the pod's
    /// node affinity or by taints), so that the snapshot's aggregates answer for them.
    static func includesEveryNode(_ constraints: [Constraint], pod: PodInfo, aggregates: SnapshotAggregates) -> Bool {
        for constraint in constraints {
            if constraint.honorNodeAffinity && !pod.requiredNodeAffinity.isEmpty { return false }
            if constraint.honorNodeTaints && aggregates.taintedNodeCount > 0 { return false }
        }
        return true
    }

    /// The matching pods per domain of each constraint from the snapshot's aggregates, or `nil` when some node
    /// is left out (by a missing topology key, the pod's node affinity or taints) and every node must be visited.
    static func aggregatedMatchCounts(
        _ pod: PodInfo,
        _ constraints: [Constraint],
        snapshot: Snapshot
    ) -> [[String: Int]]? {
        return snapshot.withAggregates { aggregates in
            guard Self.includesEveryNode(constraints, pod: pod, aggregates: aggregates),
                constraints.allSatisfy({ aggregates.everyNodeHas($0.topologyKey) })
            else { return nil }
            return constraints.map { constraint in
                let key = constraint.topologyKey
                let query = PodQuery.spread(namespace: pod.namespace, selector: constraint.selector, topologyKey: key)
                let counts = aggregates.counts(query)
                var perValue: [String: Int] = [:]
                let domains = aggregates.domains[key]?.nodesPerValue ?? [:]
                perValue.reserveCapacity(domains.count)
                for value in domains.keys {
                    perValue[value] = Int(counts[TopologyPair(key: key, value: value)] ?? 0)
                }
                return perValue
            }
        }
    }

    /// Counts the matching pods per domain by visiting every node (↔ `calPreFilterState`).
    static func countMatchingPods(
        _ pod: PodInfo,
        _ constraints: [Constraint],
        nodes: [NodeInfo],
        into data: inout PreFilterState
    ) {
        var values = [String](repeating: "", count: constraints.count)
        nodes: for node in nodes where node.hasNode {
            // Every topology key must be on the node; each value is looked up once.
            let labels = node.labels
            for index in constraints.indices {
                guard let value = labels[constraints[index].topologyKey] else { continue nodes }
                values[index] = value
            }
            for index in constraints.indices where constraints[index].includes(node, pod: pod) {
                let count = Self.countMatching(node.pods, constraints[index].selector, namespace: pod.namespace)
                data.matchCounts[index][values[index], default: 0] += count
            }
        }
    }

    public var preFilterExtensions: (any PreFilterExtensions)? { self }

    /// Counts `other` on `node` with `delta` (↔ `updateWithPod`).
    func update(_ pod: PodInfo, with other: PodInfo, on node: NodeInfo, delta: Int, state: CycleState) -> PluginStatus {
        guard let data = state.read(PreFilterState.self) else {
            return .error("error reading \"PreFilter\(self.name)\" from cycleState: not found")
        }
        guard other.namespace == pod.namespace, node.hasNode, Self.hasAllKeys(node.labels, data.constraints) else {
            return .success
        }
        state.modify(PreFilterState.self) { data in
            for (index, constraint) in data.constraints.enumerated() {
                guard constraint.selector.matches(other.labels), constraint.includes(node, pod: pod) else { continue }
                let value = node.labels[constraint.topologyKey] ?? ""
                let count = data.matchCounts[index][value, default: 0] + delta
                data.matchCounts[index][value] = count
                data.criticalPaths[index].update(value, count)
            }
        }
        return .success
    }

    public func addPod(_ podToSchedule: PodInfo, adding podToAdd: PodInfo, to node: NodeInfo, state: CycleState)
        -> PluginStatus
    {
        self.update(podToSchedule, with: podToAdd, on: node, delta: 1, state: state)
    }

    public func removePod(
        _ podToSchedule: PodInfo,
        removing podToRemove: PodInfo,
        from node: NodeInfo,
        state: CycleState
    ) -> PluginStatus {
        self.update(podToSchedule, with: podToRemove, on: node, delta: -1, state: state)
    }

    public func filter(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> PluginStatus {
        guard node.hasNode else { return .error("node not found") }
        // The data is read in place: a copy would retain its collections, for every node.
        let status = state.withData(PreFilterState.self) { data -> PluginStatus in
            // The constraint's fields are read in place: a copy of the constraint would retain its strings and
            // selector, which every worker shares.
            for index in data.pointee.constraints.indices {
                guard let value = node.labels[data.pointee.constraints[index].topologyKey] else {
                    return .unschedulableAndUnresolvable(Self.nodeLabelNotMatch)
                }
                let selfMatch =
                    index < data.pointee.selfMatches.count
                    ? data.pointee.selfMatches[index]
                    : (data.pointee.constraints[index].selector.matches(pod.labels) ? 1 : 0)
                let skew = (data.pointee.matchCounts[index][value] ?? 0) + selfMatch - data.pointee.minMatchCount(index)
                if skew > Int(data.pointee.constraints[index].maxSkew) {
                    return .unschedulable(Self.constraintsNotMatch)
                }
            }
            return .success
        }
        return status ?? .error("error reading \"PreFilter\(self.name)\" from cycleState: not found")
    }

    // MARK: - Score

    /// What PreScore computed (↔ `preScoreState`).
    struct PreScoreState: CycleStateData {
        /// Read by Score alone.
        static var isSchedulingCycleOnly: Bool { true }
        var constraints: [Constraint]
        /// Nodes without every topology key, scored 0.
        var ignoredNodes: Set<String>
        /// Matching pods per domain value, per constraint (hostname constraints are counted in Score).
        var counts: [[String: Int64]]
        /// `log(domains + 2)` per constraint.
        var normalizingWeights: [Double]
    }

    public func preScore(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) -> PluginStatus {
        let allNodes = self.snapshot.flatMap { $0.count > 0 ? $0.nodeInfos : nil } ?? nodes
        if nodes.isEmpty || allNodes.isEmpty { return .skip }
        let constraints: [Constraint]
        do {
            constraints = try self.constraints(of: pod, action: "ScheduleAnyway")
        } catch {
            return .error("\(error)")
        }
        if constraints.isEmpty { return .skip }
        // Only non-system-default constraints need every key: nodes without a zone still spread by hostname.
        let requireAllTopologies = !(pod.pod.spec?.topologySpreadConstraints ?? []).isEmpty || !self.systemDefaulted
        var ignored: Set<String> = []
        var counts: [[String: Int64]] = Array(repeating: [:], count: constraints.count)
        for node in nodes {
            if requireAllTopologies && !Self.hasAllKeys(node.labels, constraints) {
                ignored.insert(node.name)
                continue
            }
            for (index, constraint) in constraints.enumerated() where constraint.topologyKey != Self.hostnameKey {
                if let value = node.labels[constraint.topologyKey], counts[index][value] == nil {
                    counts[index][value] = 0
                }
            }
        }
        var weights: [Double] = []
        weights.reserveCapacity(constraints.count)
        for (index, constraint) in constraints.enumerated() {
            let size = constraint.topologyKey == Self.hostnameKey ? nodes.count - ignored.count : counts[index].count
            weights.append(Self.naturalLog(Double(size + 2)))
        }
        if let snapshot = self.snapshot, snapshot.count > 0,
            let aggregated = Self.aggregatedCounts(
                pod,
                constraints,
                requireAllTopologies: requireAllTopologies,
                snapshot: snapshot
            )
        {
            for (index, constraint) in constraints.enumerated() where constraint.topologyKey != Self.hostnameKey {
                for (value, current) in counts[index] {
                    let matching = aggregated[index][TopologyPair(key: constraint.topologyKey, value: value)] ?? 0
                    if matching > 0 { counts[index][value] = current + matching }
                }
            }
            state.write(
                PreScoreState(
                    constraints: constraints,
                    ignoredNodes: ignored,
                    counts: counts,
                    normalizingWeights: weights
                )
            )
            return .success
        }
        for node in allNodes where node.hasNode {
            if requireAllTopologies && !Self.hasAllKeys(node.labels, constraints) { continue }
            for (index, constraint) in constraints.enumerated() where constraint.topologyKey != Self.hostnameKey {
                guard let value = node.labels[constraint.topologyKey], let current = counts[index][value],
                    constraint.includes(node, pod: pod)
                else { continue }
                let matching = Self.countMatching(node.pods, constraint.selector, namespace: pod.namespace)
                if matching > 0 { counts[index][value] = current + Int64(matching) }
            }
        }
        state.write(
            PreScoreState(constraints: constraints, ignoredNodes: ignored, counts: counts, normalizingWeights: weights)
        )
        return .success
    }

    /// The matching pods of the whole snapshot per domain of each constraint that is not per hostname, or `nil`
    /// when some node would be skipped (a missing topology key when all are required, the pod's node affinity or
    /// taints).
    static func aggregatedCounts(
        _ pod: PodInfo,
        _ constraints: [Constraint],
        requireAllTopologies: Bool,
        snapshot: Snapshot
    ) -> [TopologyCounts]? {
        return snapshot.withAggregates { aggregates in
            guard Self.includesEveryNode(constraints, pod: pod, aggregates: aggregates),
                !requireAllTopologies || constraints.allSatisfy({ aggregates.everyNodeHas($0.topologyKey) })
            else { return nil }
            return constraints.map { constraint in
                if constraint.topologyKey == Self.hostnameKey { return [:] }
                let query = PodQuery.spread(
                    namespace: pod.namespace,
                    selector: constraint.selector,
                    topologyKey: constraint.topologyKey
                )
                return aggregates.counts(query)
            }
        }
    }

    public func score(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> (Int64, PluginStatus) {
        let score = state.withData(PreScoreState.self) { data -> Int64 in
            if data.pointee.ignoredNodes.contains(node.name) { return 0 }
            var score = 0.0
            // In place, as in Filter.
            for index in data.pointee.constraints.indices {
                guard let value = node.labels[data.pointee.constraints[index].topologyKey] else { continue }
                let count: Int64
                if data.pointee.constraints[index].topologyKey == Self.hostnameKey {
                    count = Int64(
                        Self.countMatching(node.pods, data.pointee.constraints[index].selector, namespace: pod.namespace)
                    )
                } else {
                    count = data.pointee.counts[index][value] ?? 0
                }
                score += Double(count) * data.pointee.normalizingWeights[index]
                    + Double(data.pointee.constraints[index].maxSkew - 1)
            }
            return Int64(score.rounded())
        }
        guard let score else {
            return (0, .error("error reading \"PreScore\(self.name)\" from cycleState: not found"))
        }
        return (score, .success)
    }

    public var scoreExtensions: (any ScoreExtensions)? { self }

    /// Fewer matching pods score higher: `100 * (max + min - score) / max`; ignored nodes score 0.
    public func normalizeScore(_ pod: PodInfo, state: CycleState, scores: inout [NodeScore]) -> PluginStatus {
        guard let data = state.read(PreScoreState.self) else { return .success }
        var minScore = Int64.max
        var maxScore: Int64 = 0
        for score in scores where !data.ignoredNodes.contains(score.name) {
            minScore = min(minScore, score.score)
            maxScore = max(maxScore, score.score)
        }
        for index in scores.indices {
            if data.ignoredNodes.contains(scores[index].name) {
                scores[index].score = 0
            } else if maxScore == 0 {
                scores[index].score = maxNodeScore
            } else {
                scores[index].score = maxNodeScore * (maxScore + minScore - scores[index].score) / maxScore
            }
        }
        return .success
    }

    /// `ln(x)` for `x > 0` without Foundation: `x = m·2^e`, `ln m = 2·atanh((m-1)/(m+1))` by its series.
    static func naturalLog(_ x: Double) -> Double {
        guard x > 0 else { return -.infinity }
        let exponent = Double(x.exponent)
        let mantissa = x.significand  // in [1, 2)
        let z = (mantissa - 1) / (mantissa + 1)  // in [0, 1/3)
        let z2 = z * z
        var term = z
        var sum = 0.0
        var k = 1.0
        while k < 60 {
            sum += term / k
            term *= z2
            k += 2
        }
        return exponent * 0.693_147_180_559_945_3 + 2 * sum
    }

    // MARK: - Events

    public func eventsToRegister() -> [ClusterEventWithHint] {
        [
            ClusterEventWithHint(
                ClusterEvent(resource: .assignedPod, actionType: [.add, .updatePodLabel, .delete], label: "AssignedPodChange")
            ),
            ClusterEventWithHint(
                ClusterEvent(resource: .node, actionType: [.add, .delete, .updateNodeLabel, .updateNodeTaint], label: "NodeChange")
            ),
        ]
    }
}
