import SkiffAPI
import SkiffAPIMachinery
import Testing

@testable import SkiffScheduler

/// Builders of pod (anti-)affinity for the InterPodAffinity cases.
enum AffinityMake {
    static func term(
        _ labels: [String: String],
        key: String = "region",
        namespaces: [String]? = nil,
        namespaceSelector: MetaV1.LabelSelector? = nil
    ) -> CoreV1.PodAffinityTerm {
        CoreV1.PodAffinityTerm(
            labelSelector: MetaV1.LabelSelector(matchLabels: labels),
            namespaces: namespaces,
            topologyKey: key,
            namespaceSelector: namespaceSelector
        )
    }

    static func affinity(
        required: [CoreV1.PodAffinityTerm]? = nil,
        preferred: [CoreV1.WeightedPodAffinityTerm]? = nil,
        antiRequired: [CoreV1.PodAffinityTerm]? = nil,
        antiPreferred: [CoreV1.WeightedPodAffinityTerm]? = nil
    ) -> CoreV1.Affinity {
        CoreV1.Affinity(
            podAffinity: required == nil && preferred == nil
                ? nil
                : CoreV1.PodAffinity(
                    requiredDuringSchedulingIgnoredDuringExecution: required,
                    preferredDuringSchedulingIgnoredDuringExecution: preferred
                ),
            podAntiAffinity: antiRequired == nil && antiPreferred == nil
                ? nil
                : CoreV1.PodAntiAffinity(
                    requiredDuringSchedulingIgnoredDuringExecution: antiRequired,
                    preferredDuringSchedulingIgnoredDuringExecution: antiPreferred
                )
        )
    }

    static func weighted(_ weight: Int32, _ term: CoreV1.PodAffinityTerm) -> CoreV1.WeightedPodAffinityTerm {
        CoreV1.WeightedPodAffinityTerm(weight: weight, podAffinityTerm: term)
    }
}

/// Namespace labels for namespaceSelector cases.
struct NamespaceListers: ClusterListers {
    var labels: [String: [String: String]]
    func namespaceLabels(_ name: String) -> [String: String]? { self.labels[name] }
}

struct InterPodAffinityFilterTests {
    /// One existing pod on one of the nodes.
    struct Existing: Sendable {
        var node: String
        var pod: CoreV1.Pod
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var pod: CoreV1.Pod
        var existing: [Existing] = []
        /// Expected status code per node name (nodes: n1 region r1 zone z1, n2 region r1 zone z2, n3 region r2).
        var expected: [String: PluginStatus.Code]
        var reason: String? = nil
        var skip: Bool = false
        var testDescription: String { self.name }
    }

    static let nodes: [CoreV1.Node] = [
        Make.node("n1", labels: ["region": "r1", "zone": "z1"]),
        Make.node("n2", labels: ["region": "r1", "zone": "z2"]),
        Make.node("n3", labels: ["region": "r2", "zone": "z3"]),
        Make.node("n4", labels: [:]),
    ]

