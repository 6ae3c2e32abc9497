import Synchronization
public import SkiffAPI
public import SkiffAPIMachinery

/// The client of the Kubernetes API every component uses (↔ client-go's `kubernetes.Clientset` and
/// `rest.RESTClient`): typed resource clients, a dynamic client, throttling and `Status` errors.
///
/// ```swift
/// let client = APIClient(transport: transport)
/// let pod = try await client.pods("default").get("web-0")
/// try await client.resource(AppsV1.Deployment.self, namespace: "default").delete("web")
/// ```
///
/// A response with a status outside 2xx becomes an `APIError` decoded from its `Status` body (reason, code,
/// message and details kept), so callers `catch let error as APIError where error.reason == .notFound`.
///
/// ## Topics
/// ### Making a client
/// - ``init(transport:rateLimit:clock:decodedObjects:)``
/// - ``DecodedObjectCache``
/// ### Resources
/// - ``resource(_:namespace:)``
/// - ``dynamic(_:namespace:)``
/// - ``ResourceClient``
/// - ``DynamicResourceClient``
/// ### Raw requests
/// - ``send(_:)``
public struct APIClient: Sendable {
    /// Where requests go.
    public let transport: any ClientTransport
    let throttle: TokenBucket?
    /// Where typed lists and watches share the objects they decode with the other clients of the process.
    public let decodedObjects: DecodedObjectCache?

    /// Makes a client over `transport`, throttled to `rateLimit` (upstream's default 5 QPS, burst 10;
    /// ``RateLimit/unlimited`` for in-process components). Clients given one `decodedObjects` cache share the
    /// objects their typed lists and watches decode.
    public init(
        transport: any ClientTransport,
        rateLimit: RateLimit = .default,
        clock: any ClientClock = SystemClock(),
        decodedObjects: DecodedObjectCache? = nil
    ) {
        self.transport = transport
        self.throttle = rateLimit.qps.map { TokenBucket(qps: $0, burst: rateLimit.burst, clock: clock) }
        self.decodedObjects = decodedObjects
    }

    /// Sends a request after the throttle admits it; a status outside 2xx throws the `APIError` its body describes.
    public func send(_ request: APIRequest) async throws -> APIResponse {
        if let throttle = self.throttle { try await throttle.wait() }
        let response = try await self.transport.send(request)
        guard (200..<300).contains(response.status) else {
            throw await Self.error(from: response)
        }
        return response
    }

    /// The typed client of the resource whose objects are `Object`s, in `namespace` (`nil`: all namespaces, or a
    /// cluster-scoped resource).
    ///
    /// - Precondition: the API serves a resource of `Object`'s kind.
    public func resource<Object: APIObject>(_ type: Object.Type, namespace: String? = nil) -> ResourceClient<Object> {
        ResourceClient(client: self, namespace: namespace)
    }

    /// The untyped client of `resource` (objects as `JSONValue`), in `namespace`.
    public func dynamic(_ resource: GroupVersionResource, namespace: String? = nil) -> DynamicResourceClient {
        DynamicResourceClient(client: self, resource: resource, namespace: namespace)
    }

    /// The `APIError` of a failed response: its `Status` body, or one made from the code when the body is not a
    /// Status (as client-go's `NewGenericServerResponse`).
    static func error(from response: APIResponse) async -> APIError {
        var bytes = response.bodyBytes
        if case .stream(let producer) = response.body {
            let collected = ByteCollector()
            try? await producer { chunk in collected.append(chunk) }
            bytes = collected.bytes
        }
        if let value = try? JSONValue.parse(bytes), value["kind"]?.stringValue == "Status",
            let status = try? JSONValueDecoder().decode(MetaV1.Status.self, from: value)
        {
            var error = APIError(status: status)
            if status.code == nil || status.code == 0 { error.code = response.status }
            return error
        }
        let reason: APIError.Reason
        let message: String
        switch response.status {
        case 400: (reason, message) = (.badRequest, "the server rejected our request for an unknown reason")
        case 401: (reason, message) = (.unauthorized, "the server has asked for the client to provide credentials")
        case 403: (reason, message) = (.forbidden, "the server does not allow access to the requested resource")
        case 404: (reason, message) = (.notFound, "the server could not find the requested resource")
        case 405: (reason, message) = (.methodNotAllowed, "the server does not allow this method on the requested resource")
        case 409: (reason, message) = (.conflict, "the server reported a conflict")
        case 410: (reason, message) = (.gone, "the server has asked for the client to provide a newer resource version")
        case 422: (reason, message) = (.invalid, "the server rejected our request due to an error in our request")
        case 429: (reason, message) = (.tooManyRequests, "the server has received too many requests and has asked us to try again later")
        case 500: (reason, message) = (.internalError, "an error on the server has prevented the request from succeeding")
        case 503: (reason, message) = (.serviceUnavailable, "the server is currently unable to handle the request")
        case 504: (reason, message) = (.timeout, "the server was unable to return a response in the time allotted, but may still be processing the request")
        default: (reason, message) = (.unknown, "an error on the server has prevented the request from succeeding")
        }
        let text = String(decoding: bytes.prefix(1024), as: UTF8.self)
        return APIError(reason: reason, code: response.status, message: text.isEmpty ? message : message + " (\(text))")
    }
}

/// Collects a streamed body's chunks (an error body that arrived as a stream).
final class ByteCollector: Sendable {
    private let storage = Mutex<[UInt8]>([])
    func append(_ chunk: [UInt8]) { self.storage.withLock { $0.append(contentsOf: chunk) } }
    var bytes: [UInt8] { self.storage.withLock { $0 } }
}

/// A resource by group, version and plural name (↔ `schema.GroupVersionResource`): `apps/v1/deployments`.
public struct GroupVersionResource: Sendable, Hashable, CustomStringConvertible {
    /// The API group; empty for the core group.
    public var group: String
    public var version: String
    /// The plural resource name in URLs.
    public var resource: String

    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }

    /// `deployments.v1.apps`, Kubernetes' own spelling.
    public var description: String { self.resource + "." + self.version + "." + self.group }

    /// `/api/v1` for the core group, `/apis/<group>/<version>` otherwise.
    public var pathPrefix: String {
        self.group.isEmpty ? "/api/" + self.version : "/apis/" + self.group + "/" + self.version
    }
}

extension APIResourceInfo {
    /// The resource's group, version and plural.
    public var groupVersionResource: GroupVersionResource {
        GroupVersionResource(group: self.groupVersionKind.group, version: self.groupVersionKind.version, resource: self.plural)
    }
}
