public import SkiffAPI
import SkiffAPIMachinery

/// A kind of object whose changes may make pods schedulable (↔ `framework.EventResource`).
public struct EventResource: Hashable, Sendable, CustomStringConvertible {
    /// The resource name, as upstream's (`Pod`, `Node`, ...), or `*`.
    public var rawValue: String
    /// Makes a resource.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// Any pod.
    public static let pod = EventResource("Pod")
    /// A pod bound to a node (an event of the scheduler cache).
    public static let assignedPod = EventResource("AssignedPod")
    /// A pod not yet bound (an event of the queue).
    public static let unscheduledPod = EventResource("UnschedulablePod")
    /// A node.
    public static let node = EventResource("Node")
    /// A namespace.
    public static let namespace = EventResource("Namespace")
    /// A PersistentVolume.
    public static let persistentVolume = EventResource("PersistentVolume")
    /// A PersistentVolumeClaim.
    public static let persistentVolumeClaim = EventResource("PersistentVolumeClaim")
    /// A StorageClass.
    public static let storageClass = EventResource("storage.k8s.io/StorageClass")
    /// Every resource.
    public static let wildcard = EventResource("*")

    public var description: String { self.rawValue }
}

/// What happened to the object, as a bit set (↔ `framework.ActionType`).
public struct ActionType: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let add = ActionType(rawValue: 1 << 0)
    public static let delete = ActionType(rawValue: 1 << 1)
    public static let updateNodeAllocatable = ActionType(rawValue: 1 << 2)
    public static let updateNodeLabel = ActionType(rawValue: 1 << 3)
    public static let updateNodeTaint = ActionType(rawValue: 1 << 4)
    public static let updateNodeCondition = ActionType(rawValue: 1 << 5)
    public static let updateNodeAnnotation = ActionType(rawValue: 1 << 6)
    public static let updatePodLabel = ActionType(rawValue: 1 << 7)
    public static let updatePodScaleDown = ActionType(rawValue: 1 << 8)
    public static let updatePodTolerations = ActionType(rawValue: 1 << 9)
    public static let updatePodSchedulingGatesEliminated = ActionType(rawValue: 1 << 10)
    /// Other updates of a pod or node.
    public static let updateOther = ActionType(rawValue: 1 << 11)

    /// Any update.
    public static let update: ActionType = [
        .updateNodeAllocatable, .updateNodeLabel, .updateNodeTaint, .updateNodeCondition, .updateNodeAnnotation,
        .updatePodLabel, .updatePodScaleDown, .updatePodTolerations, .updatePodSchedulingGatesEliminated,
        .updateOther,
    ]
    /// Anything.
    public static let all: ActionType = [.add, .delete, .update]
}

/// A change in the cluster the queue reacts to (↔ `framework.ClusterEvent`).
public struct ClusterEvent: Hashable, Sendable, CustomStringConvertible {
    /// The kind of object.
    public var resource: EventResource
    /// What happened.
    public var actionType: ActionType
    /// A label for metrics and logs (`NodeAdd`, `AssignedPodDelete`).
    public var label: String

    /// Makes an event.
    public init(resource: EventResource, actionType: ActionType, label: String = "") {
        self.resource = resource
        self.actionType = actionType
        self.label = label.isEmpty ? resource.rawValue + "\(actionType.rawValue)" : label
    }

    /// `true` when a registration for `self` covers the `event` that happened.
    public func covers(_ event: ClusterEvent) -> Bool {
        let resourceMatches =
            self.resource == .wildcard || self.resource == event.resource
            || (self.resource == .pod && (event.resource == .assignedPod || event.resource == .unscheduledPod))
        return resourceMatches && !self.actionType.intersection(event.actionType).isEmpty
    }

    public var description: String { self.label }

    /// Every event: pods that failed for an unknown reason (an error) wait for this.
    public static let wildcard = ClusterEvent(resource: .wildcard, actionType: .all, label: "WildCardEvent")
    /// The 5-minute flush of unschedulable pods.
    public static let unschedulableTimeout = ClusterEvent(
        resource: .wildcard,
        actionType: .all,
        label: "UnschedulableTimeout"
    )
    /// A node was added.
    public static let nodeAdd = ClusterEvent(resource: .node, actionType: .add, label: "NodeAdd")
    /// A bound pod was deleted (frees resources).
    public static let assignedPodDelete = ClusterEvent(
        resource: .assignedPod,
        actionType: .delete,
        label: "AssignedPodDelete"
    )
    /// A bound pod was added.
    public static let assignedPodAdd = ClusterEvent(resource: .assignedPod, actionType: .add, label: "AssignedPodAdd")
    /// A pod's scheduling gates were all removed.
    public static let podSchedulingGatesEliminated = ClusterEvent(
        resource: .unscheduledPod,
        actionType: .updatePodSchedulingGatesEliminated,
        label: "UnschedulablePodUpdate"
    )
    /// A pod was forced back to the queue by a plugin (``FrameworkHandle/activate(_:)``).
    public static let forceActivate = ClusterEvent(resource: .wildcard, actionType: .all, label: "ForceActivate")
}

/// An object an event is about.
public enum ClusterEventObject: Sendable {
    case pod(PodInfo)
    case node(CoreV1.Node)
    case other(any Sendable)

    /// The pod, when the object is one.
    public var pod: PodInfo? {
        if case .pod(let pod) = self { return pod }
        return nil
    }

    /// The node, when the object is one.
    public var node: CoreV1.Node? {
        if case .node(let node) = self { return node }
        return nil
    }
}

/// A plugin's verdict on whether an event may make a pod schedulable (↔ `framework.QueueingHint`).
public enum QueueingHint: Sendable, Hashable {
    /// The event cannot help this pod: leave it where it is.
    case skip
    /// The event may help: move the pod to the active or backoff queue.
    case queue
}

/// Computes a ``QueueingHint`` for a pod the plugin rejected, given the old and new object of the event.
public typealias QueueingHintFunction =
    @Sendable (_ pod: PodInfo, _ oldObject: ClusterEventObject?, _ newObject: ClusterEventObject?) -> QueueingHint

/// An event a plugin registers, with an optional hint function (↔ `ClusterEventWithHint`); without one, every
/// such event queues the pod.
public struct ClusterEventWithHint: Sendable {
    /// The event.
    public var event: ClusterEvent
    /// The hint, or `nil` to always queue.
    public var hint: QueueingHintFunction?

    /// Makes a registration.
    public init(_ event: ClusterEvent, hint: QueueingHintFunction? = nil) {
        self.event = event
        self.hint = hint
    }
}
