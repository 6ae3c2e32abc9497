import SkiffAPIMachinery
import SkiffAPI
/// PLACEHOLDER written by `sched` so the registry compiles: `sched2` owns this directory and replaces this file
/// with the real plugin. Keep the type name `InterPodAffinity` and its static `factory` (the in-tree registry uses them).
public struct InterPodAffinity: SchedulerPlugin {
    public var name: String { PluginNames.interPodAffinity }

    public static let factory: PluginFactory = { _, _ in InterPodAffinity() }
}
