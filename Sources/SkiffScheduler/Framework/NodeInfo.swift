public import SkiffAPI
import SkiffAPIMachinery

/// A node with the pods on it and the totals plugins check (↔ `framework.NodeInfo`).
///
/// The scheduler cache owns one per node and changes it as pods are added, assumed and removed; each scheduling
/// cycle reads clones of the changed ones through a ``Snapshot``. Preemption's what-if runs work on a
/// ``clone()``.
///
/// ## Topics
/// ### The node
/// - ``node``
/// - ``name``
/// - ``labels``
/// - ``taints``
/// - ``allocatable``
/// ### The pods
/// - ``pods``
/// - ``podsWithAffinity``
/// - ``podsWithRequiredAntiAffinity``
/// - ``requested``
/// - ``nonZeroRequested``
/// - ``usedPorts``
/// - ``imageStates``
public final class NodeInfo: @unchecked Sendable {
    // @unchecked: a NodeInfo is changed only by its owner: the scheduler cache (under its lock) or the code that
    // cloned it for a what-if. Snapshot copies are read-only while plugins run.

    // Stored properties are laid out in declaration order: the fields every Filter and Score reads come first,
    // so that a node costs the fewest cache lines per cycle (5,000 nodes do not fit in cache), and the large
    // Node value comes last. They are read without dynamic exclusivity checks, which cost more than the plugins'
    // reads of them (a node info changes only under its owner's lock, or is a private clone).

    /// `true` when ``node`` is set (cheaper than reading the node).
    @exclusivity(unchecked) public private(set) var hasNode: Bool
    /// `spec.unschedulable`.
    @exclusivity(unchecked) public private(set) var unschedulable: Bool
    /// `status.allocatable`.
    @exclusivity(unchecked) public private(set) var allocatable: Resource
    /// The sum of the pods' requests.
    @exclusivity(unchecked) public private(set) var requested: Resource
    /// The sum of the pods' requests with the scoring defaults for containers that request none.
    @exclusivity(unchecked) public private(set) var nonZeroRequested: Resource
    /// The pods on the node (bound or assumed).
    @exclusivity(unchecked) public private(set) var pods: [PodInfo]
    /// `spec.taints`.
    @exclusivity(unchecked) public private(set) var taints: [CoreV1.Taint]
    /// `metadata.name` of the node.
    @exclusivity(unchecked) public private(set) var name: String
    /// The node's labels.
    @exclusivity(unchecked) public private(set) var labels: [String: String]
    /// Images present on the node, by normalized name, with how many nodes have each.
    @exclusivity(unchecked) public internal(set) var imageStates: [String: ImageStateSummary]
    /// Host ports in use.
    @exclusivity(unchecked) public private(set) var usedPorts: HostPortInfo
    /// The pods on the node with pod affinity or anti-affinity of any kind.
    @exclusivity(unchecked) public private(set) var podsWithAffinity: [PodInfo]
    /// The pods on the node with required anti-affinity.
    @exclusivity(unchecked) public private(set) var podsWithRequiredAntiAffinity: [PodInfo]
    /// Bumped on every change; the snapshot copies nodes whose generation moved.
    @exclusivity(unchecked) public internal(set) var generation: Int64
    /// The node; `nil` when the cache knows pods of a node it has not seen (yet, or any more).
    @exclusivity(unchecked) public private(set) var node: CoreV1.Node?

    /// An empty node info named `name` (tests, and pods of nodes not seen yet).
    public init(name: String = "") {
        self.node = nil
        self.hasNode = false
        self.name = name
        self.labels = [:]
        self.taints = []
        self.unschedulable = false
        self.allocatable = Resource()
        self.pods = []
        self.podsWithAffinity = []
        self.podsWithRequiredAntiAffinity = []
        self.requested = Resource()
        self.nonZeroRequested = Resource()
        self.usedPorts = HostPortInfo()
        self.imageStates = [:]
        self.generation = 0
    }

    /// A node info for `node` with `pods` on it (tests and the in-memory benchmark).
    public convenience init(node: CoreV1.Node, pods: [PodInfo] = []) {
        self.init(name: node.metadata.name ?? "")
        self.setNode(node)
        for pod in pods { self.addPod(pod) }
    }

    /// A copy that can be changed without changing `self`.
    public func clone() -> NodeInfo {
        let copy = NodeInfo(name: self.name)
        copy.node = self.node
        copy.hasNode = self.hasNode
        copy.labels = self.labels
        copy.taints = self.taints
        copy.unschedulable = self.unschedulable
        copy.allocatable = self.allocatable
        copy.pods = self.pods
        copy.podsWithAffinity = self.podsWithAffinity
        copy.podsWithRequiredAntiAffinity = self.podsWithRequiredAntiAffinity
        copy.requested = self.requested
        copy.nonZeroRequested = self.nonZeroRequested
        copy.usedPorts = self.usedPorts
        copy.imageStates = self.imageStates
        copy.generation = self.generation
        return copy
    }

