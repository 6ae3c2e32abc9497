import SkiffAPIMachinery

/// A request parameter of an operation: where it goes, its name, its type and what it means.
///
/// Written inline with a `schema`, as `/openapi/v3` documents do (v2's shared `#/parameters/` have no v3
/// counterpart there). The catalogue below follows the options of `meta/v1` (`ListOptions`, `CreateOptions`,
/// `PatchOptions`, `UpdateOptions`, `DeleteOptions`) and of the connect and log subresources.
struct OpenAPIParameter: Sendable {
    enum Location: String, Sendable {
        case path
        case query
    }

    var name: String
    var location: Location
    /// The JSON Schema type: `string`, `boolean` or `integer`.
    var type: String
    var description: String

    var json: JSONValue {
        var object: JSONObject = [
            "description": .string(self.description),
            "in": .string(self.location.rawValue),
            "name": .string(self.name),
        ]
        if self.location == .path { object["required"] = true }
        object["schema"] = ["type": .string(self.type), "uniqueItems": true]
        return .object(object)
    }

    static func query(_ name: String, _ type: String, _ description: String) -> OpenAPIParameter {
        OpenAPIParameter(name: name, location: .query, type: type, description: description)
    }
}

extension OpenAPIParameter {
    // MARK: Path parameters

    static func name(of kind: String) -> OpenAPIParameter {
        OpenAPIParameter(name: "name", location: .path, type: "string", description: "name of the \(kind)")
    }

    static let namespace = OpenAPIParameter(
        name: "namespace",
        location: .path,
        type: "string",
        description: "object name and auth scope, such as for teams and projects"
    )

    static let proxyPath = OpenAPIParameter(
        name: "path",
        location: .path,
        type: "string",
        description: "path to the resource"
    )

    static let pretty = Self.query("pretty", "string", "If 'true', then the output is pretty printed.")

    // MARK: Writes

    static let dryRun = Self.query(
        "dryRun",
        "string",
        "When present, the change is validated but not persisted. The only valid value is All (every dry-run stage)."
    )
    static let fieldManager = Self.query(
        "fieldManager",
        "string",
        "The name of the actor making the change (at most 128 printable characters), recorded in managedFields."
    )
    static let fieldManagerForPatch = Self.query(
        "fieldManager",
        "string",
        "The name of the actor making the change (at most 128 printable characters), recorded in managedFields. "
            + "Required for apply patches (application/apply-patch), optional for the other patch types."
    )
    static let fieldValidation = Self.query(
        "fieldValidation",
        "string",
        "How the server treats unknown or duplicate fields in the request body: Ignore drops them silently, Warn "
            + "(the default) drops them with a warning header, Strict rejects the request with BadRequest."
    )
    static let force = Self.query(
        "force",
        "boolean",
        "Force an apply patch: take over the fields other managers own instead of failing with a conflict. Must "
            + "be unset for the other patch types."
    )

    // MARK: Reads

    static let allowWatchBookmarks = Self.query(
        "allowWatchBookmarks",
        "boolean",
        "Ask for BOOKMARK events on a watch; the server may send them at its discretion. Ignored without watch."
    )
    static let `continue` = Self.query(
        "continue",
        "string",
        "The continue token of a previous paged list with the same query, to fetch the next page. An expired "
            + "token is answered with 410 Gone. Not supported with watch."
    )
    static let fieldSelector = Self.query(
        "fieldSelector",
        "string",
        "A selector on object fields that restricts the returned objects. Defaults to everything."
    )
    static let labelSelector = Self.query(
        "labelSelector",
        "string",
        "A selector on labels that restricts the returned objects. Defaults to everything."
    )
    static let limit = Self.query(
        "limit",
        "integer",
        "The largest number of objects to return; when more exist, the list metadata carries a continue token."
    )
    static let resourceVersion = Self.query(
        "resourceVersion",
        "string",
        "Which resource version the list or watch must be served from; see resourceVersionMatch. Defaults to "
            + "the most recent."
    )
    static let resourceVersionMatch = Self.query(
        "resourceVersionMatch",
        "string",
        "How resourceVersion applies to a list: Exact or NotOlderThan. Requires resourceVersion."
    )
    static let sendInitialEvents = Self.query(
        "sendInitialEvents",
        "boolean",
        "With watch, start with synthetic ADDED events for the current state, then a BOOKMARK event annotated "
            + "k8s.io/initial-events-end. Requires resourceVersionMatch=NotOlderThan."
    )
    static let timeoutSeconds = Self.query(
        "timeoutSeconds",
        "integer",
        "Timeout for the list or watch call, regardless of activity."
    )
    static let watch = Self.query(
        "watch",
        "boolean",
        "Stream add, update and delete notifications for the selected objects instead of listing them."
    )

