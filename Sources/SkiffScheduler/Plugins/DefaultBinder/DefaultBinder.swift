import SkiffAPIMachinery
import SkiffAPI
/// Binds the pod by creating its `pods/binding` subresource (↔ `defaultbinder.DefaultBinder`).
public struct DefaultBinder: BindPlugin {
    public var name: String { PluginNames.defaultBinder }

    let client: any SchedulerAPIClient

    /// Makes the binder over `client`.
    public init(client: any SchedulerAPIClient) { self.client = client }

    public static let factory: PluginFactory = { _, handle in DefaultBinder(client: handle.client) }

    public func bind(_ pod: PodInfo, state: CycleState, nodeName: String) async -> PluginStatus {
        do {
            try await self.client.bind(namespace: pod.namespace, name: pod.name, uid: pod.uid, nodeName: nodeName)
            return .success
        } catch {
            return .error(error)
        }
    }
}