    /// Sets or replaces the node object.
    public func setNode(_ node: CoreV1.Node) {
        self.node = node
        self.hasNode = true
        self.name = node.metadata.name ?? ""
        self.labels = node.metadata.labels ?? [:]
        self.taints = node.spec?.taints ?? []
        self.unschedulable = node.spec?.unschedulable ?? false
        self.allocatable = Resource(node.status?.allocatable)
        self.generation &+= 1
    }

    /// Forgets the node object (the node was deleted while pods are still known on it).
    public func removeNode() {
        self.node = nil
        self.hasNode = false
        self.generation &+= 1
    }

    /// Adds a pod (bound or assumed).
    public func addPod(_ pod: PodInfo) {
        self.pods.append(pod)
        if pod.hasAffinityConstraints { self.podsWithAffinity.append(pod) }
        if pod.hasRequiredAntiAffinity { self.podsWithRequiredAntiAffinity.append(pod) }
        self.requested.add(pod.requests)
        self.nonZeroRequested.add(pod.nonZeroRequests)
        for port in pod.hostPorts { self.usedPorts.add(port) }
        self.generation &+= 1
    }

    /// Removes the pod with `pod`'s UID (or key when it has none); `false` when it is not on the node.
    @discardableResult
    public func removePod(_ pod: PodInfo) -> Bool {
        func same(_ other: PodInfo) -> Bool {
            pod.uid.isEmpty ? other.key == pod.key : other.uid == pod.uid
        }
        guard let index = self.pods.firstIndex(where: same) else { return false }
        let removed = self.pods.remove(at: index)
        if let i = self.podsWithAffinity.firstIndex(where: same) { self.podsWithAffinity.remove(at: i) }
        if let i = self.podsWithRequiredAntiAffinity.firstIndex(where: same) {
            self.podsWithRequiredAntiAffinity.remove(at: i)
        }
        self.requested.subtract(removed.requests)
        self.nonZeroRequested.subtract(removed.nonZeroRequests)
        for port in removed.hostPorts { self.usedPorts.remove(port) }
        self.generation &+= 1
        return true
    }
}

/// An image on a node (↔ `framework.ImageStateSummary`).
public struct ImageStateSummary: Sendable, Hashable {
    /// The image's size in bytes.
    public var size: Int64
    /// How many nodes have the image.
    public var numNodes: Int

    /// Makes a summary.
    public init(size: Int64, numNodes: Int) {
        self.size = size
        self.numNodes = numNodes
    }
}

/// Host ports in use on a node, by IP then protocol and port (↔ `framework.HostPortInfo`).
public struct HostPortInfo: Sendable, Hashable {
    struct ProtocolPort: Hashable, Sendable {
        var `protocol`: String
        var port: Int32
    }

    /// Count of users of each (protocol, port) per IP.
    private var ports: [String: [ProtocolPort: Int]] = [:]

    /// No ports.
    public init() {}

    /// `true` when no port is in use.
    public var isEmpty: Bool { self.ports.isEmpty }

    /// Marks a port as used.
    public mutating func add(_ port: HostPort) {
        guard port.port > 0 else { return }
        self.ports[port.ip, default: [:]][ProtocolPort(protocol: port.protocol, port: port.port), default: 0] += 1
    }

    /// Releases a port.
    public mutating func remove(_ port: HostPort) {
        let key = ProtocolPort(protocol: port.protocol, port: port.port)
        guard var byPort = self.ports[port.ip], let count = byPort[key] else { return }
        if count <= 1 { byPort[key] = nil } else { byPort[key] = count - 1 }
        self.ports[port.ip] = byPort.isEmpty ? nil : byPort
    }

    /// `true` when `port` conflicts with a used one: the same protocol and port on the same IP, or where either
    /// IP is `0.0.0.0` (↔ `CheckConflict`).
    public func conflicts(with port: HostPort) -> Bool {
        guard port.port > 0 else { return false }
        let key = ProtocolPort(protocol: port.protocol, port: port.port)
        if port.ip == "0.0.0.0" {
            for byPort in self.ports.values where byPort[key] != nil {
                return true
            }
            return false
        }
        if self.ports[port.ip]?[key] != nil { return true }
        return self.ports["0.0.0.0"]?[key] != nil
    }
}
