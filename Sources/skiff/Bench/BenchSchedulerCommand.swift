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

    @Option(
        help: "Scenarios to run, comma-separated, or all (\(BenchSchedulerScenario.all.map(\.name).joined(separator: ", "))).")
    var scenarios: String = "SchedulingBasic"

    @Option(help: "Modes: algorithm (in memory), api (through an in-process API server), or both.")
    var mode: String = "both"

    @Option(help: "Scale every scenario's node and pod counts by this factor (quick runs).")
    var scale: Double = 1

    @Option(help: "Scheduler parallelism (default: the number of cores).")
    var parallelism: Int?

    func run() async throws {
        let names = Set(self.scenarios.split(separator: ",").map { String($0) })
        let selected = BenchSchedulerScenario.all.filter { names.contains($0.name) || names.contains("all") }
        guard !selected.isEmpty else { throw ValidationError("no scenario named \(self.scenarios)") }
        for scenario in selected {
            let sized = scenario.scaled(by: self.scale)
            if self.mode == "algorithm" || self.mode == "both" {
                let result = try await BenchSchedulerAlgorithm.run(sized, parallelism: self.parallelism)
                print(result.line(mode: "algorithm", parallelism: self.parallelism))
            }
            if self.mode == "api" || self.mode == "both" {
                let result = try await BenchSchedulerAPI.run(sized, parallelism: self.parallelism)
                print(result.line(mode: "api", parallelism: self.parallelism))
            }
        }
    }
}

/// A finished run: throughput samples and memory.
struct BenchSchedulerResult {
    var scenario: String
    var nodes: Int
    var pods: Int
    var seconds: Double
    var samples: [Double]
    /// CPU time the whole process used while the measured pods were scheduled (a figure the other load on the
    /// machine does not distort the way wall-clock throughput is).
    var cpuSeconds: Double
    /// The process's RSS once the nodes were in the scheduler's cache, before any pod.
    var nodesRSSMiB: Double
    /// The process's RSS at the end of the run.
    var rssMiB: Double

    var average: Double { self.samples.isEmpty ? Double(self.pods) / max(self.seconds, 1e-9) : self.samples.reduce(0, +) / Double(self.samples.count) }

