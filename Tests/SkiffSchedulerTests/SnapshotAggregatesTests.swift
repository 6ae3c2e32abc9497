import SkiffAPI
import SkiffAPIMachinery
import SkiffTestKit
import Testing

@testable import SkiffScheduler

/// Randomized clusters: the snapshot's incremental aggregates, and the affinity and spreading plugins answering
/// from them, against a brute-force recomputation over every pod of every node, also after pods are assumed,
/// forgotten, confirmed and removed and nodes relabelled or deleted.
struct SnapshotAggregatesTests {
    let clock = SchedulerTestClock()

    static let namespaces = ["a", "b", "c"]
    static let listers = NamespaceListers(labels: ["a": ["team": "x"], "b": ["team": "y"], "c": [:]])
    static let topologyKeys = ["kubernetes.io/hostname", "topology.kubernetes.io/zone", "region"]

    /// Builds random nodes, pods and terms from one seed.
    struct Generator {
        var random: SkiffTestKit.SplitMix64
        var podNumber = 0

        init(seed: UInt64) { self.random = SkiffTestKit.SplitMix64(seed: seed) }

        mutating func chance(_ percent: UInt64) -> Bool { self.random.next() % 100 < percent }

        mutating func pick<T>(_ values: [T]) -> T { values[Int(self.random.next() % UInt64(values.count))] }

        mutating func node(_ index: Int, zoneCount: Int = 3) -> CoreV1.Node {
            var labels: [String: String] = [:]
            if self.chance(85) { labels["topology.kubernetes.io/zone"] = "z\(self.random.next() % UInt64(zoneCount))" }
            if self.chance(70) { labels["region"] = self.pick(["r1", "r2"]) }
            let taints = self.chance(20) ? [Make.taint("dedicated", "infra")] : []
            return Make.node("n\(index)", labels: labels, taints: taints)
        }

        mutating func selector() -> MetaV1.LabelSelector {
            switch self.random.next() % 5 {
            case 0: MetaV1.LabelSelector(matchLabels: ["app": self.pick(["web", "db", "cache"])])
            case 1:
                MetaV1.LabelSelector(matchExpressions: [
                    MetaV1.LabelSelectorRequirement(key: "app", operator: "In", values: ["web", "db"])
                ])
            case 2:
                MetaV1.LabelSelector(
                    matchLabels: ["tier": self.pick(["fe", "be"])],
                    matchExpressions: [MetaV1.LabelSelectorRequirement(key: "app", operator: "Exists")]
                )
            case 3:
                MetaV1.LabelSelector(matchExpressions: [
                    MetaV1.LabelSelectorRequirement(key: "app", operator: "NotIn", values: ["db"])
                ])
            default: MetaV1.LabelSelector(matchLabels: ["app": "web", "tier": "fe"])
            }
        }

        mutating func term() -> CoreV1.PodAffinityTerm {
            let namespaces: [String]? = self.chance(40) ? [self.pick(SnapshotAggregatesTests.namespaces)] : nil
            let namespaceSelector: MetaV1.LabelSelector? =
                self.chance(20) ? MetaV1.LabelSelector(matchLabels: ["team": "x"]) : nil
            return CoreV1.PodAffinityTerm(
                labelSelector: self.selector(),
                namespaces: namespaces,
                topologyKey: self.pick(SnapshotAggregatesTests.topologyKeys),
                namespaceSelector: namespaceSelector
            )
        }

        mutating func terms(upTo count: UInt64) -> [CoreV1.PodAffinityTerm]? {
            let n = self.random.next() % (count + 1)
            return n == 0 ? nil : (0..<n).map { _ in self.term() }
        }

        mutating func weightedTerms(upTo count: UInt64) -> [CoreV1.WeightedPodAffinityTerm]? {
            let n = self.random.next() % (count + 1)
            return n == 0
                ? nil
                : (0..<n).map { _ in
                    CoreV1.WeightedPodAffinityTerm(
                        weight: Int32(self.random.next() % 100 + 1),
                        podAffinityTerm: self.term()
                    )
                }
        }

