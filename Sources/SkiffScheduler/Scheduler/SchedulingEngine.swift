#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
public import Logging
public import SkiffAPI
import SkiffAPIMachinery
import Synchronization

/// The scheduler without its API plumbing (↔ the `Scheduler` struct of `pkg/scheduler` and `schedule_one.go`):
/// profiles, cache, queue and the scheduling and binding cycles, fed by the `handle…` event functions.
///
/// ``Scheduler`` connects one to informers and the API client; the algorithm-only benchmark and unit tests feed
/// it directly with an ``InMemorySchedulerClient``.
public final class SchedulingEngine: Sendable {
    /// The defaulted configuration.
    public let configuration: KubeSchedulerConfiguration
    /// One framework per profile, by scheduler name.
    public let frameworks: [String: Framework]
    /// Nodes and the pods on them.
    public let cache: SchedulerCache
    /// Pods waiting to be scheduled.
    public let queue: SchedulingQueue
    /// The snapshot each cycle reads.
    public let snapshot: Snapshot
    let algorithm: SchedulingAlgorithm
    let client: any SchedulerAPIClient
    let clock: SchedulerClock
    let logger: Logger
    let metrics: SchedulerMetrics
    /// Unscheduled pods deleted while their attempt was in flight: their failure is not requeued.
    private let deletedInFlight = Mutex<Set<String>>([])

    /// What one call of ``scheduleOne()`` did.
    public enum Outcome: Sendable {
        /// The queue is closed (or the task cancelled).
        case closed
        /// The attempt ended in the scheduling cycle (failure, or nothing to do).
        case done
        /// The pod was assumed; run this binding cycle (concurrently with later scheduling cycles).
        case binding(@Sendable () async -> Void)
    }

    /// Builds the profiles, cache and queue of `configuration` (defaulted here).
    public init(
        configuration: KubeSchedulerConfiguration = KubeSchedulerConfiguration(),
        client: any SchedulerAPIClient,
        listers: any ClusterListers = EmptyClusterListers(),
        registry: Registry = .inTree,
        clock: SchedulerClock = .system,
        parallelism: Int? = nil,
        logger: Logger
    ) throws {
        try configuration.validate()
        let configuration = configuration.defaulted()
        self.configuration = configuration
        self.client = client
        self.clock = clock
        self.logger = logger
        let snapshot = Snapshot()
        self.snapshot = snapshot
        self.cache = SchedulerCache(clock: clock)
        self.algorithm = SchedulingAlgorithm(percentageOfNodesToScore: configuration.percentageOfNodesToScore ?? 0)
        let cores = SchedulingEngine.activeProcessorCount
        let parallelizer = Parallelizer(parallelism: parallelism ?? min(Int(configuration.parallelism ?? 16), cores))
        let dependencies = FrameworkDependencies(
            snapshot: snapshot,
            client: client,
            listers: listers,
            parallelizer: parallelizer,
            clock: clock,
            logger: logger
        )
        var frameworks: [String: Framework] = [:]
        for profile in configuration.profiles ?? [] {
            let framework = try Framework(profile: profile, registry: registry, dependencies: dependencies)
            frameworks[framework.profileName] = framework
        }
        self.frameworks = frameworks
        guard let first = configuration.profiles?.first.flatMap({ frameworks[$0.schedulerName ?? defaultSchedulerName] })
        else {
            throw SchedulerError("at least one profile is required")
        }
        let less: @Sendable (QueuedPodInfo, QueuedPodInfo) -> Bool = { first.less($0, $1) }
        self.queue = SchedulingQueue(
            less: less,
            profiles: frameworks.mapValues { SchedulingQueue.Profile($0) },
            clock: clock,
            initialBackoff: .seconds(configuration.podInitialBackoffSeconds ?? 1),
            maxBackoff: .seconds(configuration.podMaxBackoffSeconds ?? 10)
        )
        self.metrics = SchedulerMetrics(profiles: Array(frameworks.keys))
        for framework in frameworks.values {
            let queue = self.queue
            framework.attach(FrameworkQueueHooks(nominator: queue, activate: { queue.activate($0) }))
        }
    }

    static var activeProcessorCount: Int {
        #if canImport(Glibc) || canImport(Darwin)
            return max(1, ProcessInfo.processInfo.activeProcessorCount)
        #else
            return 2
        #endif
    }

