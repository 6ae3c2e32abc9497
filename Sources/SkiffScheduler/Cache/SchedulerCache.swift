public import SkiffAPI
import SkiffAPIMachinery
import Synchronization

/// What the scheduler knows of nodes and of pods bound or assumed to them (↔ `internal/cache.cacheImpl`).
///
/// A pod counts on its node from the moment the scheduling cycle assumes it, before the binding is written;
/// ``finishBinding(_:)`` starts its expiry (when a TTL is set, which upstream's default of 0 does not), the
/// informer's add confirms it, and ``forgetPod(_:)`` undoes it when binding fails. ``updateSnapshot(_:)`` copies
/// only the nodes that changed since the last cycle.
public final class SchedulerCache: Sendable {
    struct PodState {
        var pod: PodInfo
        var nodeName: String
        /// When an assumed pod whose binding finished expires (`nil`: not yet / never).
        var deadline: Duration?
        var bindingFinished: Bool
    }

    struct ImageState {
        var size: Int64
        var nodes: Set<String>
    }

    struct State {
        var nodes: [String: NodeInfo] = [:]
        var nodeTree = NodeTree()
        var podStates: [String: PodState] = [:]
        var assumedPods: Set<String> = []
        var imageStates: [String: ImageState] = [:]
        /// Nodes changed since the last snapshot update.
        var dirty: Set<String> = []
        /// The node list (tree order) changed: the snapshot's list must be rebuilt.
        var listChanged = true
        var generation: Int64 = 0
    }

    private let state = Mutex(State())
    /// How long an assumed pod whose binding finished stays without the informer confirming it (0: forever).
    let ttl: Duration
    let clock: SchedulerClock

    /// Makes an empty cache.
    public init(ttl: Duration = .zero, clock: SchedulerClock) {
        self.ttl = ttl
        self.clock = clock
    }

    private static func podKey(_ pod: PodInfo) -> String { pod.uid.isEmpty ? pod.key : pod.uid }

    // MARK: - Pods

    /// Counts `pod` (whose `spec.nodeName` is set to the chosen node) on its node before binding.
    public func assumePod(_ pod: PodInfo) throws {
        let key = Self.podKey(pod)
        try self.state.withLock { state in
            if state.podStates[key] != nil {
                throw SchedulerError("pod \(pod.key)(\(pod.uid)) is in the cache, so can't be assumed")
            }
            Self.addPod(pod, to: &state)
            state.podStates[key] = PodState(pod: pod, nodeName: pod.nodeName, deadline: nil, bindingFinished: false)
            state.assumedPods.insert(key)
        }
    }

    /// The binding of an assumed pod was sent: its expiry starts.
    public func finishBinding(_ pod: PodInfo) {
        let key = Self.podKey(pod)
        let now = self.clock.now()
        let ttl = self.ttl
        self.state.withLock { state in
            guard state.assumedPods.contains(key), var podState = state.podStates[key] else { return }
            podState.bindingFinished = true
            if ttl > .zero { podState.deadline = now + ttl }
            state.podStates[key] = podState
        }
    }

    /// Undoes ``assumePod(_:)`` (binding failed).
    public func forgetPod(_ pod: PodInfo) {
        let key = Self.podKey(pod)
        self.state.withLock { state in
            guard state.assumedPods.contains(key), let podState = state.podStates[key] else { return }
            Self.removePod(podState.pod, nodeName: podState.nodeName, from: &state)
            state.podStates[key] = nil
            state.assumedPods.remove(key)
        }
    }

    /// The informer saw a bound pod: confirms an assumed one (moving it if it landed elsewhere) or adds it.
    public func addPod(_ pod: PodInfo) {
        let key = Self.podKey(pod)
        self.state.withLock { state in
            if let current = state.podStates[key], state.assumedPods.contains(key) {
                Self.removePod(current.pod, nodeName: current.nodeName, from: &state)
                Self.addPod(pod, to: &state)
                state.assumedPods.remove(key)
                state.podStates[key] = PodState(pod: pod, nodeName: pod.nodeName, deadline: nil, bindingFinished: true)
            } else if state.podStates[key] == nil {
                Self.addPod(pod, to: &state)
                state.podStates[key] = PodState(pod: pod, nodeName: pod.nodeName, deadline: nil, bindingFinished: true)
            }
        }
    }

