/// The options of a list or watch (↔ `metav1.ListOptions`), sent as query parameters.
public struct ListOptions: Sendable, Hashable {
    /// `labelSelector`: `app=web,tier!=db`.
    public var labelSelector: String?
    /// `fieldSelector`: `spec.nodeName=node-1`.
    public var fieldSelector: String?
    /// `limit`: the most items in one page; continue with ``continueToken``.
    public var limit: Int?
    /// `continue`: the token of the next page, from the previous page's `metadata.continue`.
    public var continueToken: String?
    /// `resourceVersion`: see ``resourceVersionMatch``; `"0"` reads from the watch cache.
    public var resourceVersion: String?
    /// `resourceVersionMatch`.
    public var resourceVersionMatch: ResourceVersionMatch?
    /// `timeoutSeconds`: how long a watch or list may run on the server.
    public var timeoutSeconds: Int?
    /// `allowWatchBookmarks`: ask a watch for BOOKMARK events.
    public var allowWatchBookmarks: Bool?
    /// `sendInitialEvents`: a watch starts with the current state (requires `resourceVersionMatch=NotOlderThan`).
    public var sendInitialEvents: Bool?
    /// Client-side, never sent: the listed and watched objects are decoded without `metadata.managedFields`,
    /// which are skipped while the JSON is parsed (for informers that trim them anyway).
    public var dropsManagedFields = false

    public init(
        labelSelector: String? = nil,
        fieldSelector: String? = nil,
        limit: Int? = nil,
        continueToken: String? = nil,
        resourceVersion: String? = nil,
        resourceVersionMatch: ResourceVersionMatch? = nil,
        timeoutSeconds: Int? = nil,
        allowWatchBookmarks: Bool? = nil,
        sendInitialEvents: Bool? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
        self.allowWatchBookmarks = allowWatchBookmarks
        self.sendInitialEvents = sendInitialEvents
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if let value = self.labelSelector, !value.isEmpty { items.append(("labelSelector", value)) }
        if let value = self.fieldSelector, !value.isEmpty { items.append(("fieldSelector", value)) }
        if let value = self.limit, value > 0 { items.append(("limit", String(value))) }
        if let value = self.continueToken, !value.isEmpty { items.append(("continue", value)) }
        if let value = self.resourceVersion { items.append(("resourceVersion", value)) }
        if let value = self.resourceVersionMatch { items.append(("resourceVersionMatch", value.rawValue)) }
        if let value = self.timeoutSeconds { items.append(("timeoutSeconds", String(value))) }
        if let value = self.allowWatchBookmarks { items.append(("allowWatchBookmarks", String(value))) }
        if let value = self.sendInitialEvents { items.append(("sendInitialEvents", String(value))) }
        return items
    }
}

/// How a list's `resourceVersion` is interpreted (↔ `metav1.ResourceVersionMatch`).
public enum ResourceVersionMatch: String, Sendable, Hashable {
    /// Data at least as new as the resourceVersion.
    case notOlderThan = "NotOlderThan"
    /// Data at exactly the resourceVersion.
    case exact = "Exact"
}

/// How the server validates a written object's fields (`fieldValidation`).
public enum FieldValidation: String, Sendable, Hashable {
    case ignore = "Ignore"
    case warn = "Warn"
    case strict = "Strict"
}

/// The options of a create, update or patch (↔ `metav1.CreateOptions`, `UpdateOptions`, `PatchOptions`).
public struct WriteOptions: Sendable, Hashable {
    /// `dryRun=All`: validate and admit without persisting.
    public var dryRun: Bool
    /// `fieldManager`: the manager recorded in `managedFields`.
    public var fieldManager: String?
    /// `fieldValidation`.
    public var fieldValidation: FieldValidation?

    public init(dryRun: Bool = false, fieldManager: String? = nil, fieldValidation: FieldValidation? = nil) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
        self.fieldValidation = fieldValidation
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if self.dryRun { items.append(("dryRun", "All")) }
        if let value = self.fieldManager { items.append(("fieldManager", value)) }
        if let value = self.fieldValidation { items.append(("fieldValidation", value.rawValue)) }
        return items
    }
}

/// The options of a server-side apply (`PATCH` with `application/apply-patch+yaml`).
public struct ApplyOptions: Sendable, Hashable {
    /// `fieldManager`: required for apply.
    public var fieldManager: String
    /// `force`: take ownership of fields other managers own instead of failing with a conflict.
    public var force: Bool
    /// `dryRun=All`.
    public var dryRun: Bool

    public init(fieldManager: String, force: Bool = false, dryRun: Bool = false) {
        self.fieldManager = fieldManager
        self.force = force
        self.dryRun = dryRun
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = [("fieldManager", self.fieldManager)]
        if self.force { items.append(("force", "true")) }
        if self.dryRun { items.append(("dryRun", "All")) }
        return items
    }
}

/// The kind of a patch, by its content type (↔ `types.PatchType`).
public enum PatchType: String, Sendable, Hashable, CaseIterable {
    /// RFC 6902 JSON patch: a list of operations.
    case json = "application/json-patch+json"
    /// RFC 7386 JSON merge patch.
    case merge = "application/merge-patch+json"
    /// Kubernetes' strategic merge patch (built-in kinds only).
    case strategic = "application/strategic-merge-patch+json"
    /// Server-side apply (use ``ResourceClient/apply(_:options:subresource:)``).
    case apply = "application/apply-patch+yaml"
}
