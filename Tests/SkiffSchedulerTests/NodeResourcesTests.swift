import SkiffAPI
import SkiffAPIMachinery
import Testing

@testable import SkiffScheduler

/// NodeResourcesFit Filter and the three scoring strategies, BalancedAllocation, pod request computation; cases
/// after upstream's fit_test.go, least/most_allocated_test.go and balanced_allocation_test.go.
struct NodeResourcesFitTests {
    /// A node of 10 millicores, 20 bytes and 32 pods, as upstream's `makeResources(10, 20, 32, ...)`.
    static func smallNode(pods: String = "32", extra: [String: String] = [:]) -> CoreV1.Node {
        Make.node("n", cpu: "10m", memory: "20", pods: pods, extra: extra)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var pod: CoreV1.Pod
        var existing: [CoreV1.Pod]
        var node: CoreV1.Node
        var args: NodeResourcesFit.Args
        var code: PluginStatus.Code
        var reasons: [String]
        var testDescription: String { self.name }

        init(
            _ name: String,
            pod: CoreV1.Pod,
            existing: [CoreV1.Pod] = [],
            node: CoreV1.Node = NodeResourcesFitTests.smallNode(),
            args: NodeResourcesFit.Args = .init(),
            code: PluginStatus.Code = .success,
            reasons: [String] = []
        ) {
            self.name = name
            self.pod = pod
            self.existing = existing
            self.node = node
            self.args = args
            self.code = code
            self.reasons = reasons
        }
    }

    static func used(_ cpu: String, _ memory: String, name: String = "e") -> CoreV1.Pod {
        Make.pod(name, cpu: cpu, memory: memory, nodeName: "n")
    }

    static let cases: [Case] = [
        Case("no resources requested always fits", pod: Make.pod("p"), existing: [used("10m", "20")]),
        Case(
            "too many resources fails",
            pod: Make.pod("p", cpu: "1m", memory: "1"),
            existing: [used("10m", "20")],
            code: .unschedulable,
            reasons: ["Insufficient cpu", "Insufficient memory"]
        ),
        Case("fits", pod: Make.pod("p", cpu: "1m", memory: "1"), existing: [used("5m", "5")]),
        Case(
            "an init container larger than the containers counts",
            pod: Make.pod("p", cpu: "1m", memory: "1", initContainers: [Make.container(cpu: "3m", memory: "1")]),
            existing: [used("8m", "19")],
            code: .unschedulable,
            reasons: ["Insufficient cpu"]
        ),
        Case(
            "init containers run one at a time",
            pod: Make.pod(
                "p",
                cpu: "1m",
                memory: "1",
                initContainers: [Make.container("i1", cpu: "2m", memory: "1"), Make.container("i2", cpu: "2m", memory: "1")]
            ),
            existing: [used("8m", "19")]
        ),
        Case(
            "sidecars add to the containers",
            pod: Make.pod(
                "p",
                cpu: "1m",
                memory: "1",
                initContainers: [Make.container("s", cpu: "2m", memory: "1", restartPolicy: "Always")]
            ),
            existing: [used("8m", "18")],
            code: .unschedulable,
            reasons: ["Insufficient cpu"]
        ),
        Case(
            "pod overhead counts",
            pod: Make.pod("p", cpu: "1m", memory: "1", overhead: ["cpu": Quantity("3m")]),
            existing: [used("7m", "0")],
            code: .unschedulable,
            reasons: ["Insufficient cpu"]
        ),
        Case(
            "a request above the node's allocatable is unresolvable",
            pod: Make.pod("p", cpu: "11m", memory: "1"),
            code: .unschedulableAndUnresolvable,
            reasons: ["Insufficient cpu"]
        ),
        Case(
            "too many pods",
            pod: Make.pod("p"),
            existing: [used("1m", "1")],
            node: smallNode(pods: "1"),
            code: .unschedulable,
            reasons: ["Too many pods"]
        ),
        Case(
            "extended resource fits",
            pod: Make.pod("p", containers: [Make.container(extra: ["example.com/foo": "1"])]),
            existing: [Make.pod("e", containers: [Make.container(extra: ["example.com/foo": "1"])], nodeName: "n")],
            node: smallNode(extra: ["example.com/foo": "2"])
        ),
        Case(
            "extended resource exhausted",
            pod: Make.pod("p", containers: [Make.container(extra: ["example.com/foo": "1"])]),
            existing: [Make.pod("e", containers: [Make.container(extra: ["example.com/foo": "2"])], nodeName: "n")],
            node: smallNode(extra: ["example.com/foo": "2"]),
            code: .unschedulable,
            reasons: ["Insufficient example.com/foo"]
        ),
        Case(
            "extended resource the node lacks",
            pod: Make.pod("p", containers: [Make.container(extra: ["example.com/foo": "1"])]),
            code: .unschedulableAndUnresolvable,
            reasons: ["Insufficient example.com/foo"]
        ),
        Case(
            "ignored extended resource",
            pod: Make.pod("p", containers: [Make.container(extra: ["example.com/foo": "1"])]),
            args: .init(ignoredResources: ["example.com/foo"])
        ),
        Case(
            "ignored resource group",
            pod: Make.pod("p", containers: [Make.container(extra: ["example.com/foo": "1"])]),
            args: .init(ignoredResourceGroups: ["example.com"])
        ),
    ]

