import SkiffAPIMachinery

/// The largest score a Score plugin may give after normalization (↔ `framework.MaxNodeScore`).
public let maxNodeScore: Int64 = 100
/// The smallest score (↔ `framework.MinNodeScore`).
public let minNodeScore: Int64 = 0

/// What every scheduler plugin is: a named, `Sendable` value. A plugin adopts one protocol per extension point it
/// implements (↔ `framework.Plugin`).
///
/// Plugins are made by a ``PluginFactory`` from their arguments and a ``FrameworkHandle``; one instance serves
/// every cycle of a profile, from several tasks at once, so per-pod data goes in the ``CycleState``.
public protocol SchedulerPlugin: Sendable {
    /// The plugin's name as configuration files spell it (`NodeResourcesFit`).
    var name: String { get }
}

/// Decides whether a pod may enter the active queue at all, e.g. scheduling gates (↔ `PreEnqueuePlugin`).
///
/// Return ``PluginStatus/success`` to admit the pod; any other status keeps it among the unschedulable pods, gated,
/// until an event of the plugin's ``EnqueueExtensions`` makes it worth asking again.
public protocol PreEnqueuePlugin: SchedulerPlugin {
    func preEnqueue(_ pod: PodInfo) -> PluginStatus
}

/// Orders the active queue (↔ `QueueSortPlugin`); exactly one per profile, and the same in every profile.
public protocol QueueSortPlugin: SchedulerPlugin {
    /// `true` when `lhs` should be scheduled before `rhs`.
    func less(_ lhs: QueuedPodInfo, _ rhs: QueuedPodInfo) -> Bool
}

/// Declares the cluster events that may make a pod this plugin rejected schedulable (↔ `EnqueueExtensions`).
///
/// The queue moves a pod out of the unschedulable pods only on an event some rejecting plugin registered, and
/// only when that registration's ``ClusterEventWithHint/hint`` (if any) says ``QueueingHint/queue``.
public protocol EnqueueExtensions: SchedulerPlugin {
    func eventsToRegister() -> [ClusterEventWithHint]
}

/// What a PreFilter plugin may say besides its status: the only nodes worth filtering (↔ `PreFilterResult`).
public struct PreFilterResult: Sendable, Hashable {
    /// The node names the pod can possibly go to; `nil` means every node.
    public var nodeNames: Set<String>?

    /// Makes a result; `nil` for all nodes.
    public init(nodeNames: Set<String>?) { self.nodeNames = nodeNames }

    /// Every node.
    public static let all = PreFilterResult(nodeNames: nil)

    /// The intersection of two results.
    public func merged(with other: PreFilterResult?) -> PreFilterResult {
        guard let other, let theirs = other.nodeNames else { return self }
        guard let mine = self.nodeNames else { return other }
        return PreFilterResult(nodeNames: mine.intersection(theirs))
    }

    /// `true` when the result allows every node.
    public var allNodes: Bool { self.nodeNames == nil }
}

/// Runs once per cycle before Filter, computes per-pod data into the ``CycleState``, and may narrow the nodes or
/// reject the pod outright (↔ `PreFilterPlugin`).
///
/// Returning ``PluginStatus/skip`` skips the plugin's Filter for this pod. A rejection ends the cycle: every node
/// gets the status in the `FailedScheduling` summary.
public protocol PreFilterPlugin: SchedulerPlugin {
    func preFilter(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus)
    /// Incremental updates of the plugin's state when a pod is added to or removed from a node in a what-if
    /// (preemption, nominated pods); `nil` when the state does not depend on other pods.
    var preFilterExtensions: (any PreFilterExtensions)? { get }
}

extension PreFilterPlugin {
    public var preFilterExtensions: (any PreFilterExtensions)? { nil }
}

/// Updates a PreFilter plugin's cycle state for a what-if change of one node (↔ `PreFilterExtensions`).
public protocol PreFilterExtensions: Sendable {
    /// `podToAdd` is (virtually) added to `node`.
    func addPod(_ podToSchedule: PodInfo, adding podToAdd: PodInfo, to node: NodeInfo, state: CycleState)
        -> PluginStatus
    /// `podToRemove` is (virtually) removed from `node`.
    func removePod(_ podToSchedule: PodInfo, removing podToRemove: PodInfo, from node: NodeInfo, state: CycleState)
        -> PluginStatus
}

/// Says whether the pod fits on one node (↔ `FilterPlugin`); called for many nodes in parallel.
///
/// Return ``PluginStatus/success``, ``PluginStatus/unschedulable(_:)`` (preemption may help) or
/// ``PluginStatus/unschedulableAndUnresolvable(_:)``, with upstream's reason strings: they are counted per reason
/// in the `FailedScheduling` message.
public protocol FilterPlugin: SchedulerPlugin {
    func filter(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> PluginStatus
}

/// What a PostFilter plugin proposes: a node to nominate the pod to (↔ `PostFilterResult`).
public struct PostFilterResult: Sendable, Hashable {
    /// The node the pod is nominated to; `nil` to leave the nomination alone, `""` to clear it.
    public var nominatedNodeName: String?