    // MARK: Deletes

    static let gracePeriodSeconds = Self.query(
        "gracePeriodSeconds",
        "integer",
        "Seconds before the object is deleted (non-negative; zero deletes at once). Defaults to the object's own "
            + "grace period."
    )
    static let ignoreStoreReadErrorWithClusterBreakingPotential = Self.query(
        "ignoreStoreReadErrorWithClusterBreakingPotential",
        "boolean",
        "Delete an object that cannot be read from storage (corrupt), skipping finalizers and preconditions. "
            + "Unsafe; defaults to false."
    )
    static let orphanDependents = Self.query(
        "orphanDependents",
        "boolean",
        "Deprecated, use propagationPolicy: whether dependents are orphaned. Cannot be set with "
            + "propagationPolicy."
    )
    static let propagationPolicy = Self.query(
        "propagationPolicy",
        "string",
        "How garbage collection treats dependents: Orphan, Background or Foreground. Defaults to the resource's "
            + "policy and the object's finalizers."
    )

    // MARK: Sets

    static let create: [OpenAPIParameter] = [.dryRun, .fieldManager, .fieldValidation]
    static let update: [OpenAPIParameter] = [.dryRun, .fieldManager, .fieldValidation]
    static let patch: [OpenAPIParameter] = [.dryRun, .fieldManagerForPatch, .fieldValidation, .force]
    static let delete: [OpenAPIParameter] = [
        .dryRun, .gracePeriodSeconds, .ignoreStoreReadErrorWithClusterBreakingPotential, .orphanDependents,
        .propagationPolicy,
    ]
    static let list: [OpenAPIParameter] = [
        .allowWatchBookmarks, .continue, .fieldSelector, .labelSelector, .limit, .resourceVersion,
        .resourceVersionMatch, .sendInitialEvents, .timeoutSeconds, .watch,
    ]
    static let deleteCollection: [OpenAPIParameter] = [
        .continue, .dryRun, .fieldSelector, .gracePeriodSeconds, .ignoreStoreReadErrorWithClusterBreakingPotential,
        .labelSelector, .limit, .orphanDependents, .propagationPolicy, .resourceVersion, .resourceVersionMatch,
        .sendInitialEvents, .timeoutSeconds,
    ]

    // MARK: Subresources

    /// The query parameters of a connect or log subresource, from its options kind (`PodExecOptions`,
    /// `PodLogOptions`, …).
    static func subresourceQuery(_ subresource: String) -> [OpenAPIParameter] {
        switch subresource {
        case "attach":
            return [
                .query("container", "string", "The container to attach to. Defaults to the only container."),
                .query("stderr", "boolean", "Stream the container's standard error. Defaults to true."),
                .query("stdin", "boolean", "Pass standard input to the container. Defaults to false."),
                .query("stdout", "boolean", "Stream the container's standard output. Defaults to true."),
                .query("tty", "boolean", "Allocate a terminal. Defaults to false."),
            ]
        case "exec":
            return [
                .query("command", "string", "The command to run, one argument per parameter, not in a shell."),
                .query("container", "string", "The container to run the command in. Defaults to the only one."),
                .query("stderr", "boolean", "Redirect the command's standard error. Defaults to true."),
                .query("stdin", "boolean", "Redirect the command's standard input. Defaults to false."),
                .query("stdout", "boolean", "Redirect the command's standard output. Defaults to true."),
                .query("tty", "boolean", "Allocate a terminal for the command. Defaults to false."),
            ]
        case "log":
            return [
                .query("container", "string", "The container whose log to stream. Defaults to the only one."),
                .query("follow", "boolean", "Keep streaming the log as it grows. Defaults to false."),
                .query(
                    "insecureSkipTLSVerifyBackend",
                    "boolean",
                    "Do not verify the serving certificate of the kubelet that holds the log."
                ),
                .query("limitBytes", "integer", "Stop after this many bytes of log."),
                .query("previous", "boolean", "Return the log of the previous, terminated container instance."),
                .query("sinceSeconds", "integer", "Only return log lines newer than this many seconds."),
                .query("stream", "string", "Which stream to return: All, Stdout or Stderr. Defaults to All."),
                .query("tailLines", "integer", "Only return this many lines from the end of the log."),
                .query("timestamps", "boolean", "Prefix every line with an RFC 3339 timestamp."),
            ]
        case "portforward":
            return [.query("ports", "integer", "The ports to forward, one per parameter.")]
        case "proxy":
            return [.query("path", "string", "The path to send the request to.")]
        default:
            return []
        }
    }
}
