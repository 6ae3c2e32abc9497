import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1  // HTTPMethod, through AsyncHTTPClient
import SkiffAPIServer
import SkiffPKI
import SkiffStorage
import SkiffStorageSQLite
import Synchronization

/// The scenarios of `skiff bench apiserver`, in the order they print.
struct APIServerBench: Sendable {
    struct Settings: Sendable {
        var pods: Int
        var watchers: Int
        var creates: Int
        var rate: Int
        var latencySeconds: Int
        var gets: Int
        var listedPods: Int
        var lists: Int
        var watchWrites: Int
        var rounds: Int
    }

    let settings: Settings
    let root: String
    static let clock = ContinuousClock()
    static let quiet = Logger(label: "skiff.bench", factory: { _ in SwiftLogNoOpLogHandler() })

    func run() async throws {
        let settings = self.settings
        let pki = try ClusterPKI.loadOrCreate(
            directory: self.root + "/tls",
            hostnames: ["localhost"],
            ipAddresses: ["127.0.0.1"]
        )
        let storage = try SQLiteStorage(directory: self.root + "/db")
        let bare = try SQLiteStorage(directory: self.root + "/bare")
        let handler = APIHandler(
            configuration: APIServerConfiguration(advertiseAddress: "127.0.0.1:0", advertiseIP: "127.0.0.1"),
            storage: storage,
            logger: Self.quiet
        )
        let server = APIServer(
            handler: handler,
            host: "127.0.0.1",
            port: 0,
            tls: APIServerTLS(
                certificateChainPEM: pki.serving.chainPEM,
                privateKeyPEM: pki.serving.privateKeyPEM,
                clientCAPEM: pki.certificateAuthority.certificatePEM
            ),
            logger: Self.quiet
        )
        let credentials = try BenchCredentials(
            certificateAuthorityPEM: pki.certificateAuthority.certificatePEM,
            certificatePEM: pki.admin.certificatePEM,
            privateKeyPEM: pki.admin.privateKeyPEM
        )
        var report = APIServerBenchReport()
        print(
            "skiff bench apiserver: HTTPS on 127.0.0.1, admin client certificate, SQLite WAL synchronous=FULL; "
                + "Pod body \(BenchPod.body(name: "bench-0-0-00000", namespace: "bench").count) bytes; "
                + "best of \(settings.rounds) round(s); \(ProcessInfo.processInfo.activeProcessorCount) CPUs"
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var port: Int? = nil
            for _ in 0..<1000 {
                port = server.listeningPort
                if port != nil && handler.isReady { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            guard let port, handler.isReady else { throw BenchFailure("the API server did not become ready") }
            let endpoint = BenchEndpoint(base: "https://127.0.0.1:\(port)", credentials: credentials)
            try await self.inProcess(endpoint: endpoint, bare: bare, report: &report)
            group.cancelAll()
        }
        try storage.close()
        try bare.close()
        try await self.childProcess(report: &report)
        print(report.text, terminator: "")
        print(report.jsonLine())
    }

    // MARK: - In process: throughput, latency, lists and watches

    func inProcess(endpoint: BenchEndpoint, bare: SQLiteStorage, report: inout APIServerBenchReport) async throws {
        let settings = self.settings
        let h2 = endpoint.makeClient(http1: false)
        let h1 = endpoint.makeClient(http1: true)
        do {
            for namespace in ["bench", "bench-list", "bench-watch"] {
                try await h2.createNamespace(namespace)
            }
            // Open the connections (64 for HTTP/1.1) before timing anything.
            for client in [h2, h1] {
                _ = try await Self.concurrently(clients: 64, perClient: 4) { _, _ in _ = try await client.get("/readyz") }
            }
            // The reference stores exactly what the server stored for a Pod of this shape.
            let probe = "probe-0"
            try await h2.createPod(probe, namespace: "bench")
            let storedJSON = try await h2.get("/api/v1/namespaces/bench/pods/\(probe)").bytes
            let value = [UInt8](repeating: 0, count: 4) + storedJSON
            report.note("  (stored Pod: \(storedJSON.count) bytes of JSON)")

            // Creates: 1, 16 and 64 clients, HTTP/2 and HTTP/1.1, each beside the bare store's creates.
            var existing: [String] = []
            for clients in [1, 16, 64] {
                let total = clients == 1 ? max(64, settings.creates / 4) : settings.creates
                let perClient = total / clients
                let operations = perClient * clients
                var best = (h2: 0.0, h1: 0.0, bare: 0.0, floor: 0.0)
                var cpu = (h2: Double.infinity, h1: Double.infinity, bare: Double.infinity, floor: Double.infinity)
                // The transport's share: the same body over the same connection to `/healthz`, which the server
                // answers without authentication, decoding, storage or encoding.
                let measuresFloor = clients == 1 || clients == 64
                for round in 0..<settings.rounds {
                    let names: @Sendable (String, Int, Int) -> String = { protocolName, client, index in
                        "c\(clients)-\(protocolName)-r\(round)-\(client)-\(index)"
                    }
                    let h2Run = try await Self.measured(clients: clients, perClient: perClient) { c, i in
                        try await h2.createPod(names("h2", c, i), namespace: "bench")
                    }
                    best.h2 = max(best.h2, Double(operations) / h2Run.seconds)
                    cpu.h2 = min(cpu.h2, h2Run.cpuSeconds / Double(operations))
                    let h1Run = try await Self.measured(clients: clients, perClient: perClient) { c, i in
                        try await h1.createPod(names("h1", c, i), namespace: "bench")
                    }
                    best.h1 = max(best.h1, Double(operations) / h1Run.seconds)
                    cpu.h1 = min(cpu.h1, h1Run.cpuSeconds / Double(operations))
                    let bareRun = try await Self.measured(clients: clients, perClient: perClient) { c, i in
                        _ = try await bare.create("/registry/pods/bench/" + names("h2", c, i), value: value)
                    }
                    best.bare = max(best.bare, Double(operations) / bareRun.seconds)
                    cpu.bare = min(cpu.bare, bareRun.cpuSeconds / Double(operations))
                    if measuresFloor {
                        let floorRun = try await Self.measured(clients: clients, perClient: perClient) { c, i in
                            try await h2.postToHealthz(BenchPod.body(name: names("floor", c, i), namespace: "bench"))
                        }
                        best.floor = max(best.floor, Double(operations) / floorRun.seconds)
                        cpu.floor = min(cpu.floor, floorRun.cpuSeconds / Double(operations))
                    }
                    if clients == 64 && round == 0 {
                        existing = (0..<clients).flatMap { c in (0..<perClient).map { names("h2", c, $0) } }
                    }
                }
                let label = clients == 1 ? "1 client" : "\(clients) clients"
                report.throughput(
                    "create, \(label), HTTP/2",
                    key: "create_h2_c\(clients)",
                    server: best.h2,
                    bare: best.bare,
                    cpu: (cpu.h2, cpu.bare),
                    unit: "creates/s",
                    goal: clients == 1 ? nil : ("≥ 1,000/s", best.h2 >= 1000)
                )
                report.throughput(
                    "create, \(label), HTTP/1.1",
                    key: "create_h1_c\(clients)",
                    server: best.h1,
                    bare: best.bare,
                    cpu: (cpu.h1, cpu.bare),
                    unit: "creates/s",
                    goal: clients == 1 ? nil : ("≥ 1,000/s", best.h1 >= 1000)
                )
                if measuresFloor {
                    report.throughput(
                        "  HTTPS floor: POST /healthz",
                        key: "create_floor_h2_c\(clients)",
                        server: best.floor,
                        bare: best.bare,
                        cpu: (cpu.floor, cpu.bare),
                        unit: "posts/s"
                    )
                    report.note(
                        String(
                            format: "  (a create over HTTP/2 costs %.2f× the floor's time, %.2f× its CPU)",
                            best.floor / best.h2,
                            cpu.h2 / cpu.floor
                        )
                    )
                }
            }

            // Create latency at a fixed offered rate (open loop: latency counts from the scheduled send time).
            let requests = settings.rate * settings.latencySeconds
            let serverLatencies = try await Self.openLoop(rate: settings.rate, requests: requests) { index in
                try await h2.createPod("rate-\(index)", namespace: "bench")
            }
            let bareLatencies = try await Self.openLoop(rate: settings.rate, requests: requests) { index in
                _ = try await bare.create("/registry/pods/bench/rate-\(index)", value: value)
            }
            report.latency(
                "create latency @\(settings.rate)/s, HTTP/2",
                key: "create_latency",
                server: serverLatencies,
                bare: bareLatencies,
                goal: ("p99 ≤ 25 ms", APIServerBenchReport.percentile(serverLatencies, 99) <= 0.025)
            )

            // Gets of random existing Pods, 64 clients.
            let existingNames = existing
            let perGetter = settings.gets / 64
            let gets = perGetter * 64
            var bestGets = (server: 0.0, bare: 0.0)
            var getCPU = (server: Double.infinity, bare: Double.infinity)
            // The transport's own cost: the same client and connection asking for `/healthz`, which the server
            // answers without authentication, storage or encoding. No API server on this transport does better.
            var bestFloor = 0.0
            var floorCPU = Double.infinity
            for _ in 0..<settings.rounds {
                let floorRun = try await Self.measured(clients: 64, perClient: perGetter) { _, _ in
                    _ = try await h2.get("/healthz")
                }
                bestFloor = max(bestFloor, Double(gets) / floorRun.seconds)
                floorCPU = min(floorCPU, floorRun.cpuSeconds / Double(gets))
                let serverRun = try await Self.measured(clients: 64, perClient: perGetter) { _, _ in
                    let name = existingNames.randomElement()!
                    let reply = try await h2.get("/api/v1/namespaces/bench/pods/\(name)")
                    guard reply.bytes.count > 100 else { throw BenchFailure("short get reply") }
                }
                bestGets.server = max(bestGets.server, Double(gets) / serverRun.seconds)
                getCPU.server = min(getCPU.server, serverRun.cpuSeconds / Double(gets))
                let bareRun = try await Self.measured(clients: 64, perClient: perGetter) { _, _ in
                    guard try await bare.get("/registry/pods/bench/" + existingNames.randomElement()!) != nil else {
                        throw BenchFailure("a bare get found nothing")
                    }
                }
                bestGets.bare = max(bestGets.bare, Double(gets) / bareRun.seconds)
                getCPU.bare = min(getCPU.bare, bareRun.cpuSeconds / Double(gets))
            }
            report.throughput(
                "get, 64 clients, HTTP/2",
                key: "get_h2_c64",
                server: bestGets.server,
                bare: bestGets.bare,
                cpu: getCPU,
                unit: "gets/s"
            )
            report.throughput(
                "  HTTPS floor: GET /healthz",
                key: "get_floor_h2_c64",
                server: bestFloor,
                bare: bestGets.bare,
                cpu: (floorCPU, getCPU.bare),
                unit: "gets/s"
            )
            report.note(
                String(
                    format: "  (a get costs %.2f× the floor's time, %.2f× its CPU)",
                    bestFloor / bestGets.server,
                    getCPU.server / floorCPU
                )
            )

            // Lists of a namespace holding `listedPods` Pods, one client.
            let listed = settings.listedPods
            _ = try await Self.concurrently(clients: 8, perClient: listed / 8) { c, i in
                let name = "list-\(c)-\(i)"
                try await h2.createPod(name, namespace: "bench-list")
                _ = try await bare.create("/registry/pods/bench-list/" + name, value: value)
            }
            let listedCount = listed / 8 * 8
            let listPath = "/api/v1/namespaces/bench-list/pods"
            let consistent = try await h2.get(listPath)
            let itemCount = try Self.itemCount(consistent.bytes)
            guard itemCount == listedCount else {
                throw BenchFailure("the list returned \(itemCount) items, not \(listedCount)")
            }
            report.note("  (list of \(listedCount) Pods: \(consistent.bytes.count / 1024) KiB)")
            var bestLists = (consistent: 0.0, cache: 0.0, bare: 0.0)
            for _ in 0..<settings.rounds {
                let consistentSeconds = try await Self.concurrently(clients: 1, perClient: settings.lists) { _, _ in
                    _ = try await h2.get(listPath)
                }
                bestLists.consistent = max(bestLists.consistent, Double(settings.lists) / consistentSeconds)
                let cacheSeconds = try await Self.concurrently(clients: 1, perClient: settings.lists) { _, _ in
                    _ = try await h2.get(listPath + "?resourceVersion=0")
                }
                bestLists.cache = max(bestLists.cache, Double(settings.lists) / cacheSeconds)
                let bareSeconds = try await Self.concurrently(clients: 1, perClient: settings.lists) { _, _ in
                    let count = try await bare.list(prefix: "/registry/pods/bench-list/").keyValues.count
                    guard count == listedCount else { throw BenchFailure("bare list: \(count) keys") }
                }
                bestLists.bare = max(bestLists.bare, Double(settings.lists) / bareSeconds)
            }
            report.throughput(
                "list \(listedCount) Pods (consistent)",
                key: "list_consistent",
                server: bestLists.consistent,
                bare: bestLists.bare,
                unit: "lists/s"
            )
            report.throughput(
                "list \(listedCount) Pods (rv=0, cache)",
                key: "list_cache",
                server: bestLists.cache,
                bare: bestLists.bare,
                unit: "lists/s"
            )

            // Watch fan-out.
            let serverWatch = try await self.serverFanOut(endpoint: endpoint, writer: h2)
            let bareWatch = try await Self.bareFanOut(bare, watchers: settings.watchers, writes: settings.watchWrites, value: value)
            report.fanOut(
                "watch fan-out, \(settings.watchers) watchers",
                key: "watch_fanout",
                server: serverWatch,
                bare: bareWatch
            )
        } catch {
            try? await h2.client.shutdown()
            try? await h1.client.shutdown()
            throw error
        }
        try await h2.client.shutdown()
        try await h1.client.shutdown()
    }

    /// Runs `perClient` operations in each of `clients` tasks; returns the seconds taken.
    static func concurrently(
        clients: Int,
        perClient: Int,
        _ operation: @escaping @Sendable (_ client: Int, _ index: Int) async throws -> Void
    ) async throws -> Double {
        let start = Self.clock.now
        try await withThrowingDiscardingTaskGroup { group in
            for client in 0..<clients {
                group.addTask {
                    for index in 0..<perClient { try await operation(client, index) }
                }
            }
        }
        return Self.seconds(Self.clock.now - start)
    }

    /// ``concurrently(clients:perClient:_:)``, with the CPU time the process used meanwhile (clients included).
    static func measured(
        clients: Int,
        perClient: Int,
        _ operation: @escaping @Sendable (_ client: Int, _ index: Int) async throws -> Void
    ) async throws -> (seconds: Double, cpuSeconds: Double) {
        let cpu = BenchCPU.seconds()
        let seconds = try await Self.concurrently(clients: clients, perClient: perClient, operation)
        return (seconds, BenchCPU.seconds() - cpu)
    }

    /// Starts operation `i` at `start + i / rate` whatever the others do; returns each one's latency from its
    /// scheduled start, so a stall is not hidden by sending less (no coordinated omission).
    static func openLoop(
        rate: Int,
        requests: Int,
        _ operation: @escaping @Sendable (_ index: Int) async throws -> Void
    ) async throws -> [Double] {
        let start = Self.clock.now + .milliseconds(20)
        let interval = Duration.seconds(1) / rate
        return try await withThrowingTaskGroup(of: Double.self) { group in
            for index in 0..<requests {
                let scheduled = start + interval * index
                try await Task.sleep(until: scheduled, clock: Self.clock)
                group.addTask {
                    try await operation(index)
                    return Self.seconds(Self.clock.now - scheduled)
                }
            }
            var latencies: [Double] = []
            for try await latency in group { latencies.append(latency) }
            return latencies
        }
    }

    /// Runs `body` with HTTP/2 clients for `watchers` watches: ⌈watchers / 100⌉ connections (the server allows 100
    /// streams each), `client(watcher)` naming the one a watch uses; shuts them down afterwards.
    static func withWatchConnections<T: Sendable>(
        endpoint: BenchEndpoint,
        watchers: Int,
        _ body: (_ client: (Int) -> BenchClient) async throws -> T
    ) async throws -> T {
        let perConnection = 100
        let clients = (0..<((watchers + perConnection - 1) / perConnection)).map { _ in
            endpoint.makeClient(http1: false)
        }
        do {
            let result = try await body { clients[$0 / perConnection] }
            for client in clients { try? await client.client.shutdown() }
            return result
        } catch {
            for client in clients { try? await client.client.shutdown() }
            throw error
        }
    }

    /// `watchers` watches (``withWatchConnections(endpoint:watchers:_:)``), then `watchWrites` creates one after
    /// another; per delivery, the time from the start of the create.
    func serverFanOut(endpoint: BenchEndpoint, writer: BenchClient) async throws -> FanOut {
        let watchers = self.settings.watchers
        let writes = self.settings.watchWrites
        let list = try await writer.get("/api/v1/namespaces/bench-watch/pods")
        guard let resourceVersion = Self.listResourceVersion(list.bytes) else {
            throw BenchFailure("no resourceVersion in the list")
        }
        let tracker = FanOutTracker(watchers: watchers, writes: writes)
        return try await Self.withWatchConnections(endpoint: endpoint, watchers: watchers) { clientFor in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for watcher in 0..<watchers {
                    let client = clientFor(watcher)
                    group.addTask {
                        var request = HTTPClientRequest(
                            url: endpoint.base
                                + "/api/v1/namespaces/bench-watch/pods?watch=true&resourceVersion=\(resourceVersion)"
                        )
                        request.method = .GET
                        let response = try await client.client.execute(request, timeout: .seconds(600))
                        guard response.status.code == 200 else {
                            throw BenchFailure("watch: HTTP \(response.status.code)")
                        }
                        tracker.established()
                        var seen = 0
                        for try await chunk in response.body {
                            let now = Self.clock.now
                            let lines = chunk.readableBytesView.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
                            for _ in 0..<lines {
                                tracker.delivered(write: seen, at: now)
                                seen += 1
                            }
                            if seen >= writes { break }
                        }
                    }
                }
                try await tracker.waitForEstablished(timeout: .seconds(120))
                // Streams are open; give the server a moment to register every watch in its cache.
                try await Task.sleep(for: .milliseconds(300))
                for write in 0..<writes {
                    tracker.started(write: write, at: Self.clock.now)
                    try await writer.createPod("watch-\(write)", namespace: "bench-watch")
                    try await tracker.waitForDeliveries(write: write, timeout: .seconds(60))
                }
                try await group.waitForAll()
                return tracker.result()
            }
        }
    }

    /// Holds `count` watches open, as informers hold them (bookmarks allowed, a long timeout), while `body` runs
    /// (``withWatchConnections(endpoint:watchers:_:)``).
    static func withOpenWatches<T: Sendable>(
        endpoint: BenchEndpoint,
        count: Int,
        _ body: () async throws -> T
    ) async throws -> T {
        let tracker = FanOutTracker(watchers: count, writes: 0)
        let path = "/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=600"
        return try await Self.withWatchConnections(endpoint: endpoint, watchers: count) { clientFor in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for watcher in 0..<count {
                    let client = clientFor(watcher)
                    group.addTask {
                        let response = try await client.client.execute(
                            HTTPClientRequest(url: endpoint.base + path),
                            timeout: .seconds(600)
                        )
                        guard response.status.code == 200 else {
                            throw BenchFailure("watch: HTTP \(response.status.code)")
                        }
                        tracker.established()
                        for try await _ in response.body {}
                    }
                }
                try await tracker.waitForEstablished(timeout: .seconds(120))
                let result = try await body()
                // Closing the streams ends the watches; the errors that end them are expected.
                group.cancelAll()
                while await group.nextResult() != nil {}
                return result
            }
        }
    }

