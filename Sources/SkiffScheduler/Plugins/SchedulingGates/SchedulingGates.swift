import SkiffAPIMachinery
import SkiffAPI
/// Keeps pods with `spec.schedulingGates` out of the active queue until every gate is removed (↔
/// `schedulinggates.SchedulingGates`).
public struct SchedulingGates: PreEnqueuePlugin, EnqueueExtensions {
    public var name: String { PluginNames.schedulingGates }

    public init() {}

    public static let factory: PluginFactory = { _, _ in SchedulingGates() }

    public func preEnqueue(_ pod: PodInfo) -> PluginStatus {
        let gates = pod.pod.spec?.schedulingGates ?? []
        if gates.isEmpty { return .success }
        return .unschedulableAndUnresolvable(
            "waiting for scheduling gates: [" + gates.map(\.name).joined(separator: " ") + "]"
        )
    }

    public func eventsToRegister() -> [ClusterEventWithHint] {
        [
            ClusterEventWithHint(.podSchedulingGatesEliminated) { pod, _, new in
                guard let updated = new?.pod, updated.uid == pod.uid else { return .skip }
                return (updated.pod.spec?.schedulingGates ?? []).isEmpty ? .queue : .skip
            }
        ]
    }
}
