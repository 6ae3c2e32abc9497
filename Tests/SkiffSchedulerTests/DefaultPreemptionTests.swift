import SkiffAPI
import SkiffAPIMachinery
import Testing

@testable import SkiffScheduler

/// PodDisruptionBudgets for preemption cases.
struct BudgetListers: ClusterListers {
    var budgets: [PolicyV1.PodDisruptionBudget]
    func podDisruptionBudgets() -> [PolicyV1.PodDisruptionBudget] { self.budgets }
}

struct DefaultPreemptionTests {
    static func pod(
        _ name: String,
        priority: Int32,
        cpu: String = "2",
        labels: [String: String]? = nil,
        startTime: String? = nil,
        preemptionPolicy: String? = nil,
        nominatedNodeName: String? = nil,
        terminatingByPreemption: Bool = false,
        tolerations: [CoreV1.Toleration]? = nil
    ) -> CoreV1.Pod {
        var pod = Make.pod(name, cpu: cpu, tolerations: tolerations, priority: priority, labels: labels)
        pod.spec?.preemptionPolicy = preemptionPolicy
        var status = CoreV1.PodStatus()
        if let startTime { status.startTime = try! Time(parsing: startTime) }
        status.nominatedNodeName = nominatedNodeName
        if terminatingByPreemption {
            pod.metadata.deletionTimestamp = try! Time(parsing: "2026-01-01T00:00:00Z")
            status.conditions = [
                CoreV1.PodCondition(type: "DisruptionTarget", status: "True", reason: "PreemptionByScheduler")
            ]
        }
        pod.status = status
        return pod
    }

    static func budget(_ app: String, allowed: Int32) -> PolicyV1.PodDisruptionBudget {
        PolicyV1.PodDisruptionBudget(
            metadata: MetaV1.ObjectMeta(name: "pdb-" + app, namespace: "default"),
            spec: PolicyV1.PodDisruptionBudgetSpec(selector: MetaV1.LabelSelector(matchLabels: ["app": app])),
            status: PolicyV1.PodDisruptionBudgetStatus(disruptionsAllowed: allowed)
        )
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var pod: CoreV1.Pod
        /// Existing pods per node (nodes n1, n2; each 4 CPUs).
        var existing: [String: [CoreV1.Pod]]
        var taintN1 = false
        var budgets: [PolicyV1.PodDisruptionBudget] = []
        var expectedCode: PluginStatus.Code
        var expectedNode: String?
        var expectedMessage: String? = nil
        var expectedDeletions: [String] = []
        var testDescription: String { self.name }
    }

