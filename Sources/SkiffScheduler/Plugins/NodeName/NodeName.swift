import SkiffAPIMachinery
import SkiffAPI
/// Fits a pod with `spec.nodeName` only on that node (↔ `nodename.NodeName`).
public struct NodeName: FilterPlugin, EnqueueExtensions {
    public var name: String { PluginNames.nodeName }

    /// Upstream's reason.
    public static let reason = "node(s) didn't match the requested node name"

    public init() {}

    public static let factory: PluginFactory = { _, _ in NodeName() }

    public func filter(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> PluginStatus {
        let wanted = pod.nodeName
        if wanted.isEmpty || wanted == node.name { return .success }
        return .unschedulableAndUnresolvable(Self.reason)
    }

    public func eventsToRegister() -> [ClusterEventWithHint] {
        [
            ClusterEventWithHint(.nodeAdd) { pod, _, new in
                new?.node?.metadata.name == pod.nodeName ? .queue : .skip
            }
        ]
    }
}
