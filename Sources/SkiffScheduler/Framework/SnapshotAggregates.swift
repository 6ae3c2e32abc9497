import SkiffAPIMachinery

/// A question about the pods of a snapshot whose answer is a count per topology domain, kept up to date as pods
/// come and go so that the affinity and spreading plugins need not walk every pod on every node each cycle.
///
/// Its predicate looks at the pod alone (labels, namespace, deletion), never at namespace labels, so that a
/// memoized answer changes only when pods or node labels change.
enum PodQuery: Hashable, Sendable {
    /// Pods every term selects (no term may have a namespace selector), counted once at each term's domain (↔ the
    /// incoming pod's required affinity terms; one term for an anti-affinity or preferred term).
    case terms([AffinityTerm])
    /// Pods in `namespace`, not terminating, that `selector` selects, counted at the domain of `topologyKey`
    /// (↔ `countPodsMatchSelector` of PodTopologySpread).
    case spread(namespace: String, selector: Labels.Selector, topologyKey: String)

    /// `true` when the query can be answered from pods alone: no term selects namespaces by their labels.
    var isMemoizable: Bool {
        switch self {
        case .terms(let terms): terms.allSatisfy { $0.namespaceSelector.isNothing }
        case .spread: true
        }
    }

    /// Adds `delta` for `pod` on a node labelled `nodeLabels` to `counts` when the query selects it.
    func count(_ pod: PodInfo, nodeLabels: [String: String], delta: Int64, into counts: inout TopologyCounts) {
        switch self {
        case .terms(let terms):
            guard InterPodAffinity.matchesAll(terms, pod, namespaceLabels: [:]) else { return }
            for term in terms { counts.add(delta, topologyKey: term.topologyKey, labels: nodeLabels) }
        case .spread(let namespace, let selector, let topologyKey):
            guard pod.namespace == namespace, !pod.isTerminating, selector.matches(pod.labels) else { return }
            counts.add(delta, topologyKey: topologyKey, labels: nodeLabels)
        }
    }
}

/// Counts over the pods and nodes of a ``Snapshot``, maintained as the scheduler cache changes nodes (pods added,
/// assumed, forgotten, removed; labels changed), so that PreFilter and PreScore cost is proportional to the
/// matching domains rather than to all pods on all nodes.
///
/// - The pod (anti-)affinity terms of existing pods, each distinct term with the number of pods carrying it per
///   topology domain: the incoming pod is matched once against each distinct term.
/// - The nodes per topology key and value (the domains spreading counts over), and how many nodes have taints.
/// - The answers to ``PodQuery``s asked before (the incoming pods' terms and spread selectors), at most
///   ``maximumQueries``, the oldest dropped first; an answer is computed on first use and then kept current.
///
/// Only nodes with a node object count, as the plugins skip the others.
struct SnapshotAggregates {
    /// Distinct required anti-affinity terms of existing pods → pods with the term per domain.
    var requiredAntiAffinity: [AffinityTerm: TopologyCounts] = [:]
    /// Distinct required affinity terms of existing pods → pods with the term per domain.
    var requiredAffinity: [AffinityTerm: TopologyCounts] = [:]
    /// Distinct weighted preferred affinity terms of existing pods → pods with the term per domain.
    var preferredAffinity: [WeightedAffinityTerm: TopologyCounts] = [:]
    /// Distinct weighted preferred anti-affinity terms of existing pods → pods with the term per domain.
    var preferredAntiAffinity: [WeightedAffinityTerm: TopologyCounts] = [:]
    /// Per node label key: nodes per value, and how many nodes have the key.
    var domains: [String: Domains] = [:]
    /// The nodes counted.
    var nodeCount = 0
    /// The nodes with at least one taint.
    var taintedNodeCount = 0
    /// Pods by label key and value (the label index queries start from), and the pods without labels.
    var podsByLabel: [String: [String: [IndexKey: PodInfo]]] = [:]
    var unlabelledPods: [IndexKey: PodInfo] = [:]
    /// The labels of each counted node, by name.
    var nodeLabels: [String: [String: String]] = [:]
    /// Memoized query answers.
    var queries: [PodQuery: TopologyCounts] = [:]
    /// The queries in the order they were first asked, to drop the oldest.
    var queryOrder: [PodQuery] = []