    func line(mode: String, parallelism: Int?) -> String {
        let perc = self.samples.sorted()
        func p(_ q: Double) -> Double { perc.isEmpty ? 0 : perc[min(perc.count - 1, Int(Double(perc.count) * q))] }
        return String(
            format: "%@ [%@, parallelism %d] %d nodes, %d pods: average %.0f pods/s (overall %.0f pods/s, %.2f s; "
                + "samples p50 %.0f, p90 %.0f, max %.0f); CPU %.2f s = %.0f pods per CPU-second; "
                + "RSS %.0f MiB with the nodes, %.0f MiB at the end",
            self.scenario,
            mode,
            parallelism ?? ProcessInfo.processInfo.activeProcessorCount,
            self.nodes,
            self.pods,
            self.average,
            Double(self.pods) / max(self.seconds, 1e-9),
            self.seconds,
            p(0.5),
            p(0.9),
            perc.last ?? 0,
            self.cpuSeconds,
            Double(self.pods) / max(self.cpuSeconds, 0.01),
            self.nodesRSSMiB,
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

    /// Waits for `count()` (0 before the first pod is created) to reach `target`, sampling each second; returns the
    /// samples and the elapsed time.
    static func measure(
        target: Int,
        timeout: Duration = .seconds(600),
        progress: (@Sendable () -> String)? = nil,
        count: @Sendable () -> Int
    ) async throws -> (samples: [Double], seconds: Double) {
        let start = Self.clock.now
        // `count` starts at 0 when the pods are created, which may be before this call: reading a baseline here
        // would race with the first bindings and wait for pods that were already counted.
        let initial = 0
        var last = initial
        var lastTime = start
        var samples: [Double] = []
        while count() - initial < target {
            try await Task.sleep(for: .milliseconds(20))
            let now = Self.clock.now
            if now - lastTime >= .seconds(1) {
                let current = count()
                samples.append(Double(current - last) / Self.seconds(now - lastTime))
                if let progress, Self.verbose {
                    FileHandle.standardError.write(Data("\(current - initial)/\(target): \(progress())\n".utf8))
                }
                last = current
                lastTime = now
            }
            if now - start > timeout { throw BenchFailure("timed out after \(count() - initial) of \(target) pods") }
        }
        return (samples, Self.seconds(Self.clock.now - start))
    }

    /// `SKIFF_BENCH_VERBOSE=1` prints the scheduler's state each second on standard error.
    static let verbose = ProcessInfo.processInfo.environment["SKIFF_BENCH_VERBOSE"] != nil

    static func rssMiB() -> Double {
        (try? BenchMemory(pid: getpid()).rssMiB) ?? 0
    }
}

/// The algorithm alone: the engine fed directly, bindings and deletions recorded in memory and fed back as the
/// informer would deliver them.
enum BenchSchedulerAlgorithm {
    /// Runs on the global executor (`@concurrent`), not on the command's main actor: the engine, the feeder and
    /// the sampling loop must not queue behind the main queue.
    @concurrent
    static func run(_ scenario: BenchSchedulerScenario, parallelism: Int?) async throws -> BenchSchedulerResult {
        let table = BenchPodTable()
        let client = InMemorySchedulerClient(
            recording: false,
            onBind: { binding in
                // The binding comes back as a pod update, as through the informer (confirms the assumed pod).
                guard let engine = table.engine.withLock({ $0 }) else { return }
                let key = binding.namespace + "/" + binding.name
                let update = table.pods.withLock { pods -> (CoreV1.Pod, CoreV1.Pod)? in
                    guard let old = pods[key] else { return nil }
                    var new = old
                    new.spec?.nodeName = binding.nodeName
                    pods[key] = new
                    return (old, new)
                }
                if let (old, new) = update { engine.handlePodUpdate(old: old, new: new) }
            },
            onDelete: { namespace, name in
                // A preemption victim: the deletion comes back as the informer's delete.
                guard let engine = table.engine.withLock({ $0 }),
                    let pod = table.pods.withLock({ $0.removeValue(forKey: namespace + "/" + name) })
                else { return }
                engine.handlePodDelete(pod)
            }
        )
        let engine = try SchedulingEngine(
            client: client,
            parallelism: parallelism,
            logger: Logger(label: "skiff.bench.scheduler", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        table.engine.withLock { $0 = engine }
        for index in 0..<scenario.nodes { engine.handleNodeAdd(scenario.makeNode(index)) }
        engine.cache.updateSnapshot(engine.snapshot)
        let nodesRSS = BenchThroughput.rssMiB()
        let task = Task { await engine.run() }
        defer { task.cancel() }
        @Sendable func add(_ pod: CoreV1.Pod) {
            table.pods.withLock { $0[(pod.metadata.namespace ?? "") + "/" + (pod.metadata.name ?? "")] = pod }
            engine.handlePodAdd(pod)
        }
        for index in 0..<scenario.initPods { add(scenario.makeInitPod(index)) }
        let progress: @Sendable () -> String = {
            let queued = engine.queue.counts
            return "bindings \(client.bindingCount), deletions \(client.deletions.count), cache pods "
                + "\(engine.cache.podCount) (assumed \(engine.cache.assumedPodCount)), queue active \(queued.active) "
                + "backoff \(queued.backoff) unschedulable \(queued.unschedulable)"
        }
        _ = try await BenchThroughput.measure(target: scenario.initPods, progress: progress) { client.bindingCount }
        let measured = (0..<scenario.measuredPods).map { scenario.makeMeasuredPod($0) }
        let before = client.bindingCount
        let cpuBefore = BenchCPU.seconds()
        let feeder = Task {
            for pod in measured { add(pod) }
        }
        let (samples, seconds) = try await BenchThroughput.measure(target: scenario.measuredPods, progress: progress) {
            client.bindingCount - before
        }
        await feeder.value
        let cpu = BenchCPU.seconds() - cpuBefore
        return BenchSchedulerResult(
            scenario: scenario.name,
            nodes: scenario.nodes,
            pods: scenario.measuredPods,
            seconds: seconds,
            samples: samples,
            cpuSeconds: cpu,
            nodesRSSMiB: nodesRSS,
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

    /// Runs on the global executor (`@concurrent`), not on the command's main actor: the engine, the feeder and
    /// the sampling loop must not queue behind the main queue.
    @concurrent
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
            for priorityClass in scenario.priorityClasses {
                _ = try await client.resource(SchedulingV1.PriorityClass.self).create(
                    SchedulingV1.PriorityClass(
                        metadata: MetaV1.ObjectMeta(name: priorityClass.name),
                        value: priorityClass.value
                    )
                )
            }
            try await Self.create(count: scenario.nodes, workers: 16) { index in
                try await client.resource(CoreV1.Node.self).createDiscardingResult(scenario.makeNode(index))
            }
            var configuration = KubeSchedulerConfiguration()
            configuration.leaderElection = .init(leaderElect: false)
            let scheduler = try Scheduler(
                client: client,
                configuration: configuration,
                parallelism: parallelism,
                logger: quiet
            )
            // Scheduled = pods the scheduler's informer saw become bound (scheduler_perf counts the same way).
            let bound = BenchCounter()
            scheduler.informers.informer(CoreV1.Pod.self, options: Scheduler.podInformerOptions).addEventHandler(
                ResourceEventHandler(onUpdate: { old, new in
                    if (old.spec?.nodeName ?? "").isEmpty && !(new.spec?.nodeName ?? "").isEmpty {
                        bound.value.add(1, ordering: .relaxed)
                    }
                })
            )
            group.addTask { try await scheduler.run() }
            while !scheduler.isReady { try await Task.sleep(for: .milliseconds(5)) }
            while scheduler.engine.cache.nodeCount < scenario.nodes { try await Task.sleep(for: .milliseconds(5)) }
            let nodesRSS = BenchThroughput.rssMiB()
            let count: @Sendable () -> Int = { bound.value.load(ordering: .relaxed) }
            let initCreator = Task {
                try await Self.create(count: scenario.initPods, workers: 16) { index in
                    var pod = scenario.makeInitPod(index)
                    pod.metadata.uid = nil
                    try await client.resource(CoreV1.Pod.self, namespace: pod.metadata.namespace).createDiscardingResult(pod)
                }
            }
            _ = try await BenchThroughput.measure(target: scenario.initPods, count: count)
            try await initCreator.value
            let before = count()
            let cpuBefore = BenchCPU.seconds()
            let creator = Task {
                try await Self.create(count: scenario.measuredPods, workers: 32) { index in
                    var pod = scenario.makeMeasuredPod(index)
                    pod.metadata.uid = nil
                    // The feeder stands for clients elsewhere: it does not decode what it created.
                    try await client.resource(CoreV1.Pod.self, namespace: pod.metadata.namespace).createDiscardingResult(pod)
                }
            }
            let (samples, seconds) = try await BenchThroughput.measure(target: scenario.measuredPods) {
                count() - before
            }
            try await creator.value
            let cpu = BenchCPU.seconds() - cpuBefore
            return BenchSchedulerResult(
                scenario: scenario.name,
                nodes: scenario.nodes,
                pods: scenario.measuredPods,
                seconds: seconds,
                samples: samples,
                cpuSeconds: cpu,
            nodesRSSMiB: nodesRSS,
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
