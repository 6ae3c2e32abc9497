import SkiffAPI
import SkiffAPIMachinery

/// One scheduler_perf workload: nodes, pods that fill the cluster first (not measured), then measured pods.
///
/// Scenarios are rows of ``all``, sized like the `performance` workloads of upstream's scheduler_perf
/// (`test/integration/scheduler_perf`): each builds its own nodes and pods from the upstream templates.
struct BenchSchedulerScenario: Sendable {
    var name: String
    var nodes: Int
    var initPods: Int
    var measuredPods: Int
    /// Priority classes the API mode creates first (name, value), for pods that name one.
    var priorityClasses: [(name: String, value: Int32)] = []
    /// The `index`th node.
    var makeNode: @Sendable (_ index: Int) -> CoreV1.Node
    /// The `index`th pod created before measuring.
    var makeInitPod: @Sendable (_ index: Int) -> CoreV1.Pod
    /// The `index`th measured pod.
    var makeMeasuredPod: @Sendable (_ index: Int) -> CoreV1.Pod

    func scaled(by factor: Double) -> BenchSchedulerScenario {
        guard factor != 1 else { return self }
        var copy = self
        copy.nodes = max(1, Int(Double(self.nodes) * factor))
        copy.initPods = Int(Double(self.initPods) * factor)
        copy.measuredPods = max(1, Int(Double(self.measuredPods) * factor))
        return copy
    }

    /// Every scenario, by name.
    static let all: [BenchSchedulerScenario] = [
        .schedulingBasic, .topologySpreading, .podAntiAffinity, .podAffinity, .preemption,
    ]

    /// `SchedulingBasic` (5000Nodes, with 10,000 measured pods): default pods on default nodes.
    static let schedulingBasic = BenchSchedulerScenario(
        name: "SchedulingBasic",
        nodes: 5_000,
        initPods: 1_000,
        measuredPods: 10_000,
        makeNode: { BenchTemplates.node("scheduler-perf-\($0)") },
        makeInitPod: { BenchTemplates.pod("init-pod-\($0)", namespace: "sched-0") },
        makeMeasuredPod: { BenchTemplates.pod("pod-\($0)", namespace: "sched-1") }
    )

    /// `TopologySpreading` (5000Nodes): nodes in zones moon-1..3, 5,000 default pods, then 2,000 pods spread over
    /// zones with max skew 5 (`DoNotSchedule`).
    static let topologySpreading = BenchSchedulerScenario(
        name: "TopologySpreading",
        nodes: 5_000,
        initPods: 5_000,
        measuredPods: 2_000,
        makeNode: { index in
            BenchTemplates.node(
                "scheduler-perf-\(index)",
                labels: ["topology.kubernetes.io/zone": "moon-\(index % 3 + 1)"]
            )
        },
        makeInitPod: { BenchTemplates.pod("init-pod-\($0)", namespace: "sched-0") },
        makeMeasuredPod: { index in
            var pod = BenchTemplates.pod("spreading-pod-\(index)", namespace: "sched-1", labels: ["color": "blue"])
            pod.spec?.topologySpreadConstraints = [
                CoreV1.TopologySpreadConstraint(
                    maxSkew: 5,
                    topologyKey: "topology.kubernetes.io/zone",
                    whenUnsatisfiable: "DoNotSchedule",
                    labelSelector: MetaV1.LabelSelector(matchLabels: ["color": "blue"])
                )
            ]
            return pod
        }
    )

    /// `SchedulingPodAntiAffinity` (5000Nodes_2000Pods): every pod refuses a node with another green pod.
    static let podAntiAffinity = BenchSchedulerScenario(
        name: "PodAntiAffinity",
        nodes: 5_000,
        initPods: 1_000,
        measuredPods: 2_000,
        makeNode: { BenchTemplates.node("scheduler-perf-\($0)") },
        makeInitPod: { BenchTemplates.antiAffinityPod("init-pod-\($0)", namespace: "sched-0") },
        makeMeasuredPod: { BenchTemplates.antiAffinityPod("anti-affinity-pod-\($0)", namespace: "sched-1") }
    )

    /// `SchedulingPodAffinity` (5000Nodes_5000Pods): every node in zone1, every pod requires a blue pod in its zone.
    static let podAffinity = BenchSchedulerScenario(
        name: "PodAffinity",
        nodes: 5_000,
        initPods: 5_000,
        measuredPods: 5_000,
        makeNode: {
            BenchTemplates.node("scheduler-perf-\($0)", labels: ["topology.kubernetes.io/zone": "zone1"])
        },
        makeInitPod: { BenchTemplates.affinityPod("init-pod-\($0)", namespace: "sched-0") },
        makeMeasuredPod: { BenchTemplates.affinityPod("affinity-pod-\($0)", namespace: "sched-1") }
    )