    @Test(arguments: Self.cases)
    func filtersOnRequests(_ c: Case) throws {
        let plugin = try NodeResourcesFit(args: c.args)
        let pod = PodInfo(c.pod)
        let node = Make.nodeInfo(c.node, pods: c.existing)
        let status = plugin.filter(pod, on: node, state: CycleState())
        #expect(status.code == c.code)
        #expect(status.reasons == c.reasons)
    }

    @Test func podRequestsTakeTheLargestInitStepWithSidecars() {
        // Containers 1 + sidecars (2 before i2, 1 after); i1 (5) runs alone; i2 (3) runs with sidecar s1 (2).
        let pod = Make.pod(
            "p",
            containers: [Make.container("c", cpu: "1")],
            initContainers: [
                Make.container("i1", cpu: "5"),
                Make.container("s1", cpu: "2", restartPolicy: "Always"),
                Make.container("i2", cpu: "4"),
                Make.container("s2", cpu: "1", restartPolicy: "Always"),
            ]
        )
        let info = PodInfo(pod)
        // max(1 + 2 + 1, 5, 4 + 2) = 6
        #expect(info.requests.milliCPU == 6000)
        // Memory: every container defaults to 200 MB for scoring: max(c + s1 + s2, i1, i2 + s1) = 3 × 200 MB.
        #expect(info.nonZeroRequests.memory == 3 * NonZeroDefaults.memory)
        #expect(info.requests.memory == 0)
    }

    static func score(_ strategy: String, shape: [NodeResourcesFit.UtilizationShapePoint]? = nil) throws -> [Int64] {
        let args = NodeResourcesFit.Args(
            scoringStrategy: .init(
                type: strategy,
                requestedToCapacityRatio: shape.map { .init(shape: $0) }
            )
        )
        let plugin = try NodeResourcesFit(args: args)
        let pod = PodInfo(Make.pod("p", cpu: "3000m", memory: "5000"))
        let nodes = [
            Make.nodeInfo(Make.node("n1", cpu: "4000m", memory: "10000")),
            Make.nodeInfo(Make.node("n2", cpu: "6000m", memory: "10000")),
        ]
        return nodes.map { plugin.score(pod, on: $0, state: CycleState()).0 }
    }

    @Test func leastAllocatedPrefersEmptierNodes() throws {
        #expect(try Self.score("LeastAllocated") == [37, 50])
    }

