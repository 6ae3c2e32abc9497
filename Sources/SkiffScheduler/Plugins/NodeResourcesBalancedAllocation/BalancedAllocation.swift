import SkiffAPIMachinery
import SkiffAPI
/// Prefers nodes whose resource utilization stays balanced across resources after placing the pod (↔
/// `noderesources.BalancedAllocation`; score weight 1).
public struct BalancedAllocation: PreScorePlugin, ScorePlugin, EnqueueExtensions {
    public var name: String { PluginNames.nodeResourcesBalancedAllocation }

    /// `NodeResourcesBalancedAllocationArgs`.
    public struct Args: Codable, Sendable, Hashable {
        public var resources: [NodeResourcesFit.ResourceSpec]?
        public init(resources: [NodeResourcesFit.ResourceSpec]? = nil) { self.resources = resources }
    }

    let scorer: ResourceAllocationScorer

    /// Makes the plugin.
    public init(args: Args = Args()) {
        let resources = (args.resources ?? [.init(name: "cpu", weight: 1), .init(name: "memory", weight: 1)]).map {
            ResourceAllocationScorer.Weighted(name: $0.name, weight: ($0.weight ?? 0) == 0 ? 1 : $0.weight!)
        }
        self.scorer = ResourceAllocationScorer(resources: resources, useRequested: true, function: .balanced)
    }

    public static let factory: PluginFactory = { args, _ in
        BalancedAllocation(args: try decodeArgs(Args.self, args) ?? Args())
    }

    public func preScore(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) -> PluginStatus {
        // Best-effort pods (no request of any scored resource) would all pile onto one node: skip them.
        let requestsSomething = self.scorer.resources.contains { pod.requests.value(of: $0.name) != 0 }
        return requestsSomething ? .success : .skip
    }

    public func score(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> (Int64, PluginStatus) {
        (self.scorer.score(pod, on: node), .success)
    }

    public func eventsToRegister() -> [ClusterEventWithHint] {
        [
            ClusterEventWithHint(.assignedPodDelete),
            ClusterEventWithHint(ClusterEvent(resource: .node, actionType: [.add, .updateNodeAllocatable])),
        ]
    }
}
