public import SkiffAPIMachinery

/// Carries one request to the API server and brings back its response (↔ client-go's `http.RoundTripper`).
///
/// Two transports ship: ``HTTPSTransport`` (TLS, HTTP/2, configured from a kubeconfig) and
/// ``InProcessTransport`` (hands the request to the API handler in the same process, through the same handler
/// chain as HTTPS). A transport does not interpret status codes: ``APIClient`` turns non-2xx responses into
/// `APIError`s.
///
/// A watch answers with a streamed body (``APIResponse/Body-swift.enum/stream(_:)``); every other request may
/// answer with either form.
public protocol ClientTransport: Sendable {
    /// Sends `request` and returns the response; throws only when no response could be had (connection failed).
    func send(_ request: APIRequest) async throws -> APIResponse
}

/// A transport that calls the API handler in-process: the same authorization, admission, validation and storage
/// path as a request over HTTPS, without a socket (`skiff server` hands `APIHandler.handle` to its components).
///
/// ```swift
/// let transport = InProcessTransport(
///     user: UserInfo(name: "system:kube-controller-manager", groups: ["system:authenticated"]),
///     handler: { request in await apiServer.handler.handle(request) }
/// )
/// ```
public struct InProcessTransport: ClientTransport {
    /// The user every request is sent as (the handler trusts `APIRequest.user`).
    public let user: UserInfo
    let handler: @Sendable (APIRequest) async -> APIResponse

    /// Makes a transport that sends every request to `handler` as `user`.
    public init(user: UserInfo, handler: @escaping @Sendable (APIRequest) async -> APIResponse) {
        self.user = user
        self.handler = handler
    }

    public func send(_ request: APIRequest) async throws -> APIResponse {
        var request = request
        request.user = self.user
        return await self.handler(request)
    }
}