    @Test func mostAllocatedPrefersFullerNodes() throws {
        #expect(try Self.score("MostAllocated") == [62, 50])
    }

    @Test func requestedToCapacityRatioFollowsTheShape() throws {
        let spreading = [
            NodeResourcesFit.UtilizationShapePoint(utilization: 0, score: 10),
            NodeResourcesFit.UtilizationShapePoint(utilization: 100, score: 0),
        ]
        #expect(try Self.score("RequestedToCapacityRatio", shape: spreading) == [38, 50])
    }

    @Test func unknownStrategyOrMissingShapeIsRejected() {
        #expect(throws: SchedulerError.self) {
            try NodeResourcesFit(args: .init(scoringStrategy: .init(type: "Fancy")))
        }
        #expect(throws: SchedulerError.self) {
            try NodeResourcesFit(args: .init(scoringStrategy: .init(type: "RequestedToCapacityRatio")))
        }
    }

    @Test func scoringUsesNonZeroDefaultsForPodsWithoutRequests() throws {
        let plugin = try NodeResourcesFit()
        let pod = PodInfo(Make.pod("p"))
        // 100m of 1000m and 200 MB of 2000 MB: both 90% free.
        let node = Make.nodeInfo(Make.node("n", cpu: "1000m", memory: "\(10 * NonZeroDefaults.memory)"))
        #expect(plugin.score(pod, on: node, state: CycleState()).0 == 90)
    }
}

struct BalancedAllocationTests {
    @Test func prefersBalancedUtilization() {
        let plugin = BalancedAllocation()
        let pod = PodInfo(Make.pod("p", cpu: "3000m", memory: "5000"))
        let nodes = [
            Make.nodeInfo(Make.node("n1", cpu: "4000m", memory: "10000")),
            Make.nodeInfo(Make.node("n2", cpu: "6000m", memory: "10000")),
        ]
        #expect(plugin.preScore(pod, state: CycleState(), nodes: nodes).isSuccess)
        #expect(nodes.map { plugin.score(pod, on: $0, state: CycleState()).0 } == [87, 100])
    }

    @Test func skipsBestEffortPods() {
        #expect(BalancedAllocation().preScore(PodInfo(Make.pod("p")), state: CycleState(), nodes: []).isSkip)
    }
}

struct ImageLocalityTests {
    @Test func prefersNodesWithLargeWidelySpreadImages() {
        let mb: Int64 = 1024 * 1024
        let pod = PodInfo(
            Make.pod("p", containers: [Make.container("a", image: "gcr.io/40"), Make.container("b", image: "gcr.io/300")])
        )
        let n1 = Make.nodeInfo(
            Make.node("n1", images: [CoreV1.ContainerImage(names: ["gcr.io/40:latest"], sizeBytes: 40 * mb)])
        )
        let n2 = Make.nodeInfo(
            Make.node("n2", images: [CoreV1.ContainerImage(names: ["gcr.io/300:latest"], sizeBytes: 300 * mb)])
        )
        n1.imageStates = ["gcr.io/40:latest": ImageStateSummary(size: 40 * mb, numNodes: 1)]
        n2.imageStates = ["gcr.io/300:latest": ImageStateSummary(size: 300 * mb, numNodes: 1)]
        // 40 MB × 1/2 is below the 23 MB threshold; 300 MB × 1/2 = 150 MB of 2 × 1000 MB.
        #expect(ImageLocality.score(pod, on: n1, totalNodes: 2) == 0)
        #expect(ImageLocality.score(pod, on: n2, totalNodes: 2) == 6)
    }

    @Test(arguments: [
        ("nginx", "nginx:latest"), ("nginx:1.25", "nginx:1.25"), ("host:5000/repo", "host:5000/repo:latest"),
        ("repo@sha256:abc", "repo@sha256:abc"),
    ])
    func normalizesImageNames(_ name: String, _ expected: String) {
        #expect(ImageName.normalized(name) == expected)
    }
}
