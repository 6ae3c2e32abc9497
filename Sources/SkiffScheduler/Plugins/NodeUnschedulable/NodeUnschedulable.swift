import SkiffAPI
import SkiffAPIMachinery

/// Rejects nodes with `spec.unschedulable: true` unless the pod tolerates the `node.kubernetes.io/unschedulable`
/// NoSchedule taint (↔ `nodeunschedulable.NodeUnschedulable`).
public struct NodeUnschedulable: FilterPlugin, EnqueueExtensions {
    public var name: String { PluginNames.nodeUnschedulable }

    /// Upstream's reasons.
    public static let reasonUnschedulable = "node(s) were unschedulable"
    public static let reasonUnknownCondition = "node(s) had unknown conditions"
    /// The taint key the node lifecycle controller sets on cordoned nodes.
    public static let unschedulableTaintKey = "node.kubernetes.io/unschedulable"

    public init() {}

    public static let factory: PluginFactory = { _, _ in NodeUnschedulable() }

    public func filter(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> PluginStatus {
        guard node.hasNode else { return .unschedulableAndUnresolvable(Self.reasonUnknownCondition) }
        guard node.unschedulable else { return .success }
        let taint = CoreV1.Taint(key: Self.unschedulableTaintKey, effect: "NoSchedule")
        if TaintToleration.tolerates(pod.pod.spec?.tolerations ?? [], taint) { return .success }
        return .unschedulableAndUnresolvable(Self.reasonUnschedulable)
    }

    public func eventsToRegister() -> [ClusterEventWithHint] {
        [
            ClusterEventWithHint(ClusterEvent(resource: .node, actionType: [.add, .updateNodeTaint], label: "NodeChange"))
            { _, old, new in
                guard let node = new?.node else { return .skip }
                let wasUnschedulable = old?.node?.spec?.unschedulable ?? true
                return (wasUnschedulable && !(node.spec?.unschedulable ?? false)) ? .queue : .skip
            }
        ]
    }
}