    /// Makes a result.
    public init(nominatedNodeName: String?) { self.nominatedNodeName = nominatedNodeName }
}

/// Filter statuses by node name, for PostFilter and the `FailedScheduling` summary (↔ `NodeToStatus`).
public struct NodeToStatus: Sendable {
    /// The statuses of the nodes that were filtered and failed.
    public var statuses: [String: PluginStatus]
    /// The status of nodes not in ``statuses`` (PreFilter excluded them, or a PreFilter rejected the pod).
    public var absentNodesStatus: PluginStatus

    /// Makes a map; absent nodes are UnschedulableAndUnresolvable by default.
    public init(
        statuses: [String: PluginStatus] = [:],
        absentNodesStatus: PluginStatus = PluginStatus(.unschedulableAndUnresolvable)
    ) {
        self.statuses = statuses
        self.absentNodesStatus = absentNodesStatus
    }

    /// The status of `nodeName`.
    public func status(of nodeName: String) -> PluginStatus {
        self.statuses[nodeName] ?? self.absentNodesStatus
    }

    /// The nodes among `nodes` whose status is `code` (absent ones count with ``absentNodesStatus``).
    public func nodes(withCode code: PluginStatus.Code, among nodes: [NodeInfo]) -> [NodeInfo] {
        nodes.filter { self.status(of: $0.name).code == code }
    }
}

/// Runs when no node fits, e.g. preemption (↔ `PostFilterPlugin`). Plugins run in order until one succeeds or
/// one returns ``PluginStatus/Code/unschedulableAndUnresolvable``.
public protocol PostFilterPlugin: SchedulerPlugin {
    func postFilter(_ pod: PodInfo, state: CycleState, filteredNodeStatuses: NodeToStatus) async
        -> (PostFilterResult?, PluginStatus)
}

/// Runs once per cycle before Score on the feasible nodes (↔ `PreScorePlugin`). ``PluginStatus/skip`` skips the
/// plugin's Score for this pod.
public protocol PreScorePlugin: SchedulerPlugin {
    func preScore(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) -> PluginStatus
}

/// A node's score from one plugin or in total (↔ `NodeScore`).
public struct NodeScore: Sendable, Hashable {
    /// The node.
    public var name: String
    /// The score.
    public var score: Int64

    /// Makes a score.
    public init(name: String, score: Int64) {
        self.name = name
        self.score = score
    }
}

/// Ranks a feasible node (↔ `ScorePlugin`). Scores are in [0, ``maxNodeScore``] after the plugin's
/// ``ScoreExtensions/normalizeScore(_:state:scores:)``; the framework multiplies them by the plugin's weight.
public protocol ScorePlugin: SchedulerPlugin {
    func score(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> (Int64, PluginStatus)
    /// Normalization of all nodes' scores at once; `nil` when the scores are already in range.
    var scoreExtensions: (any ScoreExtensions)? { get }
}

extension ScorePlugin {
    public var scoreExtensions: (any ScoreExtensions)? { nil }
}

/// Normalizes one plugin's scores of all nodes to [0, ``maxNodeScore``] (↔ `ScoreExtensions`).
public protocol ScoreExtensions: Sendable {
    func normalizeScore(_ pod: PodInfo, state: CycleState, scores: inout [NodeScore]) -> PluginStatus
}

/// Reserves resources for the pod on the chosen node before binding, and releases them if a later step fails
/// (↔ `ReservePlugin`). ``unreserve(_:state:nodeName:)`` must be idempotent.
public protocol ReservePlugin: SchedulerPlugin {
    func reserve(_ pod: PodInfo, state: CycleState, nodeName: String) -> PluginStatus
    func unreserve(_ pod: PodInfo, state: CycleState, nodeName: String)
}

/// Approves, rejects or delays the binding of a pod (↔ `PermitPlugin`). Returning ``PluginStatus/wait`` with a
/// timeout parks the pod until a ``WaitingPod`` is allowed or rejected, or the timeout rejects it.
public protocol PermitPlugin: SchedulerPlugin {
    func permit(_ pod: PodInfo, state: CycleState, nodeName: String) -> (PluginStatus, timeout: Duration)
}

/// Runs in the binding cycle before Bind, e.g. to provision volumes (↔ `PreBindPlugin`).
public protocol PreBindPlugin: SchedulerPlugin {
    func preBind(_ pod: PodInfo, state: CycleState, nodeName: String) async -> PluginStatus
}

/// Binds the pod to the node (↔ `BindPlugin`). Binders run in order until one does not return
/// ``PluginStatus/skip``.
public protocol BindPlugin: SchedulerPlugin {
    func bind(_ pod: PodInfo, state: CycleState, nodeName: String) async -> PluginStatus
}

/// Informational: runs after a successful bind (↔ `PostBindPlugin`).
public protocol PostBindPlugin: SchedulerPlugin {
    func postBind(_ pod: PodInfo, state: CycleState, nodeName: String) async
}
