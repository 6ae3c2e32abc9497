import SkiffAPI
import SkiffAPIMachinery

import Synchronization

/// The scheduling queue (↔ `internal/queue.PriorityQueue`): activeQ ordered by QueueSort, backoffQ ordered by
/// back-off expiry, and the unschedulable pods, moved back only by the cluster events their rejecting plugins
/// registered (QueueingHints), or after ``maxInUnschedulablePods`` (5 minutes) by the periodic flush.
///
/// Time comes from a ``SchedulerClock``; ``flushBackoffQCompleted()`` (every second) and
/// ``flushUnschedulablePodsLeftover()`` (every 30 seconds) run from ``run()`` or directly in tests.
public final class SchedulingQueue: PodNominator, Sendable {
    /// Where a pod is.
    public enum Location: Sendable, Hashable {
        case active
        case backoff
        case unschedulable
        case inFlight
    }

    /// Per-profile hooks: PreEnqueue and the registered events of each plugin.
    public struct Profile: Sendable {
        public var preEnqueue: @Sendable (PodInfo) -> PluginStatus
        public var hints: [String: [ClusterEventWithHint]]

        public init(
            preEnqueue: @escaping @Sendable (PodInfo) -> PluginStatus,
            hints: [String: [ClusterEventWithHint]]
        ) {
            self.preEnqueue = preEnqueue
            self.hints = hints
        }

        /// The hooks of a framework.
        public init(_ framework: Framework) {
            self.preEnqueue = { framework.runPreEnqueuePlugins($0) }
            var hints: [String: [ClusterEventWithHint]] = [:]
            for plugin in framework.enqueueExtensions {
                hints[plugin.name] = plugin.eventsToRegister()
            }
            self.hints = hints
        }
    }

    struct InFlightEvent {
        var sequence: Int
        var event: ClusterEvent
        var old: ClusterEventObject?
        var new: ClusterEventObject?
    }

    struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<QueuedPodInfo?, Never>
    }

    struct State {
        var active: KeyedHeap<QueuedPodInfo>
        var backoff: KeyedHeap<QueuedPodInfo>
        var unschedulable: [String: QueuedPodInfo] = [:]
        /// Popped pods by key, with the event sequence number at their pop.
        var inFlight: [String: Int] = [:]
        var inFlightEvents: [InFlightEvent] = []
        var eventSequence = 0
        var nominatedPods: [String: [PodInfo]] = [:]
        var nominatedNodeOfPod: [String: String] = [:]
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        var closed = false
        var schedulingCycle: Int64 = 0
    }

    private let state: Mutex<State>
    private let profiles: [String: Profile]
    let clock: SchedulerClock
    /// The first back-off (upstream 1 s).
    public let initialBackoff: Duration
    /// The longest back-off (upstream 10 s).
    public let maxBackoff: Duration
    /// How long a pod may stay unschedulable without an event before the flush retries it (upstream 5 min).
    public let maxInUnschedulablePods: Duration

    /// Makes a queue ordered by `less`, with one ``Profile`` per scheduler name.
    public init(
        less: @escaping @Sendable (QueuedPodInfo, QueuedPodInfo) -> Bool,
        profiles: [String: Profile],
        clock: SchedulerClock,
        initialBackoff: Duration = .seconds(1),
        maxBackoff: Duration = .seconds(10),
        maxInUnschedulablePods: Duration = .seconds(300)
    ) {
        self.profiles = profiles
        self.clock = clock
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxInUnschedulablePods = maxInUnschedulablePods
        let initial = initialBackoff
        let maximum = maxBackoff
        self.state = Mutex(
            State(
                active: KeyedHeap(key: { Self.key($0.podInfo) }, less: less),
                backoff: KeyedHeap(
                    key: { Self.key($0.podInfo) },
                    less: {
                        Self.backoffExpiry($0, initial: initial, maximum: maximum)
                            < Self.backoffExpiry($1, initial: initial, maximum: maximum)
                    }
                )
            )
        )
    }

    static func key(_ pod: PodInfo) -> String { pod.uid.isEmpty ? pod.key : pod.uid }

    // MARK: - Back-off

    /// The back-off after `attempts` attempts: initial × 2^(attempts−1), capped (↔ `calculateBackoffDuration`).
    static func backoffDuration(attempts: Int, initial: Duration, maximum: Duration) -> Duration {
        if attempts == 0 { return .zero }
        var duration = initial
        for _ in 1..<max(attempts, 1) {
            if duration > maximum - duration { return maximum }
            duration += duration
        }
        return duration
    }

    static func backoffExpiry(_ pod: QueuedPodInfo, initial: Duration, maximum: Duration) -> Duration {
        pod.timestamp + Self.backoffDuration(attempts: pod.attempts, initial: initial, maximum: maximum)
    }

    func isBackingOff(_ pod: QueuedPodInfo, now: Duration) -> Bool {
        Self.backoffExpiry(pod, initial: self.initialBackoff, maximum: self.maxBackoff) > now
    }

    // MARK: - Adding and updating

    /// A new unscheduled pod (↔ `Add`).
    public func add(_ pod: PodInfo) {
        let now = self.clock.now()
        var queued = QueuedPodInfo(podInfo: pod, timestamp: now)
        queued.initialAttemptTimestamp = now
        let ready = self.runPreEnqueue(&queued)
        self.withStateSignalling { state in
            let key = Self.key(pod)
            if state.active.contains(key) || state.backoff.contains(key) || state.unschedulable[key] != nil {
                Self.replace(pod, in: &state, key: key)
                return
            }
            if ready {
                state.active.push(queued)
            } else {
                state.unschedulable[key] = queued
            }
            Self.updateNomination(of: pod, in: &state)
        }
    }

    /// Runs PreEnqueue; `false` (and the gating plugin recorded) when the pod must wait.
    private func runPreEnqueue(_ queued: inout QueuedPodInfo) -> Bool {
        guard let profile = self.profiles[queued.podInfo.pod.spec?.schedulerName ?? defaultSchedulerName] else {
            queued.gatingPlugin = nil
            return true
        }
        let status = profile.preEnqueue(queued.podInfo)
        if status.isSuccess {
            queued.gatingPlugin = nil
            return true
        }
        queued.gatingPlugin = status.plugin ?? "PreEnqueue"
        return false
    }

    private static func replace(_ pod: PodInfo, in state: inout State, key: String) {
        if var queued = state.active.get(key) {
            queued.podInfo = pod
            state.active.push(queued)
        } else if var queued = state.backoff.get(key) {
            queued.podInfo = pod
            state.backoff.push(queued)
        } else if var queued = state.unschedulable[key] {
            queued.podInfo = pod
            state.unschedulable[key] = queued
        }
    }

    /// An unscheduled pod changed (↔ `Update`): updated in place, or moved out of the unschedulable pods when the
    /// change may make it schedulable (gates removed, spec or labels changed).
    public func update(old: PodInfo?, new: PodInfo) {
        let key = Self.key(new)
        let now = self.clock.now()
        let existing = self.state.withLock { state -> QueuedPodInfo? in
            state.unschedulable[key]
        }
        var event: ClusterEvent?
        if let old {
            event = Self.updateEvent(old: old, new: new)
        }
        var moved: QueuedPodInfo?
        if var queued = existing {
            queued.podInfo = new
            if queued.isGated {
                if self.runPreEnqueue(&queued) { moved = queued }
            } else if event != nil {
                moved = queued
            }
            if moved == nil {
                self.state.withLock { $0.unschedulable[key] = queued }
            }
        }
        self.withStateSignalling { state in
            if let event, let old, !state.inFlight.isEmpty {
                Self.recordInFlightEvent(&state, event: event, old: .pod(old), new: .pod(new))
            }
            if var queued = moved, state.unschedulable.removeValue(forKey: key) != nil {
                if self.isBackingOff(queued, now: now) {
                    state.backoff.push(queued)
                } else {
                    queued.gatingPlugin = nil
                    state.active.push(queued)
                }
            } else if existing == nil {
                if state.active.contains(key) || state.backoff.contains(key) {
                    Self.replace(new, in: &state, key: key)
                } else if state.inFlight[key] == nil && state.unschedulable[key] == nil {
                    var queued = QueuedPodInfo(podInfo: new, timestamp: now)
                    queued.initialAttemptTimestamp = now
                    if self.runPreEnqueue(&queued) {
                        state.active.push(queued)
                    } else {
                        state.unschedulable[key] = queued
                    }
                }
            }
            Self.updateNomination(of: new, in: &state)
        }
    }

    /// The event a pod update is, or `nil` when nothing the scheduler looks at changed.
    static func updateEvent(old: PodInfo, new: PodInfo) -> ClusterEvent? {
        var actions: ActionType = []
        if old.labels != new.labels { actions.insert(.updatePodLabel) }
        if old.pod.spec?.tolerations != new.pod.spec?.tolerations { actions.insert(.updatePodTolerations) }
        if !(old.pod.spec?.schedulingGates ?? []).isEmpty && (new.pod.spec?.schedulingGates ?? []).isEmpty {
            actions.insert(.updatePodSchedulingGatesEliminated)
        }
        if old.requests != new.requests { actions.insert(.updatePodScaleDown) }
        if actions.isEmpty && old.pod.spec != new.pod.spec { actions.insert(.updateOther) }
        if actions.isEmpty { return nil }
        return ClusterEvent(resource: .unscheduledPod, actionType: actions, label: "UnscheduledPodUpdate")
    }

    /// The pod is gone (↔ `Delete`).
    public func delete(_ pod: PodInfo) {
        let key = Self.key(pod)
        self.state.withLock { state in
            state.active.remove(key)
            state.backoff.remove(key)
            state.unschedulable[key] = nil
            Self.removeNomination(key: key, in: &state)
        }
    }

    // MARK: - Popping

    /// Waits for the next pod of activeQ; `nil` once the queue is closed or the task cancelled (↔ `Pop`).
    public func pop() async -> QueuedPodInfo? {
        // Fast path: a pod is ready (or the queue closed), no continuation needed.
        let attempt = self.state.withLock { state -> (ready: QueuedPodInfo??, waiterID: Int) in
            if state.closed || Task.isCancelled { return (.some(nil), 0) }
            if let popped = Self.popLocked(&state) { return (.some(popped), 0) }
            state.nextWaiterID += 1
            return (nil, state.nextWaiterID)
        }
        if let ready = attempt.ready { return ready }
        return await self.waitForPod(id: attempt.waiterID)
    }

    /// Parks the caller until a pod reaches activeQ.
    private func waitForPod(id: Int) async -> QueuedPodInfo? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<QueuedPodInfo?, Never>) in
                self.state.withLock { state in
                    if state.closed || Task.isCancelled {
                        continuation.resume(returning: nil)
                    } else if let popped = Self.popLocked(&state) {
                        continuation.resume(returning: popped)
                    } else {
                        state.waiters.append(Waiter(id: id, continuation: continuation))
                    }
                }
            }
        } onCancel: {
            let waiter = self.state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: nil)
        }
    }

    /// Pops without waiting; `nil` when activeQ is empty.
    public func tryPop() -> QueuedPodInfo? {
        self.state.withLock { Self.popLocked(&$0) }
    }

    private static func popLocked(_ state: inout State) -> QueuedPodInfo? {
        guard var queued = state.active.pop() else { return nil }
        queued.attempts += 1
        state.schedulingCycle += 1
        state.inFlight[Self.key(queued.podInfo)] = state.eventSequence
        return queued
    }

    /// Runs `body` on the state, then hands activeQ pods to waiting ``pop()`` calls.
    private func withStateSignalling<R>(_ body: (inout State) -> R) -> R {
        var resumptions: [(CheckedContinuation<QueuedPodInfo?, Never>, QueuedPodInfo)] = []
        let result = self.state.withLock { state -> R in
            let result = body(&state)
            while !state.waiters.isEmpty, !state.active.isEmpty, let popped = Self.popLocked(&state) {
                resumptions.append((state.waiters.removeFirst().continuation, popped))
            }
            return result
        }
        for (continuation, pod) in resumptions { continuation.resume(returning: pod) }
        return result
    }

    /// The pod's scheduling attempt is over (↔ `Done`).
    public func done(_ pod: PodInfo) {
        let key = Self.key(pod)
        self.state.withLock { state in
            guard state.inFlight.removeValue(forKey: key) != nil else { return }
            Self.pruneInFlightEvents(&state)
        }
    }

    private static func pruneInFlightEvents(_ state: inout State) {
        guard let oldest = state.inFlight.values.min() else {
            state.inFlightEvents.removeAll()
            return
        }
        if let first = state.inFlightEvents.first, first.sequence <= oldest {
            state.inFlightEvents.removeAll { $0.sequence <= oldest }
        }
    }

    private static func recordInFlightEvent(
        _ state: inout State,
        event: ClusterEvent,
        old: ClusterEventObject?,
        new: ClusterEventObject?
    ) {
        state.eventSequence += 1
        state.inFlightEvents.append(InFlightEvent(sequence: state.eventSequence, event: event, old: old, new: new))
    }

    // MARK: - Failures

    /// Puts back a pod whose attempt failed (↔ `AddUnschedulableIfNotPresent`): to backoffQ after an error, or
    /// when an event received during the attempt may have helped; otherwise among the unschedulable pods.
    public func addUnschedulableIfNotPresent(_ pod: QueuedPodInfo) {
        var queued = pod
        let key = Self.key(queued.podInfo)
        let now = self.clock.now()
        queued.timestamp = now
        self.withStateSignalling { state in
            let poppedAt = state.inFlight.removeValue(forKey: key)
            defer { Self.pruneInFlightEvents(&state) }
            if state.active.contains(key) || state.backoff.contains(key) || state.unschedulable[key] != nil {
                return
            }
            let rejected = !queued.unschedulablePlugins.isEmpty || !queued.pendingPlugins.isEmpty
            if !rejected {
                // An error: retry after the back-off.
                state.backoff.push(queued)
                return
            }
            if let poppedAt {
                for event in state.inFlightEvents where event.sequence > poppedAt {
                    if self.hint(for: queued, event: event.event, old: event.old, new: event.new) == .queue {
                        if self.isBackingOff(queued, now: now) {
                            state.backoff.push(queued)
                        } else {
                            state.active.push(queued)
                        }
                        return
                    }
                }
            }
            state.unschedulable[key] = queued
        }
    }

    /// Whether `event` may make `pod` schedulable (↔ `isPodWorthRequeuing`).
    func hint(for pod: QueuedPodInfo, event: ClusterEvent, old: ClusterEventObject?, new: ClusterEventObject?)
        -> QueueingHint
    {
        if event.label == ClusterEvent.unschedulableTimeout.label || event.label == ClusterEvent.forceActivate.label
            || event.label == ClusterEvent.wildcard.label
        {
            return .queue
        }
        var rejectors = pod.unschedulablePlugins.union(pod.pendingPlugins)
        if let gating = pod.gatingPlugin { rejectors.insert(gating) }
        if rejectors.isEmpty { return .queue }
        guard let profile = self.profiles[pod.podInfo.pod.spec?.schedulerName ?? defaultSchedulerName] else {
            return .queue
        }
        for plugin in rejectors {
            for registration in profile.hints[plugin] ?? [] where registration.event.covers(event) {
                guard let function = registration.hint else { return .queue }
                if function(pod.podInfo, old, new) == .queue { return .queue }
            }
        }
        return .skip
    }

    // MARK: - Moving

    /// Moves the unschedulable pods that `event` may help to activeQ or backoffQ (↔
    /// `MoveAllToActiveOrBackoffQueue`); `preCheck` narrows the pods considered.
    public func moveAllToActiveOrBackoffQueue(
        _ event: ClusterEvent,
        old: ClusterEventObject? = nil,
        new: ClusterEventObject? = nil,
        preCheck: ((PodInfo) -> Bool)? = nil
    ) {
        let now = self.clock.now()
        self.withStateSignalling { state in
            if !state.inFlight.isEmpty {
                Self.recordInFlightEvent(&state, event: event, old: old, new: new)
            }
            if state.unschedulable.isEmpty { return }
            var moving: [QueuedPodInfo] = []
            for queued in state.unschedulable.values {
                if let preCheck, !preCheck(queued.podInfo) { continue }
                if self.hint(for: queued, event: event, old: old, new: new) == .queue {
                    moving.append(queued)
                }
            }
            for queued in moving {
                self.requeue(queued, in: &state, now: now)
            }
        }
    }

    private func requeue(_ queued: QueuedPodInfo, in state: inout State, now: Duration) {
        var queued = queued
        let key = Self.key(queued.podInfo)
        if queued.isGated {
            guard self.runPreEnqueue(&queued) else {
                state.unschedulable[key] = queued
                return
            }
        }
        state.unschedulable[key] = nil
        if self.isBackingOff(queued, now: now) {
            state.backoff.push(queued)
        } else {
            state.active.push(queued)
        }
    }

    /// Moves `pods` to activeQ now (↔ `Activate`).
    public func activate(_ pods: [PodInfo]) {
        self.withStateSignalling { state in
            for pod in pods {
                let key = Self.key(pod)
                if var queued = state.unschedulable[key] {
                    if queued.isGated && !self.runPreEnqueue(&queued) { continue }
                    state.unschedulable[key] = nil
                    state.active.push(queued)
                } else if let queued = state.backoff.remove(key) {
                    state.active.push(queued)
                }
            }
        }
    }

    /// Moves pods whose back-off is over from backoffQ to activeQ (↔ `flushBackoffQCompleted`, every second).
    public func flushBackoffQCompleted() {
        let now = self.clock.now()
        self.withStateSignalling { state in
            while let next = state.backoff.peek, !self.isBackingOff(next, now: now) {
                _ = state.backoff.pop()
                state.active.push(next)
            }
        }
    }

    /// Retries pods unschedulable for longer than ``maxInUnschedulablePods`` (↔
    /// `flushUnschedulablePodsLeftover`, every 30 seconds).
    public func flushUnschedulablePodsLeftover() {
        let now = self.clock.now()
        self.withStateSignalling { state in
            let stale = state.unschedulable.values.filter { now - $0.timestamp > self.maxInUnschedulablePods }
            for queued in stale {
                self.requeue(queued, in: &state, now: now)
            }
        }
    }

    /// Runs the periodic flushes until cancelled or closed.
    public func run() async {
        var ticks = 0
        while !Task.isCancelled && !self.state.withLock({ $0.closed }) {
            do {
                try await self.clock.sleep(.seconds(1))
            } catch {
                return
            }
            self.flushBackoffQCompleted()
            ticks += 1
            if ticks % 30 == 0 { self.flushUnschedulablePodsLeftover() }
        }
    }

    /// Wakes every waiting ``pop()`` with `nil`; later pops return `nil`.
    public func close() {
        let waiters = self.state.withLock { state -> [Waiter] in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
    }

    // MARK: - Nominated pods

    private static func updateNomination(of pod: PodInfo, in state: inout State) {
        let nominated = pod.pod.status?.nominatedNodeName ?? ""
        let key = Self.key(pod)
        if nominated.isEmpty {
            return
        }
        Self.removeNomination(key: key, in: &state)
        state.nominatedNodeOfPod[key] = nominated
        state.nominatedPods[nominated, default: []].append(pod)
    }

    private static func removeNomination(key: String, in state: inout State) {
        guard let node = state.nominatedNodeOfPod.removeValue(forKey: key) else { return }
        state.nominatedPods[node]?.removeAll { Self.key($0) == key }
        if state.nominatedPods[node]?.isEmpty == true { state.nominatedPods[node] = nil }
    }

    /// Records that `pod` is nominated to `nodeName` (`""` clears it) (↔ `AddNominatedPod`).
    public func nominate(_ pod: PodInfo, to nodeName: String) {
        let key = Self.key(pod)
        self.state.withLock { state in
            Self.removeNomination(key: key, in: &state)
            guard !nodeName.isEmpty else { return }
            state.nominatedNodeOfPod[key] = nodeName
            state.nominatedPods[nodeName, default: []].append(pod)
        }
    }

    /// Forgets `pod`'s nomination (↔ `DeleteNominatedPodIfExists`).
    public func deleteNomination(_ pod: PodInfo) {
        let key = Self.key(pod)
        self.state.withLock { Self.removeNomination(key: key, in: &$0) }
    }

    public func nominatedPods(forNode nodeName: String) -> [PodInfo] {
        self.state.withLock { $0.nominatedPods[nodeName] ?? [] }
    }

    /// `true` when some pod is nominated somewhere (a fast check before per-node lookups).
    public var hasNominatedPods: Bool { self.state.withLock { !$0.nominatedPods.isEmpty } }

    // MARK: - Introspection

    /// Where the pod is, or `nil` when the queue does not hold it.
    public func location(of pod: PodInfo) -> Location? {
        let key = Self.key(pod)
        return self.state.withLock { state in
            if state.active.contains(key) { return .active }
            if state.backoff.contains(key) { return .backoff }
            if state.unschedulable[key] != nil { return .unschedulable }
            if state.inFlight[key] != nil { return .inFlight }
            return nil
        }
    }

    /// The numbers of pods in activeQ, backoffQ and the unschedulable pods.
    public var counts: (active: Int, backoff: Int, unschedulable: Int) {
        self.state.withLock { ($0.active.count, $0.backoff.count, $0.unschedulable.count) }
    }

    /// The pods in activeQ in pop order (tests).
    public var activePodsInOrder: [PodInfo] {
        var heap = self.state.withLock { $0.active }
        var result: [PodInfo] = []
        while let next = heap.pop() { result.append(next.podInfo) }
        return result
    }
}
