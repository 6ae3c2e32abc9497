import SkiffAPI
import SkiffAPIMachinery

/// A topology domain: a node label key and its value (↔ `topologyPair`).
struct TopologyPair: Hashable, Sendable {
    var key: String
    var value: String

    /// Hashes the value alone: Filter looks a pair up for every node, and a cluster has few topology keys, so
    /// hashing the key too would double the cost for little spread. Equality still compares both.
    func hash(into hasher: inout Hasher) {
        hasher.combine(self.value)
    }
}

/// Counts of matched terms per topology domain (↔ `topologyToMatchedTermCount`); entries that reach 0 are removed.
typealias TopologyCounts = [TopologyPair: Int64]

extension Dictionary where Key == TopologyPair, Value == Int64 {
    /// Adds `value` to the domain of `node` for `topologyKey`; a node without the label counts nowhere.
    mutating func add(_ value: Int64, topologyKey: String, labels: [String: String]) {
        guard let topologyValue = labels[topologyKey] else { return }
        let pair = TopologyPair(key: topologyKey, value: topologyValue)
        if value > 0 {
            self[pair, default: 0] += value  // one hash; a positive count never reaches 0
            return
        }
        let updated = self[pair, default: 0] + value
        self[pair] = updated == 0 ? nil : updated
    }
}