    /// `true` when a profile schedules `pod` (↔ `responsibleForPod`).
    public func isResponsible(for pod: CoreV1.Pod) -> Bool {
        self.frameworks[pod.spec?.schedulerName ?? defaultSchedulerName] != nil
    }

    static func isAssigned(_ pod: CoreV1.Pod) -> Bool { !(pod.spec?.nodeName ?? "").isEmpty }

    static func isTerminal(_ pod: CoreV1.Pod) -> Bool {
        let phase = pod.status?.phase
        return phase == "Succeeded" || phase == "Failed"
    }

    // MARK: - Events (↔ eventhandlers.go)

    /// A pod appeared: bound ones go to the cache, unbound ones of our profiles to the queue.
    public func handlePodAdd(_ pod: CoreV1.Pod) {
        if Self.isTerminal(pod) { return }
        if Self.isAssigned(pod) {
            let info = PodInfo(pod)
            self.cache.addPod(info)
            self.queue.moveAllToActiveOrBackoffQueue(.assignedPodAdd, new: .pod(info))
        } else if self.isResponsible(for: pod) {
            self.queue.add(PodInfo(pod))
        }
    }

    /// A pod changed.
    public func handlePodUpdate(old: CoreV1.Pod, new: CoreV1.Pod) {
        let wasAssigned = Self.isAssigned(old)
        if Self.isTerminal(new) {
            if !Self.isTerminal(old) { self.handlePodDelete(old) }
            return
        }
        if wasAssigned {
            let oldInfo = PodInfo(old)
            let newInfo = PodInfo(new)
            self.cache.updatePod(old: oldInfo, new: newInfo)
            var actions: ActionType = []
            if oldInfo.labels != newInfo.labels { actions.insert(.updatePodLabel) }
            if oldInfo.requests != newInfo.requests { actions.insert(.updatePodScaleDown) }
            if !actions.isEmpty {
                self.queue.moveAllToActiveOrBackoffQueue(
                    ClusterEvent(resource: .assignedPod, actionType: actions, label: "AssignedPodUpdate"),
                    old: .pod(oldInfo),
                    new: .pod(newInfo)
                )
            }
        } else if Self.isAssigned(new) {
            // Bound (by us or anyone): it leaves the queue and counts in the cache.
            let info = PodInfo(new)
            if self.isResponsible(for: old) { self.queue.delete(info) }
            self.cache.addPod(info)
            self.queue.moveAllToActiveOrBackoffQueue(.assignedPodAdd, new: .pod(info))
        } else if self.isResponsible(for: new) {
            let newInfo = PodInfo(new)
            if self.cache.isAssumedPod(newInfo) { return }
            self.queue.update(old: PodInfo(old), new: newInfo)
        } else if self.isResponsible(for: old) {
            self.queue.delete(PodInfo(old))
        }
    }

    /// A pod is gone.
    public func handlePodDelete(_ pod: CoreV1.Pod) {
        let info = PodInfo(pod)
        if Self.isAssigned(pod) {
            self.cache.removePod(info)
            self.queue.moveAllToActiveOrBackoffQueue(.assignedPodDelete, old: .pod(info))
            return
        }
        if self.queue.location(of: info) == .inFlight {
            self.deletedInFlight.withLock { _ = $0.insert(info.uid) }
        }
        self.queue.delete(info)
        for framework in self.frameworks.values {
            _ = framework.rejectWaitingPod(uid: info.uid)
        }
        // A pod still assumed (its binding in flight) stops counting when the binding fails or the delete of the
        // bound pod arrives.
    }

    /// A node appeared.
    public func handleNodeAdd(_ node: CoreV1.Node) {
        self.cache.addNode(node)
        self.queue.moveAllToActiveOrBackoffQueue(.nodeAdd, new: .node(node))
    }

    /// A node changed; pods wait only for the changes that matter to them.
    public func handleNodeUpdate(old: CoreV1.Node, new: CoreV1.Node) {
        self.cache.updateNode(old: old, new: new)
        let actions = Self.nodeUpdateActions(old: old, new: new)
        if !actions.isEmpty {
            self.queue.moveAllToActiveOrBackoffQueue(
                ClusterEvent(resource: .node, actionType: actions, label: "NodeUpdate"),
                old: .node(old),
                new: .node(new)
            )
        }
    }

