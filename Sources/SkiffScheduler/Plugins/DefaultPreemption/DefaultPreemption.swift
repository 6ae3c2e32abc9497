#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import SkiffAPI
import SkiffAPIMachinery
import Synchronization

/// Preempts lower-priority pods so a pod that fits nowhere can run (↔ `defaultpreemption.DefaultPreemption`, the
/// PostFilter plugin, with `preemption.Evaluator`).
///
/// The pod must be eligible (not `preemptionPolicy: Never`, no lower-priority victim of an earlier preemption still
/// terminating on its nominated node). Nodes whose Filter status is `Unschedulable` are dry-run: all lower-priority
/// pods are removed, and if the pod then fits, as many as possible are reprieved, highest priority first and the
/// ones whose eviction would violate a PodDisruptionBudget before the others. The best candidate (fewest PDB
/// violations, lowest highest-victim priority, smallest priority sum, fewest victims, latest start of the
/// highest-priority victims) has its victims deleted through the API (waiting pods are rejected instead), lower-
/// priority pods nominated to the node lose their nomination, and the node is returned for the scheduler to
/// nominate the pod to.
public struct DefaultPreemption: PostFilterPlugin {
    public var name: String { PluginNames.defaultPreemption }

    /// `DefaultPreemptionArgs`.
    public struct Args: Codable, Sendable, Hashable {
        /// The share of nodes (0-100) dry-run at least (default 10).
        public var minCandidateNodesPercentage: Int32?
        /// The number of nodes dry-run at least (default 100).
        public var minCandidateNodesAbsolute: Int32?

        public init(minCandidateNodesPercentage: Int32? = nil, minCandidateNodesAbsolute: Int32? = nil) {
            self.minCandidateNodesPercentage = minCandidateNodesPercentage
            self.minCandidateNodesAbsolute = minCandidateNodesAbsolute
        }
    }

    let minCandidateNodesPercentage: Int
    let minCandidateNodesAbsolute: Int
    /// The framework that owns the plugin (unowned, not weak: a weak reference gives the framework a side table,
    /// which makes every retain and release of it, in every plugin that holds it, take the slow path).
    unowned let handle: any FrameworkHandle
    /// Picks the node offset where the dry runs start (upstream: random); tests pin it.
    let offset: @Sendable (Int) -> Int

    /// Makes the plugin; throws for arguments upstream's validation rejects.
    public init(
        args: Args = Args(),
        handle: any FrameworkHandle,
        offset: @escaping @Sendable (Int) -> Int = { Int.random(in: 0..<max($0, 1)) }
    ) throws {
        let percentage = args.minCandidateNodesPercentage ?? 10
        let absolute = args.minCandidateNodesAbsolute ?? 100
        guard (0...100).contains(percentage) else {
            throw SchedulerError("minCandidateNodesPercentage: Invalid value: \(percentage): not in valid range [0, 100]")
        }
        guard absolute >= 0 else {
            throw SchedulerError("minCandidateNodesAbsolute: Invalid value: \(absolute): not in valid range [0, inf)")
        }
        if percentage == 0 && absolute == 0 {
            throw SchedulerError(
                "minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as minCandidateNodesAbsolute"
            )
        }
        self.minCandidateNodesPercentage = Int(percentage)
        self.minCandidateNodesAbsolute = Int(absolute)
        self.handle = handle
        self.offset = offset
    }

    public static let factory: PluginFactory = { args, handle in
        try DefaultPreemption(args: try decodeArgs(Args.self, args) ?? Args(), handle: handle)
    }

    /// A node where preemption makes the pod fit, and the pods to evict there.
    struct Candidate: Sendable {
        var nodeName: String
        /// Highest priority first.
        var victims: [PodInfo]
        var pdbViolations: Int
    }

    public func postFilter(_ pod: PodInfo, state: CycleState, filteredNodeStatuses: NodeToStatus) async
        -> (PostFilterResult?, PluginStatus)
    {
        let (result, status) = await self.preempt(pod, state: state, statuses: filteredNodeStatuses, handle: self.handle)
        if status.message.isEmpty { return (result, status) }
        var prefixed = status
        prefixed.reasons = ["preemption: " + status.message]
        return (result, prefixed)
    }

