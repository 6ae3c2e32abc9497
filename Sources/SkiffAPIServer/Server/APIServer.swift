import CompressNIO
import Hummingbird
import HummingbirdHTTP2
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL
public import ServiceLifecycle
public import SkiffAPIMachinery
import SkiffPKI
import Synchronization
import X509
import SwiftASN1
import HummingbirdCore
import HTTPTypes

/// TLS material of the secure port: the serving chain and key, and the CA client certificates must chain to.
public struct APIServerTLS: Sendable {
    public var certificateChainPEM: String
    public var privateKeyPEM: String
    public var clientCAPEM: String

    public init(certificateChainPEM: String, privateKeyPEM: String, clientCAPEM: String) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
        self.clientCAPEM = clientCAPEM
    }
}

/// The API server's HTTPS endpoint: HTTP/2 and HTTP/1.1 over TLS, authentication by client certificate or bearer
/// token, then ``APIHandler`` (↔ kube-apiserver's secure serving + authentication filter).
///
/// A `Service`: ``run()`` serves until cancelled or shut down gracefully, running the handler's caches and
/// bootstrap alongside.
public final class APIServer: Service, Sendable {
    public let handler: APIHandler
    let host: String
    let port: Int
    let tls: APIServerTLS?
    let tokens: [String: UserInfo]
    let logger: Logger
    let boundPort = Mutex<Int?>(nil)
    /// The user of each TLS connection's client certificate, so a connection's requests verify it once.
    let connectionUsers = Mutex<[ObjectIdentifier: UserInfo?]>([:])
    let maxBodyBytes: Int
    /// How long connections may drain after shutdown begins before the server closes them.
    let shutdownDrainTimeout: Duration

    /// Paths anyone may read without credentials, as upstream's `system:public-info-viewer` allows.
    static let publicPaths: Set<String> = [
        "/healthz", "/livez", "/readyz", "/version", "/healthz/ping", "/livez/ping", "/readyz/ping", "/version/",
    ]

    /// - Parameters:
    ///   - tls: `nil` serves plain HTTP (tests only).
    ///   - tokens: bearer tokens and the users they authenticate.
    public init(
        handler: APIHandler,
        host: String,
        port: Int,
        tls: APIServerTLS?,
        tokens: [String: UserInfo] = [:],
        logger: Logger
    ) {
        self.handler = handler
        self.host = host
        self.port = port
        self.tls = tls
        self.tokens = tokens
        self.logger = logger
        self.maxBodyBytes = handler.configuration.maxRequestBodyBytes
        self.shutdownDrainTimeout = handler.configuration.shutdownDrainTimeout
    }

    /// The port the server listens on once running (useful with port 0).
    public var listeningPort: Int? { self.boundPort.withLock { $0 } }

