#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
public import Logging
import SkiffAPI
import SkiffAPIMachinery
public import SkiffClient

/// kube-scheduler: watches nodes and pods through the API, schedules the unbound pods whose `schedulerName` is one
/// of its profiles and binds them through `pods/binding` (↔ `cmd/kube-scheduler` + `pkg/scheduler`).
///
/// ``run()`` is the component's long-running shape: informers, event recorder, leader election (when configured)
/// and the scheduling loop, until the task is cancelled. It is ready once its informers have synced.
public final class Scheduler: Sendable {
    /// The scheduling core.
    public let engine: SchedulingEngine
    /// The shared informers the scheduler watches the cluster with.
    public let informers: SharedInformerFactory
    /// The elector on the configured Lease when `leaderElection.leaderElect` is on (its health check backs the
    /// `leaderElection` entry of `/healthz`); identity `<hostname>_<uuid>` as upstream.
    public let leaderElector: LeaderElector?
    let client: APIClient
    let recorder: EventRecorder
    let logger: Logger
    let configuration: KubeSchedulerConfiguration

    /// Makes a scheduler over `client`; `configuration` is defaulted and validated here.
    public init(
        client: APIClient,
        configuration: KubeSchedulerConfiguration = KubeSchedulerConfiguration(),
        registry: Registry = .inTree,
        parallelism: Int? = nil,
        logger: Logger
    ) throws {
        let configuration = configuration.defaulted()
        self.configuration = configuration
        self.client = client
        self.logger = logger
        // managedFields are never read here: dropped before caching (kube-scheduler drops them from pods).
        let informers = SharedInformerFactory(client: client, transform: .trimManagedFields, logger: logger)
        self.informers = informers
        let recorder = EventRecorder(
            client: client,
            reportingController: configuration.profiles?.first?.schedulerName ?? defaultSchedulerName,
            logger: logger
        )
        self.recorder = recorder
        let engine = try SchedulingEngine(
            configuration: configuration,
            client: APISchedulerClient(client: client, recorder: recorder),
            listers: InformerListers(factory: informers),
            registry: registry,
            parallelism: parallelism,
            logger: logger
        )
        self.engine = engine
        if let election = configuration.leaderElection, election.leaderElect == true {
            self.leaderElector = LeaderElector(
                client: client,
                configuration: LeaderElectionConfiguration(
                    leaseNamespace: election.resourceNamespace ?? "kube-system",
                    leaseName: election.resourceName ?? "kube-scheduler",
                    identity: ProcessInfo.processInfo.hostName + "_" + UUID().uuidString.lowercased(),
                    leaseDuration: Self.duration(election.leaseDuration, default: .seconds(15)),
                    renewDeadline: Self.duration(election.renewDeadline, default: .seconds(10)),
                    retryPeriod: Self.duration(election.retryPeriod, default: .seconds(2))
                ),
                logger: logger
            )
        } else {
            self.leaderElector = nil
        }
        informers.informer(CoreV1.Node.self).addEventHandler(
            ResourceEventHandler(
                onAdd: { node, _ in engine.handleNodeAdd(node) },
                onUpdate: { old, new in engine.handleNodeUpdate(old: old, new: new) },
                onDelete: { deleted in engine.handleNodeDelete(deleted.object) }
            )
        )
        // As upstream's scheduler, pods that have finished are not watched: a pod that turns Succeeded or Failed
        // leaves the selector, arrives as a delete, and its node's resources are free again.
        informers.informer(CoreV1.Pod.self, options: Self.podInformerOptions).addEventHandler(
            ResourceEventHandler(
                onAdd: { pod, _ in engine.handlePodAdd(pod) },
                onUpdate: { old, new in engine.handlePodUpdate(old: old, new: new) },
                onDelete: { deleted in engine.handlePodDelete(deleted.object) }
            )
        )
    }

    /// The options of the scheduler's pod informer: every pod that has not finished. Others in the process share
    /// that informer (and its watch) by asking ``informers`` for pods with these options.
    public static let podInformerOptions = ListOptions(fieldSelector: "status.phase!=Succeeded,status.phase!=Failed")

    /// `true` once the informers have synced.
    public var isReady: Bool { self.informers.hasSynced }

    /// Runs informers and events at once, then (as leader, if leader election is on) the scheduling loop. Throws
    /// `CancellationError` when cancelled; returns when leadership is lost, so that the caller can exit as upstream.
    public func run() async throws {
        do {
            try await self.runComponents()
        } catch is CancellationError where !Task.isCancelled {
            // The scheduling loop ended (leadership lost) and the informers were cancelled with it.
        }
    }

    private func runComponents() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.informers.run() }
            group.addTask { try await self.recorder.run() }
            try await self.informers.waitForCacheSync()
            self.logger.info("Scheduler caches synced")
            if let elector = self.leaderElector {
                try await elector.run { await self.engine.run() }
            } else {
                await self.engine.run()
            }
            group.cancelAll()
        }
    }

    /// Parses `15s`, `1m`, `500ms` durations of the configuration.
    static func duration(_ text: String?, default fallback: Duration) -> Duration {
        guard let text, let last = text.last else { return fallback }
        let number = text.dropLast(text.hasSuffix("ms") ? 2 : 1)
        guard let value = Double(number) else { return fallback }
        switch last {
        case "s" where text.hasSuffix("ms"): return .milliseconds(Int64(value))
        case "s": return .milliseconds(Int64(value * 1000))
        case "m": return .seconds(Int64(value * 60))
        case "h": return .seconds(Int64(value * 3600))
        default: return fallback
        }
    }
}
