import SkiffAPI
import SkiffAPIMachinery
import Testing

@testable import SkiffScheduler

/// Whole scheduling cycles in memory: binding, spreading, the FailedScheduling summary and condition, binding
/// failures, events.
struct SchedulingEngineTests {
    let clock = SchedulerTestClock()

    /// The default profile without PostFilter (preemption), so that messages end at the filter summary.
    static let noPreemption = KubeSchedulerConfiguration(profiles: [
        KubeSchedulerProfile(
            plugins: {
                var plugins = Plugins()
                plugins.postFilter = PluginSet(disabled: [Plugin(name: "*")])
                return plugins
            }()
        )
    ])

    func makeEngine(
        _ configuration: KubeSchedulerConfiguration = Self.noPreemption,
        client: InMemorySchedulerClient = InMemorySchedulerClient()
    ) throws -> SchedulingEngine {
        try SchedulingEngine(configuration: configuration, client: client, clock: self.clock.clock, parallelism: 1, logger: Make.logger)
    }

    @Test func bindsPodsAndRecordsScheduledEvents() async throws {
        let client = InMemorySchedulerClient()
        let engine = try self.makeEngine(client: client)
        engine.handleNodeAdd(Make.node("a", cpu: "2"))
        engine.handleNodeAdd(Make.node("b", cpu: "2"))
        for index in 0..<4 {
            engine.handlePodAdd(Make.pod("p\(index)", cpu: "1", memory: "1Gi"))
        }
        await engine.scheduleAllPending()
        let bindings = client.bindings
        #expect(bindings.count == 4)
        // LeastAllocated and balanced allocation spread the pods evenly.
        #expect(bindings.filter { $0.nodeName == "a" }.count == 2)
        #expect(bindings.filter { $0.nodeName == "b" }.count == 2)
        #expect(client.events.filter { $0.reason == "Scheduled" }.count == 4)
        let event = try #require(client.events.first { $0.name == "p0" })
        #expect(event.note == "Successfully assigned default/p0 to \(bindings[0].nodeName)")
        #expect(event.type == "Normal")
        #expect(event.action == "Binding")
        #expect(engine.cache.assumedPodCount == 4)
        // The informer's update confirms the assumed pods.
        for binding in bindings {
            let old = Make.pod(binding.name, cpu: "1", memory: "1Gi")
            engine.handlePodUpdate(old: old, new: Make.pod(binding.name, cpu: "1", memory: "1Gi", nodeName: binding.nodeName))
        }
        #expect(engine.cache.assumedPodCount == 0)
        #expect(engine.cache.podCount == 4)
    }

    @Test func failedSchedulingSummarizesReasonsAsUpstream() async throws {
        let client = InMemorySchedulerClient()
        let engine = try self.makeEngine(client: client)
        engine.handleNodeAdd(Make.node("tainted", taints: [Make.taint("key", "value")]))
        engine.handleNodeAdd(Make.node("small1", cpu: "1"))
        engine.handleNodeAdd(Make.node("small2", cpu: "1"))
        engine.handlePodAdd(Make.pod("big", cpu: "2"))
        await engine.scheduleAllPending()
        #expect(client.bindings.isEmpty)
        let message = "0/3 nodes are available: 1 node(s) had untolerated taint {key: value}, 2 Insufficient cpu."
        let event = try #require(client.events.first { $0.reason == "FailedScheduling" })
        #expect(event.note == message)
        #expect(event.type == "Warning")
        let patch = try #require(client.statusPatches.first)
        #expect(patch.condition?.type == "PodScheduled")
        #expect(patch.condition?.status == "False")
        #expect(patch.condition?.reason == "Unschedulable")
        #expect(patch.condition?.message == message)
        #expect(engine.queue.location(of: PodInfo(Make.pod("big"))) == .unschedulable)
        // A node with room arrives: the pod is retried after its back-off and bound there.
        engine.handleNodeAdd(Make.node("large", cpu: "8"))
        #expect(engine.queue.location(of: PodInfo(Make.pod("big"))) == .backoff)
        self.clock.advance(by: .seconds(1))
        engine.queue.flushBackoffQCompleted()
        await engine.scheduleAllPending()
        #expect(client.bindings.map(\.nodeName) == ["large"])
    }

