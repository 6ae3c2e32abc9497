#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
public import Logging
import SkiffAPI
import SkiffAPIMachinery
import Synchronization

/// The settings of a leader election (↔ client-go's `leaderelection.LeaderElectionConfig` with a `LeaseLock`).
public struct LeaderElectionConfiguration: Sendable, Hashable {
    /// The namespace of the Lease (`kube-system` for the control plane).
    public var leaseNamespace: String
    /// The Lease's name (`kube-scheduler`, `kube-controller-manager`).
    public var leaseName: String
    /// This candidate's identity, written to `spec.holderIdentity` (upstream: `<hostname>_<uuid>`).
    public var identity: String
    /// How long non-leaders wait after the last observed renewal before taking over (upstream default 15 s).
    public var leaseDuration: Duration
    /// How long the leader keeps retrying a renewal before giving up leadership (default 10 s).
    public var renewDeadline: Duration
    /// How often candidates try to acquire and the leader renews (default 2 s).
    public var retryPeriod: Duration
    /// Whether the leader releases the Lease when its task is cancelled, so a successor takes over at once.
    public var releaseOnCancel: Bool

    public init(
        leaseNamespace: String = "kube-system",
        leaseName: String,
        identity: String,
        leaseDuration: Duration = .seconds(15),
        renewDeadline: Duration = .seconds(10),
        retryPeriod: Duration = .seconds(2),
        releaseOnCancel: Bool = true
    ) {
        self.leaseNamespace = leaseNamespace
        self.leaseName = leaseName
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnCancel = releaseOnCancel
    }
}

/// Elects one leader among candidates through a `coordination.k8s.io/v1` Lease (↔ client-go's
/// `leaderelection.LeaderElector`).
///
/// Candidates try to acquire the Lease every ``LeaderElectionConfiguration/retryPeriod`` (with upstream's 1.2
/// jitter factor); a Lease whose holder has not renewed for ``LeaderElectionConfiguration/leaseDuration`` (by the
/// candidate's own clock, from when it observed the last change) or that has no holder can be taken, which
/// increments `spec.leaseTransitions` and sets `acquireTime`. The leader renews `renewTime` every retry period; if
/// it cannot renew within ``LeaderElectionConfiguration/renewDeadline`` it stops leading. On cancellation the
/// leader releases the Lease (empty holder, `leaseDurationSeconds: 1`) as upstream's `ReleaseOnCancel`.
///
/// ```swift
/// let elector = LeaderElector(client: client, configuration: .init(leaseName: "kube-scheduler", identity: id), logger: logger)
/// try await elector.run { try await scheduler.run() }   // returns when leadership is lost
/// ```
public final class LeaderElector: Sendable {
    /// The settings.
    public let configuration: LeaderElectionConfiguration
    let leases: ResourceClient<CoordinationV1.Lease>
    let clock: any ClientClock
    let logger: Logger

    private struct State {
        var observed: CoordinationV1.LeaseSpec?
        var observedResourceVersion: String?
        var observedTime: Date?
        var reportedLeader: String?
    }

    private let state = Mutex(State())
    private let events: AsyncStream<LeaderElectionEvent>.Continuation
    /// Changes of leadership as this candidate sees them: started and stopped leading, new leaders observed.
    public let leadershipEvents: AsyncStream<LeaderElectionEvent>