    /// ↔ `Evaluator.Preempt`.
    func preempt(_ pod: PodInfo, state: CycleState, statuses: NodeToStatus, handle: any FrameworkHandle) async
        -> (PostFilterResult?, PluginStatus)
    {
        let nominatedNodeName = pod.pod.status?.nominatedNodeName ?? ""
        if let reason = self.ineligibility(pod, nominatedStatus: statuses.status(of: nominatedNodeName), handle: handle) {
            return (nil, .unschedulable(reason))
        }
        let allNodes = handle.snapshot.nodeInfos
        if allNodes.isEmpty { return (nil, .error("no nodes available")) }
        let potential = statuses.nodes(withCode: .unschedulable, among: allNodes)
        var candidates: [Candidate] = []
        var dryRunStatuses = NodeToStatus()
        if potential.isEmpty {
            // Preemption will not help anywhere: drop the pod's stale nomination.
            if !nominatedNodeName.isEmpty {
                try? await handle.client.patchPodStatus(
                    namespace: pod.namespace,
                    name: pod.name,
                    condition: nil,
                    nominatedNodeName: ""
                )
            }
        } else {
            let pdbs = handle.listers.podDisruptionBudgets()
            (candidates, dryRunStatuses) = await self.dryRun(pod, state: state, nodes: potential, pdbs: pdbs, handle: handle)
        }
        if candidates.isEmpty {
            var diagnosis = Diagnosis()
            diagnosis.nodeToStatus = dryRunStatuses
            diagnosis.nodeToStatus.absentNodesStatus = .unschedulableAndUnresolvable(
                "Preemption is not helpful for scheduling"
            )
            let fitError = FitError(pod: pod, numAllNodes: allNodes.count, diagnosis: diagnosis)
            return (PostFilterResult(nominatedNodeName: ""), .unschedulable(fitError.message))
        }
        let best = Self.selectCandidate(candidates, now: handle.clock.now())
        if let failure = await self.prepare(best, for: pod, handle: handle) {
            return (nil, failure)
        }
        return (PostFilterResult(nominatedNodeName: best.nodeName), .success)
    }

    /// Why the pod may not preempt, or `nil` (↔ `PodEligibleToPreemptOthers`).
    func ineligibility(_ pod: PodInfo, nominatedStatus: PluginStatus, handle: any FrameworkHandle) -> String? {
        if pod.pod.spec?.preemptionPolicy == "Never" {
            return "not eligible due to preemptionPolicy=Never."
        }
        let nominated = pod.pod.status?.nominatedNodeName ?? ""
        if nominated.isEmpty { return nil }
        // Filters say the nominated node cannot work any more: preempt again.
        if nominatedStatus.code == .unschedulableAndUnresolvable { return nil }
        if let node = handle.snapshot.get(nominated) {
            for other in node.pods where other.priority < pod.priority && Self.isTerminatingByPreemption(other) {
                return "not eligible due to a terminating pod on the nominated node."
            }
        }
        return nil
    }

    /// A pod being deleted because the scheduler preempted it (↔ `podTerminatingByPreemption`).
    static func isTerminatingByPreemption(_ pod: PodInfo) -> Bool {
        guard pod.pod.metadata.deletionTimestamp != nil else { return false }
        guard let condition = pod.pod.status?.conditions?.first(where: { $0.type == "DisruptionTarget" }) else {
            return false
        }
        return condition.status == "True" && condition.reason == "PreemptionByScheduler"
    }

    /// How many nodes to dry-run (↔ `calculateNumCandidates`).
    func numberOfCandidates(_ nodeCount: Int) -> Int {
        var count = nodeCount * self.minCandidateNodesPercentage / 100
        if count < self.minCandidateNodesAbsolute { count = self.minCandidateNodesAbsolute }
        return min(count, nodeCount)
    }

    private struct DryRunResults: Sendable {
        var nonViolating: [Candidate] = []
        var violating: [Candidate] = []
        var statuses: [String: PluginStatus] = [:]
    }

    /// Selects victims on the nodes, from a start offset, until enough candidates are found (↔
    /// `DryRunPreemption`); non-violating candidates come first.
    func dryRun(
        _ pod: PodInfo,
        state: CycleState,
        nodes: [NodeInfo],
        pdbs: [PolicyV1.PodDisruptionBudget],
        handle: any FrameworkHandle
    ) async -> ([Candidate], NodeToStatus) {
        let wanted = self.numberOfCandidates(nodes.count)
        let offset = self.offset(nodes.count) % max(nodes.count, 1)
        let results = Mutex(DryRunResults())
        let budgets = pdbs.map(Budget.init)
        await handle.parallelizer.until(nodes.count) { index in
            let node = nodes[(offset + index) % nodes.count].clone()
            let (victims, violations, status) = self.selectVictims(
                on: node,
                for: pod,
                state: state.clone(),
                budgets: budgets,
                handle: handle
            )
            return results.withLock { results in
                if status.isSuccess && !victims.isEmpty {
                    let candidate = Candidate(nodeName: node.name, victims: victims, pdbViolations: violations)
                    if violations == 0 {
                        if results.nonViolating.count < wanted { results.nonViolating.append(candidate) }
                    } else if results.violating.count < wanted {
                        results.violating.append(candidate)
                    }
                    let found = results.nonViolating.count + results.violating.count
                    return !(results.nonViolating.count > 0 && found >= wanted)
                }
                results.statuses[node.name] =
                    status.isSuccess ? .error("expected at least one victim pod on node \"\(node.name)\"") : status
                return true
            }
        }
        let final = results.withLock { $0 }
        return (final.nonViolating + final.violating, NodeToStatus(statuses: final.statuses))
    }

