import SkiffAPIMachinery
import SkiffAPI
/// Rejects nodes where a host port the pod asks for is taken (↔ `nodeports.NodePorts`).
public struct NodePorts: PreFilterPlugin, FilterPlugin, EnqueueExtensions {
    public var name: String { PluginNames.nodePorts }

    /// Upstream's reason.
    public static let reason = "node(s) didn't have free ports for the requested pod ports"

    public init() {}

    public static let factory: PluginFactory = { _, _ in NodePorts() }

    public func preFilter(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus) {
        pod.hostPorts.isEmpty ? (nil, .skip) : (nil, .success)
    }

    public func filter(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> PluginStatus {
        if pod.hostPorts.isEmpty || node.usedPorts.isEmpty { return .success }
        for port in pod.hostPorts where node.usedPorts.conflicts(with: port) {
            return .unschedulable(Self.reason)
        }
        return .success
    }

    public func eventsToRegister() -> [ClusterEventWithHint] {
        [
            ClusterEventWithHint(.assignedPodDelete) { pod, old, _ in
                guard let deleted = old?.pod else { return .queue }
                var used = HostPortInfo()
                for port in deleted.hostPorts { used.add(port) }
                return pod.hostPorts.contains { used.conflicts(with: $0) } ? .queue : .skip
            },
            ClusterEventWithHint(.nodeAdd),
        ]
    }
}
