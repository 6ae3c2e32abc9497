import ArgumentParser
import Foundation
import Logging
import SkiffAPI
import SkiffAPIMachinery
import SkiffAPIServer
import SkiffClient
import SkiffScheduler
import SkiffStorageSQLite
import Synchronization

/// `skiff bench scheduler`: upstream scheduler_perf's scenarios, with the algorithm alone (in memory, no API) and
/// end to end through the API; pods scheduled per second, sampled each second and averaged, as scheduler_perf's
/// `SchedulingThroughput`.
struct BenchSchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Benchmark the scheduler (scheduler_perf scenarios; build with -c release)."
    )

    @Option(help: "Scenarios to run, comma-separated (\(BenchSchedulerScenario.all.map(\.name).joined(separator: ", "))).")
    var scenarios: String = "SchedulingBasic"

    @Option(help: "Modes: algorithm (in memory), api (through an in-process API server), or both.")
    var mode: String = "both"

    @Option(help: "Scale every scenario's node and pod counts by this factor (quick runs).")
    var scale: Double = 1

    @Option(help: "Scheduler parallelism (default: the number of cores).")
    var parallelism: Int?

    func run() async throws {
        let names = Set(self.scenarios.split(separator: ",").map { String($0) })
        let selected = BenchSchedulerScenario.all.filter { names.contains($0.name) }
        guard !selected.isEmpty else { throw ValidationError("no scenario named \(self.scenarios)") }
        for scenario in selected {
            let sized = scenario.scaled(by: self.scale)
            if self.mode == "algorithm" || self.mode == "both" {
                let result = try await BenchSchedulerAlgorithm.run(sized, parallelism: self.parallelism)
                print(result.line(mode: "algorithm"))
            }
            if self.mode == "api" || self.mode == "both" {
                let result = try await BenchSchedulerAPI.run(sized, parallelism: self.parallelism)
                print(result.line(mode: "api"))
            }
        }
    }
}

/// One scheduler_perf workload: nodes, pods that fill the cluster first (not measured), then measured pods.
///
/// Scenarios are rows of ``all``; each builds its own nodes and pods, so topology spreading, pod (anti-)affinity
/// and preemption workloads are added as rows with their own templates.
struct BenchSchedulerScenario: Sendable {
    var name: String
    var nodes: Int
    var initPods: Int
    var measuredPods: Int
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
    static let all: [BenchSchedulerScenario] = [.schedulingBasic]

    /// scheduler_perf `SchedulingBasic` (5000Nodes): 5,000 nodes, 1,000 init pods, 10,000 measured pods.
    static let schedulingBasic = BenchSchedulerScenario(
        name: "SchedulingBasic",
        nodes: 5_000,
        initPods: 1_000,
        measuredPods: 10_000,
        makeNode: { BenchTemplates.node("scheduler-perf-\($0)") },
        makeInitPod: { BenchTemplates.pod("init-pod-\($0)", namespace: "sched-0") },
        makeMeasuredPod: { BenchTemplates.pod("pod-\($0)", namespace: "sched-1") }
    )
}

/// scheduler_perf's `node-default.yaml` and `pod-default.yaml`.
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

    static func pod(_ name: String, namespace: String, labels: [String: String]? = nil) -> CoreV1.Pod {
        let resources: [String: Quantity] = ["cpu": Quantity("100m"), "memory": Quantity("500Mi")]
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
}

/// A finished run: throughput samples and memory.
struct BenchSchedulerResult {
    var scenario: String
    var nodes: Int
    var pods: Int
    var seconds: Double
    var samples: [Double]
    var rssMiB: Double

    var average: Double { self.samples.isEmpty ? Double(self.pods) / max(self.seconds, 1e-9) : self.samples.reduce(0, +) / Double(self.samples.count) }