    /// A bound pod changed.
    public func updatePod(old: PodInfo, new: PodInfo) {
        let key = Self.podKey(new)
        self.state.withLock { state in
            guard let current = state.podStates[key], !state.assumedPods.contains(key) else { return }
            Self.removePod(current.pod, nodeName: current.nodeName, from: &state)
            Self.addPod(new, to: &state)
            state.podStates[key] = PodState(pod: new, nodeName: new.nodeName, deadline: nil, bindingFinished: true)
        }
    }

    /// A bound (or assumed) pod is gone.
    public func removePod(_ pod: PodInfo) {
        let key = Self.podKey(pod)
        self.state.withLock { state in
            guard let current = state.podStates[key] else { return }
            Self.removePod(current.pod, nodeName: current.nodeName, from: &state)
            state.podStates[key] = nil
            state.assumedPods.remove(key)
        }
    }

    /// `true` when the pod is assumed and not yet confirmed.
    public func isAssumedPod(_ pod: PodInfo) -> Bool {
        let key = Self.podKey(pod)
        return self.state.withLock { $0.assumedPods.contains(key) }
    }

    /// The cached pod with `pod`'s UID.
    public func getPod(_ pod: PodInfo) -> PodInfo? {
        let key = Self.podKey(pod)
        return self.state.withLock { $0.podStates[key]?.pod }
    }

    /// Drops assumed pods whose binding finished more than the TTL ago (↔ `cleanupAssumedPods`).
    public func cleanupExpiredAssumedPods() {
        let now = self.clock.now()
        self.state.withLock { state in
            for key in state.assumedPods {
                guard let podState = state.podStates[key], podState.bindingFinished,
                    let deadline = podState.deadline, now > deadline
                else { continue }
                Self.removePod(podState.pod, nodeName: podState.nodeName, from: &state)
                state.podStates[key] = nil
                state.assumedPods.remove(key)
            }
        }
    }

    private static func addPod(_ pod: PodInfo, to state: inout State) {
        let name = pod.nodeName
        let info: NodeInfo
        if let existing = state.nodes[name] {
            info = existing
        } else {
            info = NodeInfo(name: name)
            state.nodes[name] = info
        }
        info.addPod(pod)
        state.dirty.insert(name)
    }

    private static func removePod(_ pod: PodInfo, nodeName: String, from state: inout State) {
        guard let info = state.nodes[nodeName] else { return }
        info.removePod(pod)
        if info.pods.isEmpty && info.node == nil {
            state.nodes[nodeName] = nil
        }
        state.dirty.insert(nodeName)
    }

    // MARK: - Nodes

    /// A node was added (or is seen for the first time).
    public func addNode(_ node: CoreV1.Node) {
        self.state.withLock { state in
            let name = node.metadata.name ?? ""
            let info = state.nodes[name] ?? NodeInfo(name: name)
            state.nodes[name] = info
            if let old = info.node {
                Self.removeImages(of: old, from: &state)
            }
            state.nodeTree.update(old: info.node, new: node)
            Self.addImages(of: node, to: &state)
            info.setNode(node)
            Self.refreshImageStates(of: info, state: state)
            state.dirty.insert(name)
            state.listChanged = true
        }
    }

    /// A node changed.
    public func updateNode(old: CoreV1.Node?, new: CoreV1.Node) {
        self.state.withLock { state in
            let name = new.metadata.name ?? ""
            let info = state.nodes[name] ?? NodeInfo(name: name)
            let existed = state.nodes[name]?.node != nil
            state.nodes[name] = info
            if let previous = info.node {
                Self.removeImages(of: previous, from: &state)
            }
            let zoneChanged = !existed || NodeTree.zoneKey(info.node ?? new) != NodeTree.zoneKey(new)
            state.nodeTree.update(old: info.node, new: new)
            Self.addImages(of: new, to: &state)
            info.setNode(new)
            Self.refreshImageStates(of: info, state: state)
            state.dirty.insert(name)
            if zoneChanged { state.listChanged = true }
        }
    }