    /// A node is gone.
    public func handleNodeDelete(_ node: CoreV1.Node) {
        self.cache.removeNode(node)
    }

    /// What changed between two versions of a node (↔ `nodeSchedulingPropertiesChange`).
    static func nodeUpdateActions(old: CoreV1.Node, new: CoreV1.Node) -> ActionType {
        var actions: ActionType = []
        if old.spec?.unschedulable != new.spec?.unschedulable || old.spec?.taints != new.spec?.taints {
            actions.insert(.updateNodeTaint)
        }
        if old.status?.allocatable != new.status?.allocatable { actions.insert(.updateNodeAllocatable) }
        if old.metadata.labels != new.metadata.labels { actions.insert(.updateNodeLabel) }
        if old.metadata.annotations != new.metadata.annotations { actions.insert(.updateNodeAnnotation) }
        func conditions(_ node: CoreV1.Node) -> [String: String] {
            Dictionary(
                (node.status?.conditions ?? []).map { ($0.type, $0.status) },
                uniquingKeysWith: { _, last in last }
            )
        }
        if conditions(old) != conditions(new) { actions.insert(.updateNodeCondition) }
        return actions
    }

    // MARK: - Scheduling cycle (↔ schedule_one.go)

    /// Pops one pod and runs its scheduling cycle; the binding cycle, if any, is returned to run concurrently.
    public func scheduleOne() async -> Outcome {
        guard let queued = await self.queue.pop() else { return .closed }
        return await self.schedule(queued)
    }

    /// Runs the scheduling cycle of a popped pod.
    func schedule(_ queued: QueuedPodInfo) async -> Outcome {
        let pod = queued.podInfo
        guard let framework = self.frameworks[pod.pod.spec?.schedulerName ?? defaultSchedulerName] else {
            self.queue.done(pod)
            return .done
        }
        // A pod being deleted, or assumed by an earlier cycle, is not scheduled (↔ `skipPodSchedule`).
        if pod.pod.metadata.deletionTimestamp != nil || self.cache.isAssumedPod(pod) {
            self.queue.done(pod)
            return .done
        }
        let start = self.clock.now()
        let state = CycleState()
        self.cache.updateSnapshot(self.snapshot)
        let result = await self.algorithm.schedule(pod, framework: framework, state: state, snapshot: self.snapshot)
        let host: String
        switch result {
        case .failure(.noNodes):
            return self.failure(
                framework,
                queued,
                status: PluginStatus(.unschedulableAndUnresolvable, reasons: [noNodesAvailableMessage]),
                message: noNodesAvailableMessage,
                nominatedNodeName: "",
                start: start
            )
        case .failure(.error(let status)):
            self.logger.debug(
                "Error selecting node for pod",
                metadata: ["k8s.pod": "\(pod.key)", "error": "\(status.message)"]
            )
            return self.failure(framework, queued, status: status, message: status.message, nominatedNodeName: "", start: start)
        case .failure(.fit(var fitError)):
            var nominated: String?
            if !framework.postFilterPlugins.isEmpty {
                let (postResult, status) = await framework.runPostFilterPlugins(
                    pod,
                    state: state,
                    statuses: fitError.diagnosis.nodeToStatus
                )
                fitError.diagnosis.postFilterMessage = status.message
                if status.isError {
                    self.logger.debug(
                        "Status after running PostFilter plugins for pod",
                        metadata: ["k8s.pod": "\(pod.key)", "status": "\(status)"]
                    )
                }
                nominated = postResult?.nominatedNodeName
            }
            var failed = queued
            failed.unschedulablePlugins = fitError.diagnosis.unschedulablePlugins
            failed.pendingPlugins = fitError.diagnosis.pendingPlugins
            return self.failure(
                framework,
                failed,
                status: PluginStatus(.unschedulable, reasons: [fitError.message]),
                message: fitError.message,
                nominatedNodeName: nominated,
                start: start
            )
        case .success(let scheduled):
            host = scheduled.suggestedHost
        }

        // Assume, reserve, permit (↔ `schedulingCycle` after `SchedulePod`).
        let assumed = pod.assumed(on: host)
        do {
            try self.cache.assumePod(assumed)
        } catch {
            let status = PluginStatus.error(error)
            return self.failure(framework, queued, status: status, message: status.message, nominatedNodeName: "", start: start)
        }
        let reserve = framework.runReservePluginsReserve(assumed, state: state, nodeName: host)
        if !reserve.isSuccess {
            framework.runReservePluginsUnreserve(assumed, state: state, nodeName: host)
            self.cache.forgetPod(assumed)
            var failed = queued
            if reserve.isRejected, let plugin = reserve.plugin { failed.unschedulablePlugins = [plugin] }
            return self.failure(framework, failed, status: reserve, message: reserve.message, nominatedNodeName: "", start: start)
        }
        let permit = framework.runPermitPlugins(assumed, state: state, nodeName: host)
        if !permit.isSuccess && !permit.isWait {
            framework.runReservePluginsUnreserve(assumed, state: state, nodeName: host)
            self.cache.forgetPod(assumed)
            var failed = queued
            if permit.isRejected, let plugin = permit.plugin { failed.unschedulablePlugins = [plugin] }
            return self.failure(framework, failed, status: permit, message: permit.message, nominatedNodeName: "", start: start)
        }
        // The pod no longer waits as a nominated pod: it is assumed where it goes.
        if pod.pod.status?.nominatedNodeName != nil || self.queue.hasNominatedPods {
            self.queue.deleteNomination(pod)
        }
        state.dropSchedulingCycleData()
        return .binding { [self] in
            await self.bindingCycle(framework, queued, assumed: assumed, host: host, state: state, start: start)
        }
    }

