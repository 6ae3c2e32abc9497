import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Prometheus
import ServiceLifecycle
import SkiffComponentBase
import Synchronization
import Testing

@Suite("Health endpoints")
struct HealthEndpointTests {
    static let failing = HealthCheck("leaderElection") { throw HealthCheckFailure("lease expired") }

    @Test("all passing: ok, or each check with ?verbose")
    func passing() async {
        let endpoint = HealthEndpoint(name: "healthz", checks: [.ping, HealthCheck("log") {}])
        #expect(await endpoint.answer(subpath: "", verbose: false, excluded: []) == .init(status: 200, body: "ok"))
        let verbose = await endpoint.answer(subpath: "", verbose: true, excluded: [])
        #expect(verbose == .init(status: 200, body: "[+]ping ok\n[+]log ok\nhealthz check passed\n"))
    }

    @Test("a failing check: 500, its reason withheld, always verbose")
    func failing() async {
        let endpoint = HealthEndpoint(name: "livez", checks: [.ping, Self.failing])
        let failures = Mutex<[String]>([])
        let answer = await endpoint.answer(subpath: "", verbose: false, excluded: []) { name, error in
            failures.withLock { $0.append("\(name): \(error)") }
        }
        #expect(answer == .init(status: 500, body: "[+]ping ok\n[-]leaderElection failed: reason withheld\nlivez check failed\n"))
        #expect(failures.withLock { $0 } == ["leaderElection: lease expired"])
    }

    @Test("?exclude skips a check and warns about names that match none")
    func excluded() async {
        let endpoint = HealthEndpoint(name: "readyz", checks: [.ping, Self.failing])
        let answer = await endpoint.answer(subpath: "", verbose: true, excluded: ["leaderElection", "nope"])
        #expect(
            answer
                == .init(
                    status: 200,
                    body: "[+]ping ok\n[+]leaderElection excluded: ok\n"
                        + "warn: some health checks cannot be excluded: no matches for \"nope\"\nreadyz check passed\n"
                )
        )
    }

    @Test("one check by path; an unknown one is not found")
    func single() async {
        let endpoint = HealthEndpoint(name: "healthz", checks: [.ping, Self.failing])
        #expect(await endpoint.answer(subpath: "ping", verbose: false, excluded: []) == .init(status: 200, body: "ok"))
        let failed = await endpoint.answer(subpath: "leaderElection", verbose: false, excluded: [])
        #expect(failed == .init(status: 500, body: "internal server error: lease expired\n"))
        #expect(await endpoint.answer(subpath: "etcd", verbose: false, excluded: []) == nil)
    }
}

@Suite("Component server over HTTPS")
struct ComponentServerTests {
    @Test("serves health and metrics with a self-signed certificate")
    func https() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(name: "scheduler_schedule_attempts_total", labels: [("result", "scheduled")]).increment()
        let server = ComponentServer(
            host: "127.0.0.1",
            port: 0,
            certificate: try .selfSigned(bindAddress: "127.0.0.1"),
            healthz: [.ping],
            readyz: [.ping, HealthCheck("sched-handler-sync") { throw HealthCheckFailure("informers not synced") }],
            registry: registry,
            logger: Logger(label: "test")
        )
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        try await withThrowingTaskGroup { group in
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            var port: Int? = nil
            for _ in 0..<500 where port == nil {
                port = server.listeningPort
                if port == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            let base = "https://127.0.0.1:\(try #require(port))"
            func get(_ path: String) async throws -> (Int, String, String) {
                let response = try await client.execute(HTTPClientRequest(url: base + path), timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 1 << 20)
                return (Int(response.status.code), response.headers.first(name: "content-type") ?? "", String(buffer: body))
            }
            #expect(try await get("/healthz") == (200, "text/plain; charset=utf-8", "ok"))
            #expect(try await get("/livez?verbose").2 == "[+]ping ok\nlivez check passed\n")
            let ready = try await get("/readyz")
            #expect(ready.0 == 500)
            #expect(ready.2.contains("[-]sched-handler-sync failed: reason withheld"))
            let metrics = try await get("/metrics")
            #expect(metrics.0 == 200)
            #expect(metrics.2.contains("scheduler_schedule_attempts_total{result=\"scheduled\"} 1"))
            let resident = metrics.2.split(separator: "\n").first { $0.hasPrefix("process_resident_memory_bytes ") }
            let bytes = try #require(resident.flatMap { Double($0.split(separator: " ")[1]) })
            #expect(bytes > 1_000_000)
            #expect(metrics.2.contains("# TYPE process_cpu_seconds_total counter"))
            #expect(try await get("/apis").0 == 404)
        }
        try await client.shutdown()
    }
}
