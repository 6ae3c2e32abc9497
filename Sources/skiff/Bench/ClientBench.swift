import Foundation
import Logging
import SkiffAPI
import SkiffAPIMachinery
import SkiffAPIServer
import SkiffClient
import SkiffPKI
import SkiffStorageSQLite
import Synchronization

/// The body of `skiff bench client`.
struct ClientBench: Sendable {
    let pods: Int
    let rounds: Int
    let root: String
    static let admin = UserInfo(name: "system:admin", groups: ["system:masters", "system:authenticated"])
    static let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })

    func run() async throws {
        let pki = try ClusterPKI.loadOrCreate(directory: self.root + "/tls", hostnames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let handler = APIHandler(
            configuration: APIServerConfiguration(),
            storage: try SQLiteStorage(directory: self.root + "/db"),
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
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            while !handler.isReady || server.listeningPort == nil { try await Task.sleep(for: .milliseconds(10)) }
            let inProcess = APIClient(
                transport: InProcessTransport(user: Self.admin, handler: { await handler.handle($0) }),
                rateLimit: .unlimited
            )
            let https = try HTTPSTransport(
                configuration: ClientConfiguration(
                    server: "https://127.0.0.1:\(server.listeningPort ?? 0)",
                    certificateAuthorityPEM: pki.certificateAuthority.certificatePEM,
                    clientCertificatePEM: pki.admin.certificatePEM,
                    clientKeyPEM: pki.admin.privateKeyPEM
                )
            )
            do {
                try await self.measure(inProcess: inProcess, https: APIClient(transport: https, rateLimit: .unlimited), handler: handler)
            } catch {
                try? await https.shutdown()
                throw error
            }
            try await https.shutdown()
        }
    }

    func measure(inProcess: APIClient, https: APIClient, handler: APIHandler) async throws {
        print("skiff bench client: \(self.pods) Pods, best of \(self.rounds) (release build expected)")
        _ = try await inProcess.namespaces.create(CoreV1.Namespace(metadata: MetaV1.ObjectMeta(name: "bench")))

        // Creates, 16 at a time, through the typed client in-process.
        let pods = inProcess.pods("bench")
        let revisions = ClientBenchBox<[Int64]>([])
        let createStart = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    var index = worker
                    while index < self.pods {
                        let created = try await pods.create(Self.pod(index))
                        let revision = Int64(created.metadata.resourceVersion ?? "") ?? 0
                        revisions.update { $0.append(revision) }
                        index += 16
                    }
                }
            }
            try await group.waitForAll()
        }
        let createSeconds = Self.seconds(ContinuousClock.now - createStart)
        print(String(format: "create (typed client, in-process, 16 concurrent)  %8.0f pods/s", Double(self.pods) / createSeconds))

        // The list bytes, and the references on them.
        let listResponse = try await inProcess.send(
            APIRequest(method: "GET", path: "/api/v1/namespaces/bench/pods", query: "resourceVersion=0", headers: [("Accept", "application/json")])
        )
        let listBytes = listResponse.bodyBytes
        let parse = try await self.best { _ = try JSONValue.parse(listBytes) }
        let decode = try await self.best { _ = try JSONValueDecoder().decode(ObjectList<CoreV1.Pod>.self, from: listBytes) }

        let syncInProcess = try await self.best { try await Self.syncInformer(inProcess, expecting: self.pods) }
        let syncHTTPS = try await self.best { try await Self.syncInformer(https, expecting: self.pods) }
        print("")
        print("initial sync of \(self.pods) Pods (\(listBytes.count / 1024) KiB of JSON)")
        Self.row("reference: JSONValue.parse of the list bytes", parse, count: self.pods, reference: parse)
        Self.row("reference: parse + decode ObjectList<Pod>", decode, count: self.pods, reference: parse)
        Self.row("informer sync, in-process", syncInProcess, count: self.pods, reference: parse)
        Self.row("informer sync, HTTPS (HTTP/2, mTLS)", syncHTTPS, count: self.pods, reference: parse)

        // Watch replay from the watch cache, from the resourceVersion of the create a tenth of the way through in
        // commit order (16 creators commit out of index order), so exactly the creates after it are replayed.
        let from = String(revisions.value.sorted()[self.pods / 10])
        let expected = self.pods - self.pods / 10 - 1
        let rawLines = try await Self.rawWatchLines(handler: handler, from: from, expecting: expected)
        let rawParse = try await self.best { for line in rawLines { _ = try JSONValue.parse(line) } }
        let watchInProcess = try await self.best { try await Self.watch(inProcess, from: from, expecting: expected) }
        let watchHTTPS = try await self.best { try await Self.watch(https, from: from, expecting: expected) }
        print("")
        print("watch replay of \(expected) ADDED events")
        Self.row("reference: JSONValue.parse of the event lines", rawParse, count: expected, reference: rawParse)
        Self.row("typed watch, in-process", watchInProcess, count: expected, reference: rawParse)
        Self.row("typed watch, HTTPS (HTTP/2, mTLS)", watchHTTPS, count: expected, reference: rawParse)
    }

    static func syncInformer(_ client: APIClient, expecting count: Int) async throws {
        let informer = Informer(client: client.pods("bench"), logger: Self.quiet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await informer.run() }
            try await informer.waitForCacheSync()
            group.cancelAll()
        }
        guard informer.indexer.count == count else {
            throw BenchFailure("the informer holds \(informer.indexer.count) Pods, not \(count)")
        }
    }

    static func watch(_ client: APIClient, from resourceVersion: String, expecting count: Int) async throws {
        var seen = 0
        do {
            try await client.pods("bench").watch(ListOptions(resourceVersion: resourceVersion)) { event in
                if case .added = event { seen += 1 }
                if seen == count { throw StopWatching() }
            }
        } catch is StopWatching {}
        guard seen == count else { throw BenchFailure("the watch delivered \(seen) events, not \(count)") }
    }

    static func rawWatchLines(handler: APIHandler, from resourceVersion: String, expecting count: Int) async throws -> [[UInt8]] {
        let response = await handler.handle(
            APIRequest(
                method: "GET",
                path: "/api/v1/namespaces/bench/pods",
                query: "watch=true&resourceVersion=\(resourceVersion)",
                user: Self.admin
            )
        )
        guard case .stream(let producer) = response.body else { throw BenchFailure("the watch did not stream") }
        let lines = Mutex<[[UInt8]]>([])
        let pending = Mutex<[UInt8]>([])
        do {
            try await producer { chunk in
                let done: Bool = pending.withLock { buffer in
                    buffer.append(contentsOf: chunk)
                    var complete: [[UInt8]] = []
                    while let newline = buffer.firstIndex(of: 10) {
                        complete.append(Array(buffer[..<newline]))
                        buffer.removeSubrange(...newline)
                    }
                    return lines.withLock { lines in
                        lines.append(contentsOf: complete)
                        return lines.count >= count
                    }
                }
                if done { throw StopWatching() }
            }
        } catch is StopWatching {}
        return lines.withLock { $0 }
    }

    func best(_ body: () async throws -> Void) async throws -> Duration {
        var best = Duration.seconds(1_000_000)
        for _ in 0..<self.rounds {
            let start = ContinuousClock.now
            try await body()
            best = min(best, ContinuousClock.now - start)
        }
        return best
    }

    static func row(_ name: String, _ duration: Duration, count: Int, reference: Duration) {
        let seconds = Self.seconds(duration)
        print(
            name.padding(toLength: 50, withPad: " ", startingAt: 0)
                + String(format: "%9.1f ms %11.0f objects/s %7.2f× reference", seconds * 1000, Double(count) / seconds, seconds / Self.seconds(reference))
        )
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func pod(_ index: Int) -> CoreV1.Pod {
        CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(
                name: "pod-\(index)",
                namespace: "bench",
                labels: ["app": "bench", "shard": "\(index % 10)"]
            ),
            spec: CoreV1.PodSpec(
                containers: [
                    CoreV1.Container(
                        name: "main",
                        image: "registry.k8s.io/pause:3.10",
                        resources: CoreV1.ResourceRequirements(requests: ["cpu": "100m", "memory": "64Mi"])
                    )
                ],
                nodeName: "node-\(index % 100)"
            )
        )
    }
}

/// A value shared by the benchmark's concurrent tasks.
final class ClientBenchBox<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { self.storage = Mutex(value) }
    var value: Value { self.storage.withLock { $0 } }
    func update(_ body: (inout Value) -> Void) { self.storage.withLock { body(&$0) } }
}