    /// Permit wait, PreBind, Bind, PostBind (↔ `bindingCycle`).
    func bindingCycle(
        _ framework: Framework,
        _ queued: QueuedPodInfo,
        assumed: PodInfo,
        host: String,
        state: CycleState,
        start: Duration
    ) async {
        var status = await framework.waitOnPermit(assumed)
        if status.isSuccess {
            status = await framework.runPreBindPlugins(assumed, state: state, nodeName: host)
        }
        if status.isSuccess {
            status = await framework.runBindPlugins(assumed, state: state, nodeName: host)
            if status.isSkip {
                status = PluginStatus(.error, reasons: ["no bind plugin bound the pod"])
            }
        }
        if !status.isSuccess {
            framework.runReservePluginsUnreserve(assumed, state: state, nodeName: host)
            self.cache.forgetPod(assumed)
            var failed = queued
            if status.isRejected, let plugin = status.plugin { failed.unschedulablePlugins = [plugin] }
            let outcome = self.failure(
                framework,
                failed,
                status: status,
                message: status.message,
                nominatedNodeName: "",
                start: start
            )
            if case .binding(let work) = outcome { await work() }
            // The room the pod held is free again.
            self.queue.moveAllToActiveOrBackoffQueue(.assignedPodDelete, old: .pod(assumed)) {
                $0.uid != assumed.uid
            }
            return
        }
        self.cache.finishBinding(assumed)
        self.queue.done(assumed)
        let now = self.clock.now()
        self.metrics.attempt(.scheduled, profile: framework.profileName, duration: now - start)
        if let first = queued.initialAttemptTimestamp {
            self.metrics.podScheduled(profile: framework.profileName, sinceFirstAttempt: now - first)
        }
        await self.client.recordEvent(
            SchedulerEvent(
                pod: assumed,
                type: "Normal",
                reason: "Scheduled",
                action: "Binding",
                note: "Successfully assigned \(assumed.namespace)/\(assumed.name) to \(host)"
            )
        )
        await framework.runPostBindPlugins(assumed, state: state, nodeName: host)
    }

