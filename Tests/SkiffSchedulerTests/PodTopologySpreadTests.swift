import SkiffAPI
import SkiffAPIMachinery
import Testing

@testable import SkiffScheduler

enum SpreadMake {
    static func constraint(
        _ maxSkew: Int32 = 1,
        key: String = "zone",
        whenUnsatisfiable: String = "DoNotSchedule",
        selector: MetaV1.LabelSelector? = MetaV1.LabelSelector(
            matchExpressions: [MetaV1.LabelSelectorRequirement(key: "foo", operator: "Exists")]
        ),
        minDomains: Int32? = nil,
        nodeAffinityPolicy: String? = nil,
        nodeTaintsPolicy: String? = nil,
        matchLabelKeys: [String]? = nil
    ) -> CoreV1.TopologySpreadConstraint {
        CoreV1.TopologySpreadConstraint(
            maxSkew: maxSkew,
            topologyKey: key,
            whenUnsatisfiable: whenUnsatisfiable,
            labelSelector: selector,
            minDomains: minDomains,
            nodeAffinityPolicy: nodeAffinityPolicy,
            nodeTaintsPolicy: nodeTaintsPolicy,
            matchLabelKeys: matchLabelKeys
        )
    }

    static func pod(
        _ name: String,
        namespace: String = "default",
        labels: [String: String]? = ["foo": ""],
        constraints: [CoreV1.TopologySpreadConstraint]? = nil,
        nodeSelector: [String: String]? = nil,
        owner: MetaV1.OwnerReference? = nil,
        terminating: Bool = false
    ) -> CoreV1.Pod {
        var pod = Make.pod(name, namespace: namespace, nodeSelector: nodeSelector, labels: labels)
        pod.spec?.topologySpreadConstraints = constraints
        if let owner { pod.metadata.ownerReferences = [owner] }
        if terminating { pod.metadata.deletionTimestamp = try! Time(parsing: "2026-01-01T00:00:00Z") }
        return pod
    }

    /// `count` matching pods named after `prefix`.
    static func pods(_ prefix: String, _ count: Int, labels: [String: String] = ["foo": ""], namespace: String = "default")
        -> [CoreV1.Pod]
    {
        (0..<count).map { Self.pod("\(prefix)-\($0)", namespace: namespace, labels: labels) }
    }
}

