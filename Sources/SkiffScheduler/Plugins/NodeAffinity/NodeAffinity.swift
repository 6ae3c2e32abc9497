public import SkiffAPI
import SkiffAPIMachinery

/// `spec.nodeSelector` and node affinity: required terms filter, preferred terms score (↔
/// `nodeaffinity.NodeAffinity`; default score weight 2). The `addedAffinity` argument applies to every pod of the
/// profile.
public struct NodeAffinity: PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, ScoreExtensions,
    EnqueueExtensions
{
    public var name: String { PluginNames.nodeAffinity }

    /// Upstream's reasons.
    public static let reasonPod = "node(s) didn't match Pod's node affinity/selector"
    public static let reasonEnforced = "node(s) didn't match scheduler-enforced node affinity"
    public static let reasonConflict = "pod affinity terms conflict"

    /// `NodeAffinityArgs`.
    public struct Args: Codable, Sendable, Hashable {
        public var addedAffinity: CoreV1.NodeAffinity?
        public init(addedAffinity: CoreV1.NodeAffinity? = nil) { self.addedAffinity = addedAffinity }
    }

    struct PreferredTerm: Sendable {
        var weight: Int64
        var term: NodeSelectorMatcher.Term
    }

    let addedNodeSelector: NodeSelectorMatcher?
    let addedPreferred: [PreferredTerm]

    /// Makes the plugin with its arguments.
    public init(args: Args = Args()) {
        self.addedNodeSelector = args.addedAffinity?.requiredDuringSchedulingIgnoredDuringExecution.map {
            NodeSelectorMatcher($0)
        }
        self.addedPreferred = Self.preferred(args.addedAffinity?.preferredDuringSchedulingIgnoredDuringExecution)
    }

    public static let factory: PluginFactory = { args, _ in
        NodeAffinity(args: try decodeArgs(Args.self, args) ?? Args())
    }

    static func preferred(_ terms: [CoreV1.PreferredSchedulingTerm]?) -> [PreferredTerm] {
        (terms ?? []).compactMap { term in
            guard term.weight != 0 else { return nil }
            return PreferredTerm(weight: Int64(term.weight), term: NodeSelectorMatcher.parse(term.preference))
        }
    }

    public func preFilter(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus) {
        let required = pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
        if required == nil && self.addedNodeSelector == nil && pod.pod.spec?.nodeSelector == nil {
            return (nil, .skip)
        }
        guard let terms = required?.nodeSelectorTerms, !terms.isEmpty else { return (nil, .success) }
        // Affinity to specific node names narrows the nodes to filter.
        var nodeNames: Set<String>?
        for term in terms {
            var termNames: Set<String>?
            for field in term.matchFields ?? [] where field.key == "metadata.name" && field.operator == "In" {
                let values = Set(field.values ?? [])
                termNames = termNames.map { $0.intersection(values) } ?? values
            }
            guard let termNames else { return (nil, .success) }
            nodeNames = (nodeNames ?? []).union(termNames)
        }
        if let nodeNames {
            if nodeNames.isEmpty { return (nil, .unschedulableAndUnresolvable(Self.reasonConflict)) }
            return (PreFilterResult(nodeNames: nodeNames), .success)
        }
        return (nil, .success)
    }

    public func filter(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> PluginStatus {
        if let added = self.addedNodeSelector, !added.matches(name: node.name, labels: node.labels) {
            return .unschedulableAndUnresolvable(Self.reasonEnforced)
        }
        if !pod.requiredNodeAffinity.isEmpty && !pod.requiredNodeAffinity.matches(node) {
            return .unschedulableAndUnresolvable(Self.reasonPod)
        }
        return .success
    }

    struct PreScoreState: CycleStateData {
        /// Read by Score alone.
        static var isSchedulingCycleOnly: Bool { true }
        var preferred: [PreferredTerm]
    }

    public func preScore(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) -> PluginStatus {
        let preferred = Self.preferred(
            pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution
        )
        if preferred.isEmpty && self.addedPreferred.isEmpty { return .skip }
        state.write(PreScoreState(preferred: preferred))
        return .success
    }

    public func score(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> (Int64, PluginStatus) {
        var total: Int64 = 0
        for term in self.addedPreferred
        where NodeSelectorMatcher.matches(term.term, name: node.name, labels: node.labels) {
            total += term.weight
        }
        func add(_ preferred: [PreferredTerm]) {
            for term in preferred where NodeSelectorMatcher.matches(term.term, name: node.name, labels: node.labels) {
                total += term.weight
            }
        }
        if state.withData(PreScoreState.self, { add($0.pointee.preferred) }) == nil {
            add(Self.preferred(pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution))
        }
        return (total, .success)
    }

    public var scoreExtensions: (any ScoreExtensions)? { self }

    public func normalizeScore(_ pod: PodInfo, state: CycleState, scores: inout [NodeScore]) -> PluginStatus {
        defaultNormalizeScore(maxPriority: maxNodeScore, reverse: false, scores: &scores)
        return .success
    }

    public func eventsToRegister() -> [ClusterEventWithHint] {
        let added = self.addedNodeSelector
        return [
            ClusterEventWithHint(ClusterEvent(resource: .node, actionType: [.add, .updateNodeLabel], label: "NodeLabelChange"))
            { pod, old, new in
                guard let node = new?.node else { return .skip }
                let name = node.metadata.name ?? ""
                let labels = node.metadata.labels ?? [:]
                func fits(_ labels: [String: String]) -> Bool {
                    (added?.matches(name: name, labels: labels) ?? true)
                        && pod.requiredNodeAffinity.matches(name: name, labels: labels)
                }
                guard fits(labels) else { return .skip }
                if let old = old?.node, fits(old.metadata.labels ?? [:]) { return .skip }
                return .queue
            }
        ]
    }
}

/// Decodes a plugin's `args` (`nil` when absent).
func decodeArgs<Args: Decodable>(_ type: Args.Type, _ args: JSONValue?) throws -> Args? {
    guard let args, args != .null else { return nil }
    do {
        return try JSONValueDecoder().decode(type, from: args)
    } catch {
        throw SchedulerError("decoding args of type \(String(describing: type)): \(error)")
    }
}
