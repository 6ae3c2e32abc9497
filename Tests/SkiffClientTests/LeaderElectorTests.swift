import Foundation
import SkiffAPI
import SkiffAPIMachinery
import SkiffClient
import Testing

struct LeaderElectorTests {
    static func elector(_ api: TestAPI, _ identity: String, clock: any ClientClock, release: Bool = true) -> LeaderElector {
        LeaderElector(
            client: api.client,
            configuration: LeaderElectionConfiguration(
                leaseName: "test-lock",
                identity: identity,
                releaseOnCancel: release
            ),
            clock: clock,
            logger: TestAPI.quietLogger
        )
    }

    static func lease(_ api: TestAPI) async throws -> CoordinationV1.LeaseSpec? {
        try await api.client.leases("kube-system").get("test-lock").spec
    }

    @Test func firstCandidateLeadsAndHandsOverOnCancellation() async throws {
        try await TestAPI.with { api in
            let clock = ManualClock()
            let a = Self.elector(api, "a", clock: clock)
            let b = Self.elector(api, "b", clock: clock)
            let leading = Collected<String>()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await a.run { leading.append("a"); try await Task.sleep(for: .seconds(3600)) }
                }
                try await eventually { leading.values == ["a"] }
                let first = try #require(try await Self.lease(api))
                #expect(first.holderIdentity == "a")
                #expect(first.leaseDurationSeconds == 15)
                #expect(first.leaseTransitions == 0)
                #expect(first.acquireTime != nil && first.renewTime != nil)

                group.addTask {
                    try await b.run { leading.append("b"); try await Task.sleep(for: .seconds(3600)) }
                }
                // b finds the lease held and waits a retry period; a renews every 2 s.
                await clock.waitForSleepers(atLeast: 2)
                #expect(!b.isLeader)
                #expect(b.leader == "a")
                group.cancelAll()
                await #expect(throws: CancellationError.self) { try await group.waitForAll() }
            }
            // a released the lease on cancellation: no holder, 1 s.
            let released = try #require(try await Self.lease(api))
            #expect(released.holderIdentity == nil)
            #expect(released.leaseDurationSeconds == 1)
            #expect(released.leaseTransitions == 0)

            // A candidate takes a released lease at once, counting a transition.
            let c = Self.elector(api, "c", clock: clock)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await c.run { leading.append("c"); try await Task.sleep(for: .seconds(3600)) } }
                try await eventually { leading.values.last == "c" }
                let taken = try #require(try await Self.lease(api))
                #expect(taken.holderIdentity == "c")
                #expect(taken.leaseTransitions == 1)
                group.cancelAll()
            }
        }
    }

    @Test func healthCheckFailsOnlyForALeaderWhoseRenewalsStopped() async throws {
        try await TestAPI.with { api in
            let clock = ManualClock()
            let a = Self.elector(api, "a", clock: clock, release: false)
            let b = Self.elector(api, "b", clock: clock)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await a.run { try await Task.sleep(for: .seconds(3600)) } }
                try await eventually { a.isLeader }
                group.cancelAll()  // renewals stop, but a still believes it leads
            }
            try a.check(maxTolerableExpiredLease: .seconds(20))
            try b.check(maxTolerableExpiredLease: .seconds(20))
            // Lease duration (15 s) plus the tolerance (20 s) of a's own clock since its last renewal.
            clock.advance(by: .seconds(34))
            try a.check(maxTolerableExpiredLease: .seconds(20))
            clock.advance(by: .seconds(2))
            #expect(throws: LeaderElectionHealthError.self) { try a.check(maxTolerableExpiredLease: .seconds(20)) }
            try b.check(maxTolerableExpiredLease: .seconds(20))  // a candidate that never led stays healthy
        }
    }

    @Test func aCrashedLeadersLeaseIsTakenOnlyAfterTheLeaseDuration() async throws {
        try await TestAPI.with { api in
            let clock = ManualClock()
            let a = Self.elector(api, "a", clock: clock, release: false)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await a.run { try await Task.sleep(for: .seconds(3600)) } }
                try await eventually { a.isLeader }
                group.cancelAll()  // no release: as if the process died
            }
            let held = try #require(try await Self.lease(api))
            #expect(held.holderIdentity == "a")

            let b = Self.elector(api, "b", clock: clock)
            let started = Collected<String>()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await b.run { started.append("b"); try await Task.sleep(for: .seconds(3600)) } }
                // b observes a's lease now and must wait 15 s of its own clock.
                var waited = Duration.zero
                while waited < .seconds(14) {
                    await clock.waitForSleepers()
                    let step = clock.nextDeadline.map { $0.timeIntervalSince(clock.now()) } ?? 0
                    if waited + .seconds(step) >= .seconds(14) { break }
                    clock.advanceToNextDeadline()
                    waited += .seconds(step)
                    #expect(started.values.isEmpty)
                }
                #expect(!b.isLeader)
                clock.advance(by: .seconds(16))
                try await eventually { started.values == ["b"] }
                let taken = try #require(try await Self.lease(api))
                #expect(taken.holderIdentity == "b")
                #expect(taken.leaseTransitions == 1)
                #expect(taken.acquireTime != held.acquireTime)
                group.cancelAll()
            }
        }
    }

    @Test func twoElectorsOnTheRealClockHandOver() async throws {
        try await TestAPI.with { api in
            func make(_ identity: String) -> LeaderElector {
                LeaderElector(
                    client: api.client,
                    configuration: LeaderElectionConfiguration(
                        leaseName: "real-lock",
                        identity: identity,
                        leaseDuration: .seconds(3),
                        renewDeadline: .seconds(2),
                        retryPeriod: .milliseconds(200)
                    ),
                    logger: TestAPI.quietLogger
                )
            }
            let first = make("first")
            let second = make("second")
            let order = Collected<String>()
            let firstTask = Task { try await first.run { order.append("first"); try await Task.sleep(for: .seconds(3600)) } }
            try await eventually { order.values == ["first"] }
            let secondTask = Task { try await second.run { order.append("second"); try await Task.sleep(for: .seconds(3600)) } }
            try await eventually { second.leader == "first" }
            #expect(!second.isLeader)
            firstTask.cancel()
            _ = await firstTask.result
            // The released lease is taken within a retry period, long before the 3 s lease duration.
            try await eventually { order.values == ["first", "second"] }
            #expect(second.isLeader)
            secondTask.cancel()
            _ = await secondTask.result
        }
    }
}
