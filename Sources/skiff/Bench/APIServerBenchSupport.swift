import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1  // HTTPMethod, through AsyncHTTPClient
import NIOPosix
import NIOSSL
import SkiffPKI

#if canImport(Glibc)
    import Glibc
#endif

/// Where the server listens and the credentials to reach it with.
struct BenchEndpoint: Sendable {
    var base: String
    var credentials: BenchCredentials

    /// The event loops of the benchmark's clients, apart from the server's (NIO's singleton group), as clients in
    /// other processes would be; profiles then tell the two apart by thread.
    static let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 2)

    /// A client presenting the admin certificate; `http1` forbids HTTP/2 (ALPN then offers only http/1.1).
    func makeClient(http1: Bool) -> BenchClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(
            (try? NIOSSLCertificate.fromPEMBytes(Array(self.credentials.certificateAuthorityPEM.utf8))) ?? []
        )
        tls.certificateChain =
            ((try? NIOSSLCertificate.fromPEMBytes(Array(self.credentials.certificatePEM.utf8))) ?? [])
            .map { .certificate($0) }
        if let key = try? NIOSSLPrivateKey(bytes: Array(self.credentials.privateKeyPEM.utf8), format: .pem) {
            tls.privateKey = .privateKey(key)
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            timeout: .init(connect: .seconds(10), read: .seconds(600)),
            connectionPool: .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        )
        configuration.httpVersion = http1 ? .http1Only : .automatic
        return BenchClient(
            client: HTTPClient(eventLoopGroup: Self.clientGroup, configuration: configuration),
            base: self.base
        )
    }
}

/// Requests of the benchmark.
struct BenchClient: Sendable {
    let client: HTTPClient
    let base: String

    struct Reply: Sendable {
        var status: UInt
        var bytes: [UInt8]
    }

    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: self.base + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await self.client.execute(request, timeout: .seconds(120))
        let buffer = try await response.body.collect(upTo: 256 << 20)
        return Reply(status: response.status.code, bytes: Array(buffer: buffer))
    }

    func get(_ path: String) async throws -> Reply {
        let reply = try await self.send(.GET, path)
        guard reply.status == 200 else { throw Self.failure("GET \(path)", reply) }
        return reply
    }

    func createPod(_ name: String, namespace: String) async throws {
        let reply = try await self.send(
            .POST,
            "/api/v1/namespaces/\(namespace)/pods",
            body: BenchPod.body(name: name, namespace: namespace)
        )
        guard reply.status == 201 else { throw Self.failure("create pod \(name)", reply) }
    }

    /// A request carrying a body that the server answers without API work: the transport's own cost.
    func postToHealthz(_ body: [UInt8]) async throws {
        let reply = try await self.send(.POST, "/healthz", body: body)
        guard reply.status == 200 else { throw Self.failure("POST /healthz", reply) }
    }

    func createNamespace(_ name: String) async throws {
        let body = #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"\#(name)"}}"#
        let reply = try await self.send(.POST, "/api/v1/namespaces", body: Array(body.utf8))
        guard reply.status == 201 || reply.status == 409 else { throw Self.failure("create namespace \(name)", reply) }
    }

    static func failure(_ what: String, _ reply: Reply) -> BenchFailure {
        BenchFailure("\(what): HTTP \(reply.status): \(String(decoding: reply.bytes.prefix(300), as: UTF8.self))")
    }
}