    /// A node was deleted; its pods stay known until their own deletions arrive.
    public func removeNode(_ node: CoreV1.Node) {
        self.state.withLock { state in
            let name = node.metadata.name ?? ""
            guard let info = state.nodes[name] else { return }
            if let old = info.node {
                state.nodeTree.remove(old)
                Self.removeImages(of: old, from: &state)
            }
            if info.pods.isEmpty {
                state.nodes[name] = nil
            } else {
                info.removeNode()
            }
            state.dirty.insert(name)
            state.listChanged = true
        }
    }

    private static func imageNames(_ node: CoreV1.Node) -> [(String, Int64)] {
        var names: [(String, Int64)] = []
        for image in node.status?.images ?? [] {
            for name in image.names ?? [] { names.append((name, image.sizeBytes ?? 0)) }
        }
        return names
    }

    private static func addImages(of node: CoreV1.Node, to state: inout State) {
        let nodeName = node.metadata.name ?? ""
        for (name, size) in Self.imageNames(node) {
            state.imageStates[name, default: ImageState(size: size, nodes: [])].nodes.insert(nodeName)
            state.imageStates[name]?.size = size
            // Other nodes with this image now count one more node.
            for other in state.imageStates[name]?.nodes ?? [] where other != nodeName {
                state.dirty.insert(other)
            }
        }
    }

    private static func removeImages(of node: CoreV1.Node, from state: inout State) {
        let nodeName = node.metadata.name ?? ""
        for (name, _) in Self.imageNames(node) {
            state.imageStates[name]?.nodes.remove(nodeName)
            for other in state.imageStates[name]?.nodes ?? [] { state.dirty.insert(other) }
            if state.imageStates[name]?.nodes.isEmpty == true { state.imageStates[name] = nil }
        }
    }

    private static func refreshImageStates(of info: NodeInfo, state: State) {
        guard let node = info.node else { return }
        var summaries: [String: ImageStateSummary] = [:]
        for (name, size) in Self.imageNames(node) {
            summaries[name] = ImageStateSummary(size: size, numNodes: state.imageStates[name]?.nodes.count ?? 1)
        }
        info.imageStates = summaries
    }

    // MARK: - Snapshot

    /// Brings `snapshot` up to date: clones the nodes changed since the last call (↔ `UpdateSnapshot`).
    public func updateSnapshot(_ snapshot: Snapshot) {
        self.state.withLock { state in
            if state.dirty.isEmpty && !state.listChanged { return }
            for name in state.dirty {
                if let info = state.nodes[name], info.hasNode {
                    if !info.imageStates.isEmpty { Self.refreshImageStates(of: info, state: state) }
                    let clone = info.clone()
                    let previous = snapshot.byName[name]
                    snapshot.updateAggregates(replacing: previous, with: clone)
                    if previous == nil {
                        state.listChanged = true
                    } else if !state.listChanged, let index = snapshot.positions[name] {
                        snapshot.nodeInfos[index] = clone
                    }
                    snapshot.byName[name] = clone
                } else {
                    if let removed = snapshot.byName.removeValue(forKey: name) {
                        snapshot.updateAggregates(replacing: removed, with: nil)
                        state.listChanged = true
                    }
                }
            }
            if state.listChanged {
                snapshot.nodeInfos = state.nodeTree.list().compactMap { snapshot.byName[$0] }
                snapshot.positions = Dictionary(
                    snapshot.nodeInfos.enumerated().map { ($1.name, $0) },
                    uniquingKeysWith: { first, _ in first }
                )
            }
            // The lists of nodes with affinity pods hold the replaced copies: rebuilt when next needed.
            snapshot.updateAffinityLists()
            state.generation += 1
            snapshot.generation = state.generation
            state.dirty.removeAll(keepingCapacity: true)
            state.listChanged = false
        }
    }

    /// The number of nodes with a node object.
    public var nodeCount: Int { self.state.withLock { $0.nodeTree.count } }

    /// The number of pods (bound and assumed).
    public var podCount: Int { self.state.withLock { $0.podStates.count } }

    /// The number of assumed pods.
    public var assumedPodCount: Int { self.state.withLock { $0.assumedPods.count } }

    /// A copy of a node's info (tests).
    public func nodeInfo(_ name: String) -> NodeInfo? { self.state.withLock { $0.nodes[name]?.clone() } }
}