    static let cases: [Case] = [
        Case(
            name: "preemptionPolicy Never is not eligible",
            pod: Self.pod("p", priority: 100, cpu: "4", preemptionPolicy: "Never"),
            existing: ["n1": [Self.pod("low", priority: 0, cpu: "4")], "n2": [Self.pod("low2", priority: 0, cpu: "4")]],
            expectedCode: .unschedulable,
            expectedNode: nil,
            expectedMessage: "preemption: not eligible due to preemptionPolicy=Never."
        ),
        Case(
            name: "a terminating victim on the nominated node makes the pod wait",
            pod: Self.pod("p", priority: 100, cpu: "4", nominatedNodeName: "n1"),
            existing: [
                "n1": [Self.pod("going", priority: 0, cpu: "4", terminatingByPreemption: true)],
                "n2": [Self.pod("low2", priority: 0, cpu: "4")],
            ],
            expectedCode: .unschedulable,
            expectedNode: nil,
            expectedMessage: "preemption: not eligible due to a terminating pod on the nominated node."
        ),
        Case(
            name: "only higher-priority pods: no victims anywhere",
            pod: Self.pod("p", priority: 100, cpu: "4"),
            existing: ["n1": [Self.pod("high", priority: 200, cpu: "4")], "n2": [Self.pod("high2", priority: 200, cpu: "4")]],
            expectedCode: .unschedulable,
            expectedNode: "",
            expectedMessage: "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."
        ),
        Case(
            name: "unresolvable filter status (taint) is not a candidate",
            pod: Self.pod("p", priority: 100, cpu: "4"),
            existing: ["n1": [Self.pod("low", priority: 0, cpu: "4")], "n2": [Self.pod("high", priority: 200, cpu: "4")]],
            taintN1: true,
            expectedCode: .unschedulable,
            expectedNode: "",
            expectedMessage:
                "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling."
        ),
        Case(
            name: "evicts the lower-priority pod that uses the node",
            pod: Self.pod("p", priority: 100, cpu: "4"),
            existing: ["n1": [Self.pod("low", priority: 0, cpu: "4")], "n2": [Self.pod("high", priority: 200, cpu: "4")]],
            expectedCode: .success,
            expectedNode: "n1",
            expectedDeletions: ["default/low"]
        ),
        Case(
            name: "reprieves the higher-priority victim when one eviction suffices",
            pod: Self.pod("p", priority: 100, cpu: "2"),
            existing: [
                "n1": [Self.pod("a", priority: 10), Self.pod("b", priority: 5)],
                "n2": [Self.pod("high", priority: 200, cpu: "4")],
            ],
            expectedCode: .success,
            expectedNode: "n1",
            expectedDeletions: ["default/b"]
        ),
        Case(
            name: "prefers the node whose most important victim has the lowest priority",
            pod: Self.pod("p", priority: 100, cpu: "4"),
            existing: ["n1": [Self.pod("mid", priority: 50, cpu: "4")], "n2": [Self.pod("low", priority: 10, cpu: "4")]],
            expectedCode: .success,
            expectedNode: "n2",
            expectedDeletions: ["default/low"]
        ),
        Case(
            name: "prefers the smallest priority sum",
            pod: Self.pod("p", priority: 100, cpu: "4"),
            existing: [
                "n1": [Self.pod("a1", priority: 10), Self.pod("a2", priority: 10)],
                "n2": [Self.pod("b1", priority: 10), Self.pod("b2", priority: 1)],
            ],
            expectedCode: .success,
            expectedNode: "n2",
            expectedDeletions: ["default/b1", "default/b2"]
        ),
        Case(
            name: "prefers one victim over two (smaller shifted priority sum)",
            pod: Self.pod("p", priority: 100, cpu: "4"),
            existing: [
                "n1": [Self.pod("a1", priority: 10), Self.pod("a2", priority: 10)],
                "n2": [Self.pod("b1", priority: 10, cpu: "4")],
            ],
            expectedCode: .success,
            expectedNode: "n2",
            expectedDeletions: ["default/b1"]
        ),
        Case(
            name: "prefers the node whose most important victim started last",
            pod: Self.pod("p", priority: 100, cpu: "4"),
            existing: [
                "n1": [Self.pod("old", priority: 10, cpu: "4", startTime: "2026-01-01T00:00:00Z")],
                "n2": [Self.pod("new", priority: 10, cpu: "4", startTime: "2026-01-02T00:00:00Z")],
            ],
            expectedCode: .success,
            expectedNode: "n2",
            expectedDeletions: ["default/new"]
        ),
        Case(
            name: "prefers the node without PDB violations over a lower victim priority",
            pod: Self.pod("p", priority: 100, cpu: "4"),
            existing: [
                "n1": [Self.pod("guarded", priority: 10, cpu: "4", labels: ["app": "db"])],
                "n2": [Self.pod("free", priority: 20, cpu: "4")],
            ],
            budgets: [Self.budget("db", allowed: 0)],
            expectedCode: .success,
            expectedNode: "n2",
            expectedDeletions: ["default/free"]
        ),
        Case(
            name: "a budget-protected victim is reprieved before a higher-priority one",
            pod: Self.pod("p", priority: 100, cpu: "2"),
            existing: [
                "n1": [Self.pod("guarded", priority: 10, labels: ["app": "db"]), Self.pod("other", priority: 20)],
                "n2": [Self.pod("high", priority: 200, cpu: "4")],
            ],
            budgets: [Self.budget("db", allowed: 0)],
            expectedCode: .success,
            expectedNode: "n1",
            expectedDeletions: ["default/other"]
        ),
        Case(
            name: "a budget with disruptions allowed is no violation",
            pod: Self.pod("p", priority: 100, cpu: "4"),
            existing: [
                "n1": [Self.pod("guarded", priority: 10, cpu: "4", labels: ["app": "db"])],
                "n2": [Self.pod("free", priority: 20, cpu: "4")],
            ],
            budgets: [Self.budget("db", allowed: 1)],
            expectedCode: .success,
            expectedNode: "n1",
            expectedDeletions: ["default/guarded"]
        ),
    ]