    func line(mode: String) -> String {
        let perc = self.samples.sorted()
        func p(_ q: Double) -> Double { perc.isEmpty ? 0 : perc[min(perc.count - 1, Int(Double(perc.count) * q))] }
        return String(
            format: "%@ [%@] %d nodes, %d pods: average %.0f pods/s (overall %.0f pods/s, %.2f s; samples p50 %.0f, "
                + "p90 %.0f, max %.0f); RSS %.0f MiB",
            self.scenario,
            mode,
            self.nodes,
            self.pods,
            self.average,
            Double(self.pods) / max(self.seconds, 1e-9),
            self.seconds,
            p(0.5),
            p(0.9),
            perc.last ?? 0,
            self.rssMiB
        )
    }
}

/// Samples a counter once a second until it reaches a target (scheduler_perf's throughput collector).
enum BenchThroughput {
    static let clock = ContinuousClock()

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Waits for `count()` to reach `target`, sampling each second; returns the samples and the elapsed time.
    static func measure(target: Int, timeout: Duration = .seconds(600), count: @Sendable () -> Int) async throws
        -> (samples: [Double], seconds: Double)
    {
        let start = Self.clock.now
        let initial = count()
        var last = initial
        var lastTime = start
        var samples: [Double] = []
        while count() - initial < target {
            try await Task.sleep(for: .milliseconds(20))
            let now = Self.clock.now
            if now - lastTime >= .seconds(1) {
                let current = count()
                samples.append(Double(current - last) / Self.seconds(now - lastTime))
                last = current
                lastTime = now
            }
            if now - start > timeout { throw BenchFailure("timed out after \(count() - initial) of \(target) pods") }
        }
        return (samples, Self.seconds(Self.clock.now - start))
    }

    static func rssMiB() -> Double {
        (try? BenchMemory(pid: getpid()).rssMiB) ?? 0
    }
}

/// The algorithm alone: the engine fed directly, bindings recorded in memory and fed back as the informer would.
enum BenchSchedulerAlgorithm {
    static func run(_ scenario: BenchSchedulerScenario, parallelism: Int?) async throws -> BenchSchedulerResult {
        let table = BenchPodTable()
        let client = InMemorySchedulerClient(recording: false) { binding in
            // The binding comes back as a pod update, as through the informer (confirms the assumed pod).
            guard let engine = table.engine.withLock({ $0 }),
                let old = table.pods.withLock({ $0.removeValue(forKey: binding.namespace + "/" + binding.name) })
            else { return }
            var new = old
            new.spec?.nodeName = binding.nodeName
            engine.handlePodUpdate(old: old, new: new)
        }
        let engine = try SchedulingEngine(
            client: client,
            parallelism: parallelism,
            logger: Logger(label: "skiff.bench.scheduler")
        )
        table.engine.withLock { $0 = engine }
        for index in 0..<scenario.nodes { engine.handleNodeAdd(scenario.makeNode(index)) }
        let task = Task { await engine.run() }
        defer { task.cancel() }
        @Sendable func add(_ pod: CoreV1.Pod) {
            table.pods.withLock { $0[(pod.metadata.namespace ?? "") + "/" + (pod.metadata.name ?? "")] = pod }
            engine.handlePodAdd(pod)
        }
        for index in 0..<scenario.initPods { add(scenario.makeInitPod(index)) }
        _ = try await BenchThroughput.measure(target: scenario.initPods) { client.bindingCount }
        let measured = (0..<scenario.measuredPods).map { scenario.makeMeasuredPod($0) }
        let before = client.bindingCount
        let feeder = Task {
            for pod in measured { add(pod) }
        }
        let (samples, seconds) = try await BenchThroughput.measure(target: scenario.measuredPods) {
            client.bindingCount - before
        }
        await feeder.value
        return BenchSchedulerResult(
            scenario: scenario.name,
            nodes: scenario.nodes,
            pods: scenario.measuredPods,
            seconds: seconds,
            samples: samples,
            rssMiB: BenchThroughput.rssMiB()
        )
    }
}