struct PodTopologySpreadFilterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var pod: CoreV1.Pod
        /// Existing pods per node: a, b in zone1; x, y in zone2; (z has no zone label).
        var existing: [String: [CoreV1.Pod]] = [:]
        var taintZone2 = false
        /// Expected code per node.
        var expected: [String: PluginStatus.Code]
        var skip = false
        var testDescription: String { self.name }
    }

    static func nodes(taintZone2: Bool) -> [CoreV1.Node] {
        let taints = taintZone2 ? [Make.taint("dedicated", "x")] : []
        return [
            Make.node("a", labels: ["zone": "zone1"]),
            Make.node("b", labels: ["zone": "zone1"]),
            Make.node("x", labels: ["zone": "zone2"], taints: taints),
            Make.node("y", labels: ["zone": "zone2"], taints: taints),
            Make.node("z"),
        ]
    }

    static let cases: [Case] = [
        Case(
            name: "no constraints: skip",
            pod: SpreadMake.pod("p"),
            expected: [:],
            skip: true
        ),
        Case(
            name: "ScheduleAnyway constraints only: skip",
            pod: SpreadMake.pod("p", constraints: [SpreadMake.constraint(whenUnsatisfiable: "ScheduleAnyway")]),
            expected: [:],
            skip: true
        ),
        Case(
            name: "zone skew 3 vs 2: only zone2 fits, the unlabelled node lacks the key",
            pod: SpreadMake.pod("p", constraints: [SpreadMake.constraint()]),
            existing: ["a": SpreadMake.pods("a", 2), "b": SpreadMake.pods("b", 1), "x": SpreadMake.pods("x", 2)],
            expected: [
                "a": .unschedulable, "b": .unschedulable, "x": .success, "y": .success,
                "z": .unschedulableAndUnresolvable,
            ]
        ),
        Case(
            name: "incoming pod not matching its own selector adds no self match",
            pod: SpreadMake.pod("p", labels: ["bar": ""], constraints: [SpreadMake.constraint()]),
            existing: ["a": SpreadMake.pods("a", 2), "x": SpreadMake.pods("x", 1)],
            expected: ["a": .success, "b": .success, "x": .success, "y": .success, "z": .unschedulableAndUnresolvable]
        ),
        Case(
            name: "maxSkew 1 with 2 vs 0 rejects zone1",
            pod: SpreadMake.pod("p", labels: ["bar": ""], constraints: [SpreadMake.constraint()]),
            existing: ["a": SpreadMake.pods("a", 2)],
            expected: [
                "a": .unschedulable, "b": .unschedulable, "x": .success, "y": .success,
                "z": .unschedulableAndUnresolvable,
            ]
        ),
        Case(
            name: "minDomains 3 with 2 domains makes the global minimum 0",
            pod: SpreadMake.pod("p", constraints: [SpreadMake.constraint(minDomains: 3)]),
            existing: ["a": SpreadMake.pods("a", 1), "x": SpreadMake.pods("x", 1)],
            expected: [
                "a": .unschedulable, "b": .unschedulable, "x": .unschedulable, "y": .unschedulable,
                "z": .unschedulableAndUnresolvable,
            ]
        ),
        Case(
            name: "minDomains 2 with 2 domains keeps the real minimum",
            pod: SpreadMake.pod("p", constraints: [SpreadMake.constraint(minDomains: 2)]),
            existing: ["a": SpreadMake.pods("a", 1), "x": SpreadMake.pods("x", 1)],
            expected: ["a": .success, "b": .success, "x": .success, "y": .success, "z": .unschedulableAndUnresolvable]
        ),
        Case(
            name: "nodeAffinityPolicy Honor (default): zone2 outside the node selector does not count",
            pod: SpreadMake.pod("p", constraints: [SpreadMake.constraint()], nodeSelector: ["zone": "zone1"]),
            existing: ["a": SpreadMake.pods("a", 2)],
            expected: ["a": .success, "b": .success, "x": .success, "y": .success, "z": .unschedulableAndUnresolvable]
        ),
        Case(
            name: "nodeAffinityPolicy Ignore: zone2 counts with 0",
            pod: SpreadMake.pod(
                "p",
                constraints: [SpreadMake.constraint(nodeAffinityPolicy: "Ignore")],
                nodeSelector: ["zone": "zone1"]
            ),
            existing: ["a": SpreadMake.pods("a", 2)],
            expected: [
                "a": .unschedulable, "b": .unschedulable, "x": .success, "y": .success,
                "z": .unschedulableAndUnresolvable,
            ]
        ),
        Case(
            name: "nodeTaintsPolicy Ignore (default): tainted zone2 counts with 0",
            pod: SpreadMake.pod("p", constraints: [SpreadMake.constraint()]),
            existing: ["a": SpreadMake.pods("a", 2)],
            taintZone2: true,
            expected: [
                "a": .unschedulable, "b": .unschedulable, "x": .success, "y": .success,
                "z": .unschedulableAndUnresolvable,
            ]
        ),
        Case(
            name: "nodeTaintsPolicy Honor: untolerated zone2 does not count",
            pod: SpreadMake.pod("p", constraints: [SpreadMake.constraint(nodeTaintsPolicy: "Honor")]),
            existing: ["a": SpreadMake.pods("a", 2)],
            taintZone2: true,
            expected: ["a": .success, "b": .success, "x": .success, "y": .success, "z": .unschedulableAndUnresolvable]
        ),
        Case(
            name: "matchLabelKeys narrows the selector to the pod's own version",
            pod: SpreadMake.pod(
                "p",
                labels: ["foo": "", "version": "v2"],
                constraints: [SpreadMake.constraint(matchLabelKeys: ["version"])]
            ),
            existing: ["a": SpreadMake.pods("a", 3, labels: ["foo": "", "version": "v1"])],
            expected: ["a": .success, "b": .success, "x": .success, "y": .success, "z": .unschedulableAndUnresolvable]
        ),
        Case(
            name: "pods of other namespaces and terminating pods do not count",
            pod: SpreadMake.pod("p", constraints: [SpreadMake.constraint()]),
            existing: [
                "a": SpreadMake.pods("a", 3, namespace: "other")
                    + [SpreadMake.pod("t1", terminating: true), SpreadMake.pod("t2", terminating: true)]
            ],
            expected: ["a": .success, "b": .success, "x": .success, "y": .success, "z": .unschedulableAndUnresolvable]
        ),
        Case(
            name: "zone and hostname constraints together",
            pod: SpreadMake.pod(
                "p",
                constraints: [
                    SpreadMake.constraint(),
                    SpreadMake.constraint(key: "kubernetes.io/hostname"),
                ]
            ),
            existing: ["a": SpreadMake.pods("a", 1), "x": SpreadMake.pods("x", 1)],
            expected: [
                "a": .unschedulable, "b": .success, "x": .unschedulable, "y": .success,
                "z": .unschedulableAndUnresolvable,
            ]
        ),
    ]

    @Test(arguments: Self.cases)
    func filter(_ c: Case) throws {
        let plugin = try PodTopologySpread()
        let nodes = Self.nodes(taintZone2: c.taintZone2).map { Make.nodeInfo($0, pods: c.existing[$0.metadata.name ?? ""] ?? []) }
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
            switch status.code {
            case .unschedulable: #expect(status.reasons == [PodTopologySpread.constraintsNotMatch])
            case .unschedulableAndUnresolvable: #expect(status.reasons == [PodTopologySpread.nodeLabelNotMatch])
            default: break
            }
        }
    }

    @Test func addAndRemovePodMoveTheMinimum() throws {
        let plugin = try PodTopologySpread()
        let nodes = Self.nodes(taintZone2: false).map { Make.nodeInfo($0) }
        nodes[0].addPod(PodInfo(SpreadMake.pod("a-0")))
        let pod = PodInfo(SpreadMake.pod("p", constraints: [SpreadMake.constraint()]))
        let state = CycleState()
        #expect(plugin.preFilter(pod, state: state, nodes: nodes).1.isSuccess)
        // zone1 1, zone2 0: zone1 is at the limit.
        #expect(plugin.filter(pod, on: nodes[0], state: state).code == .unschedulable)
        let copy = state.clone()
        let added = PodInfo(SpreadMake.pod("x-0"))
        #expect(plugin.addPod(pod, adding: added, to: nodes[2], state: copy).isSuccess)
        #expect(plugin.filter(pod, on: nodes[0], state: copy).isSuccess)
        #expect(plugin.filter(pod, on: nodes[0], state: state).code == .unschedulable)
        #expect(plugin.removePod(pod, removing: added, from: nodes[2], state: copy).isSuccess)
        #expect(plugin.filter(pod, on: nodes[0], state: copy).code == .unschedulable)
        // A pod of another namespace changes nothing.
        let foreign = PodInfo(SpreadMake.pod("f", namespace: "other"))
        #expect(plugin.addPod(pod, adding: foreign, to: nodes[2], state: copy).isSuccess)
        #expect(plugin.filter(pod, on: nodes[0], state: copy).code == .unschedulable)
    }

    @Test func criticalPathsKeepTheTwoSmallest() {
        var paths = PodTopologySpread.CriticalPaths()
        for (value, count) in [("a", 3), ("b", 1), ("c", 2), ("d", 5)] { paths.update(value, count) }
        #expect(paths.first.value == "b" && paths.first.count == 1)
        #expect(paths.second.value == "c" && paths.second.count == 2)
        paths.update("b", 4)
        #expect(paths.first.value == "c" && paths.first.count == 2)
    }

    @Test(arguments: [2.0, 3.0, 4.0, 5.0, 7.0, 102.0, 5002.0])
    func naturalLogMatchesKnownValues(_ x: Double) {
        let known: [Double: Double] = [
            2: 0.693_147_180_559_945_3, 3: 1.098_612_288_668_109_8, 4: 1.386_294_361_119_890_6,
            5: 1.609_437_912_434_100_3, 7: 1.945_910_149_055_313_2, 102: 4.624_972_813_284_271,
            5002: 8.517_593_111_437_565,
        ]
        #expect(abs(PodTopologySpread.naturalLog(x) - known[x]!) < 1e-12)
    }

    @Test(arguments: [
        PodTopologySpread.Args(defaultingType: "Other"),
        PodTopologySpread.Args(defaultConstraints: [SpreadMake.constraint(selector: nil)], defaultingType: "System"),
        PodTopologySpread.Args(defaultConstraints: [SpreadMake.constraint()], defaultingType: "List"),
    ])
    func rejectsInvalidArgs(_ args: PodTopologySpread.Args) {
        #expect(throws: SchedulerError.self) { try PodTopologySpread(args: args) }
    }
}