    @Test(arguments: Self.cases)
    func preempt(_ c: Case) async throws {
        let nodes = [
            Make.nodeInfo(
                Make.node("n1", taints: c.taintN1 ? [Make.taint("dedicated", "x")] : []),
                pods: (c.existing["n1"] ?? []).map { var pod = $0; pod.spec?.nodeName = "n1"; return pod }
            ),
            Make.nodeInfo(
                Make.node("n2"),
                pods: (c.existing["n2"] ?? []).map { var pod = $0; pod.spec?.nodeName = "n2"; return pod }
            ),
        ]
        let client = InMemorySchedulerClient()
        let framework = try Framework(
            profile: KubeSchedulerConfiguration().defaulted().profiles![0],
            registry: .inTree,
            dependencies: FrameworkDependencies(
                snapshot: Snapshot(nodeInfos: nodes),
                client: client,
                listers: BudgetListers(budgets: c.budgets),
                clock: SchedulerTestClock().clock,
                logger: Make.logger
            )
        )
        let plugin = try DefaultPreemption(handle: framework, offset: { _ in 0 })
        let pod = PodInfo(c.pod)
        let state = CycleState()
        #expect(framework.runPreFilterPlugins(pod, state: state, nodes: nodes).status.isSuccess)
        var statuses = NodeToStatus()
        for node in nodes {
            let status = framework.runFilterPlugins(pod, state: state, node: node)
            #expect(!status.isSuccess, "the pod should not fit \(node.name) before preemption")
            statuses.statuses[node.name] = status
        }
        let (result, status) = await plugin.postFilter(pod, state: state, filteredNodeStatuses: statuses)
        #expect(status.code == c.expectedCode, "\(status)")
        #expect(result?.nominatedNodeName == c.expectedNode)
        if let message = c.expectedMessage { #expect(status.message == message) }
        #expect(client.deletions.sorted() == c.expectedDeletions)
        if !c.expectedDeletions.isEmpty {
            let patched = client.statusPatches.filter { $0.condition?.type == "DisruptionTarget" }
            #expect(patched.map { "\($0.namespace)/\($0.name)" }.sorted() == c.expectedDeletions)
            #expect(patched.allSatisfy { $0.condition?.reason == "PreemptionByScheduler" && $0.condition?.status == "True" })
            #expect(
                client.events.filter { $0.reason == "Preempted" }.map(\.note).allSatisfy {
                    $0 == "Preempted by pod uid-p on node \(c.expectedNode ?? "")"
                }
            )
        }
        // The cycle's own state and the snapshot are not changed by the dry runs.
        #expect(nodes.map(\.pods.count) == [c.existing["n1"]?.count ?? 0, c.existing["n2"]?.count ?? 0])
    }

    @Test func numberOfCandidatesFollowsTheArgs() throws {
        let framework = try Framework(
            profile: KubeSchedulerConfiguration().defaulted().profiles![0],
            registry: .inTree,
            dependencies: FrameworkDependencies(
                snapshot: Snapshot(),
                client: InMemorySchedulerClient(),
                clock: SchedulerTestClock().clock,
                logger: Make.logger
            )
        )
        let defaults = try DefaultPreemption(handle: framework)
        #expect(defaults.numberOfCandidates(50) == 50)
        #expect(defaults.numberOfCandidates(5000) == 500)
        let custom = try DefaultPreemption(
            args: .init(minCandidateNodesPercentage: 50, minCandidateNodesAbsolute: 3),
            handle: framework
        )
        #expect(custom.numberOfCandidates(4) == 3)
        #expect(custom.numberOfCandidates(100) == 50)
        #expect(throws: SchedulerError.self) {
            try DefaultPreemption(args: .init(minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0), handle: framework)
        }
        #expect(throws: SchedulerError.self) {
            try DefaultPreemption(args: .init(minCandidateNodesPercentage: 101), handle: framework)
        }
    }

    @Test func budgetsSplitVictimsInOrder() {
        let pods = [
            PodInfo(Self.pod("a", priority: 30, labels: ["app": "db"])),
            PodInfo(Self.pod("b", priority: 20, labels: ["app": "db"])),
            PodInfo(Self.pod("c", priority: 10, labels: ["app": "web"])),
        ]
        let (violating, other) = DefaultPreemption.splitByBudgetViolation(
            pods,
            budgets: [DefaultPreemption.Budget(Self.budget("db", allowed: 1))]
        )
        #expect(violating.map(\.name) == ["b"])
        #expect(other.map(\.name) == ["a", "c"])
    }
}
