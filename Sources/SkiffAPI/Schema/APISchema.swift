public import SkiffAPIMachinery

/// The Kubernetes API schema compiled into the binary: the OpenAPI v2 definitions of every generated group-version
/// (with descriptions and all `x-kubernetes-*` extensions) and the table of served resources.
///
/// The API server uses it for pruning, validation, strategic merge patch, server-side apply and OpenAPI
/// publishing. The definitions are parsed once, on first use, from the JSON literals in `Generated/Schema/`; the
/// binary never reads the reference files at run time.
///
/// ## Topics
/// ### Definitions
/// - ``definition(named:)``
/// - ``definition(for:)``
/// - ``definitionName(for:)``
/// - ``definitionNames``
/// ### Resources
/// - ``resources``
/// - ``resource(for:)``
/// - ``resource(group:version:plural:)``
public enum APISchema {
    /// The parsed definitions and the group-version-kind index, built once (Swift's `static let` is lazy and
    /// thread-safe).
    private static let parsed = ParsedDefinitions(chunks: GeneratedSchema.definitionChunks)

    /// The OpenAPI v2 definition named `name` (`io.k8s.api.core.v1.Pod`), as JSON.
    public static func definition(named name: String) -> JSONValue? {
        self.parsed.definitions[name]
    }

    /// The definition of the kind `groupVersionKind` (through its `x-kubernetes-group-version-kind`).
    public static func definition(for groupVersionKind: GroupVersionKind) -> JSONValue? {
        self.definitionName(for: groupVersionKind).flatMap { self.parsed.definitions[$0] }
    }

    /// The name of the definition of the kind `groupVersionKind`: `io.k8s.api.apps.v1.Deployment`.
    public static func definitionName(for groupVersionKind: GroupVersionKind) -> String? {
        self.parsed.namesByKind[groupVersionKind]
    }

    /// The names of all definitions, sorted.
    public static var definitionNames: [String] { self.parsed.definitions.keys.sorted() }

    /// Every served resource of the generated group-versions, sorted by group, version and plural.
    public static let resources: [APIResourceInfo] = GeneratedSchema.resources

    private static let resourcesByKind: [GroupVersionKind: APIResourceInfo] = Dictionary(
        APISchema.resources.map { ($0.groupVersionKind, $0) },
        uniquingKeysWith: { first, _ in first }
    )

    private static let resourcesByPath: [String: APIResourceInfo] = Dictionary(
        APISchema.resources.map {
            ($0.groupVersionKind.group + "/" + $0.groupVersionKind.version + "/" + $0.plural, $0)
        },
        uniquingKeysWith: { first, _ in first }
    )

    /// The resource whose objects are of kind `groupVersionKind`.
    public static func resource(for groupVersionKind: GroupVersionKind) -> APIResourceInfo? {
        self.resourcesByKind[groupVersionKind]
    }

    /// The resource served at `…/group/version/plural` (`group` is empty for the core group).
    public static func resource(group: String, version: String, plural: String) -> APIResourceInfo? {
        self.resourcesByPath[group + "/" + version + "/" + plural]
    }
}

/// The definitions, parsed from the generated JSON literals.
private struct ParsedDefinitions: Sendable {
    var definitions: [String: JSONValue] = [:]
    var namesByKind: [GroupVersionKind: String] = [:]

    init(chunks: [String]) {
        for chunk in chunks {
            // The literals are generated from a valid document; a failure here is a generator bug.
            guard let value = try? JSONValue.parse(chunk.utf8),
                case .object(let object) = value
            else { preconditionFailure("APISchema: a generated definitions literal is not a JSON object") }
            for (name, definition) in object {
                self.definitions[name] = definition
                for entry in definition["x-kubernetes-group-version-kind"]?.arrayValue ?? [] {
                    guard let group = entry["group"]?.stringValue, let version = entry["version"]?.stringValue,
                        let kind = entry["kind"]?.stringValue
                    else { continue }
                    let key = GroupVersionKind(group: group, version: version, kind: kind)
                    if self.namesByKind[key] == nil { self.namesByKind[key] = name }
                }
            }
        }
    }
}