    static let cases: [Case] = [
        Case(
            name: "pod without affinity and no existing anti-affinity: skip",
            pod: Make.pod("p"),
            existing: [Existing(node: "n1", pod: Make.pod("e", labels: ["app": "db"]))],
            expected: ["n1": .success, "n2": .success, "n3": .success, "n4": .success],
            skip: true
        ),
        Case(
            name: "required affinity satisfied in the region of the matching pod",
            pod: Make.pod("p", affinity: AffinityMake.affinity(required: [AffinityMake.term(["app": "db"])])),
            existing: [Existing(node: "n1", pod: Make.pod("e", labels: ["app": "db"]))],
            expected: [
                "n1": .success, "n2": .success, "n3": .unschedulableAndUnresolvable,
                "n4": .unschedulableAndUnresolvable,
            ],
            reason: InterPodAffinity.affinityRulesNotMatch
        ),
        Case(
            name: "required affinity with no matching pod anywhere and not self-matching",
            pod: Make.pod("p", affinity: AffinityMake.affinity(required: [AffinityMake.term(["app": "db"])])),
            existing: [Existing(node: "n1", pod: Make.pod("e", labels: ["app": "web"]))],
            expected: [
                "n1": .unschedulableAndUnresolvable, "n2": .unschedulableAndUnresolvable,
                "n3": .unschedulableAndUnresolvable, "n4": .unschedulableAndUnresolvable,
            ],
            reason: InterPodAffinity.affinityRulesNotMatch
        ),
        Case(
            name: "first pod of a self-affine group fits any node with the topology label",
            pod: Make.pod(
                "p",
                affinity: AffinityMake.affinity(required: [AffinityMake.term(["app": "db"])]),
                labels: ["app": "db"]
            ),
            expected: ["n1": .success, "n2": .success, "n3": .success, "n4": .unschedulableAndUnresolvable],
            reason: InterPodAffinity.affinityRulesNotMatch
        ),
        Case(
            name: "affinity term in another namespace does not match pods of the pod's namespace",
            pod: Make.pod(
                "p",
                affinity: AffinityMake.affinity(required: [AffinityMake.term(["app": "db"], namespaces: ["other"])])
            ),
            existing: [Existing(node: "n1", pod: Make.pod("e", labels: ["app": "db"]))],
            expected: [
                "n1": .unschedulableAndUnresolvable, "n2": .unschedulableAndUnresolvable,
                "n3": .unschedulableAndUnresolvable, "n4": .unschedulableAndUnresolvable,
            ],
            reason: InterPodAffinity.affinityRulesNotMatch
        ),
        Case(
            name: "namespaceSelector selects the existing pod's namespace by its labels",
            pod: Make.pod(
                "p",
                affinity: AffinityMake.affinity(required: [
                    AffinityMake.term(["app": "db"], namespaceSelector: MetaV1.LabelSelector(matchLabels: ["team": "a"]))
                ])
            ),
            existing: [Existing(node: "n3", pod: Make.pod("e", namespace: "team-a", labels: ["app": "db"]))],
            expected: [
                "n1": .unschedulableAndUnresolvable, "n2": .unschedulableAndUnresolvable, "n3": .success,
                "n4": .unschedulableAndUnresolvable,
            ],
            reason: InterPodAffinity.affinityRulesNotMatch
        ),
        Case(
            name: "required anti-affinity rejects the zone of the matching pod",
            pod: Make.pod("p", affinity: AffinityMake.affinity(antiRequired: [AffinityMake.term(["app": "db"], key: "zone")])),
            existing: [Existing(node: "n1", pod: Make.pod("e", labels: ["app": "db"]))],
            expected: ["n1": .unschedulable, "n2": .success, "n3": .success, "n4": .success],
            reason: InterPodAffinity.antiAffinityRulesNotMatch
        ),
        Case(
            name: "required anti-affinity by region rejects both nodes of the region",
            pod: Make.pod("p", affinity: AffinityMake.affinity(antiRequired: [AffinityMake.term(["app": "db"])])),
            existing: [Existing(node: "n2", pod: Make.pod("e", labels: ["app": "db"]))],
            expected: ["n1": .unschedulable, "n2": .unschedulable, "n3": .success, "n4": .success],
            reason: InterPodAffinity.antiAffinityRulesNotMatch
        ),
        Case(
            name: "existing pod's anti-affinity rejects the incoming pod in its region",
            pod: Make.pod("p", labels: ["app": "web"]),
            existing: [
                Existing(
                    node: "n1",
                    pod: Make.pod("e", affinity: AffinityMake.affinity(antiRequired: [AffinityMake.term(["app": "web"])]))
                )
            ],
            expected: ["n1": .unschedulable, "n2": .unschedulable, "n3": .success, "n4": .success],
            reason: InterPodAffinity.existingAntiAffinityRulesNotMatch
        ),
        Case(
            name: "existing pod's anti-affinity that does not select the incoming pod: skip",
            pod: Make.pod("p", labels: ["app": "api"]),
            existing: [
                Existing(
                    node: "n1",
                    pod: Make.pod("e", affinity: AffinityMake.affinity(antiRequired: [AffinityMake.term(["app": "web"])]))
                )
            ],
            expected: ["n1": .success, "n2": .success, "n3": .success, "n4": .success],
            skip: true
        ),
        Case(
            name: "affinity and anti-affinity together: affinity region minus anti-affinity zone",
            pod: Make.pod(
                "p",
                affinity: AffinityMake.affinity(
                    required: [AffinityMake.term(["app": "db"])],
                    antiRequired: [AffinityMake.term(["app": "cache"], key: "zone")]
                )
            ),
            existing: [
                Existing(node: "n1", pod: Make.pod("e1", labels: ["app": "db"])),
                Existing(node: "n2", pod: Make.pod("e2", labels: ["app": "cache"])),
            ],
            expected: [
                "n1": .success, "n2": .unschedulable, "n3": .unschedulableAndUnresolvable,
                "n4": .unschedulableAndUnresolvable,
            ]
        ),
    ]

