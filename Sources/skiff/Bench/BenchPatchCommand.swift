import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1  // HTTPMethod, through AsyncHTTPClient
import SkiffAPI
import SkiffAPIMachinery
import SkiffAPIServer
import SkiffPKI
import SkiffStorageSQLite

/// `skiff bench patch`: strategic merge patch and server-side apply of a Deployment, in process (µs per
/// operation beside a plain JSON decode and encode of the same Deployment) and over HTTPS (patches and applies per
/// second beside plain updates per second, in the same run, on the same server).
///
/// The HTTPS part runs ``APIServer`` on a temporary SQLite store as `skiff bench apiserver` does; every request
/// changes `spec.replicas` of one of the client's own Deployments, so each one writes. "cost" is the update rate
/// divided by the patch rate: the goal is a patch under 2× an update.
struct BenchPatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patch",
        abstract: "Benchmark strategic merge patch and server-side apply against plain updates."
    )

    @Flag(help: "A small run: fewer iterations and requests.")
    var quick = false

    @Option(help: "Concurrent HTTPS clients (each with its own Deployment).")
    var clients: Int = 8

    @Option(help: "Requests per client in each HTTPS case (default 200; --quick 40).")
    var requests: Int?

    @Option(help: "Directory for data (default: a new temporary directory, removed afterwards).")
    var dir: String?

    func validate() throws {
        guard self.clients > 0 else { throw ValidationError("--clients must be positive") }
        if let requests = self.requests, requests < 1 { throw ValidationError("--requests must be positive") }
    }

    func run() async throws {
        let iterations = self.quick ? 500 : 3000
        print("skiff bench patch: Deployment of \(PatchBench.deployment(replicas: 3).serialized().count) bytes of JSON")
        PatchBench.inProcess(iterations: iterations)
        let root =
            self.dir.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appending(path: "skiff-bench-patch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { if self.dir == nil { try? FileManager.default.removeItem(at: root) } }
        try await PatchBench.overHTTPS(
            root: root.path,
            clients: self.clients,
            requests: self.requests ?? (self.quick ? 40 : 200)
        )
    }
}

/// The cases of `skiff bench patch`.
enum PatchBench {
    static let clock = ContinuousClock()

