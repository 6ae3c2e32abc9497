/// One request as the API handler sees it, independent of the transport (HTTPS through the API server, or the
/// in-process transport of components sharing the server's process).
public struct APIRequest: Sendable {
    /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, …
    public var method: String
    /// The path, percent-decoded per segment by the handler: `/api/v1/namespaces/default/pods`.
    public var path: String
    /// The raw query string after `?` (without it), percent-encoded as sent.
    public var query: String
    /// Header fields; names are matched case-insensitively.
    public var headers: [(name: String, value: String)]
    /// The whole body (the transport enforces the size limit).
    public var body: [UInt8]
    /// Who sent it, once authenticated.
    public var user: UserInfo?

    public init(
        method: String,
        path: String,
        query: String = "",
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = [],
        user: UserInfo? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.user = user
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return self.headers.first { $0.name.lowercased() == lowered }?.value
    }
}

/// An authenticated user (↔ `user.Info`): name, groups and uid.
public struct UserInfo: Sendable, Hashable {
    public var name: String
    public var uid: String
    public var groups: [String]

    public init(name: String, uid: String = "", groups: [String]) {
        self.name = name
        self.uid = uid
        self.groups = groups
    }
}

/// A response: status, headers and a body that is either complete or streamed (watches).
public struct APIResponse: Sendable {
    /// The body.
    public enum Body: Sendable {
        case bytes([UInt8])
        /// A producer that writes chunks, each flushed at once (watches); the response ends when it returns.
        /// An empty chunk only flushes the headers.
        case stream(@Sendable (_ write: @concurrent ([UInt8]) async throws -> Void) async throws -> Void)
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return self.headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// The complete body's bytes (empty for a stream).
    public var bodyBytes: [UInt8] {
        if case .bytes(let bytes) = self.body { return bytes }
        return []
    }
}
