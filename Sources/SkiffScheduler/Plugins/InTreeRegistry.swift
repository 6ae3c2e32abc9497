/// The names of the in-tree plugins (↔ `plugins/names`).
public enum PluginNames {
    public static let prioritySort = "PrioritySort"
    public static let schedulingGates = "SchedulingGates"
    public static let nodeUnschedulable = "NodeUnschedulable"
    public static let nodeName = "NodeName"
    public static let taintToleration = "TaintToleration"
    public static let nodeAffinity = "NodeAffinity"
    public static let nodePorts = "NodePorts"
    public static let nodeResourcesFit = "NodeResourcesFit"
    public static let nodeResourcesBalancedAllocation = "NodeResourcesBalancedAllocation"
    public static let imageLocality = "ImageLocality"
    public static let interPodAffinity = "InterPodAffinity"
    public static let podTopologySpread = "PodTopologySpread"
    public static let defaultPreemption = "DefaultPreemption"
    public static let defaultBinder = "DefaultBinder"
}

extension Registry {
    /// Every in-tree plugin (↔ `plugins.NewInTreeRegistry`).
    public static var inTree: Registry {
        Registry([
            PluginNames.prioritySort: PrioritySort.factory,
            PluginNames.schedulingGates: SchedulingGates.factory,
            PluginNames.nodeUnschedulable: NodeUnschedulable.factory,
            PluginNames.nodeName: NodeName.factory,
            PluginNames.taintToleration: TaintToleration.factory,
            PluginNames.nodeAffinity: NodeAffinity.factory,
            PluginNames.nodePorts: NodePorts.factory,
            PluginNames.nodeResourcesFit: NodeResourcesFit.factory,
            PluginNames.nodeResourcesBalancedAllocation: BalancedAllocation.factory,
            PluginNames.imageLocality: ImageLocality.factory,
            PluginNames.interPodAffinity: InterPodAffinity.factory,
            PluginNames.podTopologySpread: PodTopologySpread.factory,
            PluginNames.defaultPreemption: DefaultPreemption.factory,
            PluginNames.defaultBinder: DefaultBinder.factory,
        ])
    }
}