    /// At most this many query answers are kept.
    static let maximumQueries = 64

    /// A pod in the label index: the pod object and the node it is on.
    struct IndexKey: Hashable {
        var pod: ObjectIdentifier
        var node: String
    }

    /// The values of one node label key.
    struct Domains: Equatable {
        /// Nodes per value.
        var nodesPerValue: [String: Int] = [:]
        /// Nodes with the key.
        var nodes = 0

        mutating func add(_ value: String, _ delta: Int) {
            self.nodes += delta
            let count = self.nodesPerValue[value, default: 0] + delta
            self.nodesPerValue[value] = count == 0 ? nil : count
        }
    }

    /// Aggregates of `nodes`.
    init(nodes: [NodeInfo]) {
        for node in nodes { self.add(node) }
    }

    // MARK: - Maintenance

    /// Counts `node` and its pods.
    mutating func add(_ node: NodeInfo) {
        guard node.hasNode else { return }
        self.node(node, delta: 1)
        for pod in node.pods { self.pod(pod, on: node, delta: 1) }
    }

    /// Uncounts `node` and its pods.
    mutating func remove(_ node: NodeInfo) {
        guard node.hasNode else { return }
        for pod in node.pods { self.pod(pod, on: node, delta: -1) }
        self.node(node, delta: -1)
    }

    /// Replaces `old` by `new` (either may be `nil`): only the pods that differ are counted again when the node's
    /// labels did not change.
    mutating func replace(_ old: NodeInfo?, with new: NodeInfo?) {
        let oldCounted = old.map { $0.hasNode } ?? false
        let newCounted = new.map { $0.hasNode } ?? false
        guard let old, let new, oldCounted, newCounted, old.labels == new.labels else {
            if let old, oldCounted { self.remove(old) }
            if let new, newCounted { self.add(new) }
            return
        }
        if old.taints.isEmpty != new.taints.isEmpty { self.taintedNodeCount += new.taints.isEmpty ? -1 : 1 }
        if old.pods.count == new.pods.count
            && zip(old.pods, new.pods).allSatisfy({ $0 === $1 })
        {
            return
        }
        let before = Set(old.pods.map(ObjectIdentifier.init))
        let after = Set(new.pods.map(ObjectIdentifier.init))
        for pod in old.pods where !after.contains(ObjectIdentifier(pod)) {
            self.pod(pod, on: old, delta: -1)
        }
        for pod in new.pods where !before.contains(ObjectIdentifier(pod)) {
            self.pod(pod, on: new, delta: 1)
        }
    }

    private mutating func node(_ node: NodeInfo, delta: Int) {
        self.nodeLabels[node.name] = delta > 0 ? node.labels : nil
        self.nodeCount += delta
        if !node.taints.isEmpty { self.taintedNodeCount += delta }
        for (key, value) in node.labels {
            self.domains[key, default: Domains()].add(value, delta)
            if delta < 0, self.domains[key]?.nodes == 0 { self.domains[key] = nil }
        }
    }

    private mutating func pod(_ pod: PodInfo, on node: NodeInfo, delta: Int) {
        let nodeLabels = node.labels
        let delta64 = Int64(delta)
        let id = IndexKey(pod: ObjectIdentifier(pod), node: node.name)
        if pod.labels.isEmpty { self.unlabelledPods[id] = delta > 0 ? pod : nil }
        for (key, value) in pod.labels {
            if delta > 0 {
                self.podsByLabel[key, default: [:]][value, default: [:]][id] = pod
            } else {
                self.podsByLabel[key]?[value]?[id] = nil
                if self.podsByLabel[key]?[value]?.isEmpty == true {
                    self.podsByLabel[key]?[value] = nil
                    if self.podsByLabel[key]?.isEmpty == true { self.podsByLabel[key] = nil }
                }
            }
        }
        for term in pod.requiredAntiAffinityTerms {
            Self.count(term, in: &self.requiredAntiAffinity, delta: delta64, nodeLabels: nodeLabels)
        }
        for term in pod.requiredAffinityTerms {
            Self.count(term, in: &self.requiredAffinity, delta: delta64, nodeLabels: nodeLabels)
        }
        for weighted in pod.preferredAffinityTerms {
            Self.count(weighted, in: &self.preferredAffinity, delta: delta64, nodeLabels: nodeLabels)
        }
        for weighted in pod.preferredAntiAffinityTerms {
            Self.count(weighted, in: &self.preferredAntiAffinity, delta: delta64, nodeLabels: nodeLabels)
        }
        if !self.queries.isEmpty {
            for key in self.queryOrder {
                // Mutating in place keeps each answer's storage unique (no copy per pod).
                key.count(pod, nodeLabels: nodeLabels, delta: delta64, into: &self.queries[key, default: [:]])
            }
        }
    }

