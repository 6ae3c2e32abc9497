import SkiffAPI
import SkiffAPIMachinery
import Testing

@testable import SkiffScheduler

struct SchedulerCacheTests {
    let clock = SchedulerTestClock()

    @Test func assumedPodsCountUntilForgotten() throws {
        let cache = SchedulerCache(clock: self.clock.clock)
        cache.addNode(Make.node("n"))
        let pod = PodInfo(Make.pod("p", cpu: "1")).assumed(on: "n")
        try cache.assumePod(pod)
        #expect(cache.isAssumedPod(pod))
        #expect(cache.nodeInfo("n")?.requested.milliCPU == 1000)
        #expect(throws: SchedulerError.self) { try cache.assumePod(pod) }
        cache.forgetPod(pod)
        #expect(!cache.isAssumedPod(pod))
        #expect(cache.nodeInfo("n")?.requested.milliCPU == 0)
        #expect(cache.podCount == 0)
    }

    @Test func theInformersAddConfirmsAnAssumedPod() throws {
        let cache = SchedulerCache(clock: self.clock.clock)
        cache.addNode(Make.node("a"))
        cache.addNode(Make.node("b"))
        let pod = PodInfo(Make.pod("p", cpu: "1"))
        try cache.assumePod(pod.assumed(on: "a"))
        cache.finishBinding(pod)
        // The pod was bound elsewhere after all: it moves.
        cache.addPod(pod.assumed(on: "b"))
        #expect(!cache.isAssumedPod(pod))
        #expect(cache.nodeInfo("a")?.pods.isEmpty == true)
        #expect(cache.nodeInfo("b")?.pods.count == 1)
        cache.removePod(pod)
        #expect(cache.nodeInfo("b")?.pods.isEmpty == true)
    }

    @Test func assumedPodsExpireOnlyWithATTLAndAfterBinding() throws {
        let cache = SchedulerCache(ttl: .seconds(30), clock: self.clock.clock)
        cache.addNode(Make.node("n"))
        let pod = PodInfo(Make.pod("p")).assumed(on: "n")
        try cache.assumePod(pod)
        self.clock.advance(by: .seconds(60))
        cache.cleanupExpiredAssumedPods()
        #expect(cache.isAssumedPod(pod), "binding not finished: never expires")
        cache.finishBinding(pod)
        self.clock.advance(by: .seconds(29))
        cache.cleanupExpiredAssumedPods()
        #expect(cache.isAssumedPod(pod))
        self.clock.advance(by: .seconds(2))
        cache.cleanupExpiredAssumedPods()
        #expect(!cache.isAssumedPod(pod))
        #expect(cache.nodeInfo("n")?.pods.isEmpty == true)
    }

    @Test func snapshotsCopyOnlyChangedNodes() throws {
        let cache = SchedulerCache(clock: self.clock.clock)
        for name in ["a", "b", "c"] { cache.addNode(Make.node(name)) }
        let snapshot = Snapshot()
        cache.updateSnapshot(snapshot)
        #expect(snapshot.nodeInfos.map(\.name) == ["a", "b", "c"])
        let before = snapshot.nodeInfos
        try cache.assumePod(PodInfo(Make.pod("p", cpu: "1")).assumed(on: "b"))
        cache.updateSnapshot(snapshot)
        #expect(snapshot.nodeInfos[0] === before[0])
        #expect(snapshot.nodeInfos[1] !== before[1])
        #expect(snapshot.nodeInfos[1].requested.milliCPU == 1000)
        #expect(before[1].requested.milliCPU == 0, "snapshot copies are not changed by the cache")
        #expect(snapshot.get("b")?.pods.count == 1)
        cache.removeNode(Make.node("c"))
        cache.updateSnapshot(snapshot)
        #expect(snapshot.nodeInfos.map(\.name) == ["a", "b"])
        #expect(snapshot.get("c") == nil)
    }

    @Test func snapshotListsNodesWithAffinityPods() throws {
        let cache = SchedulerCache(clock: self.clock.clock)
        cache.addNode(Make.node("a"))
        cache.addNode(Make.node("b"))
        let term = CoreV1.PodAffinityTerm(labelSelector: MetaV1.LabelSelector(matchLabels: ["app": "x"]), topologyKey: "zone")
        let anti = Make.pod(
            "anti",
            nodeName: "b",
            affinity: CoreV1.Affinity(
                podAntiAffinity: CoreV1.PodAntiAffinity(requiredDuringSchedulingIgnoredDuringExecution: [term])
            )
        )
        cache.addPod(PodInfo(anti))
        let snapshot = Snapshot()
        cache.updateSnapshot(snapshot)
        #expect(snapshot.havePodsWithAffinityNodeInfos.map(\.name) == ["b"])
        #expect(snapshot.havePodsWithRequiredAntiAffinityNodeInfos.map(\.name) == ["b"])
        cache.removePod(PodInfo(anti))
        cache.updateSnapshot(snapshot)
        #expect(snapshot.havePodsWithAffinityNodeInfos.isEmpty)
    }

    @Test func nodesAreInterleavedAcrossZones() {
        var tree = NodeTree()
        for (name, zone) in [("a1", "a"), ("a2", "a"), ("a3", "a"), ("b1", "b"), ("c1", "c"), ("c2", "c")] {
            tree.add(Make.node(name, labels: ["topology.kubernetes.io/zone": zone]))
        }
        #expect(tree.list() == ["a1", "b1", "c1", "a2", "c2", "a3"])
        tree.remove(Make.node("b1", labels: ["topology.kubernetes.io/zone": "b"]))
        #expect(tree.list() == ["a1", "c1", "a2", "c2", "a3"])
    }

    @Test func imageStatesCountTheNodesThatHaveAnImage() {
        let cache = SchedulerCache(clock: self.clock.clock)
        let image = CoreV1.ContainerImage(names: ["nginx:1.25"], sizeBytes: 100)
        cache.addNode(Make.node("a", images: [image]))
        cache.addNode(Make.node("b", images: [image]))
        cache.addNode(Make.node("c"))
        let snapshot = Snapshot()
        cache.updateSnapshot(snapshot)
        #expect(snapshot.get("a")?.imageStates["nginx:1.25"] == ImageStateSummary(size: 100, numNodes: 2))
        #expect(snapshot.get("c")?.imageStates.isEmpty == true)
    }

    @Test(arguments: [(5_000, 500), (50, 50), (100, 100), (200, 100), (1_000, 420), (6_000, 300), (100_000, 5_000)])
    func adaptivePercentageOfNodesToScore(_ nodes: Int32, _ expected: Int32) {
        #expect(SchedulingAlgorithm.numFeasibleNodesToFind(percentage: 0, numAllNodes: nodes) == expected)
    }

    @Test func configuredPercentageOfNodesToScore() {
        #expect(SchedulingAlgorithm.numFeasibleNodesToFind(percentage: 50, numAllNodes: 1000) == 500)
        #expect(SchedulingAlgorithm.numFeasibleNodesToFind(percentage: 1, numAllNodes: 1000) == 100)
        #expect(SchedulingAlgorithm.numFeasibleNodesToFind(percentage: 100, numAllNodes: 5000) == 5000)
    }
}
