import SkiffAPIMachinery

/// How upstream names a group-version in URLs, operation ids and tags.
struct GroupVersionNaming: Sendable, Hashable {
    var group: String
    var version: String

    /// The path of the group-version under `/openapi/v3/`: `api/v1`, `apis/apps/v1`.
    var documentPath: String {
        self.group.isEmpty ? "api/\(self.version)" : "apis/\(self.group)/\(self.version)"
    }

    /// The URL prefix of the group-version's resources: `/api/v1`, `/apis/apps/v1`.
    var urlPrefix: String { "/" + self.documentPath }

    /// The group as a lower-camel-case identifier: `core`, `apps`, `rbacAuthorization`, `flowcontrolApiserver`
    /// (the `.k8s.io` suffix dropped, the other dots joined in camel case).
    var groupIdentifier: String {
        guard !self.group.isEmpty else { return "core" }
        var group = Substring(self.group)
        if group.hasSuffix(".k8s.io") { group = group.dropLast(".k8s.io".count) }
        let parts = group.split(separator: ".")
        guard let first = parts.first else { return String(group) }
        return ([String(first)] + parts.dropFirst().map(Self.capitalized)).joined()
    }

    /// The operation id infix: `CoreV1`, `AppsV1`, `RbacAuthorizationV1`.
    var operationInfix: String {
        Self.capitalized(Substring(self.groupIdentifier)) + Self.capitalized(Substring(self.version))
    }

    /// The operations' tag: `core_v1`, `apps_v1`, `rbacAuthorization_v1`.
    var tag: String { self.groupIdentifier + "_" + self.version }

    static func capitalized(_ word: Substring) -> String {
        guard let first = word.first else { return "" }
        return first.uppercased() + word.dropFirst()
    }
}