    /// Requeues a failed pod and reports the failure (↔ `handleSchedulingFailure`); the API calls (event,
    /// condition, nomination) are returned as work to run off the scheduling loop.
    func failure(
        _ framework: Framework,
        _ queued: QueuedPodInfo,
        status: PluginStatus,
        message: String,
        nominatedNodeName: String?,
        start: Duration
    ) -> Outcome {
        let pod = queued.podInfo
        let rejected = status.isRejected
        let reason = rejected ? "Unschedulable" : "SchedulerError"
        self.metrics.attempt(
            rejected ? .unschedulable : .error,
            profile: framework.profileName,
            duration: self.clock.now() - start
        )
        let deleted = self.deletedInFlight.withLock { $0.remove(pod.uid) != nil }
        if deleted {
            self.queue.done(pod)
            return .done
        }
        var failed = queued
        if !rejected { failed.consecutiveErrors += 1 }
        self.queue.addUnschedulableIfNotPresent(failed)
        if let nominatedNodeName {
            self.queue.nominate(pod, to: nominatedNodeName)
        }
        let truncated = Self.truncate(message)
        let condition = CoreV1.PodCondition(
            type: "PodScheduled",
            status: "False",
            lastProbeTime: nil,
            lastTransitionTime: Time(Date(timeIntervalSince1970: Self.seconds(self.clock.now()))),
            reason: reason,
            message: truncated
        )
        let existing = pod.pod.status?.conditions?.first { $0.type == "PodScheduled" }
        let conditionChanged =
            existing?.status != condition.status || existing?.reason != condition.reason
            || existing?.message != condition.message
        let currentNomination = pod.pod.status?.nominatedNodeName ?? ""
        let nominationChanged = nominatedNodeName.map { $0 != currentNomination } ?? false
        let client = self.client
        return .binding {
            await client.recordEvent(
                SchedulerEvent(pod: pod, type: "Warning", reason: "FailedScheduling", action: "Scheduling", note: truncated)
            )
            guard conditionChanged || nominationChanged else { return }
            do {
                try await client.patchPodStatus(
                    namespace: pod.namespace,
                    name: pod.name,
                    condition: conditionChanged ? condition : nil,
                    nominatedNodeName: nominationChanged ? nominatedNodeName : nil
                )
            } catch {
                // The pod may be gone; the next attempt reports again.
            }
        }
    }

    /// Messages longer than upstream's limit are cut (↔ `truncateMessage`, 32 KiB).
    static func truncate(_ message: String) -> String {
        let limit = 32 * 1024
        guard message.utf8.count > limit else { return message }
        let suffix = " ..."
        var cut = String(decoding: message.utf8.prefix(limit - suffix.utf8.count), as: UTF8.self)
        while cut.utf8.count > limit - suffix.utf8.count { cut.removeLast() }
        return cut + suffix
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    // MARK: - Running

    /// Schedules pods until cancelled: the scheduling loop, binding cycles as child tasks, the queue's flushes
    /// and the cache's expiry of assumed pods.
    ///
    /// `@concurrent`: the loop always runs on the global executor, never on its caller's actor (a caller on the
    /// main actor would otherwise serialize every cycle behind the main queue).
    @concurrent
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.queue.run() }
            group.addTask {
                while !Task.isCancelled {
                    do { try await self.clock.sleep(.seconds(1)) } catch { return }
                    self.cache.cleanupExpiredAssumedPods()
                }
            }
            // Finished work is collected only when the limit is reached, so at most that many children wait.
            var inFlight = 0
            loop: while !Task.isCancelled {
                switch await self.scheduleOne() {
                case .closed: break loop
                case .done: continue
                case .binding(let work):
                    while inFlight >= Self.maximumInFlightWork, await group.next() != nil {
                        inFlight -= 1
                    }
                    group.addTask { await work() }
                    inFlight += 1
                }
            }
            self.queue.close()
            group.cancelAll()
        }
    }

    /// The most binding cycles and failure reports (their API calls) ``run()`` keeps in flight; past it the
    /// scheduling loop waits for one to finish. Unbounded, a burst of unschedulable pods left one child task per
    /// pod waiting on the API server, and each finished child cost the runtime a walk of the group's children:
    /// quadratic in the backlog (10,000 pending pods in `skiff server` starved the API server).
    static var maximumInFlightWork: Int { 256 }

    /// Runs `scheduleOne()` and its binding cycle to completion while activeQ has pods (tests).
    public func scheduleAllPending() async {
        while let queued = self.queue.tryPop() {
            if case .binding(let work) = await self.schedule(queued) {
                await work()
            }
        }
    }
}

extension SchedulerClock {
    /// The wall clock.
    public static let system = SchedulerClock(
        now: {
            let seconds = Date().timeIntervalSince1970
            return .nanoseconds(Int64(seconds * 1e9))
        },
        sleep: { duration in try await Task.sleep(for: duration) }
    )
}