    @Test func noNodesAndPreFilterRejectionsHaveUpstreamMessages() async throws {
        let client = InMemorySchedulerClient()
        let engine = try self.makeEngine(client: client)
        engine.handlePodAdd(Make.pod("lonely"))
        await engine.scheduleAllPending()
        #expect(client.events.last?.note == "no nodes available to schedule pods")
        engine.handleNodeAdd(Make.node("a"))
        engine.handleNodeAdd(Make.node("b"))
        let affinity = NodeAffinityTests.required([
            CoreV1.NodeSelectorTerm(matchFields: [NodeAffinityTests.expression("metadata.name", "In", ["zzz"])])
        ])
        engine.handlePodAdd(Make.pod("picky", affinity: affinity))
        await engine.scheduleAllPending()
        #expect(
            client.events.last?.note
                == "0/2 nodes are available: 2 node(s) didn't satisfy plugin(s) [NodeAffinity]."
        )
        engine.handlePodAdd(Make.pod("selector", nodeSelector: ["disk": "ssd"]))
        await engine.scheduleAllPending()
        #expect(client.events.last?.note == "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.")
    }

    @Test func failedBindingsAreForgottenAndRetried() async throws {
        let client = InMemorySchedulerClient()
        client.failBinding(of: "default/p")
        let engine = try self.makeEngine(client: client)
        engine.handleNodeAdd(Make.node("n"))
        engine.handlePodAdd(Make.pod("p", cpu: "1"))
        await engine.scheduleAllPending()
        #expect(client.bindings.isEmpty)
        #expect(engine.cache.assumedPodCount == 0)
        #expect(engine.cache.nodeInfo("n")?.requested.milliCPU == 0)
        #expect(engine.queue.location(of: PodInfo(Make.pod("p"))) == .backoff)
        let patch = try #require(client.statusPatches.first)
        #expect(patch.condition?.reason == "SchedulerError")
        #expect(patch.condition?.message?.hasPrefix("running Bind plugin \"DefaultBinder\": binding rejected") == true)
    }

    @Test func podsOfOtherSchedulersAndBoundPodsAreNotQueued() throws {
        let engine = try self.makeEngine()
        engine.handlePodAdd(Make.pod("other", schedulerName: "someone-else"))
        engine.handlePodAdd(Make.pod("bound", cpu: "1", nodeName: "n"))
        #expect(engine.queue.counts.active == 0)
        #expect(engine.cache.podCount == 1)
    }

    @Test func deletedPodsAreNotRequeued() async throws {
        let engine = try self.makeEngine()
        engine.handleNodeAdd(Make.node("n", cpu: "1"))
        engine.handlePodAdd(Make.pod("p", cpu: "2"))
        let queued = try #require(engine.queue.tryPop())
        engine.handlePodDelete(Make.pod("p", cpu: "2"))
        _ = await engine.schedule(queued)
        #expect(engine.queue.location(of: queued.podInfo) == nil)
    }

    @Test func profilesScheduleTheirOwnPods() async throws {
        let client = InMemorySchedulerClient()
        var configuration = Self.noPreemption
        configuration.profiles?.append(KubeSchedulerProfile(schedulerName: "second"))
        let engine = try self.makeEngine(configuration, client: client)
        engine.handleNodeAdd(Make.node("n"))
        engine.handlePodAdd(Make.pod("a"))
        engine.handlePodAdd(Make.pod("b", schedulerName: "second"))
        engine.handlePodAdd(Make.pod("c", schedulerName: "third"))
        await engine.scheduleAllPending()
        #expect(Set(client.bindings.map(\.name)) == ["a", "b"])
    }

    @Test func failedSchedulingMessageSortsReasonCounts() {
        var diagnosis = Diagnosis()
        diagnosis.add(PluginStatus(.unschedulable, reasons: ["Insufficient cpu", "Insufficient memory"], plugin: "NodeResourcesFit"), node: "a")
        diagnosis.add(PluginStatus(.unschedulable, reasons: ["Insufficient cpu"], plugin: "NodeResourcesFit"), node: "b")
        diagnosis.add(PluginStatus(.unschedulableAndUnresolvable, reasons: ["node(s) were unschedulable"], plugin: "NodeUnschedulable"), node: "c")
        diagnosis.postFilterMessage = "preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling"
        let error = FitError(pod: PodInfo(Make.pod("p")), numAllNodes: 4, diagnosis: diagnosis)
        #expect(
            error.message
                == "0/4 nodes are available: 1 Insufficient memory, 1 node(s) were unschedulable, 2 Insufficient cpu. "
                + "preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
        )
        #expect(diagnosis.unschedulablePlugins == ["NodeResourcesFit", "NodeUnschedulable"])
    }
}
