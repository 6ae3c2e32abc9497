public import Logging

/// What a plugin may use besides its arguments (↔ `framework.Handle`): the cycle's snapshot, the API client,
/// listers, the parallelizer, nominated pods and the framework's own run functions for what-if evaluations.
public protocol FrameworkHandle: AnyObject, Sendable {
    /// The profile's scheduler name.
    var profileName: String { get }
    /// The snapshot the current cycle reads (↔ `SnapshotSharedLister`).
    var snapshot: Snapshot { get }
    /// The API calls (binding, status patches, events, deletions).
    var client: any SchedulerAPIClient { get }
    /// Listers of other objects.
    var listers: any ClusterListers { get }
    /// Spreads per-node work over tasks.
    var parallelizer: Parallelizer { get }
    /// The pods nominated to nodes, once the queue exists.
    var nominator: (any PodNominator)? { get }
    /// The scheduler's clock.
    var clock: SchedulerClock { get }
    /// The logger of the scheduler.
    var logger: Logger { get }

    /// Runs the Filter plugins on one node; the first failure is returned.
    func runFilterPlugins(_ pod: PodInfo, state: CycleState, node: NodeInfo) -> PluginStatus
    /// Runs the Filter plugins as if the pods nominated to `node` with at least `pod`'s priority were there
    /// (↔ `RunFilterPluginsWithNominatedPods`).
    func runFilterPluginsWithNominatedPods(_ pod: PodInfo, state: CycleState, node: NodeInfo) -> PluginStatus
    /// Calls every PreFilter plugin's ``PreFilterExtensions/addPod(_:adding:to:state:)``.
    func runPreFilterExtensionAddPod(_ pod: PodInfo, adding: PodInfo, to node: NodeInfo, state: CycleState)
        -> PluginStatus
    /// Calls every PreFilter plugin's ``PreFilterExtensions/removePod(_:removing:from:state:)``.
    func runPreFilterExtensionRemovePod(_ pod: PodInfo, removing: PodInfo, from node: NodeInfo, state: CycleState)
        -> PluginStatus
    /// Moves pods to the active queue now (↔ `Handle.Activate`).
    func activate(_ pods: [PodInfo])
    /// The pod waiting at Permit with `uid`, if any.
    func waitingPod(uid: String) -> WaitingPod?
    /// Rejects a waiting pod (preemption of a waiting victim); `false` if it was not waiting.
    func rejectWaitingPod(uid: String) -> Bool
}
