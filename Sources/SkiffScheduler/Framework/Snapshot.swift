/// The cluster as one scheduling cycle sees it: every node's ``NodeInfo`` in the node tree's order
/// (↔ `internal/cache.Snapshot`, the `SharedLister` of plugins).
///
/// The scheduler cache updates the one snapshot of a scheduler incrementally before each cycle (only nodes whose
/// generation moved are copied), so plugins may keep a reference to it; its contents are read-only while a cycle
/// runs.
public final class Snapshot: @unchecked Sendable {
    // @unchecked: changed only by the scheduler cache between cycles, on the scheduling loop; read-only during one.

    /// All nodes, in the order zones are interleaved by the node tree.
    public internal(set) var nodeInfos: [NodeInfo]
    /// The nodes that have at least one pod with pod affinity or anti-affinity.
    public internal(set) var havePodsWithAffinityNodeInfos: [NodeInfo]
    /// The nodes that have at least one pod with required anti-affinity.
    public internal(set) var havePodsWithRequiredAntiAffinityNodeInfos: [NodeInfo]
    /// Nodes by name.
    public internal(set) var byName: [String: NodeInfo]
    /// The index of each node in ``nodeInfos``.
    var positions: [String: Int] = [:]
    /// The index of each node in ``havePodsWithAffinityNodeInfos``.
    var affinityPositions: [String: Int] = [:]
    /// The index of each node in ``havePodsWithRequiredAntiAffinityNodeInfos``.
    var antiAffinityPositions: [String: Int] = [:]
    /// The cache generation the snapshot reflects.
    public internal(set) var generation: Int64 = 0

    /// An empty snapshot.
    public init() {
        self.nodeInfos = []
        self.havePodsWithAffinityNodeInfos = []
        self.havePodsWithRequiredAntiAffinityNodeInfos = []
        self.byName = [:]
    }

    /// A snapshot of fixed nodes (tests, the in-memory benchmark and preemption's dry runs).
    public init(nodeInfos: [NodeInfo]) {
        self.nodeInfos = []
        self.havePodsWithAffinityNodeInfos = []
        self.havePodsWithRequiredAntiAffinityNodeInfos = []
        self.byName = [:]
        self.replace(with: nodeInfos)
    }

    /// Replaces the contents with `nodeInfos` (in this order) and recomputes the affinity lists.
    public func replace(with nodeInfos: [NodeInfo]) {
        self.nodeInfos = nodeInfos
        self.byName = Dictionary(nodeInfos.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.positions = Dictionary(nodeInfos.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.updateAffinityLists()
    }

    /// Rebuilds the lists of nodes with affinity pods (↔ `updateNodeInfoSnapshotList`).
    func updateAffinityLists() {
        self.havePodsWithAffinityNodeInfos = self.nodeInfos.filter { !$0.podsWithAffinity.isEmpty }
        self.havePodsWithRequiredAntiAffinityNodeInfos = self.nodeInfos.filter {
            !$0.podsWithRequiredAntiAffinity.isEmpty
        }
        self.affinityPositions = Self.positions(of: self.havePodsWithAffinityNodeInfos)
        self.antiAffinityPositions = Self.positions(of: self.havePodsWithRequiredAntiAffinityNodeInfos)
    }

    private static func positions(of nodes: [NodeInfo]) -> [String: Int] {
        var positions: [String: Int] = [:]
        positions.reserveCapacity(nodes.count)
        for (index, node) in nodes.enumerated() where positions[node.name] == nil {
            positions[node.name] = index
        }
        return positions
    }

    /// Puts `node` in place of the entry of the same name in the affinity lists, which must already hold it when
    /// it has affinity pods (the caller rebuilds the lists when that changed).
    func replaceInAffinityLists(_ node: NodeInfo) {
        if !node.podsWithAffinity.isEmpty, let index = self.affinityPositions[node.name] {
            self.havePodsWithAffinityNodeInfos[index] = node
        }
        if !node.podsWithRequiredAntiAffinity.isEmpty, let index = self.antiAffinityPositions[node.name] {
            self.havePodsWithRequiredAntiAffinityNodeInfos[index] = node
        }
    }

    /// `true` when `nodes` is this snapshot's node list itself (the same storage), so that plugins handed the
    /// list may use the snapshot's precomputed sublists.
    public func isNodeList(_ nodes: [NodeInfo]) -> Bool {
        nodes.count == self.nodeInfos.count
            && nodes.withUnsafeBufferPointer { mine in
                self.nodeInfos.withUnsafeBufferPointer { $0.baseAddress == mine.baseAddress }
            }
    }

    /// The node named `name`.
    public func get(_ name: String) -> NodeInfo? { self.byName[name] }

    /// The number of nodes.
    public var count: Int { self.nodeInfos.count }
}