/// A realistic Pod as a client submits it (~1.4 KB of JSON), without owner references: a Pod naming an owner
/// that does not exist is deleted by the garbage collector, which would empty the server the memory case fills
/// and add deletes to the throughput cases.
enum BenchPod {
    static func body(name: String, namespace: String) -> [UInt8] {
        Array((Self.head + name + #"","namespace":""# + namespace + Self.tail).utf8)
    }

    private static let head = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":""#
    private static let tail = #"""
        ","labels":{"app":"web","tier":"frontend","pod-template-hash":"7d9c8b6f5"},\#
        "annotations":{"kubectl.kubernetes.io/default-container":"web","prometheus.io/scrape":"true",\#
        "prometheus.io/port":"9102"}},"spec":{"containers":[{"name":"web","image":"registry.k8s.io/nginx-slim:0.27",\#
        "args":["--port=8080","--verbose"],"ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],\#
        "env":[{"name":"LOG_LEVEL","value":"info"},{"name":"POD_NAME","valueFrom":{"fieldRef":\#
        {"fieldPath":"metadata.name"}}}],"resources":{"requests":{"cpu":"100m","memory":"128Mi"},\#
        "limits":{"cpu":"500m","memory":"256Mi"}},"readinessProbe":{"httpGet":{"path":"/healthz","port":8080},\#
        "periodSeconds":5},"livenessProbe":{"httpGet":{"path":"/livez","port":"http"},"initialDelaySeconds":10},\#
        "volumeMounts":[{"name":"config","mountPath":"/etc/web","readOnly":true}],\#
        "imagePullPolicy":"IfNotPresent","securityContext":{"runAsNonRoot":true,"allowPrivilegeEscalation":false}},\#
        {"name":"log-shipper","image":"registry.k8s.io/pause:3.10","resources":{"requests":{"cpu":"10m",\#
        "memory":"16Mi"}}}],"volumes":[{"name":"config","configMap":{"name":"web-config"}}],\#
        "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",\#
        "nodeSelector":{"kubernetes.io/os":"linux"},"tolerations":[{"key":"node.kubernetes.io/not-ready",\#
        "operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]}}
        """#
}

/// `VmRSS` (with its anonymous and file-backed parts) and `VmHWM` of a process, from `/proc/<pid>/status`.
struct BenchMemory: Sendable {
    var rssMiB: Double
    var peakMiB: Double
    var anonymousMiB: Double
    var fileMiB: Double

    init(pid: Int32) throws {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        func kib(_ field: String) -> Double {
            for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
                let number = line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
                return Double(number ?? "") ?? 0
            }
            return 0
        }
        self.rssMiB = kib("VmRSS") / 1024
        self.peakMiB = kib("VmHWM") / 1024
        self.anonymousMiB = kib("RssAnon") / 1024
        self.fileMiB = kib("RssFile") / 1024
    }

    /// "38.2 MiB (anon 12.1, file 26.1)".
    var text: String {
        String(format: "%.1f MiB (anon %.1f, file %.1f)", self.rssMiB, self.anonymousMiB, self.fileMiB)
    }
}

/// `skiff server` as a child process, started and timed until `/readyz` answers 200.
struct ChildServer {
    let process: Process
    let endpoint: BenchEndpoint
    let readySeconds: Double

    static func start(
        executable: String,
        arguments: [String],
        port: Int,
        log: FileHandle,
        dataDir: String
    ) async throws -> ChildServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        let start = APIServerBench.clock.now
        try process.run()
        let deadline = start + .seconds(60)
        // The port first (a refused connection would put the HTTP client into its back-off), then /readyz.
        while !BenchSockets.connects(port: port) {
            guard process.isRunning, APIServerBench.clock.now < deadline else {
                process.terminate()
                throw BenchFailure("skiff server did not listen on \(port); see its log")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        let paths = ClusterPKI.Paths(directory: dataDir + "/tls")
        let endpoint = BenchEndpoint(
            base: "https://127.0.0.1:\(port)",
            credentials: try BenchCredentials(
                certificateAuthorityPEM: String(contentsOfFile: paths.certificateAuthorityCertificate, encoding: .utf8),
                certificatePEM: String(contentsOfFile: paths.adminCertificate, encoding: .utf8),
                privateKeyPEM: String(contentsOfFile: paths.adminKey, encoding: .utf8)
            )
        )
        let client = endpoint.makeClient(http1: false)
        var ready = false
        while !ready {
            if let reply = try? await client.send(.GET, "/readyz"), reply.status == 200 {
                ready = true
            } else {
                guard process.isRunning, APIServerBench.clock.now < deadline else {
                    try? await client.client.shutdown()
                    process.terminate()
                    throw BenchFailure("skiff server did not become ready")
                }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        let readySeconds = APIServerBench.seconds(APIServerBench.clock.now - start)
        try? await client.client.shutdown()
        return ChildServer(process: process, endpoint: endpoint, readySeconds: readySeconds)
    }

    /// SIGTERM, then waits for the exit (SIGKILL after 10 s).
    func stop() async {
        self.process.terminate()
        let deadline = APIServerBench.clock.now + .seconds(10)
        while self.process.isRunning {
            if APIServerBench.clock.now > deadline {
                kill(self.process.processIdentifier, SIGKILL)
                break
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// Loopback TCP helpers.
enum BenchSockets {
    /// A port nobody listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchFailure("socket() failed") }
        defer { close(fd) }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw BenchFailure("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func connects(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = Self.loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

/// The printed table and the JSON line.
struct APIServerBenchReport {
    var text = Self.row("scenario", "API server", "bare store", "ratio", "goal")
    var figures: [(String, Double)] = []

    mutating func throughput(
        _ name: String,
        key: String,
        server: Double,
        bare: Double,
        cpu: (server: Double, bare: Double)? = nil,
        unit: String,
        goal: (String, Bool)? = nil
    ) {
        func cell(_ rate: Double, _ cpuSeconds: Double?) -> String {
            let text = String(format: "%.0f ", rate) + unit
            guard let cpuSeconds else { return text }
            return text + String(format: ", %.0f µs CPU", cpuSeconds * 1e6)
        }
        self.text += Self.row(
            name,
            cell(server, cpu?.server),
            cell(bare, cpu?.bare),
            String(format: "%.2f×", bare / server),
            Self.goalText(goal)
        )
        self.figures += [(key, server), (key + "_bare", bare), (key + "_ratio", bare / server)]
        if let cpu {
            self.figures += [
                (key + "_cpu_us", cpu.server * 1e6), (key + "_bare_cpu_us", cpu.bare * 1e6),
                (key + "_cpu_ratio", cpu.server / cpu.bare),
            ]
        }
    }

    mutating func latency(_ name: String, key: String, server: [Double], bare: [Double], goal: (String, Bool)?) {
        let (p50, p99) = (Self.percentile(server, 50), Self.percentile(server, 99))
        let (bare50, bare99) = (Self.percentile(bare, 50), Self.percentile(bare, 99))
        self.text += Self.row(
            name,
            String(format: "p50 %.2f, p99 %.2f ms", p50 * 1000, p99 * 1000),
            String(format: "p50 %.2f, p99 %.2f ms", bare50 * 1000, bare99 * 1000),
            String(format: "%.2f×", p99 / bare99),
            Self.goalText(goal)
        )
        self.figures += [
            (key + "_p50_ms", p50 * 1000), (key + "_p99_ms", p99 * 1000),
            (key + "_bare_p50_ms", bare50 * 1000), (key + "_bare_p99_ms", bare99 * 1000),
        ]
    }

    mutating func fanOut(_ name: String, key: String, server: FanOut, bare: FanOut) {
        let p50 = Self.percentile(server.latencies, 50)
        let p99 = Self.percentile(server.latencies, 99)
        let max = server.untilAll.max() ?? 0
        let bareMax = bare.untilAll.max() ?? 0
        self.text += Self.row(
            name,
            String(format: "p50 %.1f, p99 %.1f, max %.1f ms", p50 * 1000, p99 * 1000, max * 1000),
            String(
                format: "p50 %.1f, p99 %.1f, max %.1f ms",
                Self.percentile(bare.latencies, 50) * 1000,
                Self.percentile(bare.latencies, 99) * 1000,
                bareMax * 1000
            ),
            String(format: "%.2f×", max / bareMax),
            ""
        )
        self.figures += [
            (key + "_p50_ms", p50 * 1000), (key + "_p99_ms", p99 * 1000), (key + "_max_ms", max * 1000),
            (key + "_bare_max_ms", bareMax * 1000),
        ]
    }

    mutating func value(_ name: String, key: String, value: Double, text: String, goal: (String, Bool)?) {
        self.text += Self.row(name, text, "", "", Self.goalText(goal))
        self.figures.append((key, value))
    }

    mutating func note(_ line: String) {
        self.text += line + "\n"
    }

    func jsonLine() -> String {
        let members = self.figures.map { key, value in
            "\"\(key)\":" + (value.isFinite ? String(format: "%.3f", value) : "null")
        }
        return "{\"bench\":\"apiserver\"," + members.joined(separator: ",") + "}"
    }

    static func goalText(_ goal: (String, Bool)?) -> String {
        guard let goal else { return "" }
        return goal.0 + (goal.1 ? " ok" : " MISSED")
    }

    static func percentile(_ values: [Double], _ percent: Int) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, sorted.count * percent / 100)]
    }

    static func row(_ name: String, _ server: String, _ bare: String, _ ratio: String, _ goal: String) -> String {
        Self.pad(name, 34) + Self.pad(server, 34) + Self.pad(bare, 34) + Self.pad(ratio, 9) + goal + "\n"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}

/// CPU time of this process.
enum BenchCPU {
    /// User and system CPU seconds the process (every thread) has used, from `getrusage` (microseconds).
    static func seconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func value(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return value(usage.ru_utime) + value(usage.ru_stime)
    }
}
