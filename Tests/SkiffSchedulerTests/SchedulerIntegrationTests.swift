import Logging
import Synchronization
import SkiffAPI
import SkiffAPIMachinery
import SkiffAPIServer
import SkiffClient
import SkiffScheduler
import SkiffStorage
import Testing

/// The scheduler against a real in-process API server: nodes and pods created through the API, bindings,
/// conditions and events read back through the API.
///
/// The handler runs on `InMemoryStorage` (this test target cannot link SkiffStorageSQLite); the request path above
/// storage is the API server's own.
struct SchedulerIntegrationTests {
    static let admin = UserInfo(name: "system:admin", groups: ["system:masters", "system:authenticated"])
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs `body` with an API handler, a client of it and a running scheduler.
    static func withCluster(
        configuration: KubeSchedulerConfiguration,
        requests: RequestLog? = nil,
        _ body: @Sendable (APIClient) async throws -> Void
    ) async throws {
        let handler = APIHandler(configuration: APIServerConfiguration(), storage: InMemoryStorage(), logger: Self.quiet)
        let client = APIClient(
            transport: InProcessTransport(
                user: Self.admin,
                handler: { request in
                    requests?.record(request)
                    return await handler.handle(request)
                }
            ),
            rateLimit: .unlimited
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await handler.run() }
            defer { group.cancelAll() }
            for _ in 0..<2000 where !handler.isReady { try await Task.sleep(for: .milliseconds(5)) }
            try #require(handler.isReady)
            let scheduler = try Scheduler(client: client, configuration: configuration, logger: Self.quiet)
            group.addTask { try await scheduler.run() }
            try await body(client)
        }
    }

    /// Polls `condition` until it holds (bounded: the test fails rather than hanging).
    static func eventually<T: Sendable>(
        _ what: String,
        _ probe: @Sendable () async throws -> T?
    ) async throws -> T {
        for _ in 0..<1000 {
            if let value = try await probe() { return value }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    static var configuration: KubeSchedulerConfiguration {
        var configuration = KubeSchedulerConfiguration(profiles: [
            KubeSchedulerProfile(
                plugins: {
                    var plugins = Plugins()
                    plugins.postFilter = PluginSet(disabled: [Plugin(name: "*")])
                    return plugins
                }()
            )
        ])
        configuration.leaderElection = .init(leaderElect: false)
        return configuration
    }

    @Test func schedulesPodsAndReportsFailuresThroughTheAPI() async throws {
        try await Self.withCluster(configuration: Self.configuration) { client in
            let nodes = client.resource(CoreV1.Node.self)
            for name in ["node-a", "node-b"] {
                _ = try await nodes.create(Make.node(name, cpu: "2", memory: "4Gi"))
            }
            _ = try await nodes.create(
                Make.node("node-infra", cpu: "8", memory: "16Gi", taints: [Make.taint("dedicated", "infra")])
            )
            let pods = client.resource(CoreV1.Pod.self, namespace: "default")
            for index in 0..<4 {
                var pod = Make.pod("web-\(index)", cpu: "500m", memory: "1Gi")
                pod.metadata.uid = nil
                _ = try await pods.create(pod)
            }
            // Every pod is bound, through pods/binding, to one of the untainted nodes.
            for index in 0..<4 {
                let node = try await Self.eventually("web-\(index) to be bound") {
                    try await pods.get("web-\(index)").spec?.nodeName
                }
                #expect(["node-a", "node-b"].contains(node))
            }
            // A pod too big for the untainted nodes fails with upstream's summary and condition.
            var big = Make.pod("big", cpu: "3", memory: "1Gi")
            big.metadata.uid = nil
            _ = try await pods.create(big)
            let condition = try await Self.eventually("big's PodScheduled condition") {
                try await pods.get("big").status?.conditions?.first { $0.type == "PodScheduled" }
            }
            #expect(condition.status == "False")
            #expect(condition.reason == "Unschedulable")
            #expect(
                condition.message
                    == "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: infra}, 2 Insufficient cpu."
            )
            // Events: Scheduled for the bound pods, FailedScheduling for the big one.
            let events = client.resource(EventsV1.Event.self, namespace: "default")
            let scheduled = try await Self.eventually("Scheduled events") {
                let list = try await events.list().items.filter { $0.reason == "Scheduled" }
                return list.count == 4 ? list : nil
            }
            let web0 = try #require(scheduled.first { $0.regarding?.name == "web-0" })
            let bound0 = try await pods.get("web-0").spec?.nodeName ?? ""
            #expect(web0.note == "Successfully assigned default/web-0 to \(bound0)")
            #expect(web0.action == "Binding")
            #expect(web0.reportingController == "default-scheduler")
            let failed = try await Self.eventually("a FailedScheduling event") {
                try await events.list().items.first { $0.reason == "FailedScheduling" }
            }
            #expect(failed.type == "Warning")
            #expect(failed.regarding?.name == "big")
            // A bigger node arrives: the pod is retried (after its back-off) and bound there.
            _ = try await nodes.create(Make.node("node-big", cpu: "16", memory: "64Gi"))
            let node = try await Self.eventually("big to be bound") { try await pods.get("big").spec?.nodeName }
            #expect(node == "node-big")
        }
    }

    /// The requests a test's clients sent: `GET path?query`.
    final class RequestLog: Sendable {
        private let lines = Mutex<[String]>([])
        func record(_ request: APIRequest) {
            self.lines.withLock { $0.append("\(request.method) \(request.path)?\(request.query)") }
        }
        var all: [String] { self.lines.withLock { $0 } }
    }

    /// The scheduler watches only pods that have not finished (upstream's field selector on its pod informer), and
    /// a pod that finishes no longer counts on its node, so a waiting pod fits.
    @Test func finishedPodsFreeTheirNode() async throws {
        let requests = RequestLog()
        try await Self.withCluster(configuration: Self.configuration, requests: requests) { client in
            _ = try await client.resource(CoreV1.Node.self).create(Make.node("small", cpu: "1", memory: "4Gi"))
            let pods = client.resource(CoreV1.Pod.self, namespace: "default")
            var first = Make.pod("first", cpu: "800m", memory: "1Gi")
            first.metadata.uid = nil
            _ = try await pods.create(first)
            _ = try await Self.eventually("first to be bound") { try await pods.get("first").spec?.nodeName }
            var second = Make.pod("second", cpu: "800m", memory: "1Gi")
            second.metadata.uid = nil
            _ = try await pods.create(second)
            let condition = try await Self.eventually("second to be unschedulable") {
                try await pods.get("second").status?.conditions?.first { $0.type == "PodScheduled" }
            }
            #expect(condition.reason == "Unschedulable")
            // The first pod completes: the second is bound to the node it used.
            var finished = try await pods.get("first")
            finished.status = CoreV1.PodStatus(phase: "Succeeded")
            _ = try await pods.updateStatus(finished)
            let node = try await Self.eventually("second to be bound") { try await pods.get("second").spec?.nodeName }
            #expect(node == "small")
        }
        let selector = "fieldSelector=status.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed"
        let podReads = requests.all.filter { $0.hasPrefix("GET /api/v1/pods?") }
        #expect(!podReads.isEmpty)
        #expect(podReads.allSatisfy { $0.contains(selector) }, "\(podReads)")
    }

    @Test func respectsSchedulerNamesAndNodeSelectors() async throws {
        try await Self.withCluster(configuration: Self.configuration) { client in
            let nodes = client.resource(CoreV1.Node.self)
            _ = try await nodes.create(Make.node("ssd-1", labels: ["disk": "ssd"]))
            _ = try await nodes.create(Make.node("hdd-1", labels: ["disk": "hdd"]))
            let pods = client.resource(CoreV1.Pod.self, namespace: "default")
            var wanted = Make.pod("wants-ssd", nodeSelector: ["disk": "ssd"])
            wanted.metadata.uid = nil
            _ = try await pods.create(wanted)
            var foreign = Make.pod("other-scheduler", schedulerName: "my-scheduler")
            foreign.metadata.uid = nil
            _ = try await pods.create(foreign)
            let node = try await Self.eventually("wants-ssd to be bound") { try await pods.get("wants-ssd").spec?.nodeName }
            #expect(node == "ssd-1")
            // The other scheduler's pod is left alone.
            #expect(try await pods.get("other-scheduler").spec?.nodeName == nil)
            #expect(try await pods.get("other-scheduler").status?.conditions?.contains { $0.type == "PodScheduled" } != true)
        }
    }
}