        /// A pod with random labels, namespace and (with `affinity`) random affinity terms.
        mutating func pod(nodeName: String? = nil, affinity: Bool) -> CoreV1.Pod {
            self.podNumber += 1
            var labels: [String: String] = [:]
            if self.chance(85) { labels["app"] = self.pick(["web", "db", "cache"]) }
            if self.chance(60) { labels["tier"] = self.pick(["fe", "be"]) }
            var podAffinity: CoreV1.Affinity?
            if affinity && self.chance(60) {
                podAffinity = CoreV1.Affinity(
                    podAffinity: CoreV1.PodAffinity(
                        requiredDuringSchedulingIgnoredDuringExecution: self.terms(upTo: 2),
                        preferredDuringSchedulingIgnoredDuringExecution: self.weightedTerms(upTo: 2)
                    ),
                    podAntiAffinity: CoreV1.PodAntiAffinity(
                        requiredDuringSchedulingIgnoredDuringExecution: self.terms(upTo: 2),
                        preferredDuringSchedulingIgnoredDuringExecution: self.weightedTerms(upTo: 2)
                    )
                )
            }
            var pod = Make.pod(
                "p\(self.podNumber)",
                namespace: self.pick(SnapshotAggregatesTests.namespaces),
                nodeName: nodeName,
                affinity: podAffinity,
                labels: labels.isEmpty ? nil : labels
            )
            if self.chance(10) { pod.metadata.deletionTimestamp = try! Time(parsing: "2026-01-01T00:00:00Z") }
            return pod
        }

        /// A pod to schedule with random spread constraints, node selector and tolerations.
        mutating func incomingPod() -> CoreV1.Pod {
            var pod = self.pod(affinity: true)
            pod.metadata.deletionTimestamp = nil
            let count = self.random.next() % 3
            if count > 0 {
                pod.spec?.topologySpreadConstraints = (0..<count).map { _ in
                    CoreV1.TopologySpreadConstraint(
                        maxSkew: Int32(self.random.next() % 3 + 1),
                        topologyKey: self.pick(SnapshotAggregatesTests.topologyKeys),
                        whenUnsatisfiable: self.pick(["DoNotSchedule", "ScheduleAnyway"]),
                        labelSelector: self.selector(),
                        minDomains: self.chance(30) ? Int32(self.random.next() % 5 + 1) : nil,
                        nodeAffinityPolicy: self.chance(30) ? self.pick(["Honor", "Ignore"]) : nil,
                        nodeTaintsPolicy: self.chance(30) ? self.pick(["Honor", "Ignore"]) : nil,
                        matchLabelKeys: self.chance(20) ? ["tier"] : nil
                    )
                }
            }
            if self.chance(20) { pod.spec?.nodeSelector = ["region": "r1"] }
            if self.chance(30) {
                pod.spec?.tolerations = [CoreV1.Toleration(key: "dedicated", operator: "Exists")]
            }
            return pod
        }
    }

