import SkiffAPI
import SkiffAPIMachinery
import Testing

@testable import SkiffScheduler

/// The snapshot's lists of nodes with affinity pods (↔ `HavePodsWithAffinityList`) and InterPodAffinity's use of
/// them.
struct SnapshotAffinityListTests {
    let clock = SchedulerTestClock()

    static let antiAffinity = AffinityMake.affinity(
        antiRequired: [AffinityMake.term(["app": "x"], key: "kubernetes.io/hostname")]
    )

    @Test func listsFollowChangedNodesWithoutRebuilding() throws {
        let cache = SchedulerCache(clock: self.clock.clock)
        for name in ["a", "b", "c"] { cache.addNode(Make.node(name)) }
        cache.addPod(PodInfo(Make.pod("anti", nodeName: "b", affinity: Self.antiAffinity)))
        let snapshot = Snapshot()
        cache.updateSnapshot(snapshot)
        #expect(snapshot.havePodsWithRequiredAntiAffinityNodeInfos.map(\.name) == ["b"])
        // Another pod on b: b stays in the lists, as its new copy.
        cache.addPod(PodInfo(Make.pod("plain", cpu: "1", nodeName: "b")))
        cache.updateSnapshot(snapshot)
        let b = try #require(snapshot.get("b"))
        #expect(b.pods.count == 2)
        #expect(snapshot.havePodsWithRequiredAntiAffinityNodeInfos.count == 1)
        #expect(snapshot.havePodsWithRequiredAntiAffinityNodeInfos.first === b)
        #expect(snapshot.havePodsWithAffinityNodeInfos.first === b)
        // A second node joins the lists.
        cache.addPod(PodInfo(Make.pod("anti-2", nodeName: "c", affinity: Self.antiAffinity)))
        cache.updateSnapshot(snapshot)
        #expect(snapshot.havePodsWithRequiredAntiAffinityNodeInfos.map(\.name) == ["b", "c"])
        cache.removePod(PodInfo(Make.pod("anti", nodeName: "b", affinity: Self.antiAffinity)))
        cache.updateSnapshot(snapshot)
        #expect(snapshot.havePodsWithRequiredAntiAffinityNodeInfos.map(\.name) == ["c"])
        #expect(snapshot.havePodsWithRequiredAntiAffinityNodeInfos.first === snapshot.get("c"))
    }

    @Test func recognizesItsOwnNodeList() {
        let snapshot = Snapshot(nodeInfos: ["a", "b"].map { Make.nodeInfo(Make.node($0)) })
        #expect(snapshot.isNodeList(snapshot.nodeInfos))
        #expect(!snapshot.isNodeList(Array(snapshot.nodeInfos.reversed())))
        #expect(!snapshot.isNodeList(Array(snapshot.nodeInfos.prefix(1))))
    }

    @Test func existingAntiAffinityRejectsThroughTheSnapshotList() throws {
        let nodes = [
            Make.nodeInfo(Make.node("a")),
            Make.nodeInfo(
                Make.node("b"),
                pods: [Make.pod("anti", nodeName: "b", affinity: Self.antiAffinity)]
            ),
        ]
        let snapshot = Snapshot(nodeInfos: nodes)
        let plugin = try InterPodAffinity(snapshot: snapshot)
        let matching = PodInfo(Make.pod("x", labels: ["app": "x"]))
        let state = CycleState()
        let (_, status) = plugin.preFilter(matching, state: state, nodes: snapshot.nodeInfos)
        #expect(status.isSuccess)
        #expect(plugin.filter(matching, on: nodes[0], state: state).isSuccess)
        #expect(plugin.filter(matching, on: nodes[1], state: state).code == .unschedulable)

        // Nothing with affinity anywhere and none on the pod: the plugin skips.
        let plain = Snapshot(nodeInfos: [Make.nodeInfo(Make.node("a"))])
        let skipping = try InterPodAffinity(snapshot: plain)
        let (_, skipped) = skipping.preFilter(matching, state: CycleState(), nodes: plain.nodeInfos)
        #expect(skipped.isSkip)
    }
}
