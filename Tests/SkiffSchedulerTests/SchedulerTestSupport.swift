import Logging
import SkiffAPI
import SkiffAPIMachinery
import SkiffScheduler
import Synchronization

/// A manual clock for scheduler tests: time moves only when a test calls `advance(by:)`; `sleep` never returns on
/// its own (only cancellation ends it).
final class SchedulerTestClock: Sendable {
    private let current: Mutex<Duration>

    init(start: Duration = .seconds(1_767_225_600)) {
        self.current = Mutex(start)
    }

    var now: Duration { self.current.withLock { $0 } }

    func advance(by duration: Duration) {
        self.current.withLock { $0 += duration }
    }

    var clock: SchedulerClock {
        SchedulerClock(
            now: { self.now },
            sleep: { _ in
                try await Task.sleep(for: .seconds(86_400 * 365))
                throw CancellationError()
            }
        )
    }
}

/// Builders of test objects, in the spirit of upstream's `st.MakePod()` / `st.MakeNode()`.
enum Make {
    static func node(
        _ name: String,
        cpu: String = "4",
        memory: String = "32Gi",
        pods: String = "110",
        extra: [String: String] = [:],
        labels: [String: String] = [:],
        taints: [CoreV1.Taint] = [],
        unschedulable: Bool = false,
        images: [CoreV1.ContainerImage] = []
    ) -> CoreV1.Node {
        var allocatable: [String: Quantity] = [
            "cpu": Quantity(cpu), "memory": Quantity(memory), "pods": Quantity(pods),
        ]
        for (key, value) in extra { allocatable[key] = Quantity(value) }
        var allLabels = labels
        allLabels["kubernetes.io/hostname"] = name
        return CoreV1.Node(
            metadata: MetaV1.ObjectMeta(name: name, uid: "node-" + name, labels: allLabels),
            spec: CoreV1.NodeSpec(unschedulable: unschedulable ? true : nil, taints: taints.isEmpty ? nil : taints),
            status: CoreV1.NodeStatus(capacity: allocatable, allocatable: allocatable, images: images.isEmpty ? nil : images)
        )
    }

    static func container(
        _ name: String = "c",
        cpu: String? = nil,
        memory: String? = nil,
        extra: [String: String] = [:],
        image: String = "registry.k8s.io/pause:3.10",
        hostPorts: [Int32] = [],
        restartPolicy: String? = nil
    ) -> CoreV1.Container {
        var requests: [String: Quantity] = [:]
        if let cpu { requests["cpu"] = Quantity(cpu) }
        if let memory { requests["memory"] = Quantity(memory) }
        for (key, value) in extra { requests[key] = Quantity(value) }
        return CoreV1.Container(
            name: name,
            image: image,
            ports: hostPorts.isEmpty
                ? nil : hostPorts.map { CoreV1.ContainerPort(hostPort: $0, containerPort: $0, protocol: "TCP") },
            resources: CoreV1.ResourceRequirements(requests: requests.isEmpty ? nil : requests),
            restartPolicy: restartPolicy
        )
    }

    static func pod(
        _ name: String,
        namespace: String = "default",
        cpu: String? = nil,
        memory: String? = nil,
        containers: [CoreV1.Container]? = nil,
        initContainers: [CoreV1.Container]? = nil,
        nodeName: String? = nil,
        nodeSelector: [String: String]? = nil,
        affinity: CoreV1.Affinity? = nil,
        tolerations: [CoreV1.Toleration]? = nil,
        priority: Int32? = nil,
        schedulingGates: [String]? = nil,
        overhead: [String: Quantity]? = nil,
        labels: [String: String]? = nil,
        schedulerName: String = "default-scheduler"
    ) -> CoreV1.Pod {
        CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(name: name, namespace: namespace, uid: "uid-" + name, labels: labels),
            spec: CoreV1.PodSpec(
                initContainers: initContainers,
                containers: containers ?? [Self.container(cpu: cpu, memory: memory)],
                nodeSelector: nodeSelector,
                nodeName: nodeName,
                affinity: affinity,
                schedulerName: schedulerName,
                tolerations: tolerations,
                priority: priority,
                overhead: overhead,
                schedulingGates: schedulingGates?.map { CoreV1.PodSchedulingGate(name: $0) }
            )
        )
    }

    static func taint(_ key: String, _ value: String? = nil, effect: String = "NoSchedule") -> CoreV1.Taint {
        CoreV1.Taint(key: key, value: value, effect: effect)
    }

    static func nodeInfo(_ node: CoreV1.Node, pods: [CoreV1.Pod] = []) -> NodeInfo {
        NodeInfo(node: node, pods: pods.map { PodInfo($0) })
    }

    static let logger = Logger(label: "skiff.scheduler.test")
}