/// Required and preferred inter-pod affinity and anti-affinity, of the pod being scheduled and of the pods already
/// running (↔ `interpodaffinity.InterPodAffinity`; score weight 2).
///
/// PreFilter counts, per topology domain, the existing pods whose required anti-affinity selects the incoming pod
/// and the existing pods the incoming pod's required (anti-)affinity terms select, so Filter is a few dictionary
/// look-ups per node. Namespace selectors are evaluated with the namespace labels of the framework's
/// ``ClusterListers`` (a namespace the listers do not know has no labels).
public struct InterPodAffinity: PreFilterPlugin, PreFilterExtensions, FilterPlugin, PreScorePlugin, ScorePlugin,
    ScoreExtensions, EnqueueExtensions
{
    public var name: String { PluginNames.interPodAffinity }

    /// `InterPodAffinityArgs`.
    public struct Args: Codable, Sendable, Hashable {
        /// The score weight of existing pods' required affinity terms that select the incoming pod (0-100,
        /// default 1).
        public var hardPodAffinityWeight: Int32?
        /// Ignore existing pods' preferred terms when the incoming pod has no preferred terms.
        public var ignorePreferredTermsOfExistingPods: Bool?

        public init(hardPodAffinityWeight: Int32? = nil, ignorePreferredTermsOfExistingPods: Bool? = nil) {
            self.hardPodAffinityWeight = hardPodAffinityWeight
            self.ignorePreferredTermsOfExistingPods = ignorePreferredTermsOfExistingPods
        }
    }

    /// Filter reasons (↔ `ErrReason...`).
    public static let affinityRulesNotMatch = "node(s) didn't match pod affinity rules"
    public static let antiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules"
    public static let existingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules"

    let hardPodAffinityWeight: Int64
    let ignorePreferredTermsOfExistingPods: Bool
    let listers: any ClusterListers
    let snapshot: Snapshot?

    /// Makes the plugin; throws when `hardPodAffinityWeight` is outside 0-100 (↔ `ValidateInterPodAffinityArgs`).
    public init(args: Args = Args(), listers: any ClusterListers = EmptyClusterListers(), snapshot: Snapshot? = nil)
        throws
    {
        let weight = args.hardPodAffinityWeight ?? 1
        guard (0...100).contains(weight) else {
            throw SchedulerError("hardPodAffinityWeight: Invalid value: \(weight): not in valid range [0-100]")
        }
        self.hardPodAffinityWeight = Int64(weight)
        self.ignorePreferredTermsOfExistingPods = args.ignorePreferredTermsOfExistingPods ?? false
        self.listers = listers
        self.snapshot = snapshot
    }

    public static let factory: PluginFactory = { args, handle in
        try InterPodAffinity(
            args: try decodeArgs(Args.self, args) ?? Args(),
            listers: handle.listers,
            snapshot: handle.snapshot
        )
    }

    // MARK: - PreFilter

    /// What PreFilter computed (↔ `preFilterState`); a value, so cloning the cycle state copies it.
    struct PreFilterState: CycleStateData {
        /// Read by Filter alone.
        static var isSchedulingCycleOnly: Bool { true }
        /// Existing pods whose required anti-affinity terms select the incoming pod, per domain.
        var existingAntiAffinityCounts: TopologyCounts = [:]
        /// The topology keys of the terms counted in ``existingAntiAffinityCounts`` (perhaps more than it holds),
        /// so that Filter looks up only the node labels that can match; collected from the terms, not from every
        /// domain counted.
        var existingAntiAffinityKeys: [String] = []
        /// Existing pods that match all the incoming pod's required affinity terms, per term domain.
        var affinityCounts: TopologyCounts = [:]
        /// Existing pods matched by each of the incoming pod's required anti-affinity terms, per domain.
        var antiAffinityCounts: TopologyCounts = [:]
        /// The labels of the incoming pod's namespace.
        var namespaceLabels: [String: String] = [:]
    }

    /// Namespace labels, looked up once per namespace within one call.
    struct NamespaceLabelCache {
        let listers: any ClusterListers
        var labels: [String: [String: String]] = [:]

        mutating func callAsFunction(_ namespace: String) -> [String: String] {
            if let known = self.labels[namespace] { return known }
            let found = self.listers.namespaceLabels(namespace) ?? [:]
            self.labels[namespace] = found
            return found
        }
    }

    /// `true` when every term selects `pod` (↔ `podMatchesAllAffinityTerms`); `false` for no terms.
    static func matchesAll(_ terms: [AffinityTerm], _ pod: PodInfo, namespaceLabels: [String: String]) -> Bool {
        if terms.isEmpty { return false }
        for term in terms where !term.matches(pod, namespaceLabels: namespaceLabels) {
            return false
        }
        return true
    }

    public func preFilter(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus) {
        if !pod.parseErrors.isEmpty {
            return (nil, .error(pod.parseErrors.joined(separator: ", ")))
        }
        let affinityTerms = pod.requiredAffinityTerms
        let antiAffinityTerms = pod.requiredAntiAffinityTerms
        var namespaces = NamespaceLabelCache(listers: self.listers)
        var data = PreFilterState()
        if let snapshot = self.snapshot, snapshot.isNodeList(nodes) {
            if snapshot.podsWithRequiredAntiAffinityCount == 0 && affinityTerms.isEmpty && antiAffinityTerms.isEmpty {
                return (nil, .skip)
            }
            // The snapshot's aggregates: each distinct term of existing pods is matched once, and the incoming
            // pod's terms are answered per domain without walking the pods.
            data.namespaceLabels = namespaces(pod.namespace)
            let namespaceLabels = data.namespaceLabels
            let affinityQuery = PodQuery.terms(affinityTerms)
            let antiAffinityQueries = antiAffinityTerms.map { PodQuery.terms([$0]) }
            let memoizable = affinityQuery.isMemoizable && antiAffinityQueries.allSatisfy(\.isMemoizable)
            let counts = snapshot.withAggregates { aggregates in
                var existing: TopologyCounts = [:]
                var keys: [String] = []
                for (term, counts) in aggregates.requiredAntiAffinity
                where !counts.isEmpty && term.matches(pod, namespaceLabels: namespaceLabels) {
                    existing.merge(counts: counts)
                    if !keys.contains(term.topologyKey) { keys.append(term.topologyKey) }
                }
                guard memoizable else { return (existing, keys, TopologyCounts?.none, TopologyCounts?.none) }
                let affinity = affinityTerms.isEmpty ? [:] : aggregates.counts(affinityQuery)
                var antiAffinity: TopologyCounts = [:]
                for query in antiAffinityQueries {
                    antiAffinity.merge(counts: aggregates.counts(query))
                }
                return (existing, keys, affinity, antiAffinity)
            }
            data.existingAntiAffinityCounts = counts.0
            data.existingAntiAffinityKeys = counts.1
            if let affinity = counts.2, let antiAffinity = counts.3 {
                data.affinityCounts = affinity
                data.antiAffinityCounts = antiAffinity
            } else {
                Self.countIncomingTerms(pod, nodes: nodes, namespaces: &namespaces, into: &data)
            }
        } else {
            // Only nodes with pods with required anti-affinity can reject the pod by their pods' terms.
            let antiAffinityNodes = self.nodesHavingPodsWithRequiredAntiAffinity(nodes)
            if antiAffinityNodes.isEmpty && affinityTerms.isEmpty && antiAffinityTerms.isEmpty {
                return (nil, .skip)
            }
            data.namespaceLabels = namespaces(pod.namespace)

            // Existing pods' required anti-affinity against the incoming pod.
            for node in antiAffinityNodes where node.hasNode {
                for existing in node.podsWithRequiredAntiAffinity {
                    for term in existing.requiredAntiAffinityTerms
                    where term.matches(pod, namespaceLabels: data.namespaceLabels) {
                        data.existingAntiAffinityCounts.add(1, topologyKey: term.topologyKey, labels: node.labels)
                        if !data.existingAntiAffinityKeys.contains(term.topologyKey) {
                            data.existingAntiAffinityKeys.append(term.topologyKey)
                        }
                    }
                }
            }
            Self.countIncomingTerms(pod, nodes: nodes, namespaces: &namespaces, into: &data)
        }

        if data.existingAntiAffinityCounts.isEmpty && affinityTerms.isEmpty && antiAffinityTerms.isEmpty {
            return (nil, .skip)
        }
        state.write(data)
        return (nil, .success)
    }

    /// Counts the existing pods on `nodes` that the incoming pod's required terms select, walking every pod.
    static func countIncomingTerms(
        _ pod: PodInfo,
        nodes: [NodeInfo],
        namespaces: inout NamespaceLabelCache,
        into data: inout PreFilterState
    ) {
        let affinityTerms = pod.requiredAffinityTerms
        let antiAffinityTerms = pod.requiredAntiAffinityTerms
        if affinityTerms.isEmpty && antiAffinityTerms.isEmpty { return }
        // Namespace labels matter only to terms with a namespace selector.
        let selectsNamespaces =
            affinityTerms.contains { !$0.namespaceSelector.isNothing }
            || antiAffinityTerms.contains { !$0.namespaceSelector.isNothing }
        for node in nodes where node.hasNode && !node.pods.isEmpty {
            for existing in node.pods {
                let labels = selectsNamespaces ? namespaces(existing.namespace) : [:]
                if Self.matchesAll(affinityTerms, existing, namespaceLabels: labels) {
                    for term in affinityTerms {
                        data.affinityCounts.add(1, topologyKey: term.topologyKey, labels: node.labels)
                    }
                }
                for term in antiAffinityTerms where term.matches(existing, namespaceLabels: labels) {
                    data.antiAffinityCounts.add(1, topologyKey: term.topologyKey, labels: node.labels)
                }
            }
        }
    }

    public var preFilterExtensions: (any PreFilterExtensions)? { self }

    /// The nodes among `nodes` with pods with required anti-affinity: the snapshot's list when `nodes` is the
    /// snapshot's node list (↔ `HavePodsWithRequiredAntiAffinityList`), otherwise filtered here.
    func nodesHavingPodsWithRequiredAntiAffinity(_ nodes: [NodeInfo]) -> [NodeInfo] {
        if let snapshot = self.snapshot, snapshot.isNodeList(nodes) {
            return snapshot.havePodsWithRequiredAntiAffinityNodeInfos
        }
        return nodes.filter { !$0.podsWithRequiredAntiAffinity.isEmpty }
    }

    /// Adds (`multiplier` 1) or removes (-1) `other` on `node` in the counts (↔ `preFilterState.updateWithPod`).
    func update(
        _ pod: PodInfo,
        with other: PodInfo,
        on node: NodeInfo,
        multiplier: Int64,
        state: CycleState
    ) -> PluginStatus {
        guard state.read(PreFilterState.self) != nil else {
            return .error("error reading \"PreFilter\(self.name)\" from cycleState: not found")
        }
        let otherNamespaceLabels = self.listers.namespaceLabels(other.namespace) ?? [:]
        state.modify(PreFilterState.self) { data in
            for term in other.requiredAntiAffinityTerms where term.matches(pod, namespaceLabels: data.namespaceLabels) {
                data.existingAntiAffinityCounts.add(multiplier, topologyKey: term.topologyKey, labels: node.labels)
                if !data.existingAntiAffinityKeys.contains(term.topologyKey) {
                    data.existingAntiAffinityKeys.append(term.topologyKey)
                }
            }
            if Self.matchesAll(pod.requiredAffinityTerms, other, namespaceLabels: otherNamespaceLabels) {
                for term in pod.requiredAffinityTerms {
                    data.affinityCounts.add(multiplier, topologyKey: term.topologyKey, labels: node.labels)
                }
            }
            for term in pod.requiredAntiAffinityTerms where term.matches(other, namespaceLabels: otherNamespaceLabels) {
                data.antiAffinityCounts.add(multiplier, topologyKey: term.topologyKey, labels: node.labels)
            }
        }
        return .success
    }

    public func addPod(_ podToSchedule: PodInfo, adding podToAdd: PodInfo, to node: NodeInfo, state: CycleState)
        -> PluginStatus
    {
        self.update(podToSchedule, with: podToAdd, on: node, multiplier: 1, state: state)
    }

    public func removePod(
        _ podToSchedule: PodInfo,
        removing podToRemove: PodInfo,
        from node: NodeInfo,
        state: CycleState
    ) -> PluginStatus {
        self.update(podToSchedule, with: podToRemove, on: node, multiplier: -1, state: state)
    }

    // MARK: - Filter

    public func filter(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> PluginStatus {
        guard node.hasNode else { return .error("node not found") }
        // The data is read in place: a copy would retain its four dictionaries, for every node.
        let status = state.withData(PreFilterState.self) { data -> PluginStatus in
            if !Self.satisfiesAffinity(pod, data.pointee, node) {
                return .unschedulableAndUnresolvable(Self.affinityRulesNotMatch)
            }
            if !data.pointee.antiAffinityCounts.isEmpty {
                // By index: iterating would copy each term, retaining its strings and selectors, which every
                // worker shares.
                for index in pod.requiredAntiAffinityTerms.indices {
                    let key = pod.requiredAntiAffinityTerms[index].topologyKey
                    if let value = node.labels[key],
                        data.pointee.antiAffinityCounts[TopologyPair(key: key, value: value), default: 0] > 0
                    {
                        return .unschedulable(Self.antiAffinityRulesNotMatch)
                    }
                }
            }
            if !data.pointee.existingAntiAffinityCounts.isEmpty {
                // Only the keys counted can match: one look-up per key rather than per node label.
                for index in data.pointee.existingAntiAffinityKeys.indices {
                    if let value = node.labels[data.pointee.existingAntiAffinityKeys[index]],
                        data.pointee.existingAntiAffinityCounts[
                            TopologyPair(key: data.pointee.existingAntiAffinityKeys[index], value: value),
                            default: 0
                        ] > 0
                    {
                        return .unschedulable(Self.existingAntiAffinityRulesNotMatch)
                    }
                }
            }
            return .success
        }
        return status ?? .error("error reading \"PreFilter\(self.name)\" from cycleState: not found")
    }

    /// ↔ `satisfyPodAffinity`: every term's domain on the node holds a matching pod, or the pod is the first of a
    /// group whose terms select itself and no matching pod exists anywhere.
    static func satisfiesAffinity(_ pod: PodInfo, _ data: borrowing PreFilterState, _ node: NodeInfo) -> Bool {
        var podsExist = true
        for term in pod.requiredAffinityTerms {
            guard let value = node.labels[term.topologyKey] else {
                // Every topology label must exist on the node.
                return false
            }
            if data.affinityCounts[TopologyPair(key: term.topologyKey, value: value), default: 0] <= 0 {
                podsExist = false
            }
        }
        if podsExist { return true }
        return data.affinityCounts.isEmpty
            && Self.matchesAll(pod.requiredAffinityTerms, pod, namespaceLabels: data.namespaceLabels)
    }

    // MARK: - Score

    /// Weights per topology key and value (↔ `preScoreState.topologyScore`).
    struct PreScoreState: CycleStateData {
        /// Read by Score alone.
        static var isSchedulingCycleOnly: Bool { true }
        var topologyScore: [String: [String: Int64]]
    }

    public func preScore(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) -> PluginStatus {
        if nodes.isEmpty { return .skip }
        let hasConstraints = !pod.preferredAffinityTerms.isEmpty || !pod.preferredAntiAffinityTerms.isEmpty
        if self.ignorePreferredTermsOfExistingPods && !hasConstraints { return .skip }

        if let snapshot = self.snapshot, snapshot.count > 0 {
            // Unless the pod has preferred terms only existing pods with affinity can contribute.
            if !hasConstraints && snapshot.podsWithAffinityCount == 0 { return .skip }
            if let scores = self.aggregatedTopologyScore(
                pod,
                namespaceLabels: self.listers.namespaceLabels(pod.namespace) ?? [:],
                snapshot: snapshot
            ) {
                if scores.isEmpty { return .skip }
                state.write(PreScoreState(topologyScore: scores))
                return .success
            }
        }
        // Unless the pod has preferred terms only nodes with pods with affinity can contribute.
        let candidates: [NodeInfo]
        if hasConstraints {
            candidates = self.snapshot.map { $0.count > 0 ? $0.nodeInfos : nodes } ?? nodes
        } else if let snapshot = self.snapshot, snapshot.count > 0 {
            candidates = snapshot.havePodsWithAffinityNodeInfos
        } else {
            candidates = nodes.filter { !$0.podsWithAffinity.isEmpty }
        }
        if candidates.isEmpty { return .skip }
        var namespaces = NamespaceLabelCache(listers: self.listers)
        let podNamespaceLabels = namespaces(pod.namespace)
        var scores: [String: [String: Int64]] = [:]

        func process(_ term: AffinityTerm, weight: Int64, target: PodInfo, labels: [String: String], node: NodeInfo) {
            guard term.matches(target, namespaceLabels: labels), let value = node.labels[term.topologyKey] else {
                return
            }
            scores[term.topologyKey, default: [:]][value, default: 0] += weight
        }

        // The incoming pod's terms need the existing pods' namespace labels only with a namespace selector.
        // The incoming pod's terms, read once rather than per existing pod.
        let preferredAffinity = pod.preferredAffinityTerms
        let preferredAntiAffinity = pod.preferredAntiAffinityTerms
        let incomingSelectsNamespaces =
            preferredAffinity.contains { !$0.term.namespaceSelector.isNothing }
            || preferredAntiAffinity.contains { !$0.term.namespaceSelector.isNothing }
        for node in candidates where node.hasNode && !node.labels.isEmpty {
            let existingPods = hasConstraints ? node.pods : node.podsWithAffinity
            for existing in existingPods {
                let existingLabels = incomingSelectsNamespaces ? namespaces(existing.namespace) : [:]
                for weighted in preferredAffinity {
                    process(weighted.term, weight: Int64(weighted.weight), target: existing, labels: existingLabels, node: node)
                }
                for weighted in preferredAntiAffinity {
                    process(weighted.term, weight: -Int64(weighted.weight), target: existing, labels: existingLabels, node: node)
                }
                if self.hardPodAffinityWeight > 0 {
                    for term in existing.requiredAffinityTerms {
                        process(term, weight: self.hardPodAffinityWeight, target: pod, labels: podNamespaceLabels, node: node)
                    }
                }
                for weighted in existing.preferredAffinityTerms {
                    process(weighted.term, weight: Int64(weighted.weight), target: pod, labels: podNamespaceLabels, node: node)
                }
                for weighted in existing.preferredAntiAffinityTerms {
                    process(weighted.term, weight: -Int64(weighted.weight), target: pod, labels: podNamespaceLabels, node: node)
                }
            }
        }
        if scores.isEmpty { return .skip }
        state.write(PreScoreState(topologyScore: scores))
        return .success
    }

    /// The topology score from the snapshot's aggregates (every existing pod of every node counts, as the walk
    /// over the snapshot does); `nil` when one of the pod's preferred terms selects namespaces by their labels.
    func aggregatedTopologyScore(
        _ pod: PodInfo,
        namespaceLabels: [String: String],
        snapshot: Snapshot
    ) -> [String: [String: Int64]]? {
        var incoming: [(PodQuery, Int64)] = []
        for weighted in pod.preferredAffinityTerms {
            incoming.append((PodQuery.terms([weighted.term]), Int64(weighted.weight)))
        }
        for weighted in pod.preferredAntiAffinityTerms {
            incoming.append((PodQuery.terms([weighted.term]), -Int64(weighted.weight)))
        }
        if !incoming.allSatisfy({ $0.0.isMemoizable }) { return nil }
        let hardWeight = self.hardPodAffinityWeight
        return snapshot.withAggregates { aggregates in
            var scores: [String: [String: Int64]] = [:]
            func add(_ counts: TopologyCounts, weight: Int64) {
                for (pair, count) in counts {
                    scores[pair.key, default: [:]][pair.value, default: 0] += count * weight
                }
            }
            for (query, weight) in incoming {
                add(aggregates.counts(query), weight: weight)
            }
            if hardWeight > 0 {
                for (term, counts) in aggregates.requiredAffinity
                where term.matches(pod, namespaceLabels: namespaceLabels) {
                    add(counts, weight: hardWeight)
                }
            }
            for (weighted, counts) in aggregates.preferredAffinity
            where weighted.term.matches(pod, namespaceLabels: namespaceLabels) {
                add(counts, weight: Int64(weighted.weight))
            }
            for (weighted, counts) in aggregates.preferredAntiAffinity
            where weighted.term.matches(pod, namespaceLabels: namespaceLabels) {
                add(counts, weight: -Int64(weighted.weight))
            }
            return scores
        }
    }

    public func score(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> (Int64, PluginStatus) {
        let score = state.withData(PreScoreState.self) { data -> Int64 in
            var score: Int64 = 0
            for (key, values) in data.pointee.topologyScore {
                if let value = node.labels[key] { score += values[value] ?? 0 }
            }
            return score
        }
        guard let score else {
            return (0, .error("error reading \"PreScore\(self.name)\" from cycleState: not found"))
        }
        return (score, .success)
    }

    public var scoreExtensions: (any ScoreExtensions)? { self }

    /// Scales the scores linearly so the lowest is 0 and the highest 100 (all 0 when they are equal).
    public func normalizeScore(_ pod: PodInfo, state: CycleState, scores: inout [NodeScore]) -> PluginStatus {
        guard let data = state.read(PreScoreState.self), !data.topologyScore.isEmpty else { return .success }
        var minCount = Int64.max
        var maxCount = Int64.min
        for score in scores {
            minCount = min(minCount, score.score)
            maxCount = max(maxCount, score.score)
        }
        let difference = maxCount - minCount
        for index in scores.indices {
            if difference > 0 {
                let fraction = Double(scores[index].score - minCount) / Double(difference)
                scores[index].score = Int64(Double(maxNodeScore) * fraction)
            } else {
                scores[index].score = 0
            }
        }
        return .success
    }

    // MARK: - Events

    public func eventsToRegister() -> [ClusterEventWithHint] {
        [
            ClusterEventWithHint(
                ClusterEvent(resource: .assignedPod, actionType: [.add, .updatePodLabel, .delete], label: "AssignedPodChange")
            ),
            ClusterEventWithHint(
                ClusterEvent(resource: .node, actionType: [.add, .updateNodeLabel], label: "NodeLabelChange")
            ),
        ]
    }
}
