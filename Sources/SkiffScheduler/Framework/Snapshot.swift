import Synchronization

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
    /// Nodes by name.
    public internal(set) var byName: [String: NodeInfo]
    /// The index of each node in ``nodeInfos``.
    var positions: [String: Int] = [:]
    /// The pods with pod affinity or anti-affinity of any kind, on all nodes.
    var podsWithAffinityCount = 0
    /// The pods with required anti-affinity, on all nodes.
    var podsWithRequiredAntiAffinityCount = 0
    /// The cache generation the snapshot reflects.
    public internal(set) var generation: Int64 = 0
    /// Counts over the pods for the affinity and spreading plugins, built on first use and then maintained by
    /// ``updateAggregates(replacing:with:)`` (`nil`: not built).
    private let aggregates = Mutex<SnapshotAggregates?>(nil)

    /// The nodes that have at least one pod with pod affinity or anti-affinity, in ``nodeInfos`` order.
    public var havePodsWithAffinityNodeInfos: [NodeInfo] { self.affinityLists().withAffinity }
    /// The nodes that have at least one pod with required anti-affinity, in ``nodeInfos`` order.
    public var havePodsWithRequiredAntiAffinityNodeInfos: [NodeInfo] { self.affinityLists().withRequiredAntiAffinity }

    /// The two lists of nodes with affinity pods.
    struct AffinityLists: Sendable {
        var withAffinity: [NodeInfo]
        var withRequiredAntiAffinity: [NodeInfo]
    }

    /// The affinity lists, computed on first use after a change (`nil`: to compute). The affinity plugins answer
    /// from the aggregates, so most cycles never need them.
    private let lists = Mutex<AffinityLists?>(nil)

    /// An empty snapshot.
    public init() {
        self.nodeInfos = []
        self.byName = [:]
    }

    /// A snapshot of fixed nodes (tests, the in-memory benchmark and preemption's dry runs).
    public init(nodeInfos: [NodeInfo]) {
        self.nodeInfos = []
        self.byName = [:]
        self.replace(with: nodeInfos)
    }

    /// Replaces the contents with `nodeInfos` (in this order) and recomputes the affinity lists.
    public func replace(with nodeInfos: [NodeInfo]) {
        self.nodeInfos = nodeInfos
        self.byName = Dictionary(nodeInfos.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.positions = Dictionary(nodeInfos.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.updateAffinityLists()
        self.podsWithAffinityCount = 0
        self.podsWithRequiredAntiAffinityCount = 0
        for node in nodeInfos { self.countAffinityPods(of: node, sign: 1) }
        self.aggregates.withLock { $0 = nil }
    }

    /// Adds (`sign` 1) or subtracts (-1) the affinity pods of `node` to the counts.
    func countAffinityPods(of node: NodeInfo?, sign: Int) {
        guard let node, node.hasNode else { return }
        self.podsWithAffinityCount += sign * node.podsWithAffinity.count
        self.podsWithRequiredAntiAffinityCount += sign * node.podsWithRequiredAntiAffinity.count
    }

    /// Runs `body` on the aggregates of the snapshot's nodes, building them first when needed.
    ///
    /// PreFilter and PreScore call it with ``nodeInfos`` unchanged since the last cache update; the aggregates
    /// then answer for exactly those nodes and pods.
    func withAggregates<Result: Sendable>(_ body: (inout SnapshotAggregates) -> Result) -> Result {
        let nodes = self.nodeInfos
        return self.aggregates.withLock { aggregates in
            if aggregates == nil { aggregates = SnapshotAggregates(nodes: nodes) }
            return body(&aggregates!)
        }
    }

    /// Keeps the aggregates (when built) in step with the cache replacing the node `old` by `new` (`nil`: absent).
    func updateAggregates(replacing old: NodeInfo?, with new: NodeInfo?) {
        self.countAffinityPods(of: old, sign: -1)
        self.countAffinityPods(of: new, sign: 1)
        self.aggregates.withLock { aggregates in
            aggregates?.replace(old, with: new)
        }
    }

    /// Forgets the lists of nodes with affinity pods; they are rebuilt on next use (↔
    /// `updateNodeInfoSnapshotList`).
    func updateAffinityLists() {
        self.lists.withLock { $0 = nil }
    }

    private func affinityLists() -> AffinityLists {
        let nodes = self.nodeInfos
        return self.lists.withLock { lists in
            if let lists { return lists }
            let built = AffinityLists(
                withAffinity: nodes.filter { !$0.podsWithAffinity.isEmpty },
                withRequiredAntiAffinity: nodes.filter { !$0.podsWithRequiredAntiAffinity.isEmpty }
            )
            lists = built
            return built
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
