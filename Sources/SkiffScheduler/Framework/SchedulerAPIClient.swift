public import SkiffAPI
import SkiffAPIMachinery

/// The API calls the scheduler makes, so the algorithm can run against the API server or in memory
/// (↔ the parts of client-go's clientset kube-scheduler uses).
///
/// ``APISchedulerClient`` implements it over SkiffClient; ``InMemorySchedulerClient`` records the calls for tests and
/// the algorithm-only benchmark.
public protocol SchedulerAPIClient: Sendable {
    /// Creates `pods/binding` for the pod (↔ `Pods(ns).Bind`).
    func bind(namespace: String, name: String, uid: String, nodeName: String) async throws
    /// Sets a pod condition (PodScheduled, DisruptionTarget) and optionally `status.nominatedNodeName` with a
    /// status patch (↔ `util.PatchPodStatus`); `nominatedNodeName` `""` clears it, `nil` leaves it.
    func patchPodStatus(
        namespace: String,
        name: String,
        condition: CoreV1.PodCondition?,
        nominatedNodeName: String?
    ) async throws
    /// Deletes a pod (a preemption victim).
    func deletePod(namespace: String, name: String, uid: String) async throws
    /// Records an `events.k8s.io/v1` Event about a pod.
    func recordEvent(_ event: SchedulerEvent) async
}

/// An event the scheduler records (↔ `EventRecorder.Eventf` arguments).
public struct SchedulerEvent: Sendable, Hashable {
    /// The pod the event is about.
    public var namespace: String
    public var name: String
    public var uid: String
    public var resourceVersion: String?
    /// `Normal` or `Warning`.
    public var type: String
    /// `Scheduled`, `FailedScheduling`, `Preempted`, ...
    public var reason: String
    /// `Binding`, `Scheduling`, `Preempting`.
    public var action: String
    /// The message.
    public var note: String
    /// The node involved (the related object of `Preempted`), if any.
    public var related: String?

    /// Makes an event about `pod`.
    public init(pod: PodInfo, type: String, reason: String, action: String, note: String, related: String? = nil) {
        self.namespace = pod.namespace
        self.name = pod.name
        self.uid = pod.uid
        self.resourceVersion = pod.pod.metadata.resourceVersion
        self.type = type
        self.reason = reason
        self.action = action
        self.note = note
        self.related = related
    }
}

/// Read access to the cluster objects some plugins need besides nodes and pods (↔ the informer listers a
/// framework handle exposes). Everything defaults to "none".
public protocol ClusterListers: Sendable {
    /// The labels of a namespace, `nil` when it is unknown (namespaceSelector of pod affinity terms).
    func namespaceLabels(_ name: String) -> [String: String]?
    /// Services of a namespace (the default spreading selector).
    func services(namespace: String) -> [CoreV1.Service]
    /// ReplicationControllers of a namespace.
    func replicationControllers(namespace: String) -> [CoreV1.ReplicationController]
    /// ReplicaSets of a namespace.
    func replicaSets(namespace: String) -> [AppsV1.ReplicaSet]
    /// StatefulSets of a namespace.
    func statefulSets(namespace: String) -> [AppsV1.StatefulSet]
    /// PodDisruptionBudgets of every namespace (preemption).
    func podDisruptionBudgets() -> [PolicyV1.PodDisruptionBudget]
}

extension ClusterListers {
    public func namespaceLabels(_ name: String) -> [String: String]? { nil }
    public func services(namespace: String) -> [CoreV1.Service] { [] }
    public func replicationControllers(namespace: String) -> [CoreV1.ReplicationController] { [] }
    public func replicaSets(namespace: String) -> [AppsV1.ReplicaSet] { [] }
    public func statefulSets(namespace: String) -> [AppsV1.StatefulSet] { [] }
    public func podDisruptionBudgets() -> [PolicyV1.PodDisruptionBudget] { [] }
}

/// Listers that know no objects (tests, the in-memory benchmark).
public struct EmptyClusterListers: ClusterListers {
    public init() {}
}

/// Pods nominated to nodes by preemption, not yet bound (↔ `framework.PodNominator`); the queue implements it.
public protocol PodNominator: Sendable {
    /// The pods nominated to `nodeName`.
    func nominatedPods(forNode nodeName: String) -> [PodInfo]
}
