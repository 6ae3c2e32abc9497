import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOSSL
public import SkiffAPIMachinery

/// A transport over HTTPS with AsyncHTTPClient: HTTP/2 when the server offers it, client certificates or bearer
/// tokens, the cluster CA (↔ client-go's `rest.HTTPClientFor`).
///
/// Owns an `HTTPClient`: call ``shutdown()`` when done with it.
///
/// ```swift
/// let transport = try HTTPSTransport(configuration: try KubeconfigFile(contentsOf: path).clientConfiguration())
/// defer { try? await transport.shutdown() }
/// let client = APIClient(transport: transport)
/// ```
public final class HTTPSTransport: ClientTransport {
    /// The server URL without a trailing slash.
    public let server: String
    let authorization: String?
    let userAgent: String
    let client: HTTPClient
    /// The longest a request other than a watch may take.
    let requestTimeout: TimeAmount

    /// Makes a transport for `configuration`.
    ///
    /// - Throws: ``KubeconfigError`` when the PEM documents cannot be read or an option is not supported.
    public init(configuration: ClientConfiguration, requestTimeout: Duration = .seconds(60)) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.applicationProtocols = ["h2", "http/1.1"]
        do {
            if let ca = configuration.certificateAuthorityPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.utf8)))
            }
            if let certificate = configuration.clientCertificatePEM, let key = configuration.clientKeyPEM {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))
            }
        } catch {
            throw KubeconfigError("unable to load TLS material: \(error)")
        }
        if configuration.insecureSkipTLSVerify {
            tls.certificateVerification = .none
        }
        if configuration.tlsServerName != nil {
            throw KubeconfigError("tls-server-name is not supported by skiff's HTTPS transport")
        }
        var httpConfiguration = HTTPClient.Configuration(tlsConfiguration: tls)
        httpConfiguration.httpVersion = .automatic
        // Watches stay open for minutes; idle detection is the server's timeoutSeconds and bookmarks.
        httpConfiguration.timeout.read = nil
        httpConfiguration.timeout.connect = .seconds(10)
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        var server = configuration.server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.authorization = configuration.bearerToken.map { "Bearer " + $0 }
        self.userAgent = configuration.userAgent
        self.requestTimeout = .nanoseconds(Int64(requestTimeout.timeInterval * 1e9))
    }

    /// Closes the connections; the transport cannot be used afterwards.
    public func shutdown() async throws {
        try await self.client.shutdown()
    }

    public func send(_ request: APIRequest) async throws -> APIResponse {
        var url = self.server + Self.encodePath(request.path)
        if !request.query.isEmpty { url += "?" + request.query }
        var outgoing = HTTPClientRequest(url: url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let authorization = self.authorization { outgoing.headers.replaceOrAdd(name: "Authorization", value: authorization) }
        if !outgoing.headers.contains(name: "User-Agent") { outgoing.headers.add(name: "User-Agent", value: self.userAgent) }
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method) {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let isWatch = Self.isWatch(request.query)
        // A watch ends at its timeoutSeconds; the deadline only guards against a server that never ends it.
        let timeout: TimeAmount = isWatch ? .hours(2) : self.requestTimeout
        let response = try await self.client.execute(outgoing, timeout: timeout)
        let headers = response.headers.map { (name: $0.name, value: $0.value) }
        let status = Int(response.status.code)
        if isWatch, (200..<300).contains(status) {
            let body = response.body
            return APIResponse(
                status: status,
                headers: headers,
                body: .stream({ write in
                    for try await buffer in body {
                        try await write(Array(buffer.readableBytesView))
                    }
                })
            )
        }
        let bytes = try await response.body.collect(upTo: 1 << 30)
        return APIResponse(status: status, headers: headers, body: .bytes(Array(buffer: bytes)))
    }

    static func isWatch(_ query: String) -> Bool {
        query.split(separator: "&").contains { $0 == "watch=true" || $0 == "watch=1" }
    }

    /// Percent-encodes each path segment (the handler decodes per segment).
    static func encodePath(_ path: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(path.utf8.count)
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "@"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
            }
        }
        return encoded
    }
}
