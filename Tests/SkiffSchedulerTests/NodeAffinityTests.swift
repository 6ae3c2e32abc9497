import SkiffAPI
import SkiffAPIMachinery
import Testing

@testable import SkiffScheduler

struct NodeAffinityTests {
    static func required(_ terms: [CoreV1.NodeSelectorTerm]) -> CoreV1.Affinity {
        CoreV1.Affinity(
            nodeAffinity: CoreV1.NodeAffinity(
                requiredDuringSchedulingIgnoredDuringExecution: CoreV1.NodeSelector(nodeSelectorTerms: terms)
            )
        )
    }

    static func expression(_ key: String, _ op: String, _ values: [String]? = nil) -> CoreV1.NodeSelectorRequirement {
        CoreV1.NodeSelectorRequirement(key: key, operator: op, values: values)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var nodeSelector: [String: String]?
        var affinity: CoreV1.Affinity?
        var labels: [String: String]
        var fits: Bool
        var testDescription: String { self.name }
    }

    @Test(arguments: [
        Case(name: "no selector", nodeSelector: nil, affinity: nil, labels: [:], fits: true),
        Case(name: "nodeSelector matches", nodeSelector: ["foo": "bar"], affinity: nil, labels: ["foo": "bar"], fits: true),
        Case(name: "nodeSelector misses", nodeSelector: ["foo": "bar"], affinity: nil, labels: ["foo": "baz"], fits: false),
        Case(
            name: "In matches",
            nodeSelector: nil,
            affinity: Self.required([CoreV1.NodeSelectorTerm(matchExpressions: [Self.expression("foo", "In", ["a", "bar"])])]),
            labels: ["foo": "bar"],
            fits: true
        ),
        Case(
            name: "NotIn excludes",
            nodeSelector: nil,
            affinity: Self.required([CoreV1.NodeSelectorTerm(matchExpressions: [Self.expression("foo", "NotIn", ["bar"])])]),
            labels: ["foo": "bar"],
            fits: false
        ),
        Case(
            name: "Gt compares integers",
            nodeSelector: nil,
            affinity: Self.required([CoreV1.NodeSelectorTerm(matchExpressions: [Self.expression("cores", "Gt", ["4"])])]),
            labels: ["cores": "8"],
            fits: true
        ),
        Case(
            name: "DoesNotExist",
            nodeSelector: nil,
            affinity: Self.required([CoreV1.NodeSelectorTerm(matchExpressions: [Self.expression("gpu", "DoesNotExist")])]),
            labels: ["gpu": "yes"],
            fits: false
        ),
        Case(
            name: "terms are ORed",
            nodeSelector: nil,
            affinity: Self.required([
                CoreV1.NodeSelectorTerm(matchExpressions: [Self.expression("foo", "In", ["x"])]),
                CoreV1.NodeSelectorTerm(matchExpressions: [Self.expression("zone", "Exists")]),
            ]),
            labels: ["zone": "a"],
            fits: true
        ),
        Case(
            name: "an empty term matches nothing",
            nodeSelector: nil,
            affinity: Self.required([CoreV1.NodeSelectorTerm()]),
            labels: ["foo": "bar"],
            fits: false
        ),
        Case(
            name: "nodeSelector and affinity are ANDed",
            nodeSelector: ["foo": "bar"],
            affinity: Self.required([CoreV1.NodeSelectorTerm(matchExpressions: [Self.expression("zone", "Exists")])]),
            labels: ["foo": "bar"],
            fits: false
        ),
        Case(
            name: "matchFields on metadata.name",
            nodeSelector: nil,
            affinity: Self.required([
                CoreV1.NodeSelectorTerm(matchFields: [Self.expression("metadata.name", "In", ["n"])])
            ]),
            labels: [:],
            fits: true
        ),
    ])
    func filtersByRequiredAffinityAndSelector(_ c: Case) {
        let pod = PodInfo(Make.pod("p", nodeSelector: c.nodeSelector, affinity: c.affinity))
        let node = Make.nodeInfo(Make.node("n", labels: c.labels))
        let status = NodeAffinity().filter(pod, on: node, state: CycleState())
        #expect(status.isSuccess == c.fits)
        if !c.fits {
            #expect(status.code == .unschedulableAndUnresolvable)
            #expect(status.reasons == ["node(s) didn't match Pod's node affinity/selector"])
        }
    }