    @Test(arguments: Self.cases)
    func filter(_ c: Case) throws {
        let plugin = try InterPodAffinity(
            listers: NamespaceListers(labels: ["team-a": ["team": "a"], "default": [:]])
        )
        let nodes = Self.nodes.map { node in
            Make.nodeInfo(node, pods: c.existing.filter { $0.node == node.metadata.name }.map(\.pod))
        }
        let pod = PodInfo(c.pod)
        let state = CycleState()
        let (_, preStatus) = plugin.preFilter(pod, state: state, nodes: nodes)
        if c.skip {
            #expect(preStatus.isSkip)
            return
        }
        #expect(preStatus.isSuccess)
        for node in nodes {
            let status = plugin.filter(pod, on: node, state: state)
            #expect(status.code == c.expected[node.name], "node \(node.name): \(status)")
            if !status.isSuccess, let reason = c.reason {
                #expect(status.reasons == [reason])
            }
        }
    }

    @Test func addAndRemovePodUpdateTheCounts() throws {
        let plugin = try InterPodAffinity()
        let nodes = Self.nodes.map { Make.nodeInfo($0) }
        let pod = PodInfo(Make.pod("p", affinity: AffinityMake.affinity(antiRequired: [AffinityMake.term(["app": "db"])])))
        let state = CycleState()
        #expect(plugin.preFilter(pod, state: state, nodes: nodes).1.isSuccess)
        #expect(plugin.filter(pod, on: nodes[0], state: state).isSuccess)
        let victim = PodInfo(Make.pod("v", labels: ["app": "db"]))
        let copy = state.clone()
        #expect(plugin.addPod(pod, adding: victim, to: nodes[1], state: copy).isSuccess)
        #expect(plugin.filter(pod, on: nodes[0], state: copy).code == .unschedulable)
        // The original state is not changed by the what-if on its clone.
        #expect(plugin.filter(pod, on: nodes[0], state: state).isSuccess)
        #expect(plugin.removePod(pod, removing: victim, from: nodes[1], state: copy).isSuccess)
        #expect(plugin.filter(pod, on: nodes[0], state: copy).isSuccess)

        // An existing pod with anti-affinity towards the incoming pod, removed in a what-if.
        let incoming = PodInfo(Make.pod("q", labels: ["app": "web"]))
        let hater = PodInfo(Make.pod("h", affinity: AffinityMake.affinity(antiRequired: [AffinityMake.term(["app": "web"], key: "zone")])))
        let withHater = Self.nodes.map { Make.nodeInfo($0) }
        withHater[2].addPod(hater)
        let s2 = CycleState()
        #expect(plugin.preFilter(incoming, state: s2, nodes: withHater).1.isSuccess)
        #expect(plugin.filter(incoming, on: withHater[2], state: s2).reasons == [InterPodAffinity.existingAntiAffinityRulesNotMatch])
        #expect(plugin.removePod(incoming, removing: hater, from: withHater[2], state: s2).isSuccess)
        #expect(plugin.filter(incoming, on: withHater[2], state: s2).isSuccess)
    }

    @Test func rejectsAnOutOfRangeHardPodAffinityWeight() {
        #expect(throws: SchedulerError.self) {
            try InterPodAffinity(args: .init(hardPodAffinityWeight: 101))
        }
    }
}