    /// The aggregates maintained by the cache equal those built from scratch, and so does every memoized answer.
    static func expectAggregatesMatch(_ snapshot: Snapshot, sourceLocation: SourceLocation = #_sourceLocation) {
        let nodes = snapshot.nodeInfos
        let maintained = snapshot.withAggregates { $0 }
        var fresh = SnapshotAggregates(nodes: nodes)
        #expect(maintained.requiredAntiAffinity == fresh.requiredAntiAffinity, sourceLocation: sourceLocation)
        #expect(maintained.requiredAffinity == fresh.requiredAffinity, sourceLocation: sourceLocation)
        #expect(maintained.preferredAffinity == fresh.preferredAffinity, sourceLocation: sourceLocation)
        #expect(maintained.preferredAntiAffinity == fresh.preferredAntiAffinity, sourceLocation: sourceLocation)
        #expect(maintained.domains == fresh.domains, sourceLocation: sourceLocation)
        #expect(maintained.nodeCount == fresh.nodeCount, sourceLocation: sourceLocation)
        #expect(maintained.taintedNodeCount == fresh.taintedNodeCount, sourceLocation: sourceLocation)
        for (query, counts) in maintained.queries {
            var walked: TopologyCounts = [:]
            for node in nodes where node.hasNode {
                for pod in node.pods { query.count(pod, nodeLabels: node.labels, delta: 1, into: &walked) }
            }
            #expect(counts == walked, "\(query)", sourceLocation: sourceLocation)
            #expect(maintained.compute(query) == walked, "\(query)", sourceLocation: sourceLocation)
            #expect(fresh.counts(query) == walked, "\(query)", sourceLocation: sourceLocation)
        }
        func index(_ aggregates: SnapshotAggregates) -> [String: [String: Set<SnapshotAggregates.IndexKey>]] {
            aggregates.podsByLabel.mapValues { $0.mapValues { Set($0.keys) } }
        }
        #expect(index(maintained) == index(fresh), sourceLocation: sourceLocation)
        #expect(Set(maintained.unlabelledPods.keys) == Set(fresh.unlabelledPods.keys), sourceLocation: sourceLocation)
        #expect(maintained.nodeLabels == fresh.nodeLabels, sourceLocation: sourceLocation)
        let counted = nodes.filter(\.hasNode)
        #expect(
            snapshot.podsWithAffinityCount == counted.reduce(0) { $0 + $1.podsWithAffinity.count },
            sourceLocation: sourceLocation
        )
        #expect(
            snapshot.podsWithRequiredAntiAffinityCount
                == counted.reduce(0) { $0 + $1.podsWithRequiredAntiAffinity.count },
            sourceLocation: sourceLocation
        )
    }

    /// The plugins reading the aggregates decide as the same plugins walking every pod.
    static func expectPluginsMatch(
        _ incoming: PodInfo,
        snapshot: Snapshot,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let nodes = snapshot.nodeInfos
        let weight = InterPodAffinity.Args(hardPodAffinityWeight: 3)

        // InterPodAffinity PreFilter and Filter.
        let fastAffinity = try InterPodAffinity(args: weight, listers: Self.listers, snapshot: snapshot)
        let slowAffinity = try InterPodAffinity(args: weight, listers: Self.listers, snapshot: nil)
        let fastState = CycleState()
        let slowState = CycleState()
        let fast = fastAffinity.preFilter(incoming, state: fastState, nodes: nodes).1
        let slow = slowAffinity.preFilter(incoming, state: slowState, nodes: nodes).1
        #expect(fast.code == slow.code, sourceLocation: sourceLocation)
        let fastData = fastState.read(InterPodAffinity.PreFilterState.self)
        let slowData = slowState.read(InterPodAffinity.PreFilterState.self)
        #expect(
            fastData?.existingAntiAffinityCounts == slowData?.existingAntiAffinityCounts,
            sourceLocation: sourceLocation
        )
        #expect(fastData?.affinityCounts == slowData?.affinityCounts, sourceLocation: sourceLocation)
        #expect(fastData?.antiAffinityCounts == slowData?.antiAffinityCounts, sourceLocation: sourceLocation)
        if fast.isSuccess && slow.isSuccess {
            for node in nodes {
                let a = fastAffinity.filter(incoming, on: node, state: fastState)
                let b = slowAffinity.filter(incoming, on: node, state: slowState)
                #expect(a.code == b.code && a.reasons == b.reasons, "\(node.name)", sourceLocation: sourceLocation)
            }
        }

        // InterPodAffinity PreScore.
        let fastScoreState = CycleState()
        let slowScoreState = CycleState()
        let fastScore = fastAffinity.preScore(incoming, state: fastScoreState, nodes: nodes)
        let slowScore = slowAffinity.preScore(incoming, state: slowScoreState, nodes: nodes)
        #expect(fastScore.code == slowScore.code, sourceLocation: sourceLocation)
        #expect(
            fastScoreState.read(InterPodAffinity.PreScoreState.self)?.topologyScore
                == slowScoreState.read(InterPodAffinity.PreScoreState.self)?.topologyScore,
            sourceLocation: sourceLocation
        )

        // PodTopologySpread PreFilter, Filter and PreScore.
        let fastSpread = try PodTopologySpread(listers: Self.listers, snapshot: snapshot)
        let slowSpread = try PodTopologySpread(listers: Self.listers, snapshot: nil)
        let fastSpreadState = CycleState()
        let slowSpreadState = CycleState()
        let fastSpreadStatus = fastSpread.preFilter(incoming, state: fastSpreadState, nodes: nodes).1
        let slowSpreadStatus = slowSpread.preFilter(incoming, state: slowSpreadState, nodes: nodes).1
        #expect(fastSpreadStatus.code == slowSpreadStatus.code, sourceLocation: sourceLocation)
        if let a = fastSpreadState.read(PodTopologySpread.PreFilterState.self),
            let b = slowSpreadState.read(PodTopologySpread.PreFilterState.self)
        {
            #expect(a.matchCounts == b.matchCounts, sourceLocation: sourceLocation)
            for index in a.constraints.indices {
                #expect(a.minMatchCount(index) == b.minMatchCount(index), sourceLocation: sourceLocation)
            }
            for node in nodes {
                let x = fastSpread.filter(incoming, on: node, state: fastSpreadState)
                let y = slowSpread.filter(incoming, on: node, state: slowSpreadState)
                #expect(x.code == y.code, "\(node.name)", sourceLocation: sourceLocation)
            }
        }
        let fastSpreadScore = CycleState()
        let slowSpreadScore = CycleState()
        let x = fastSpread.preScore(incoming, state: fastSpreadScore, nodes: nodes)
        let y = slowSpread.preScore(incoming, state: slowSpreadScore, nodes: nodes)
        #expect(x.code == y.code, sourceLocation: sourceLocation)
        if let a = fastSpreadScore.read(PodTopologySpread.PreScoreState.self),
            let b = slowSpreadScore.read(PodTopologySpread.PreScoreState.self)
        {
            #expect(a.counts == b.counts, sourceLocation: sourceLocation)
            #expect(a.ignoredNodes == b.ignoredNodes, sourceLocation: sourceLocation)
            #expect(a.normalizingWeights == b.normalizingWeights, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: 0..<24)
    func aggregatesMatchBruteForceThroughCacheChanges(seed: Int) throws {
        var generate = Generator(seed: UInt64(seed) &* 7919 &+ 1)
        let cache = SchedulerCache(clock: self.clock.clock)
        let nodeCount = Int(generate.random.next() % 25) + 3
        var nodes = (0..<nodeCount).map { generate.node($0) }
        for node in nodes { cache.addNode(node) }
        var bound: [PodInfo] = []
        for _ in 0..<(nodeCount * 3) {
            let pod = PodInfo(generate.pod(nodeName: generate.pick(nodes).metadata.name, affinity: true))
            cache.addPod(pod)
            bound.append(pod)
        }
        let snapshot = Snapshot()
        cache.updateSnapshot(snapshot)
        var incoming = (0..<6).map { _ in PodInfo(generate.incomingPod()) }
        for pod in incoming { try Self.expectPluginsMatch(pod, snapshot: snapshot) }
        Self.expectAggregatesMatch(snapshot)

        var assumed: [PodInfo] = []
        for round in 0..<8 {
            for _ in 0..<Int(generate.random.next() % 6) {
                switch generate.random.next() % 8 {
                case 0, 1:  // assume a pod
                    let node = generate.pick(nodes).metadata.name ?? ""
                    let pod = PodInfo(generate.pod(affinity: true)).assumed(on: node)
                    try cache.assumePod(pod)
                    assumed.append(pod)
                case 2:  // forget an assumed pod
                    if !assumed.isEmpty {
                        cache.forgetPod(assumed.remove(at: Int(generate.random.next() % UInt64(assumed.count))))
                    }
                case 3:  // the informer confirms an assumed pod
                    if !assumed.isEmpty {
                        let pod = assumed.remove(at: Int(generate.random.next() % UInt64(assumed.count)))
                        let confirmed = PodInfo(pod.pod)
                        cache.addPod(confirmed)
                        bound.append(confirmed)
                    }
                case 4:  // remove a bound pod
                    if !bound.isEmpty {
                        cache.removePod(bound.remove(at: Int(generate.random.next() % UInt64(bound.count))))
                    }
                case 5:  // a bound pod's labels change
                    if !bound.isEmpty {
                        let index = Int(generate.random.next() % UInt64(bound.count))
                        var changed = bound[index].pod
                        changed.metadata.labels = ["app": generate.pick(["web", "db", "cache"])]
                        let new = PodInfo(changed)
                        cache.updatePod(old: bound[index], new: new)
                        bound[index] = new
                    }
                case 6:  // a node is relabelled (or its taints change)
                    let index = Int(generate.random.next() % UInt64(nodes.count))
                    let old = nodes[index]
                    var new = generate.node(index, zoneCount: 4)
                    new.metadata.name = old.metadata.name
                    new.metadata.labels?["kubernetes.io/hostname"] = old.metadata.name
                    cache.updateNode(old: old, new: new)
                    nodes[index] = new
                default:  // a node goes away (its pods stay until deleted) or a new one joins
                    if generate.chance(50) && nodes.count > 2 {
                        cache.removeNode(nodes.removeLast())
                    } else {
                        let node = generate.node(100 + round * 10 + nodes.count)
                        cache.addNode(node)
                        nodes.append(node)
                    }
                }
            }
            cache.updateSnapshot(snapshot)
            Self.expectAggregatesMatch(snapshot)
            if generate.chance(30) { incoming.append(PodInfo(generate.incomingPod())) }
            for pod in incoming { try Self.expectPluginsMatch(pod, snapshot: snapshot) }
        }
    }

    @Test func forgottenQueriesAreRecomputed() {
        let nodes: [NodeInfo] = (0..<3).map {
            Make.nodeInfo(Make.node("n\($0)"), pods: [Make.pod("p\($0)", labels: ["app": "web"])])
        }
        let snapshot = Snapshot(nodeInfos: nodes)
        let queries = (0..<(SnapshotAggregates.maximumQueries + 5)).map {
            PodQuery.spread(
                namespace: "default",
                selector: Labels.Selector(["app": "web", "n": "\($0)"]),
                topologyKey: "kubernetes.io/hostname"
            )
        }
        let web = PodQuery.spread(
            namespace: "default",
            selector: Labels.Selector(["app": "web"]),
            topologyKey: "kubernetes.io/hostname"
        )
        snapshot.withAggregates { aggregates in
            #expect(aggregates.counts(web).count == 3)
            for query in queries { #expect(aggregates.counts(query).isEmpty) }
            #expect(aggregates.queries.count == SnapshotAggregates.maximumQueries)
            #expect(aggregates.queries[web] == nil)
            #expect(aggregates.counts(web).count == 3)
        }
    }
}