    /// A Deployment as a client applies it.
    static func deployment(replicas: Int, name: String = "web", image: String = "registry.k8s.io/nginx-slim:0.27") -> JSONValue {
        let text = #"""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"\#(name)","labels":{"app":"web","tier":"frontend"},\#
            "annotations":{"team":"platform"}},"spec":{"replicas":\#(replicas),"selector":{"matchLabels":{"app":"web"}},\#
            "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}},\#
            "template":{"metadata":{"labels":{"app":"web","tier":"frontend"}},"spec":{"containers":[{"name":"web",\#
            "image":"\#(image)","args":["--port=8080","--verbose"],"ports":[{"name":"http","containerPort":8080,\#
            "protocol":"TCP"}],"env":[{"name":"LOG_LEVEL","value":"info"},{"name":"POD_NAME","valueFrom":{"fieldRef":\#
            {"fieldPath":"metadata.name"}}}],"resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":\#
            {"cpu":"500m","memory":"256Mi"}},"readinessProbe":{"httpGet":{"path":"/healthz","port":8080},\#
            "periodSeconds":5},"volumeMounts":[{"name":"config","mountPath":"/etc/web","readOnly":true}]},\#
            {"name":"log-shipper","image":"registry.k8s.io/pause:3.10"}],"volumes":[{"name":"config","configMap":\#
            {"name":"web-config"}}],"nodeSelector":{"kubernetes.io/os":"linux"}}}}}
            """#
        // A literal of this file: failing to parse it is a bug here.
        return try! JSONValue.parse(Array(text.utf8))
    }

    /// The median of `rounds` timings of `iterations` calls, in µs per call.
    static func microseconds(iterations: Int, rounds: Int = 5, _ body: () throws -> Void) rethrows -> Double {
        var samples: [Double] = []
        for _ in 0..<rounds {
            let start = Self.clock.now
            for _ in 0..<iterations { try body() }
            samples.append(APIServerBench.seconds(Self.clock.now - start) / Double(iterations) * 1e6)
        }
        return samples.sorted()[rounds / 2]
    }

    static func inProcess(iterations: Int) {
        let live = Self.deployment(replicas: 3)
        let bytes = live.serialized()
        let gvk = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
        guard let strategic = StrategicMergePatch(groupVersionKind: gvk),
            let ownership = FieldOwnership(
                definitionName: "io.k8s.api.apps.v1.Deployment",
                apiVersion: "apps/v1",
                ignoredFields: FieldSet([FieldSetPath(fields: "status")])
            )
        else {
            print("  the compiled-in schema has no Deployment")
            return
        }
        let patch = try! JSONValue.parse(
            Array(
                #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"log-shipper"}],"containers":[{"image":"registry.k8s.io/nginx-slim:0.28","name":"web"}]}}}}"#
                    .utf8
            )
        )
        let now = Time(Date(timeIntervalSince1970: 1_700_000_000))
        var managed = ManagedFields()
        let applied = (try? ownership.apply(live: nil, config: live, managed: &managed, manager: "kubectl", force: false, now: now)) ?? live
        let config = Self.deployment(replicas: 3, image: "registry.k8s.io/nginx-slim:0.28")

        let reference = Self.microseconds(iterations: iterations) {
            _ = try! JSONValue.parse(bytes).serialized()
        }
        let smp = Self.microseconds(iterations: iterations) {
            _ = try! strategic.apply(patch, to: live)
        }
        let apply = Self.microseconds(iterations: iterations) {
            var copy = managed
            _ = try! ownership.apply(live: applied, config: config, managed: &copy, manager: "kubectl", force: false, now: now)
        }
        let update = Self.microseconds(iterations: iterations) {
            var copy = managed
            ownership.update(live: applied, new: config, managed: &copy, manager: "kubectl-edit", now: now)
        }
        // What a create pays: the new object's fields for its manager, encoded as `metadata.managedFields`.
        let create = Self.microseconds(iterations: iterations) {
            var fresh = ManagedFields()
            ownership.update(live: nil, new: live, managed: &fresh, manager: "kubectl-create", now: now)
            _ = fresh.entries
        }
        print("in process (median of 5 rounds of \(iterations)):")
        print(String(format: "  JSON decode+encode (reference)    %8.1f µs", reference))
        print(String(format: "  strategic merge patch              %8.1f µs   %5.2f× reference", smp, smp / reference))
        print(String(format: "  server-side apply (managedFields)  %8.1f µs   %5.2f× reference", apply, apply / reference))
        print(String(format: "  update ownership (managedFields)   %8.1f µs   %5.2f× reference", update, update / reference))
        print(String(format: "  create ownership (+ encoding)      %8.1f µs   %5.2f× reference", create, create / reference))
    }

    // MARK: HTTPS

    static func overHTTPS(root: String, clients: Int, requests: Int) async throws {
        let pki = try ClusterPKI.loadOrCreate(directory: root + "/tls", hostnames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let storage = try SQLiteStorage(directory: root + "/db")
        let handler = APIHandler(
            configuration: APIServerConfiguration(advertiseAddress: "127.0.0.1:0", advertiseIP: "127.0.0.1"),
            storage: storage,
            logger: APIServerBench.quiet
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
            logger: APIServerBench.quiet
        )
        let credentials = try BenchCredentials(
            certificateAuthorityPEM: pki.certificateAuthority.certificatePEM,
            certificatePEM: pki.admin.certificatePEM,
            privateKeyPEM: pki.admin.privateKeyPEM
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
            let client = endpoint.makeClient(http1: false)
            do {
                try await Self.cases(client.client, base: endpoint.base, clients: clients, requests: requests)
            } catch {
                try? await client.client.shutdown()
                throw error
            }
            try await client.client.shutdown()
            group.cancelAll()
        }
        try storage.close()
    }

    static let path = "/apis/apps/v1/namespaces/default/deployments"

    static func send(
        _ http: HTTPClient,
        _ method: HTTPMethod,
        _ url: String,
        contentType: String,
        body: [UInt8]
    ) async throws -> UInt {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http.execute(request, timeout: .seconds(120))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw BenchFailure("\(method) \(url): HTTP \(response.status.code): \(String(buffer: buffer).prefix(300))")
        }
        return response.status.code
    }

    static func cases(_ http: HTTPClient, base: String, clients: Int, requests: Int) async throws {
        for client in 0..<clients {
            let body = Self.deployment(replicas: 1, name: "bench-\(client)").serialized()
            _ = try await Self.send(http, .POST, base + Self.path + "?fieldManager=bench-create", contentType: "application/json", body: body)
        }
        func rate(_ operation: @escaping @Sendable (_ client: Int, _ index: Int) async throws -> Void) async throws -> Double {
            // Warm up each client's connection and object, then time.
            try await withThrowingDiscardingTaskGroup { group in
                for client in 0..<clients { group.addTask { try await operation(client, requests) } }
            }
            let seconds = try await APIServerBench.concurrently(clients: clients, perClient: requests, operation)
            return Double(clients * requests) / seconds
        }
        let updates = try await rate { client, index in
            let body = Self.deployment(replicas: 2 + index % 2, name: "bench-\(client)").serialized()
            _ = try await Self.send(http, .PUT, base + Self.path + "/bench-\(client)?fieldManager=bench-update", contentType: "application/json", body: body)
        }
        let patches = try await rate { client, index in
            let body = Array(#"{"spec":{"replicas":\#(2 + index % 2)}}"#.utf8)
            _ = try await Self.send(
                http,
                .PATCH,
                base + Self.path + "/bench-\(client)?fieldManager=bench-patch",
                contentType: "application/strategic-merge-patch+json",
                body: body
            )
        }
        let applies = try await rate { client, index in
            let body = Self.deployment(replicas: 2 + index % 2, name: "bench-\(client)").serialized()
            _ = try await Self.send(
                http,
                .PATCH,
                base + Self.path + "/bench-\(client)?fieldManager=bench-apply&force=true",
                contentType: "application/apply-patch+yaml",
                body: body
            )
        }
        print("over HTTPS (HTTP/2, \(clients) clients × \(requests) requests, each one a write):")
        print(String(format: "  update (PUT)                 %8.0f /s", updates))
        print(
            String(format: "  strategic merge patch        %8.0f /s   cost %4.2f× an update (goal < 2×)", patches, updates / patches)
        )
        print(
            String(format: "  server-side apply            %8.0f /s   cost %4.2f× an update (goal < 2×)", applies, updates / applies)
        )
    }
}