struct InterPodAffinityScoreTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var pod: CoreV1.Pod
        /// Existing pods by node (n1 r1/z1, n2 r1/z2, n3 r2/z3).
        var existing: [String: [CoreV1.Pod]]
        var args = InterPodAffinity.Args()
        /// Normalized scores for n1, n2, n3; `nil` when PreScore skips.
        var expected: [Int64]?
        var testDescription: String { self.name }
    }

    static let nodes: [CoreV1.Node] = [
        Make.node("n1", labels: ["region": "r1", "zone": "z1"]),
        Make.node("n2", labels: ["region": "r1", "zone": "z2"]),
        Make.node("n3", labels: ["region": "r2", "zone": "z3"]),
    ]

    static let cases: [Case] = [
        Case(name: "no affinity anywhere: skip", pod: Make.pod("p"), existing: ["n1": [Make.pod("e")]], expected: nil),
        Case(
            name: "preferred affinity to the region of the matching pod",
            pod: Make.pod("p", affinity: AffinityMake.affinity(preferred: [AffinityMake.weighted(5, AffinityMake.term(["app": "db"]))])),
            existing: ["n1": [Make.pod("e", labels: ["app": "db"])]],
            expected: [100, 100, 0]
        ),
        Case(
            name: "preferred terms add up by weight per domain",
            pod: Make.pod(
                "p",
                affinity: AffinityMake.affinity(preferred: [
                    AffinityMake.weighted(8, AffinityMake.term(["app": "db"])),
                    AffinityMake.weighted(2, AffinityMake.term(["app": "db"], key: "zone")),
                ])
            ),
            existing: ["n1": [Make.pod("e", labels: ["app": "db"])]],
            expected: [100, 80, 0]
        ),
        Case(
            name: "preferred anti-affinity makes the matching region the worst",
            pod: Make.pod("p", affinity: AffinityMake.affinity(antiPreferred: [AffinityMake.weighted(10, AffinityMake.term(["app": "db"]))])),
            existing: ["n3": [Make.pod("e", labels: ["app": "db"])]],
            expected: [100, 100, 0]
        ),
        Case(
            name: "existing pod's required affinity counts with hardPodAffinityWeight (default 1)",
            pod: Make.pod("p", labels: ["app": "web"]),
            existing: ["n3": [Make.pod("e", affinity: AffinityMake.affinity(required: [AffinityMake.term(["app": "web"])]))]],
            expected: [0, 0, 100]
        ),
        Case(
            name: "hardPodAffinityWeight 0 ignores existing pods' required affinity",
            pod: Make.pod("p", labels: ["app": "web"]),
            existing: ["n3": [Make.pod("e", affinity: AffinityMake.affinity(required: [AffinityMake.term(["app": "web"])]))]],
            args: .init(hardPodAffinityWeight: 0),
            expected: nil
        ),
        Case(
            name: "existing pod's preferred anti-affinity towards the incoming pod",
            pod: Make.pod("p", labels: ["app": "web"]),
            existing: [
                "n2": [
                    Make.pod(
                        "e",
                        affinity: AffinityMake.affinity(antiPreferred: [AffinityMake.weighted(4, AffinityMake.term(["app": "web"], key: "zone"))])
                    )
                ]
            ],
            expected: [100, 0, 100]
        ),
        Case(
            name: "ignorePreferredTermsOfExistingPods skips a pod without preferred terms",
            pod: Make.pod("p", labels: ["app": "web"]),
            existing: [
                "n2": [
                    Make.pod(
                        "e",
                        affinity: AffinityMake.affinity(preferred: [AffinityMake.weighted(4, AffinityMake.term(["app": "web"]))])
                    )
                ]
            ],
            args: .init(ignorePreferredTermsOfExistingPods: true),
            expected: nil
        ),
    ]

    @Test(arguments: Self.cases)
    func score(_ c: Case) throws {
        let plugin = try InterPodAffinity(args: c.args)
        let nodes = Self.nodes.map { Make.nodeInfo($0, pods: c.existing[$0.metadata.name ?? ""] ?? []) }
        let pod = PodInfo(c.pod)
        let state = CycleState()
        let status = plugin.preScore(pod, state: state, nodes: nodes)
        guard let expected = c.expected else {
            #expect(status.isSkip)
            return
        }
        #expect(status.isSuccess)
        var scores = nodes.map { node in NodeScore(name: node.name, score: plugin.score(pod, on: node, state: state).0) }
        #expect(plugin.normalizeScore(pod, state: state, scores: &scores).isSuccess)
        #expect(scores.map(\.score) == expected)
    }
}