/// Pods by key and the engine, for feeding bindings back.
final class BenchPodTable: Sendable {
    let pods = Mutex<[String: CoreV1.Pod]>([:])
    let engine = Mutex<SchedulingEngine?>(nil)
}

/// End to end through the API: an in-process API handler on SQLite in a temporary directory, the scheduler as a
/// client of it (informers, `pods/binding`), nodes and pods created through the API by concurrent writers.
enum BenchSchedulerAPI {
    static let admin = UserInfo(name: "system:admin", groups: ["system:masters", "system:authenticated"])

    static func run(_ scenario: BenchSchedulerScenario, parallelism: Int?) async throws -> BenchSchedulerResult {
        let directory = NSTemporaryDirectory() + "skiff-bench-scheduler-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let quiet = Logger(label: "skiff.bench.scheduler", factory: { _ in SwiftLogNoOpLogHandler() })
        let storage = try SQLiteStorage(directory: directory + "/db", logger: quiet)
        let handler = APIHandler(configuration: APIServerConfiguration(), storage: storage, logger: quiet)
        let client = APIClient(
            transport: InProcessTransport(user: Self.admin, handler: { await handler.handle($0) }),
            rateLimit: .unlimited
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await handler.run() }
            defer { group.cancelAll() }
            while !handler.isReady { try await Task.sleep(for: .milliseconds(5)) }
            for namespace in ["sched-0", "sched-1"] {
                _ = try await client.resource(CoreV1.Namespace.self).create(
                    CoreV1.Namespace(metadata: MetaV1.ObjectMeta(name: namespace))
                )
            }
            try await Self.create(count: scenario.nodes, workers: 16) { index in
                _ = try await client.resource(CoreV1.Node.self).create(scenario.makeNode(index))
            }
            var configuration = KubeSchedulerConfiguration()
            configuration.leaderElection = .init(leaderElect: false)
            let scheduler = try Scheduler(
                client: client,
                configuration: configuration,
                parallelism: parallelism,
                logger: quiet
            )
            group.addTask { try await scheduler.run() }
            while !scheduler.isReady { try await Task.sleep(for: .milliseconds(5)) }
            while scheduler.engine.cache.nodeCount < scenario.nodes { try await Task.sleep(for: .milliseconds(5)) }
            // Scheduled = bound pods the scheduler's informer has seen (the cache's confirmed pods).
            let bound: @Sendable () -> Int = {
                scheduler.engine.cache.podCount - scheduler.engine.cache.assumedPodCount
            }
            let initCreator = Task {
                try await Self.create(count: scenario.initPods, workers: 16) { index in
                    var pod = scenario.makeInitPod(index)
                    pod.metadata.uid = nil
                    _ = try await client.resource(CoreV1.Pod.self, namespace: pod.metadata.namespace).create(pod)
                }
            }
            _ = try await BenchThroughput.measure(target: scenario.initPods, count: bound)
            try await initCreator.value
            let before = bound()
            let creator = Task {
                try await Self.create(count: scenario.measuredPods, workers: 32) { index in
                    var pod = scenario.makeMeasuredPod(index)
                    pod.metadata.uid = nil
                    _ = try await client.resource(CoreV1.Pod.self, namespace: pod.metadata.namespace).create(pod)
                }
            }
            let (samples, seconds) = try await BenchThroughput.measure(target: scenario.measuredPods) {
                bound() - before
            }
            try await creator.value
            return BenchSchedulerResult(
                scenario: scenario.name,
                nodes: scenario.nodes,
                pods: scenario.measuredPods,
                seconds: seconds,
                samples: samples,
                rssMiB: BenchThroughput.rssMiB()
            )
        }
    }

    /// Runs `body(0..<count)` on `workers` concurrent tasks.
    static func create(count: Int, workers: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let next = BenchCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    while true {
                        let index = next.value.add(1, ordering: .relaxed).oldValue
                        if index >= count { return }
                        try await body(index)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

/// A shared counter for concurrent writers.
final class BenchCounter: Sendable {
    let value = Atomic<Int>(0)
}