    /// A PodDisruptionBudget, parsed once per preemption.
    struct Budget: Sendable {
        var namespace: String
        var selector: Labels.Selector?
        var allowed: Int32
        var disrupted: Set<String>

        init(_ pdb: PolicyV1.PodDisruptionBudget) {
            self.namespace = pdb.metadata.namespace ?? ""
            let selector = try? Labels.Selector(pdb.spec?.selector)
            // A nil or empty selector matches nothing.
            self.selector = (selector?.isEmpty ?? true) || (selector?.isNothing ?? true) ? nil : selector
            self.allowed = pdb.status?.disruptionsAllowed ?? 0
            self.disrupted = Set((pdb.status?.disruptedPods ?? [:]).keys)
        }
    }

    /// Splits `pods` (in order) into those whose eviction would exceed a budget and the others (↔
    /// `filterPodsWithPDBViolation`).
    static func splitByBudgetViolation(_ pods: [PodInfo], budgets: [Budget]) -> (violating: [PodInfo], other: [PodInfo]) {
        var allowed = budgets.map(\.allowed)
        var violating: [PodInfo] = []
        var other: [PodInfo] = []
        for pod in pods {
            var violated = false
            if !pod.labels.isEmpty {
                for (index, budget) in budgets.enumerated() {
                    guard budget.namespace == pod.namespace, let selector = budget.selector,
                        selector.matches(pod.labels), !budget.disrupted.contains(pod.name)
                    else { continue }
                    allowed[index] -= 1
                    if allowed[index] < 0 { violated = true }
                }
            }
            if violated { violating.append(pod) } else { other.append(pod) }
        }
        return (violating, other)
    }

    /// A pod's start time in seconds since the epoch; a pod not started yet counts as starting `now`.
    static func startTime(_ pod: PodInfo, now: Double) -> Double {
        pod.pod.status?.startTime?.date.timeIntervalSince1970 ?? now
    }

