import SkiffAPI
import SkiffAPIMachinery
import Testing

@testable import SkiffScheduler

/// The scheduling queue with an injected clock: ordering, back-off, moves on cluster events (QueueingHints), the
/// 5-minute flush, gates and in-flight events.
struct SchedulingQueueTests {
    let clock = SchedulerTestClock()

    func makeQueue() throws -> (SchedulingQueue, Framework) {
        let framework = try Framework(
            profile: KubeSchedulerConfiguration().defaulted().profiles![0],
            registry: .inTree,
            dependencies: FrameworkDependencies(
                snapshot: Snapshot(),
                client: InMemorySchedulerClient(),
                clock: self.clock.clock,
                logger: Make.logger
            )
        )
        let queue = SchedulingQueue(
            less: { framework.less($0, $1) },
            profiles: ["default-scheduler": SchedulingQueue.Profile(framework)],
            clock: self.clock.clock
        )
        return (queue, framework)
    }

    @Test(arguments: [(1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (6, 10), (20, 10)])
    func backoffDoublesFromOneToTenSeconds(_ attempts: Int, _ seconds: Int) {
        let duration = SchedulingQueue.backoffDuration(attempts: attempts, initial: .seconds(1), maximum: .seconds(10))
        #expect(duration == .seconds(seconds))
    }

    @Test func popsByPriorityThenArrival() async throws {
        let (queue, _) = try self.makeQueue()
        queue.add(PodInfo(Make.pod("a", priority: 0)))
        self.clock.advance(by: .seconds(1))
        queue.add(PodInfo(Make.pod("b", priority: 10)))
        self.clock.advance(by: .seconds(1))
        queue.add(PodInfo(Make.pod("c", priority: 0)))
        #expect(queue.activePodsInOrder.map(\.name) == ["b", "a", "c"])
        let first = await queue.pop()
        #expect(first?.podInfo.name == "b")
        #expect(first?.attempts == 1)
        #expect(queue.location(of: PodInfo(Make.pod("b"))) == .inFlight)
    }

    /// A pod rejected by NodeResourcesFit.
    func rejected(_ queue: SchedulingQueue, _ name: String, by plugin: String = "NodeResourcesFit", cpu: String = "2")
        async -> QueuedPodInfo
    {
        queue.add(PodInfo(Make.pod(name, cpu: cpu)))
        var popped = await queue.pop()!
        popped.unschedulablePlugins = [plugin]
        queue.addUnschedulableIfNotPresent(popped)
        queue.done(popped.podInfo)
        return popped
    }

    @Test func unschedulablePodsMoveOnlyOnEventsTheirPluginsRegistered() async throws {
        let (queue, _) = try self.makeQueue()
        let pod = await self.rejected(queue, "p")
        #expect(queue.location(of: pod.podInfo) == .unschedulable)
        // NodeResourcesFit does not care about node label changes.
        queue.moveAllToActiveOrBackoffQueue(
            ClusterEvent(resource: .node, actionType: .updateNodeLabel),
            new: .node(Make.node("n"))
        )
        #expect(queue.location(of: pod.podInfo) == .unschedulable)
        // A node too small for 2 CPUs: the hint says skip.
        queue.moveAllToActiveOrBackoffQueue(.nodeAdd, new: .node(Make.node("small", cpu: "1")))
        #expect(queue.location(of: pod.podInfo) == .unschedulable)
        // A big enough node: moved, and still backing off (1 s after its attempt).
        queue.moveAllToActiveOrBackoffQueue(.nodeAdd, new: .node(Make.node("big", cpu: "4")))
        #expect(queue.location(of: pod.podInfo) == .backoff)
        queue.flushBackoffQCompleted()
        #expect(queue.location(of: pod.podInfo) == .backoff)
        self.clock.advance(by: .seconds(1))
        queue.flushBackoffQCompleted()
        #expect(queue.location(of: pod.podInfo) == .active)
    }

    @Test func anAssignedPodDeletionFreesRoomForResourceFailures() async throws {
        let (queue, _) = try self.makeQueue()
        let fit = await self.rejected(queue, "fit")
        let named = await self.rejected(queue, "named", by: "NodeName")
        self.clock.advance(by: .seconds(2))
        queue.moveAllToActiveOrBackoffQueue(.assignedPodDelete, old: .pod(PodInfo(Make.pod("gone", nodeName: "n"))))
        #expect(queue.location(of: fit.podInfo) == .active)
        #expect(queue.location(of: named.podInfo) == .unschedulable)
    }

    @Test func taintRemovalMovesPodsRejectedByTaints() async throws {
        let (queue, _) = try self.makeQueue()
        let pod = await self.rejected(queue, "p", by: "TaintToleration")
        self.clock.advance(by: .seconds(5))
        let tainted = Make.node("n", taints: [Make.taint("k", "v")])
        queue.moveAllToActiveOrBackoffQueue(
            ClusterEvent(resource: .node, actionType: .updateNodeTaint),
            old: .node(Make.node("n")),
            new: .node(tainted)
        )
        #expect(queue.location(of: pod.podInfo) == .unschedulable)
        queue.moveAllToActiveOrBackoffQueue(
            ClusterEvent(resource: .node, actionType: .updateNodeTaint),
            old: .node(tainted),
            new: .node(Make.node("n"))
        )
        #expect(queue.location(of: pod.podInfo) == .active)
    }

    @Test func leftoverUnschedulablePodsAreFlushedAfterFiveMinutes() async throws {
        let (queue, _) = try self.makeQueue()
        let pod = await self.rejected(queue, "p", by: "NodeName")
        self.clock.advance(by: .seconds(299))
        queue.flushUnschedulablePodsLeftover()
        #expect(queue.location(of: pod.podInfo) == .unschedulable)
        self.clock.advance(by: .seconds(2))
        queue.flushUnschedulablePodsLeftover()
        #expect(queue.location(of: pod.podInfo) == .active)
    }

    @Test func errorsGoToBackoffQ() async throws {
        let (queue, _) = try self.makeQueue()
        queue.add(PodInfo(Make.pod("p")))
        let popped = await queue.pop()!
        queue.addUnschedulableIfNotPresent(popped)  // no rejecting plugin: an error
        #expect(queue.location(of: popped.podInfo) == .backoff)
    }

    @Test func eventsDuringAnAttemptAreNotLost() async throws {
        let (queue, _) = try self.makeQueue()
        queue.add(PodInfo(Make.pod("p", cpu: "2")))
        var popped = await queue.pop()!
        // While the pod is being scheduled, a big node arrives.
        queue.moveAllToActiveOrBackoffQueue(.nodeAdd, new: .node(Make.node("big", cpu: "8")))
        popped.unschedulablePlugins = ["NodeResourcesFit"]
        queue.addUnschedulableIfNotPresent(popped)
        #expect(queue.location(of: popped.podInfo) == .backoff)
    }

    @Test func gatedPodsWaitUntilTheirGatesAreRemoved() async throws {
        let (queue, _) = try self.makeQueue()
        let gated = Make.pod("p", schedulingGates: ["example.com/wait"])
        queue.add(PodInfo(gated))
        #expect(queue.location(of: PodInfo(gated)) == .unschedulable)
        #expect(queue.tryPop() == nil)
        queue.moveAllToActiveOrBackoffQueue(.nodeAdd, new: .node(Make.node("n")))
        #expect(queue.location(of: PodInfo(gated)) == .unschedulable)
        var ungated = gated
        ungated.spec?.schedulingGates = nil
        queue.update(old: PodInfo(gated), new: PodInfo(ungated))
        #expect(queue.location(of: PodInfo(ungated)) == .active)
    }

    @Test func deletedPodsLeaveEveryQueue() async throws {
        let (queue, _) = try self.makeQueue()
        let pod = await self.rejected(queue, "p")
        queue.delete(pod.podInfo)
        #expect(queue.location(of: pod.podInfo) == nil)
        #expect(queue.counts.unschedulable == 0)
    }

    @Test func popWaitsForAPodAndCloseEndsIt() async throws {
        let (queue, _) = try self.makeQueue()
        async let popped = queue.pop()
        queue.add(PodInfo(Make.pod("late")))
        #expect(await popped?.podInfo.name == "late")
        async let none = queue.pop()
        queue.close()
        #expect(await none == nil)
    }

    @Test func nominatedPodsAreListedByNode() throws {
        let (queue, _) = try self.makeQueue()
        let pod = PodInfo(Make.pod("p"))
        queue.nominate(pod, to: "n1")
        #expect(queue.nominatedPods(forNode: "n1").map(\.name) == ["p"])
        queue.nominate(pod, to: "n2")
        #expect(queue.nominatedPods(forNode: "n1").isEmpty)
        queue.deleteNomination(pod)
        #expect(!queue.hasNominatedPods)
    }
}