    public init(
        client: APIClient,
        configuration: LeaderElectionConfiguration,
        clock: any ClientClock = SystemClock(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.leases = client.leases(configuration.leaseNamespace)
        self.clock = clock
        var logger = logger
        logger[metadataKey: "k8s.lease.name"] = "\(configuration.leaseNamespace)/\(configuration.leaseName)"
        self.logger = logger
        (self.leadershipEvents, self.events) = AsyncStream.makeStream(of: LeaderElectionEvent.self, bufferingPolicy: .bufferingNewest(64))
    }

    /// Whether this candidate holds the Lease, as last observed.
    public var isLeader: Bool {
        self.state.withLock { $0.observed?.holderIdentity == self.configuration.identity }
    }

    /// The holder last observed (`nil` when none).
    public var leader: String? {
        self.state.withLock { state in state.observed?.holderIdentity.flatMap { $0.isEmpty ? nil : $0 } }
    }

    /// The `leaderElection` health check (↔ `LeaderElector.Check`): throws when this candidate believes it leads
    /// but has not renewed the Lease for longer than the lease duration plus `maxTolerableExpiredLease` (upstream
    /// components use 20 s), i.e. its renewals are stuck. Candidates that do not lead are healthy.
    public func check(maxTolerableExpiredLease: Duration) throws {
        let (leading, observedTime) = self.state.withLock { state in
            (state.observed?.holderIdentity == self.configuration.identity, state.observedTime)
        }
        guard leading, let observedTime else { return }
        let limit = observedTime.adding(self.configuration.leaseDuration + maxTolerableExpiredLease)
        if self.clock.now() > limit {
            throw LeaderElectionHealthError(
                message: "failed election to renew leadership on lease \(self.configuration.leaseName)"
            )
        }
    }

    /// Campaigns until elected, runs `whileLeading` while renewing, and returns when leadership is lost or
    /// `whileLeading` returns (its task is cancelled when leadership is lost). Releases the Lease when leading ends
    /// by cancellation (with ``LeaderElectionConfiguration/releaseOnCancel``) or because `whileLeading` returned.
    ///
    /// - Throws: `CancellationError` when cancelled; what `whileLeading` throws.
    public func run(whileLeading: @escaping @Sendable () async throws -> Void) async throws {
        try await self.acquire()
        self.events.yield(.startedLeading)
        self.logger.info("Started leading")
        enum Outcome { case lost, finished }
        var outcome = Outcome.lost
        do {
            outcome = try await withThrowingTaskGroup(of: Outcome.self) { group in
                group.addTask {
                    try await self.renewUntilLost()
                    return .lost
                }
                group.addTask {
                    try await whileLeading()
                    return .finished
                }
                defer { group.cancelAll() }
                return try await group.next() ?? .lost
            }
        } catch {
            if self.configuration.releaseOnCancel { await self.releaseShielded() }
            self.events.yield(.stoppedLeading)
            throw error
        }
        if outcome == .finished { await self.releaseShielded() }
        self.events.yield(.stoppedLeading)
        self.logger.info("Stopped leading")
    }

    /// Tries until the Lease is ours (↔ `acquire`).
    func acquire() async throws {
        while true {
            try Task.checkCancellation()
            if await self.tryAcquireOrRenew() { return }
            let jitter = Double.random(in: 0..<1.2)
            try await self.clock.sleep(for: self.configuration.retryPeriod * (1 + jitter))
        }
    }

    /// Renews every retry period; returns once a renewal could not succeed within the renew deadline.
    func renewUntilLost() async throws {
        while true {
            let deadline = self.clock.now().adding(self.configuration.renewDeadline)
            var renewed = false
            while !renewed {
                try Task.checkCancellation()
                renewed = await self.tryAcquireOrRenew()
                if renewed { break }
                if self.clock.now() >= deadline { return }
                try await self.clock.sleep(for: self.configuration.retryPeriod)
                if self.clock.now() >= deadline { return }
            }
            try await self.clock.sleep(for: self.configuration.retryPeriod)
        }
    }

    /// One attempt to take or renew the Lease (↔ `tryAcquireOrRenew`).
    func tryAcquireOrRenew() async -> Bool {
        let now = self.clock.now()
        let identity = self.configuration.identity
        var desired = CoordinationV1.LeaseSpec(
            holderIdentity: identity,
            leaseDurationSeconds: Int32(self.configuration.leaseDuration.components.seconds),
            acquireTime: MicroTime(now),
            renewTime: MicroTime(now),
            leaseTransitions: 0
        )
        let current: CoordinationV1.Lease
        do {
            current = try await self.leases.get(self.configuration.leaseName)
        } catch let error as APIError where error.reason == .notFound {
            do {
                let created = try await self.leases.create(
                    CoordinationV1.Lease(
                        metadata: MetaV1.ObjectMeta(name: self.configuration.leaseName, namespace: self.configuration.leaseNamespace),
                        spec: desired
                    )
                )
                self.observe(created, at: now)
                return true
            } catch {
                self.logger.debug("Creating the lease failed", metadata: ["error": "\(error)"])
                return false
            }
        } catch {
            self.logger.debug("Reading the lease failed", metadata: ["error": "\(error)"])
            return false
        }

        let old = current.spec ?? CoordinationV1.LeaseSpec()
        let (observedTime, wasLeader) = self.state.withLock { state -> (Date, Bool) in
            if state.observed != old || state.observedResourceVersion == nil {
                state.observed = old
                state.observedResourceVersion = current.metadata.resourceVersion
                state.observedTime = now
            }
            return (state.observedTime ?? now, old.holderIdentity == identity)
        }
        self.reportLeader(old.holderIdentity)
        let holder = old.holderIdentity ?? ""
        let duration = Duration.seconds(Int64(old.leaseDurationSeconds ?? 0))
        if !holder.isEmpty, !wasLeader, observedTime.adding(duration) > now {
            return false  // held by another candidate that renewed recently
        }
        if wasLeader {
            desired.acquireTime = old.acquireTime
            desired.leaseTransitions = old.leaseTransitions ?? 0
        } else {
            desired.leaseTransitions = (old.leaseTransitions ?? 0) + 1
        }
        var lease = current
        lease.spec = desired
        do {
            let updated = try await self.leases.update(lease)
            self.observe(updated, at: now)
            return true
        } catch {
            self.logger.debug("Updating the lease failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Gives the Lease up so a successor takes over at once (↔ `release`): no holder, a one-second duration.
    func release() async -> Bool {
        guard self.isLeader else { return true }
        do {
            var lease = try await self.leases.get(self.configuration.leaseName)
            guard lease.spec?.holderIdentity == self.configuration.identity else { return true }
            let now = self.clock.now()
            lease.spec = CoordinationV1.LeaseSpec(
                holderIdentity: nil,
                leaseDurationSeconds: 1,
                acquireTime: MicroTime(now),
                renewTime: MicroTime(now),
                leaseTransitions: lease.spec?.leaseTransitions ?? 0
            )
            let updated = try await self.leases.update(lease)
            self.observe(updated, at: now)
            self.logger.debug("Released the lease")
            return true
        } catch {
            self.logger.debug("Releasing the lease failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Releases even though the calling task is cancelled: the release is the last thing a leader does (upstream
    /// uses a fresh context for it). The inner task is awaited at once, so nothing outlives the call.
    private func releaseShielded() async {
        _ = await Task { await self.release() }.value
    }

    private func observe(_ lease: CoordinationV1.Lease, at now: Date) {
        self.state.withLock { state in
            state.observed = lease.spec
            state.observedResourceVersion = lease.metadata.resourceVersion
            state.observedTime = now
        }
        self.reportLeader(lease.spec?.holderIdentity)
    }

    private func reportLeader(_ holder: String?) {
        guard let holder, !holder.isEmpty else { return }
        let changed = self.state.withLock { state in
            defer { state.reportedLeader = holder }
            return state.reportedLeader != holder
        }
        if changed { self.events.yield(.newLeader(holder)) }
    }
}

/// The failure of ``LeaderElector/check(maxTolerableExpiredLease:)``.
public struct LeaderElectionHealthError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { self.message }
}

/// A change of leadership seen by a ``LeaderElector``.
public enum LeaderElectionEvent: Sendable, Hashable {
    /// This candidate became the leader.
    case startedLeading
    /// This candidate stopped leading.
    case stoppedLeading
    /// A (possibly other) candidate is the leader now.
    case newLeader(String)
}