    /// The same fan-out on the bare store's own watches.
    static func bareFanOut(_ store: SQLiteStorage, watchers: Int, writes: Int, value: [UInt8]) async throws -> FanOut {
        let tracker = FanOutTracker(watchers: watchers, writes: writes)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            var streams: [WatchStream] = []
            for _ in 0..<watchers { streams.append(try await store.watch(prefix: "/registry/pods/bench-watch/")) }
            for stream in streams {
                group.addTask {
                    var seen = 0
                    for try await response in stream {
                        let now = Self.clock.now
                        for _ in response.events {
                            tracker.delivered(write: seen, at: now)
                            seen += 1
                        }
                        if seen >= writes { break }
                    }
                }
                tracker.established()
            }
            for write in 0..<writes {
                tracker.started(write: write, at: Self.clock.now)
                _ = try await store.create("/registry/pods/bench-watch/watch-\(write)", value: value)
                try await tracker.waitForDeliveries(write: write, timeout: .seconds(60))
            }
            try await group.waitForAll()
            return tracker.result()
        }
    }

    // MARK: - Child process: start to ready, memory

    func childProcess(report: inout APIServerBenchReport) async throws {
        let dataDir = self.root + "/child"
        let port = try BenchSockets.freePort()
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let arguments = [
            "server", "--data-dir", dataDir, "--https-listen-port", String(port), "--bind-address", "127.0.0.1",
            "--advertise-address", "127.0.0.1", "--log-level", "error",
        ]
        let logPath = self.root + "/child.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }

        // Fresh data directory: CA, certificates, database and bootstrap objects are all created.
        let first = try await ChildServer.start(executable: executable, arguments: arguments, port: port, log: log, dataDir: dataDir)
        let idle: BenchMemory
        let afterRequests: BenchMemory
        let loaded: BenchMemory
        do {
            try await Task.sleep(for: .milliseconds(500))
            idle = try BenchMemory(pid: first.process.processIdentifier)
            let client = first.endpoint.makeClient(http1: false)
            do {
                // What kubectl does first: discovery, the OpenAPI index, a list and a get.
                for path in [
                    "/api", "/apis", "/api/v1", "/openapi/v3", "/api/v1/namespaces", "/api/v1/namespaces/default",
                    "/api/v1/namespaces/default/pods", "/apis/apps/v1/namespaces/default/deployments",
                ] {
                    _ = try await client.get(path)
                }
                try await Task.sleep(for: .milliseconds(500))
                afterRequests = try BenchMemory(pid: first.process.processIdentifier)
                let perClient = self.settings.pods / 64
                _ = try await Self.concurrently(clients: 64, perClient: perClient) { c, i in
                    try await client.createPod("held-\(c)-\(i)", namespace: "default")
                }
                let remainder = self.settings.pods - perClient * 64
                for index in 0..<remainder { try await client.createPod("held-rest-\(index)", namespace: "default") }
                // One list of everything through the cache, as an informer's first list would.
                _ = try await client.get("/api/v1/pods?resourceVersion=0")
                try await Task.sleep(for: .milliseconds(500))
                loaded = try BenchMemory(pid: first.process.processIdentifier)
            } catch {
                try? await client.client.shutdown()
                throw error
            }
            try await client.client.shutdown()
        } catch {
            await first.stop()
            throw error
        }
        await first.stop()

        // Existing data directory holding the Pods.
        let second = try await ChildServer.start(executable: executable, arguments: arguments, port: port, log: log, dataDir: dataDir)
        try await Task.sleep(for: .milliseconds(500))
        let restarted = try? BenchMemory(pid: second.process.processIdentifier)
        // Watches as informers hold them, on the server holding the Pods (measured after the rows above, so
        // what the watches leave in the allocator does not count there).
        let watching: BenchMemory
        do {
            watching = try await Self.withOpenWatches(endpoint: second.endpoint, count: self.settings.watchers) {
                try await Task.sleep(for: .milliseconds(500))
                return try BenchMemory(pid: second.process.processIdentifier)
            }
        } catch {
            await second.stop()
            throw error
        }
        await second.stop()

        report.value(
            "server RSS, idle after start",
            key: "rss_idle_mib",
            value: idle.rssMiB,
            text: idle.text,
            goal: ("< 50 MiB", idle.rssMiB < 50)
        )
        report.value(
            "server RSS, after 8 kubectl-like GETs",
            key: "rss_requests_mib",
            value: afterRequests.rssMiB,
            text: afterRequests.text,
            goal: ("< 50 MiB", afterRequests.rssMiB < 50)
        )
        report.value(
            "server RSS, \(self.settings.pods) Pods",
            key: "rss_loaded_mib",
            value: loaded.rssMiB,
            text: String(format: "%.1f MiB (peak %.1f)", loaded.rssMiB, loaded.peakMiB),
            goal: ("< 300 MiB", loaded.rssMiB < 300)
        )
        if let restarted {
            report.value(
                "server RSS, restarted with them",
                key: "rss_restarted_mib",
                value: restarted.rssMiB,
                text: String(format: "%.1f MiB", restarted.rssMiB),
                goal: nil
            )
            report.value(
                "  and \(self.settings.watchers) open watches",
                key: "rss_watches_mib",
                value: watching.rssMiB,
                text: String(
                    format: "%.1f MiB (%.1f KiB per watch)",
                    watching.rssMiB,
                    (watching.rssMiB - restarted.rssMiB) * 1024 / Double(self.settings.watchers)
                ),
                goal: nil
            )
        }
        report.value(
            "start to ready, fresh data dir",
            key: "ready_fresh_ms",
            value: first.readySeconds * 1000,
            text: String(format: "%.0f ms", first.readySeconds * 1000),
            goal: ("< 1 s", first.readySeconds < 1)
        )
        report.value(
            "start to ready, \(self.settings.pods) Pods",
            key: "ready_existing_ms",
            value: second.readySeconds * 1000,
            text: String(format: "%.0f ms", second.readySeconds * 1000),
            goal: ("< 1 s", second.readySeconds < 1)
        )
    }

    // MARK: - Helpers

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func itemCount(_ bytes: [UInt8]) throws -> Int {
        let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        return (object?["items"] as? [Any])?.count ?? -1
    }

    static func listResourceVersion(_ bytes: [UInt8]) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        return (object?["metadata"] as? [String: Any])?["resourceVersion"] as? String
    }
}

