import SkiffAPIMachinery

/// What a request path addresses (↔ apiserver `pkg/endpoints/request.RequestInfo`).
package struct RequestInfo: Sendable, Hashable {
    /// Whether the path is under `/api` or `/apis` and names a resource (not discovery).
    package var isResourceRequest: Bool
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`; for non-resource
    /// requests the lower-cased HTTP method.
    package var verb: String
    /// `api` or `apis` (empty for non-resource paths).
    package var apiPrefix: String
    package var apiGroup: String
    package var apiVersion: String
    package var namespace: String?
    package var resource: String
    package var subresource: String?
    package var name: String?
    /// The path segments after `/api` or `/apis`.
    package var parts: [String]

    /// Parses `method` + `path`; `isWatch` is the `watch` query parameter.
    package init(method: String, path: String, isWatch: Bool) {
        self.isResourceRequest = false
        self.verb = method.lowercased()
        self.apiPrefix = ""
        self.apiGroup = ""
        self.apiVersion = ""
        self.namespace = nil
        self.resource = ""
        self.subresource = nil
        self.name = nil
        self.parts = []

        var segments = path.split(separator: "/", omittingEmptySubsequences: true).map {
            QueryParameters.decodePathSegment($0)
        }
        guard let prefix = segments.first, prefix == "api" || prefix == "apis" else { return }
        self.apiPrefix = prefix
        segments.removeFirst()
        if prefix == "apis" {
            guard let group = segments.first else { return }
            self.apiGroup = group
            segments.removeFirst()
        }
        guard let version = segments.first else { return }
        self.apiVersion = version
        segments.removeFirst()
        self.parts = segments
        guard !segments.isEmpty else { return }
        self.isResourceRequest = true

        var isLegacyWatch = false
        if segments.first == "watch" {
            isLegacyWatch = true
            segments.removeFirst()
        }
        // namespaces/{ns}/{resource}…, except namespaces/{name}[/status|/finalize], which address the namespace.
        if segments.first == "namespaces", segments.count > 1 {
            self.namespace = segments[1]
            if segments.count > 2 && segments[2] != "status" && segments[2] != "finalize" {
                segments.removeFirst(2)
            }
        }
        self.resource = segments.first ?? ""
        if segments.count >= 2 { self.name = segments[1] }
        if segments.count >= 3 { self.subresource = segments[2...].joined(separator: "/") }

        let hasName = self.name != nil
        switch method {
        case "GET", "HEAD":
            if isLegacyWatch || (isWatch && !hasName) {
                self.verb = "watch"
            } else {
                self.verb = hasName ? "get" : "list"
            }
        case "POST": self.verb = "create"
        case "PUT": self.verb = "update"
        case "PATCH": self.verb = "patch"
        case "DELETE": self.verb = hasName ? "delete" : "deletecollection"
        default: self.verb = method.lowercased()
        }
        if isLegacyWatch, hasName {
            self.verb = "watch"
        }
    }
}