    @Test func preFilterNarrowsToNamedNodesOrSkips() {
        let plugin = NodeAffinity()
        let plain = PodInfo(Make.pod("p"))
        #expect(plugin.preFilter(plain, state: CycleState(), nodes: []).1.isSkip)
        let named = PodInfo(
            Make.pod(
                "q",
                affinity: Self.required([
                    CoreV1.NodeSelectorTerm(matchFields: [Self.expression("metadata.name", "In", ["a"])]),
                    CoreV1.NodeSelectorTerm(matchFields: [Self.expression("metadata.name", "In", ["b"])]),
                ])
            )
        )
        let (result, status) = plugin.preFilter(named, state: CycleState(), nodes: [])
        #expect(status.isSuccess)
        #expect(result?.nodeNames == ["a", "b"])
        let conflicting = PodInfo(
            Make.pod(
                "r",
                affinity: Self.required([
                    CoreV1.NodeSelectorTerm(matchFields: [
                        Self.expression("metadata.name", "In", ["a"]), Self.expression("metadata.name", "In", ["b"]),
                    ])
                ])
            )
        )
        let conflict = plugin.preFilter(conflicting, state: CycleState(), nodes: []).1
        #expect(conflict.code == .unschedulableAndUnresolvable)
        #expect(conflict.reasons == ["pod affinity terms conflict"])
    }

    @Test func addedAffinityIsEnforcedForEveryPod() throws {
        let args = NodeAffinity.Args(
            addedAffinity: CoreV1.NodeAffinity(
                requiredDuringSchedulingIgnoredDuringExecution: CoreV1.NodeSelector(nodeSelectorTerms: [
                    CoreV1.NodeSelectorTerm(matchExpressions: [Self.expression("pool", "In", ["batch"])])
                ])
            )
        )
        let plugin = NodeAffinity(args: args)
        let pod = PodInfo(Make.pod("p"))
        #expect(plugin.preFilter(pod, state: CycleState(), nodes: []).1.isSuccess)
        let other = plugin.filter(pod, on: Make.nodeInfo(Make.node("n", labels: ["pool": "web"])), state: CycleState())
        #expect(other.reasons == ["node(s) didn't match scheduler-enforced node affinity"])
        #expect(plugin.filter(pod, on: Make.nodeInfo(Make.node("m", labels: ["pool": "batch"])), state: CycleState()).isSuccess)
    }

    @Test func scoresPreferredTermsByWeightNormalized() {
        let affinity = CoreV1.Affinity(
            nodeAffinity: CoreV1.NodeAffinity(preferredDuringSchedulingIgnoredDuringExecution: [
                CoreV1.PreferredSchedulingTerm(
                    weight: 2,
                    preference: CoreV1.NodeSelectorTerm(matchExpressions: [Self.expression("foo", "In", ["bar"])])
                ),
                CoreV1.PreferredSchedulingTerm(
                    weight: 4,
                    preference: CoreV1.NodeSelectorTerm(matchExpressions: [Self.expression("key", "In", ["value"])])
                ),
            ])
        )
        let pod = PodInfo(Make.pod("p", affinity: affinity))
        let nodes = [
            Make.nodeInfo(Make.node("n1", labels: ["foo": "bar"])),
            Make.nodeInfo(Make.node("n2", labels: ["key": "value"])),
            Make.nodeInfo(Make.node("n3", labels: ["foo": "bar", "key": "value"])),
            Make.nodeInfo(Make.node("n4")),
        ]
        let plugin = NodeAffinity()
        let state = CycleState()
        #expect(plugin.preScore(pod, state: state, nodes: nodes).isSuccess)
        var scores = nodes.map { NodeScore(name: $0.name, score: plugin.score(pod, on: $0, state: state).0) }
        #expect(scores.map(\.score) == [2, 4, 6, 0])
        _ = plugin.normalizeScore(pod, state: state, scores: &scores)
        #expect(scores.map(\.score) == [33, 66, 100, 0])
        #expect(plugin.preScore(PodInfo(Make.pod("q")), state: CycleState(), nodes: nodes).isSkip)
    }
}

struct TaintTolerationScoreTests {
    @Test func prefersFewerUntoleratedPreferNoScheduleTaints() {
        let plugin = TaintToleration()
        let pod = PodInfo(
            Make.pod(
                "p",
                tolerations: [CoreV1.Toleration(key: "ok", operator: "Exists", effect: "PreferNoSchedule")]
            )
        )
        let nodes = [
            Make.nodeInfo(Make.node("n1")),
            Make.nodeInfo(Make.node("n2", taints: [Make.taint("a", effect: "PreferNoSchedule")])),
            Make.nodeInfo(
                Make.node(
                    "n3",
                    taints: [Make.taint("a", effect: "PreferNoSchedule"), Make.taint("b", effect: "PreferNoSchedule")]
                )
            ),
            Make.nodeInfo(Make.node("n4", taints: [Make.taint("ok", effect: "PreferNoSchedule")])),
        ]
        let state = CycleState()
        _ = plugin.preScore(pod, state: state, nodes: nodes)
        var scores = nodes.map { NodeScore(name: $0.name, score: plugin.score(pod, on: $0, state: state).0) }
        #expect(scores.map(\.score) == [0, 1, 2, 0])
        _ = plugin.normalizeScore(pod, state: state, scores: &scores)
        #expect(scores.map(\.score) == [100, 50, 0, 100])
    }
}