/// Services for the default spreading selector.
struct ServiceListers: ClusterListers {
    var services: [CoreV1.Service]
    func services(namespace: String) -> [CoreV1.Service] {
        self.services.filter { $0.metadata.namespace == namespace }
    }
}

struct PodTopologySpreadScoreTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var pod: CoreV1.Pod
        /// a, b in zone1; x in zone2; (w without zone when `withUnlabelled`).
        var existing: [String: [CoreV1.Pod]]
        var services: [CoreV1.Service] = []
        var withUnlabelled = false
        /// Normalized scores in node order; `nil` for a skipped PreScore.
        var expected: [Int64]?
        var testDescription: String { self.name }
    }

    static let replicaSetOwner = MetaV1.OwnerReference(
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        name: "web-abc",
        uid: "rs-uid",
        controller: true
    )

    static let cases: [Case] = [
        Case(
            name: "hostname constraint: fewer matching pods score higher",
            pod: SpreadMake.pod(
                "p",
                constraints: [SpreadMake.constraint(key: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway")]
            ),
            existing: ["a": SpreadMake.pods("a", 2), "b": SpreadMake.pods("b", 1)],
            expected: [0, 33, 100]
        ),
        Case(
            name: "zone constraint: nodes of the crowded zone score 0",
            pod: SpreadMake.pod("p", constraints: [SpreadMake.constraint(whenUnsatisfiable: "ScheduleAnyway")]),
            existing: ["a": SpreadMake.pods("a", 2), "b": SpreadMake.pods("b", 1)],
            expected: [0, 0, 100]
        ),
        Case(
            name: "explicit constraint ignores nodes without the topology key",
            pod: SpreadMake.pod("p", constraints: [SpreadMake.constraint(whenUnsatisfiable: "ScheduleAnyway")]),
            existing: ["a": SpreadMake.pods("a", 2), "b": SpreadMake.pods("b", 1)],
            withUnlabelled: true,
            expected: [0, 0, 100, 0]
        ),
        Case(
            name: "no constraints and no owner or service: skip",
            pod: SpreadMake.pod("p", labels: ["app": "web"]),
            existing: ["a": SpreadMake.pods("a", 1, labels: ["app": "web"])],
            expected: nil
        ),
        Case(
            name: "system defaults with a ReplicaSet owner unknown to the listers: the pod's labels select",
            pod: SpreadMake.pod("p", labels: ["app": "web"], owner: Self.replicaSetOwner),
            existing: ["a": SpreadMake.pods("a", 1, labels: ["app": "web"])],
            expected: [66, 88, 100]
        ),
        Case(
            name: "system defaults with a Service selecting the pod",
            pod: SpreadMake.pod("p", labels: ["app": "web", "extra": "1"]),
            existing: ["a": SpreadMake.pods("a", 1, labels: ["app": "web"])],
            services: [
                CoreV1.Service(
                    metadata: MetaV1.ObjectMeta(name: "web", namespace: "default"),
                    spec: CoreV1.ServiceSpec(selector: ["app": "web"])
                )
            ],
            expected: [66, 88, 100]
        ),
        Case(
            name: "system defaults keep nodes without a zone (hostname spreading still applies)",
            pod: SpreadMake.pod("p", labels: ["app": "web"], owner: Self.replicaSetOwner),
            existing: ["a": SpreadMake.pods("a", 1, labels: ["app": "web"])],
            withUnlabelled: true,
            expected: [22, 44, 55, 100]
        ),
    ]

    @Test(arguments: Self.cases)
    func score(_ c: Case) throws {
        let plugin = try PodTopologySpread(listers: ServiceListers(services: c.services))
        var nodes = [
            Make.node("a", labels: ["zone": "zone1", "topology.kubernetes.io/zone": "zone1"]),
            Make.node("b", labels: ["zone": "zone1", "topology.kubernetes.io/zone": "zone1"]),
            Make.node("x", labels: ["zone": "zone2", "topology.kubernetes.io/zone": "zone2"]),
        ]
        if c.withUnlabelled { nodes.append(Make.node("w")) }
        let infos = nodes.map { Make.nodeInfo($0, pods: c.existing[$0.metadata.name ?? ""] ?? []) }
        let pod = PodInfo(c.pod)
        let state = CycleState()
        let status = plugin.preScore(pod, state: state, nodes: infos)
        guard let expected = c.expected else {
            #expect(status.isSkip)
            return
        }
        #expect(status.isSuccess, "\(status)")
        var scores = infos.map { NodeScore(name: $0.name, score: plugin.score(pod, on: $0, state: state).0) }
        #expect(plugin.normalizeScore(pod, state: state, scores: &scores).isSuccess)
        #expect(scores.map(\.score) == expected)
    }
}