/// A failed expectation of the benchmark itself.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Watch deliveries of a fan-out: per write, when it started and when each watcher got it.
final class FanOutTracker: Sendable {
    private struct State {
        var established = 0
        var starts: [ContinuousClock.Instant?]
        var arrivals: [[ContinuousClock.Instant]]
    }
    private let state: Mutex<State>
    let watchers: Int

    init(watchers: Int, writes: Int) {
        self.watchers = watchers
        self.state = Mutex(State(starts: Array(repeating: nil, count: writes), arrivals: Array(repeating: [], count: writes)))
    }

    func established() { self.state.withLock { $0.established += 1 } }

    func started(write: Int, at instant: ContinuousClock.Instant) { self.state.withLock { $0.starts[write] = instant } }

    func delivered(write: Int, at instant: ContinuousClock.Instant) {
        self.state.withLock { state in
            if write < state.arrivals.count { state.arrivals[write].append(instant) }
        }
    }

    func waitForEstablished(timeout: Duration) async throws {
        let deadline = APIServerBench.clock.now + timeout
        while self.state.withLock({ $0.established }) < self.watchers {
            guard APIServerBench.clock.now < deadline else {
                throw BenchFailure("only \(self.state.withLock { $0.established }) of \(self.watchers) watches opened")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    func waitForDeliveries(write: Int, timeout: Duration) async throws {
        let deadline = APIServerBench.clock.now + timeout
        while self.state.withLock({ $0.arrivals[write].count }) < self.watchers {
            guard APIServerBench.clock.now < deadline else {
                throw BenchFailure("write \(write) reached \(self.state.withLock { $0.arrivals[write].count }) watchers")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    func result() -> FanOut {
        self.state.withLock { state in
            var latencies: [Double] = []
            var untilAll: [Double] = []
            for (start, arrivals) in zip(state.starts, state.arrivals) {
                guard let start else { continue }
                let these = arrivals.map { APIServerBench.seconds($0 - start) }
                latencies += these
                untilAll.append(these.max() ?? 0)
            }
            return FanOut(latencies: latencies, untilAll: untilAll)
        }
    }
}

/// Per-delivery latencies and, per write, the time until every watcher had it.
struct FanOut: Sendable {
    var latencies: [Double]
    var untilAll: [Double]
}

/// The admin credentials, parsed for NIOSSL.
struct BenchCredentials: Sendable {
    var certificateAuthorityPEM: String
    var certificatePEM: String
    var privateKeyPEM: String

    init(certificateAuthorityPEM: String, certificatePEM: String, privateKeyPEM: String) throws {
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }
}
