import AsyncHTTPClient
public import Logging
import NIOCore
import NIOHTTP1
public import NIOSSL
import SkiffAPIMachinery

/// Where a controller reaches the API server and who it is: the server URL, the CA and a client certificate.
public struct APIServerConnection: Sendable {
    public var url: String
    public var tls: TLSConfiguration

    public init(url: String, certificateAuthorityPEM: String, clientCertificatePEM: String, clientKeyPEM: String) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(certificateAuthorityPEM.utf8)))
        tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(clientCertificatePEM.utf8)).map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(clientKeyPEM.utf8), format: .pem))
        self.url = url
        self.tls = tls
    }
}

/// The namespace controller: when a namespace is being deleted, deletes everything in it through the API, then
/// removes the `kubernetes` finalizer with `namespaces/finalize` so the namespace goes
/// (↔ `pkg/controller/namespace`).
///
/// It sees the cluster only through the Kubernetes API over HTTPS, as upstream's controller-manager does; the
/// shared client library (informers, work queues) replaces its small list/watch loop when it lands (issue #5).
public final class NamespaceController: Sendable {
    let connection: APIServerConnection
    let logger: Logger

    public init(connection: APIServerConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Lists and watches namespaces until cancelled, finalizing every terminating one.
    public func run() async throws {
        var configuration = HTTPClient.Configuration(tlsConfiguration: self.connection.tls)
        configuration.timeout.read = .seconds(400)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            while !Task.isCancelled {
                do {
                    try await self.listAndWatch(client)
                } catch is CancellationError {
                    break
                } catch {
                    self.logger.debug("Namespace watch ended", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        try? await client.shutdown()
    }

    private func listAndWatch(_ client: HTTPClient) async throws {
        let list = try await self.request(client, "GET", "/api/v1/namespaces")
        guard list.status == 200 else { throw ControllerError("namespace list answered \(list.status)") }
        let version = list.body["metadata"]?["resourceVersion"]?.stringValue ?? "0"
        for item in list.body["items"]?.arrayValue ?? [] where item["metadata"]?["deletionTimestamp"] != nil {
            try await self.finalize(client, name: item["metadata"]?["name"]?.stringValue ?? "")
        }
        var request = HTTPClientRequest(
            url: self.connection.url + "/api/v1/namespaces?watch=true&resourceVersion=\(version)&timeoutSeconds=300"
        )
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await client.execute(request, timeout: .seconds(330))
        var pending: [UInt8] = []
        for try await chunk in response.body {
            pending.append(contentsOf: chunk.readableBytesView)
            while let newline = pending.firstIndex(of: 10) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                guard let event = try? JSONValue.parse(line) else { continue }
                let object = event["object"]
                if event["type"] != "DELETED", object?["metadata"]?["deletionTimestamp"] != nil,
                    let name = object?["metadata"]?["name"]?.stringValue
                {
                    try await self.finalize(client, name: name)
                }
            }
        }
    }

    /// Deletes the namespace's contents and, once nothing is left, its `kubernetes` finalizer. Retries while
    /// objects remain (pods with a grace period, objects with finalizers).
    private func finalize(_ client: HTTPClient, name: String) async throws {
        let resources = try await self.namespacedResources(client)
        for attempt in 0..<120 {
            var remaining = 0
            for path in resources {
                let collection = "\(path.prefix)/namespaces/\(name)/\(path.resource)"
                if path.canDeleteCollection {
                    _ = try await self.request(client, "DELETE", collection, body: #"{"propagationPolicy":"Background"}"#)
                }
                let left = try await self.request(client, "GET", collection + "?limit=1")
                remaining += left.body["items"]?.arrayValue?.count ?? 0
            }
            if remaining == 0 { break }
            if attempt == 119 {
                self.logger.info("Namespace still has content", metadata: ["k8s.namespace.name": "\(name)"])
                return
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        let current = try await self.request(client, "GET", "/api/v1/namespaces/\(name)")
        guard current.status == 200, case .object(var namespace) = current.body else { return }
        var spec = namespace["spec"]?.objectValue ?? JSONObject()
        let finalizers = (spec["finalizers"]?.arrayValue ?? []).filter { $0 != "kubernetes" }
        spec["finalizers"] = .array(finalizers)
        namespace["spec"] = .object(spec)
        let reply = try await self.request(
            client,
            "PUT",
            "/api/v1/namespaces/\(name)/finalize",
            body: String(decoding: JSONValue.object(namespace).serialized(), as: UTF8.self)
        )
        self.logger.debug("Finalized namespace", metadata: ["k8s.namespace.name": "\(name)", "status": "\(reply.status)"])
    }

    struct ResourcePath {
        var prefix: String
        var resource: String
        var canDeleteCollection: Bool
    }

    /// Every namespaced resource (no subresources) of the preferred version of each group, from discovery.
    private func namespacedResources(_ client: HTTPClient) async throws -> [ResourcePath] {
        var groupVersions = ["/api/v1"]
        let groups = try await self.request(client, "GET", "/apis")
        for group in groups.body["groups"]?.arrayValue ?? [] {
            if let groupVersion = group["preferredVersion"]?["groupVersion"]?.stringValue {
                groupVersions.append("/apis/" + groupVersion)
            }
        }
        var paths: [ResourcePath] = []
        for prefix in groupVersions {
            let list = try await self.request(client, "GET", prefix)
            for resource in list.body["resources"]?.arrayValue ?? [] {
                guard resource["namespaced"] == true, let name = resource["name"]?.stringValue, !name.contains("/")
                else { continue }
                let verbs = resource["verbs"]?.arrayValue?.compactMap(\.stringValue) ?? []
                guard verbs.contains("list") else { continue }
                paths.append(ResourcePath(prefix: prefix, resource: name, canDeleteCollection: verbs.contains("deletecollection")))
            }
        }
        return paths
    }

    private func request(_ client: HTTPClient, _ method: String, _ path: String, body: String? = nil) async throws
        -> (status: Int, body: JSONValue)
    {
        var request = HTTPClientRequest(url: self.connection.url + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let value = (try? JSONValue.parse(Array(buffer: bytes))) ?? .null
        return (Int(response.status.code), value)
    }
}

struct ControllerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