    /// `true` when `lhs` is more important: higher priority, then earlier start (↔ `MoreImportantPod`).
    static func moreImportant(_ lhs: PodInfo, _ rhs: PodInfo, now: Double) -> Bool {
        if lhs.priority != rhs.priority { return lhs.priority > rhs.priority }
        return Self.startTime(lhs, now: now) < Self.startTime(rhs, now: now)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The fewest lower-priority pods to evict from `node` (a clone) so the pod fits (↔ `SelectVictimsOnNode`).
    func selectVictims(
        on node: NodeInfo,
        for pod: PodInfo,
        state: CycleState,
        budgets: [Budget],
        handle: any FrameworkHandle
    ) -> (victims: [PodInfo], pdbViolations: Int, status: PluginStatus) {
        func remove(_ victim: PodInfo) -> PluginStatus {
            node.removePod(victim)
            return handle.runPreFilterExtensionRemovePod(pod, removing: victim, from: node, state: state)
        }
        func add(_ victim: PodInfo) -> PluginStatus {
            node.addPod(victim)
            return handle.runPreFilterExtensionAddPod(pod, adding: victim, to: node, state: state)
        }
        var potential: [PodInfo] = []
        for other in node.pods where other.priority < pod.priority {
            potential.append(other)
        }
        for victim in potential {
            let status = remove(victim)
            if !status.isSuccess { return ([], 0, status) }
        }
        if potential.isEmpty {
            return ([], 0, .unschedulableAndUnresolvable("No preemption victims found for incoming pod"))
        }
        let fits = handle.runFilterPluginsWithNominatedPods(pod, state: state, node: node)
        if !fits.isSuccess { return ([], 0, fits) }

        let now = Self.seconds(handle.clock.now())
        potential.sort { Self.moreImportant($0, $1, now: now) }
        let (violating, other) = Self.splitByBudgetViolation(potential, budgets: budgets)
        var victims: [PodInfo] = []
        var violations = 0
        func reprieve(_ candidate: PodInfo) -> (fits: Bool, PluginStatus) {
            let added = add(candidate)
            if !added.isSuccess { return (false, added) }
            let fits = handle.runFilterPluginsWithNominatedPods(pod, state: state, node: node).isSuccess
            if !fits {
                let removed = remove(candidate)
                if !removed.isSuccess { return (false, removed) }
                victims.append(candidate)
            }
            return (fits, .success)
        }
        for candidate in violating {
            let (fits, status) = reprieve(candidate)
            if !status.isSuccess { return ([], 0, status) }
            if !fits { violations += 1 }
        }
        for candidate in other {
            let (_, status) = reprieve(candidate)
            if !status.isSuccess { return ([], 0, status) }
        }
        if !violating.isEmpty && !other.isEmpty {
            victims.sort { Self.moreImportant($0, $1, now: now) }
        }
        return (victims, violations, .success)
    }

    /// The best candidate by upstream's ordering (↔ `pickOneNodeForPreemption`); ties go to the first.
    static func selectCandidate(_ candidates: [Candidate], now: Duration) -> Candidate {
        if candidates.count == 1 { return candidates[0] }
        if let free = candidates.first(where: { $0.victims.isEmpty }) { return free }
        let nowSeconds = Self.seconds(now)
        var remaining = candidates

        func keepMinimum<Key: Comparable>(_ key: (Candidate) -> Key) {
            guard remaining.count > 1, let best = remaining.map(key).min() else { return }
            remaining = remaining.filter { key($0) == best }
        }
        // 1. Fewest PodDisruptionBudget violations.
        keepMinimum { $0.pdbViolations }
        // 2. The lowest priority of the most important victim.
        keepMinimum { $0.victims[0].priority }
        // 3. The smallest sum of priorities (shifted to be non-negative).
        keepMinimum { candidate in
            candidate.victims.reduce(Int64(0)) { $0 + Int64($1.priority) + Int64(Int32.max) + 1 }
        }
        // 4. The fewest victims.
        keepMinimum { $0.victims.count }
        // 5. The latest start among the most important victims (earliest start of those per node).
        keepMinimum { candidate in
            -Self.earliestStartOfHighestPriority(candidate.victims, now: nowSeconds)
        }
        return remaining[0]
    }

    /// The earliest start time among the highest-priority pods of `victims` (↔ `GetEarliestPodStartTime`).
    static func earliestStartOfHighestPriority(_ victims: [PodInfo], now: Double) -> Double {
        guard let top = victims.map(\.priority).max() else { return now }
        var earliest = Double.infinity
        for victim in victims where victim.priority == top {
            earliest = min(earliest, Self.startTime(victim, now: now))
        }
        return earliest
    }

    /// Evicts the victims and clears lower-priority nominations on the node (↔ `prepareCandidate`); the error
    /// status of a failed deletion, or `nil`.
    func prepare(_ candidate: Candidate, for pod: PodInfo, handle: any FrameworkHandle) async -> PluginStatus? {
        let schedulerName = pod.pod.spec?.schedulerName ?? "default-scheduler"
        for victim in candidate.victims {
            if handle.waitingPod(uid: victim.uid) != nil {
                _ = handle.rejectWaitingPod(uid: victim.uid)
            } else {
                let condition = CoreV1.PodCondition(
                    type: "DisruptionTarget",
                    status: "True",
                    reason: "PreemptionByScheduler",
                    message: "\(schedulerName): preempting to accommodate a higher priority pod"
                )
                let existing = victim.pod.status?.conditions?.first { $0.type == "DisruptionTarget" }
                do {
                    if existing?.status != condition.status || existing?.reason != condition.reason
                        || existing?.message != condition.message
                    {
                        try await handle.client.patchPodStatus(
                            namespace: victim.namespace,
                            name: victim.name,
                            condition: condition,
                            nominatedNodeName: nil
                        )
                    }
                    try await handle.client.deletePod(namespace: victim.namespace, name: victim.name, uid: victim.uid)
                } catch {
                    return .error(error)
                }
            }
            await handle.client.recordEvent(
                SchedulerEvent(
                    pod: victim,
                    type: "Normal",
                    reason: "Preempted",
                    action: "Preempting",
                    note: "Preempted by pod \(pod.uid) on node \(candidate.nodeName)",
                    related: candidate.nodeName
                )
            )
        }
        // Lower-priority pods nominated here may not fit any more: let them look elsewhere.
        let nominated = handle.nominator?.nominatedPods(forNode: candidate.nodeName) ?? []
        for other in nominated where other.priority < pod.priority && other.uid != pod.uid {
            try? await handle.client.patchPodStatus(
                namespace: other.namespace,
                name: other.name,
                condition: nil,
                nominatedNodeName: ""
            )
        }
        return nil
    }
}
