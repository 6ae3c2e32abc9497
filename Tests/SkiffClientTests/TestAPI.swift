import Foundation
import Logging
import SkiffAPI
import SkiffAPIMachinery
import SkiffAPIServer
import SkiffClient
import SkiffPKI
import SkiffStorageSQLite
import Synchronization
import Testing

/// A real API handler on real SQLite storage in a temporary directory, for the duration of a test.
struct TestAPI: Sendable {
    static let admin = UserInfo(name: "system:admin", groups: ["system:masters", "system:authenticated"])
    static let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    let handler: APIHandler
    let directory: String

    /// A client of the handler through the in-process transport, unthrottled.
    var client: APIClient {
        APIClient(transport: self.transport, rateLimit: .unlimited)
    }

    var transport: InProcessTransport {
        let handler = self.handler
        return InProcessTransport(user: Self.admin, handler: { await handler.handle($0) })
    }

    /// Runs `body` with a fresh API handler over SQLite in a new temporary directory (or `directory`).
    static func with<T: Sendable>(
        directory: String? = nil,
        _ body: @Sendable (TestAPI) async throws -> T
    ) async throws -> T {
        let directory = directory ?? Self.makeDirectory()
        let storage = try SQLiteStorage(directory: directory + "/db")
        let handler = APIHandler(
            configuration: APIServerConfiguration(watchBookmarkInterval: .milliseconds(100)),
            storage: storage,
            logger: Self.quietLogger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await handler.run() }
            defer { group.cancelAll() }
            for _ in 0..<1000 where !handler.isReady { try await Task.sleep(for: .milliseconds(5)) }
            try #require(handler.isReady)
            return try await body(TestAPI(handler: handler, directory: directory))
        }
    }

    static func makeDirectory() -> String {
        let path = NSTemporaryDirectory() + "skiff-client-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// A real HTTPS API server with certificates from `ClusterPKI` and the kubeconfig SkiffPKI writes.
struct TestHTTPSServer: Sendable {
    let api: TestAPI
    let kubeconfigPath: String
    let port: Int

    static func with<T: Sendable>(_ body: @Sendable (TestHTTPSServer) async throws -> T) async throws -> T {
        let directory = TestAPI.makeDirectory()
        let pki = try ClusterPKI.loadOrCreate(
            directory: directory + "/tls",
            hostnames: ["localhost"],
            ipAddresses: ["127.0.0.1"]
        )
        return try await TestAPI.with(directory: directory) { api in
            let server = APIServer(
                handler: api.handler,
                host: "127.0.0.1",
                port: 0,
                tls: APIServerTLS(
                    certificateChainPEM: pki.serving.chainPEM,
                    privateKeyPEM: pki.serving.privateKeyPEM,
                    clientCAPEM: pki.certificateAuthority.certificatePEM
                ),
                logger: TestAPI.quietLogger
            )
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run() }
                defer { group.cancelAll() }
                for _ in 0..<1000 where server.listeningPort == nil { try await Task.sleep(for: .milliseconds(5)) }
                let port = try #require(server.listeningPort)
                let path = directory + "/kubeconfig.yaml"
                try Kubeconfig.write(
                    Kubeconfig.render(
                        server: "https://127.0.0.1:\(port)",
                        certificateAuthorityPEM: pki.certificateAuthority.certificatePEM,
                        clientCertificatePEM: pki.admin.certificatePEM,
                        clientKeyPEM: pki.admin.privateKeyPEM
                    ),
                    to: path
                )
                return try await body(TestHTTPSServer(api: api, kubeconfigPath: path, port: port))
            }
        }
    }
}

/// Values collected from concurrent callbacks.
final class Collected<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])
    func append(_ value: Value) { self.storage.withLock { $0.append(value) } }
    var values: [Value] { self.storage.withLock { $0 } }
    var count: Int { self.storage.withLock { $0.count } }
}

/// Polls `condition` until it holds (the API's background work, such as watch delivery, is asynchronous).
func eventually(_ condition: @Sendable () -> Bool) async throws {
    for _ in 0..<2000 where !condition() { try await Task.sleep(for: .milliseconds(5)) }
    #expect(condition())
}

extension CoreV1.ConfigMap {
    static func named(_ name: String, namespace: String = "default", labels: [String: String]? = nil, data: [String: String] = [:]) -> CoreV1.ConfigMap {
        CoreV1.ConfigMap(metadata: MetaV1.ObjectMeta(name: name, namespace: namespace, labels: labels), data: data)
    }
}

extension CoreV1.Pod {
    static func named(_ name: String, namespace: String = "default", node: String? = nil, labels: [String: String]? = nil) -> CoreV1.Pod {
        CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(name: name, namespace: namespace, labels: labels),
            spec: CoreV1.PodSpec(containers: [CoreV1.Container(name: "main", image: "nginx")], nodeName: node)
        )
    }
}
