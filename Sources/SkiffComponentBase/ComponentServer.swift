public import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdHTTP2
public import Logging
import NIOCore
import NIOSSL
public import Prometheus
public import ServiceLifecycle
import SkiffPKI
import Synchronization

/// The certificate and key a component serves with.
public struct ServingCertificate: Sendable {
    public var certificateChainPEM: String
    public var privateKeyPEM: String

    public init(certificateChainPEM: String, privateKeyPEM: String) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
    }

    /// Reads `--tls-cert-file` and `--tls-private-key-file`.
    public static func load(certificateFile: String, privateKeyFile: String) throws -> ServingCertificate {
        ServingCertificate(
            certificateChainPEM: try String(contentsOfFile: certificateFile, encoding: .utf8),
            privateKeyPEM: try String(contentsOfFile: privateKeyFile, encoding: .utf8)
        )
    }

    /// A certificate from a throwaway CA, made in memory at start, for `localhost`, 127.0.0.1 and the bind address,
    /// as kube-scheduler and kube-controller-manager do without `--tls-cert-file` (`localhost-ca@<time>`,
    /// `localhost@<time>`).
    public static func selfSigned(bindAddress: String, now: Date = Date()) throws -> ServingCertificate {
        let stamp = Int(now.timeIntervalSince1970)
        let authority = try CertificateAuthority.generate(commonName: "localhost-ca@\(stamp)", now: now)
        var addresses = ["127.0.0.1"]
        if bindAddress != "0.0.0.0", bindAddress != "::", !addresses.contains(bindAddress) {
            addresses.append(bindAddress)
        }
        let issued = try authority.issueServingCertificate(
            commonName: "localhost@\(stamp)",
            dnsNames: ["localhost"],
            ipAddresses: addresses,
            now: now
        )
        return ServingCertificate(
            certificateChainPEM: issued.chainPEM,
            privateKeyPEM: issued.privateKeyPEM
        )
    }
}

/// The HTTPS endpoint of a control-plane component other than the API server (↔ the secure serving of
/// kube-scheduler and kube-controller-manager): `/healthz`, `/livez` and `/readyz` with their checks, and `/metrics`
/// in Prometheus text with the `process_*` metrics. As in k3s, these paths are served to anyone
/// (`--authorization-always-allow-paths`); the component has no other endpoints.
public final class ComponentServer: Service, Sendable {
    let host: String
    let port: Int
    let certificate: ServingCertificate
    let endpoints: [String: HealthEndpoint]
    let registry: PrometheusCollectorRegistry
    let process: ProcessMetrics
    let logger: Logger
    let boundPort = Mutex<Int?>(nil)

    /// - Parameters:
    ///   - port: the port to listen on; 0 picks a free one (``listeningPort`` tells which).
    ///   - healthz: the checks of `/healthz`; `livez` and `readyz` default to the same.
    ///   - registry: what `/metrics` serves; the process metrics are added to it.
    public init(
        host: String,
        port: Int,
        certificate: ServingCertificate,
        healthz: [HealthCheck],
        livez: [HealthCheck]? = nil,
        readyz: [HealthCheck]? = nil,
        registry: PrometheusCollectorRegistry,
        logger: Logger
    ) {
        self.host = host
        self.port = port
        self.certificate = certificate
        self.endpoints = [
            "healthz": HealthEndpoint(name: "healthz", checks: healthz),
            "livez": HealthEndpoint(name: "livez", checks: livez ?? healthz),
            "readyz": HealthEndpoint(name: "readyz", checks: readyz ?? healthz),
        ]
        self.registry = registry
        self.process = ProcessMetrics(registry: registry)
        self.logger = logger
    }

    /// The port bound once the server runs.
    public var listeningPort: Int? { self.boundPort.withLock { $0 } }

    public func run() async throws {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(self.certificate.certificateChainPEM.utf8))
                .map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(self.certificate.privateKeyPEM.utf8), format: .pem))
        )
        tls.certificateVerification = .none
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            await self.respond(request)
        }
        let application = Application(
            responder: responder,
            server: try .http2Upgrade(tlsConfiguration: tls),
            configuration: ApplicationConfiguration(address: .hostname(self.host, port: self.port), reuseAddress: true),
            onServerRunning: { channel in self.boundPort.withLock { $0 = channel.localAddress?.port } },
            logger: self.logger
        )
        try await application.run()
    }

    /// Answers one request (no TLS or HTTP involved: the unit tests call it directly).
    public func respond(path: String, query: String) async -> (status: Int, contentType: String, body: String) {
        let parameters = Self.parseQuery(query)
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        if trimmed == "/metrics" {
            self.process.update()
            var buffer: [UInt8] = []
            self.registry.emit(into: &buffer)
            return (200, "text/plain; version=0.0.4; charset=utf-8", String(decoding: buffer, as: UTF8.self))
        }
        let parts = trimmed.split(separator: "/", maxSplits: 1).map(String.init)
        if let first = parts.first, let endpoint = self.endpoints[first] {
            let subpath = parts.count > 1 ? parts[1] : ""
            let logger = self.logger
            if let answer = await endpoint.answer(
                subpath: subpath,
                verbose: parameters.contains { $0.0 == "verbose" },
                excluded: parameters.filter { $0.0 == "exclude" }.map(\.1),
                failed: { name, error in logger.warning("\(endpoint.name) check failed", metadata: ["check": "\(name)", "error": "\(error)"]) }
            ) {
                return (answer.status, "text/plain; charset=utf-8", answer.body)
            }
        }
        return (404, "text/plain; charset=utf-8", "404 page not found\n")
    }

    private func respond(_ request: Request) async -> Response {
        let answer = await self.respond(path: request.uri.path, query: request.uri.query ?? "")
        var fields = HTTPFields()
        fields[.contentType] = answer.contentType
        fields[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(
            status: HTTPResponse.Status(code: answer.status),
            headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body))
        )
    }

    static func parseQuery(_ query: String) -> [(String, String)] {
        query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            return (name, value)
        }
    }
}