    private static func count<Key: Hashable>(
        _ key: Key,
        in map: inout [Key: TopologyCounts],
        delta: Int64,
        nodeLabels: [String: String]
    ) where Key: HasTopologyKey {
        guard nodeLabels[key.topologyKey] != nil else { return }
        map[key, default: [:]].add(delta, topologyKey: key.topologyKey, labels: nodeLabels)
        if delta < 0, map[key]?.isEmpty == true { map[key] = nil }
    }

    // MARK: - Queries

    /// The answer to `query` (which must be ``PodQuery/isMemoizable``), computed the first time from the pods
    /// the label index offers as candidates.
    mutating func counts(_ query: PodQuery) -> TopologyCounts {
        if let known = self.queries[query] { return known }
        let counts = self.compute(query)
        if self.queryOrder.count >= Self.maximumQueries {
            let oldest = self.queryOrder.removeFirst()
            self.queries[oldest] = nil
        }
        self.queries[query] = counts
        self.queryOrder.append(query)
        return counts
    }

    /// Computes `query` without memoizing it: the pods carrying a label the selector requires (its most selective
    /// `=`/`in` requirement), or every indexed pod when it requires none.
    func compute(_ query: PodQuery) -> TopologyCounts {
        let selector: Labels.Selector
        switch query {
        case .terms(let terms):
            guard let first = terms.first else { return [:] }
            selector = first.selector
        case .spread(_, let spreadSelector, _):
            selector = spreadSelector
        }
        var counts: TopologyCounts = [:]
        func visit(_ key: IndexKey, _ pod: PodInfo) {
            guard let labels = self.nodeLabels[key.node] else { return }
            query.count(pod, nodeLabels: labels, delta: 1, into: &counts)
        }
        if selector.isNothing { return [:] }
        var best: [[IndexKey: PodInfo]]?
        var bestSize = Int.max
        for requirement in selector.requirements {
            switch requirement.operator {
            case .in, .equals, .doubleEquals:
                let byValue = self.podsByLabel[requirement.key] ?? [:]
                let sets = Set(requirement.values).compactMap { byValue[$0] }
                let size = sets.reduce(0) { $0 + $1.count }
                if size < bestSize {
                    best = sets
                    bestSize = size
                }
            default:
                continue
            }
        }
        if let best {
            // Distinct values select distinct pods: each candidate is visited once.
            for pods in best {
                for (key, pod) in pods { visit(key, pod) }
            }
            return counts
        }
        // No requirement narrows the candidates: every pod (each pod is indexed once per label; the unlabelled
        // are kept apart).
        var seen: Set<IndexKey> = []
        for byValue in self.podsByLabel.values {
            for pods in byValue.values {
                for (key, pod) in pods where seen.insert(key).inserted { visit(key, pod) }
            }
        }
        for (key, pod) in self.unlabelledPods { visit(key, pod) }
        return counts
    }

    /// `true` when every counted node has the label `key`.
    func everyNodeHas(_ key: String) -> Bool {
        (self.domains[key]?.nodes ?? 0) == self.nodeCount
    }
}

/// Something counted at the domain of a node label key.
protocol HasTopologyKey {
    var topologyKey: String { get }
}

extension AffinityTerm: HasTopologyKey {}

extension WeightedAffinityTerm: HasTopologyKey {
    var topologyKey: String { self.term.topologyKey }
}

extension Dictionary where Key == TopologyPair, Value == Int64 {
    /// Adds every count of `other`.
    mutating func merge(counts other: TopologyCounts) {
        if other.isEmpty { return }
        if self.isEmpty {
            self = other  // shares the storage until one of them changes
            return
        }
        self.merge(other, uniquingKeysWith: +)
    }
}
