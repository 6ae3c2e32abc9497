import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SkiffAPIMachinery
import SkiffAPIServer
import SkiffPKI
import SkiffStorage
import SkiffStorageSQLite
import Testing

/// The API server over real HTTPS on loopback: TLS with the cluster CA, client-certificate authentication,
/// HTTP/2 and HTTP/1.1, on a real SQLite store.
@Suite struct HTTPSServerTests {
    struct Cluster: Sendable {
        let port: Int
        let pki: ClusterPKI
    }

    func withServer(_ body: @Sendable (Cluster) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-https-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let names = ClusterPKI.defaultServingNames(hostName: "testhost", hostAddresses: [], serviceIP: "10.43.0.1")
        let pki = try ClusterPKI.loadOrCreate(directory: directory + "/tls", hostnames: names.dnsNames, ipAddresses: names.ipAddresses)
        let storage = try SQLiteStorage(directory: directory + "/db")
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let handler = APIHandler(configuration: APIServerConfiguration(), storage: storage, logger: logger)
        let server = APIServer(
            handler: handler,
            host: "127.0.0.1",
            port: 0,
            tls: APIServerTLS(
                certificateChainPEM: pki.serving.chainPEM,
                privateKeyPEM: pki.serving.privateKeyPEM,
                clientCAPEM: pki.certificateAuthority.certificatePEM
            ),
            logger: logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var port: Int? = nil
            for _ in 0..<500 {
                port = server.listeningPort
                if port != nil && handler.isReady { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            guard let port else {
                Issue.record("server did not start")
                group.cancelAll()
                return
            }
            try await body(Cluster(port: port, pki: pki))
            group.cancelAll()
        }
    }

    func withClient(
        _ cluster: Cluster,
        withCertificate: Bool,
        http2: Bool,
        _ body: (HTTPClient) async throws -> Void
    ) async throws {
        let client = try self.client(cluster, withCertificate: withCertificate, http2: http2)
        do {
            try await body(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func client(_ cluster: Cluster, withCertificate: Bool, http2: Bool) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(cluster.pki.certificateAuthority.certificatePEM.utf8)))
        if withCertificate {
            tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(cluster.pki.admin.certificatePEM.utf8)).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(cluster.pki.admin.privateKeyPEM.utf8), format: .pem))
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.httpVersion = http2 ? .automatic : .http1Only
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func get(_ client: HTTPClient, _ cluster: Cluster, _ path: String) async throws -> (status: Int, body: String, version: Int) {
        let request = HTTPClientRequest(url: "https://localhost:\(cluster.port)\(path)")
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 10 << 20)
        return (Int(response.status.code), String(buffer: body), response.version.major)
    }

    @Test(arguments: [true, false])
    func clientCertificateAuthenticatesOverHTTP2AndHTTP1(http2: Bool) async throws {
        try await withServer { cluster in
            try await self.withClient(cluster, withCertificate: true, http2: http2) { client in
                let reply = try await self.get(client, cluster, "/api/v1/namespaces")
                #expect(reply.status == 200)
                #expect(reply.body.contains("kube-system"))
                #expect(reply.version == (http2 ? 2 : 1))
            }
        }
    }

    @Test func requestsWithoutCredentialsGet401ExceptPublicPaths() async throws {
        try await withServer { cluster in
            try await self.withClient(cluster, withCertificate: false, http2: true) { client in
                let denied = try await self.get(client, cluster, "/api/v1/namespaces")
                #expect(denied.status == 401)
                #expect(
                    denied.body
                        == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#
                        + "\n"
                )
                for path in ["/healthz", "/livez", "/readyz", "/version"] {
                    let reply = try await self.get(client, cluster, path)
                    #expect(reply.status == 200, "\(path)")
                }
                let verbose = try await self.get(client, cluster, "/readyz?verbose")
                #expect(verbose.body.contains("[+]ping ok"))
                #expect(verbose.body.hasSuffix("readyz check passed\n"))
            }
        }
    }

    @Test func oversizedBodyGets413() async throws {
        try await withServer { cluster in
            try await self.withClient(cluster, withCertificate: true, http2: false) { client in
                var request = HTTPClientRequest(url: "https://localhost:\(cluster.port)/api/v1/namespaces/default/configmaps")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: [UInt8](repeating: UInt8(ascii: " "), count: 4 << 20)))
                let response = try await client.execute(request, timeout: .seconds(20))
                #expect(response.status.code == 413)
            }
        }
    }

    @Test func largeResponsesAreGzippedWhenAsked() async throws {
        try await withServer { cluster in
            try await self.withClient(cluster, withCertificate: true, http2: true) { client in
                let value = String(repeating: "x", count: 4096)
                for index in 0..<40 {
                    var request = HTTPClientRequest(url: "https://localhost:\(cluster.port)/api/v1/namespaces/default/configmaps")
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(ByteBuffer(string: #"{"metadata":{"name":"big\#(index)"},"data":{"v":"\#(value)"}}"#))
                    let response = try await client.execute(request, timeout: .seconds(10))
                    #expect(response.status.code == 201)
                    _ = try await response.body.collect(upTo: 1 << 20)
                }
                var request = HTTPClientRequest(url: "https://localhost:\(cluster.port)/api/v1/namespaces/default/configmaps")
                request.headers.add(name: "Accept-Encoding", value: "gzip")
                let response = try await client.execute(request, timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 10 << 20)
                #expect(response.headers.first(name: "Content-Encoding") == "gzip")
                #expect(Array(body.readableBytesView.prefix(2)) == [0x1F, 0x8B])
                #expect(body.readableBytes < 40 * 4096 / 4)
                var plain = HTTPClientRequest(url: "https://localhost:\(cluster.port)/api/v1/namespaces/default/configmaps")
                plain.headers.add(name: "Accept", value: "application/json")
                let uncompressed = try await client.execute(plain, timeout: .seconds(10))
                #expect(uncompressed.headers.first(name: "Content-Encoding") == nil)
                _ = try await uncompressed.body.collect(upTo: 10 << 20)
            }
        }
    }
}