    /// `PreemptionBasic` (500Nodes): 2,000 low-priority pods of 900m fill the nodes, then 500 pods of priority 10
    /// and 3 CPUs each preempt three of them.
    static let preemption = BenchSchedulerScenario(
        name: "Preemption",
        nodes: 500,
        initPods: 2_000,
        measuredPods: 500,
        priorityClasses: [("high", 10)],
        makeNode: { BenchTemplates.node("scheduler-perf-\($0)") },
        makeInitPod: { index in
            var pod = BenchTemplates.pod("low-pod-\(index)", namespace: "sched-0", cpu: "900m")
            pod.spec?.terminationGracePeriodSeconds = 0
            return pod
        },
        makeMeasuredPod: { index in
            var pod = BenchTemplates.pod("high-pod-\(index)", namespace: "sched-1", cpu: "3000m")
            pod.spec?.priorityClassName = "high"
            pod.spec?.priority = 10
            return pod
        }
    )
}

/// scheduler_perf's node and pod templates (`node-default.yaml`, `pod-default.yaml`, `pod-with-pod-affinity.yaml`,
/// `pod-with-pod-anti-affinity.yaml`, `pod-low-priority.yaml`, `pod-high-priority.yaml`).
enum BenchTemplates {
    static func node(_ name: String, labels: [String: String] = [:]) -> CoreV1.Node {
        let capacity: [String: Quantity] = ["pods": Quantity("110"), "cpu": Quantity("4"), "memory": Quantity("32Gi")]
        var allLabels = labels
        allLabels["kubernetes.io/hostname"] = name
        return CoreV1.Node(
            metadata: MetaV1.ObjectMeta(name: name, labels: allLabels),
            status: CoreV1.NodeStatus(
                capacity: capacity,
                allocatable: capacity,
                phase: "Running",
                conditions: [CoreV1.NodeCondition(type: "Ready", status: "True")]
            )
        )
    }

    static func pod(
        _ name: String,
        namespace: String,
        labels: [String: String]? = nil,
        cpu: String = "100m"
    ) -> CoreV1.Pod {
        let resources: [String: Quantity] = ["cpu": Quantity(cpu), "memory": Quantity("500Mi")]
        return CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(name: name, namespace: namespace, uid: namespace + "-" + name, labels: labels),
            spec: CoreV1.PodSpec(
                containers: [
                    CoreV1.Container(
                        name: "pause",
                        image: "registry.k8s.io/pause:3.10",
                        ports: [CoreV1.ContainerPort(containerPort: 80)],
                        resources: CoreV1.ResourceRequirements(limits: resources, requests: resources)
                    )
                ],
                schedulerName: "default-scheduler"
            )
        )
    }

    /// A green pod that refuses nodes with green pods of sched-0 and sched-1.
    static func antiAffinityPod(_ name: String, namespace: String) -> CoreV1.Pod {
        var pod = Self.pod(name, namespace: namespace, labels: ["color": "green"])
        pod.spec?.affinity = CoreV1.Affinity(
            podAntiAffinity: CoreV1.PodAntiAffinity(requiredDuringSchedulingIgnoredDuringExecution: [
                CoreV1.PodAffinityTerm(
                    labelSelector: MetaV1.LabelSelector(matchLabels: ["color": "green"]),
                    namespaces: ["sched-1", "sched-0"],
                    topologyKey: "kubernetes.io/hostname"
                )
            ])
        )
        return pod
    }

    /// A blue pod that needs a blue pod of sched-0 or sched-1 in its zone.
    static func affinityPod(_ name: String, namespace: String) -> CoreV1.Pod {
        var pod = Self.pod(name, namespace: namespace, labels: ["color": "blue"])
        pod.spec?.affinity = CoreV1.Affinity(
            podAffinity: CoreV1.PodAffinity(requiredDuringSchedulingIgnoredDuringExecution: [
                CoreV1.PodAffinityTerm(
                    labelSelector: MetaV1.LabelSelector(matchLabels: ["color": "blue"]),
                    namespaces: ["sched-1", "sched-0"],
                    topologyKey: "topology.kubernetes.io/zone"
                )
            ])
        )
        return pod
    }
}
