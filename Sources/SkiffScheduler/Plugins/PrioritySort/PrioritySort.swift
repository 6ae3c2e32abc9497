import SkiffAPIMachinery
import SkiffAPI
/// Orders the active queue by `spec.priority` (higher first), then by the time the pod was queued (↔
/// `queuesort.PrioritySort`).
public struct PrioritySort: QueueSortPlugin {
    public var name: String { PluginNames.prioritySort }

    public init() {}

    public static let factory: PluginFactory = { _, _ in PrioritySort() }

    public func less(_ lhs: QueuedPodInfo, _ rhs: QueuedPodInfo) -> Bool {
        let p1 = lhs.podInfo.priority
        let p2 = rhs.podInfo.priority
        return p1 > p2 || (p1 == p2 && lhs.timestamp < rhs.timestamp)
    }
}