    public func run() async throws {
        let responder = CallbackResponder<SkiffRequestContext> { request, context in
            try await self.respond(request, context: context)
        }
        let serverBuilder: HTTPServerBuilder
        if let tls = self.tls {
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(tls.certificateChainPEM.utf8)).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(tls.privateKeyPEM.utf8), format: .pem))
            )
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(tls.clientCAPEM.utf8)))
            configuration.certificateVerification = .optionalVerification
            configuration.sendCANameList = true
            serverBuilder = try .http2Upgrade(tlsConfiguration: configuration)
        } else {
            serverBuilder = .http1()
        }
        let application = Application(
            responder: responder,
            server: serverBuilder,
            configuration: ApplicationConfiguration(
                address: .hostname(self.host, port: self.port),
                serverName: nil,
                reuseAddress: true
            ),
            onServerRunning: { channel in
                self.boundPort.withLock { $0 = channel.localAddress?.port }
            },
            logger: self.logger
        )
        try await withThrowingDiscardingTaskGroup { group in
            // When shutdown begins the caches stop, which ends every watch with an ERROR event (as upstream ends
            // watches on termination), and the HTTP server drains its connections. A drain that outlasts
            // `shutdownDrainTimeout` (a client holding a request open) is cut short by cancelling the server.
            group.addTask {
                do {
                    try await cancelWhenGracefulShutdown { try await self.handler.run() }
                } catch is CancellationError where Task.isShuttingDownGracefully {
                    self.logger.info("Shutting down: watches ended, draining connections")
                }
            }
            group.addTask {
                try await withThrowingTaskGroup(of: Void.self) { server in
                    server.addTask { try await application.run() }
                    server.addTask {
                        try? await gracefulShutdown()
                        try await Task.sleep(for: self.shutdownDrainTimeout)
                        self.logger.warning(
                            "Connections still open \(self.shutdownDrainTimeout) after shutdown began; closing them"
                        )
                    }
                    // Whichever ends first (the drained server, or the drain timeout) ends the other.
                    try await server.next()
                    server.cancelAll()
                }
            }
        }
    }

    /// Answers a request; a watch (or what may be one) is set up in a child task.
    ///
    /// A task keeps the memory its deepest async frames took (its allocator's slabs) until it ends, and a watch's
    /// task runs for as long as the watch: set up in its own task, the frames of authentication, routing and the
    /// cache's start (kilobytes each) are freed before the stream begins, instead of staying with every open watch.
    private func respond(_ request: Request, context: SkiffRequestContext) async throws -> Response {
        guard request.uri.query?.contains("watch=") == true || request.uri.path.contains("/watch/") else {
            return try await self.process(request, context: context)
        }
        return try await withThrowingTaskGroup(of: Response.self) { group in
            group.addTask { try await self.process(request, context: context) }
            guard let response = try await group.next() else { throw CancellationError() }
            return response
        }
    }

    private func process(_ request: Request, context: SkiffRequestContext) async throws -> Response {
        var request = request
        let path = request.uri.path
        var user: UserInfo? = nil
        if !Self.publicPaths.contains(path) {
            user = await self.authenticate(request, channel: context.channel)
            guard user != nil else {
                return Self.response(APIHandler.statusResponse(.unauthorized()))
            }
        }
        let body: [UInt8]
        do {
            var buffer = try await request.collectBody(upTo: self.maxBodyBytes)
            body = buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            return Self.response(
                APIHandler.statusResponse(
                    .requestEntityTooLarge("the request body is larger than \(self.maxBodyBytes) bytes")
                )
            )
        }
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(request.headers.count)
        for field in request.headers { headers.append((field.name.canonicalName, field.value)) }
        let apiRequest = APIRequest(
            method: request.method.rawValue,
            path: path,
            query: request.uri.query ?? "",
            headers: headers,
            body: body,
            user: user
        )
        var response = await self.handler.handle(apiRequest)
        if case .bytes(let bytes) = response.body, bytes.count >= 128 * 1024,
            (request.headers[.acceptEncoding] ?? "").contains("gzip")
        {
            var buffer = ByteBuffer(bytes: bytes)
            if let compressed = try? buffer.compress(with: .gzip()) {
                response.body = .bytes(Array(buffer: compressed))
                response.headers.append(("Content-Encoding", "gzip"))
                response.headers.append(("Vary", "Accept-Encoding"))
            }
        }
        return Self.response(response)
    }

    static func response(_ response: APIResponse) -> Response {
        var fields = HTTPFields()
        for header in response.headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        fields[.cacheControl] = "no-cache, private"
        let status = HTTPResponse.Status(code: response.status)
        switch response.body {
        case .bytes(let bytes):
            return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        case .stream(let producer):
            return Response(
                status: status,
                headers: fields,
                body: ResponseBody { writer in
                    try await producer { chunk in
                        if !chunk.isEmpty { try await writer.write(ByteBuffer(bytes: chunk)) }
                    }
                    try await writer.finish(nil)
                }
            )
        }
    }

    /// The user of a bearer token or a verified client certificate (the TLS layer already checked its chain).
    private func authenticate(_ request: Request, channel: any Channel) async -> UserInfo? {
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") {
            let token = String(authorization.dropFirst("Bearer ".count)).trimmingSpaces()
            if let user = self.tokens[token] { return user }
            return self.handler.serviceAccountTokens?.authenticate(token)
        }
        guard self.tls != nil else { return nil }
        // HTTP/1.1 requests arrive on the connection's channel (whose parent is the listening socket); HTTP/2
        // streams on a child of the connection.
        let connection = channel.parent?.parent != nil ? channel.parent! : channel
        let key = ObjectIdentifier(connection)
        if let cached = self.connectionUsers.withLock({ $0[key] }) { return cached }
        let certificate: NIOSSLCertificate?
        do {
            certificate = try await connection.eventLoop.submit {
                try connection.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate
            }.get()
        } catch {
            return nil
        }
        var user: UserInfo? = nil
        if let certificate, let der = try? certificate.toDERBytes(),
            let parsed = try? Certificate(derEncoded: der),
            let identity = ClientIdentity(certificate: parsed)
        {
            user = UserInfo(name: identity.user, groups: identity.groups + ["system:authenticated"])
        }
        let inserted = self.connectionUsers.withLock { users in
            let isNew = users[key] == nil
            users[key] = .some(user)
            return isNew
        }
        if inserted {
            connection.closeFuture.whenComplete { _ in
                _ = self.connectionUsers.withLock { $0.removeValue(forKey: key) }
            }
        }
        return user
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

/// The request context: Hummingbird's core storage plus the channel, for the peer certificate.
struct SkiffRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
