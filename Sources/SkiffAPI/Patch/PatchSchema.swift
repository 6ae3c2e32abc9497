import SkiffAPIMachinery

/// A position in the compiled-in OpenAPI schema, for strategic merge patch: the resolved schema of the value being
/// merged, or ``unknown`` outside the schema (then lists are replaced, as in a JSON merge patch).
///
/// Follows `$ref: "#/definitions/…"`, `properties` (struct fields), `additionalProperties` (map values) and `items`
/// (list elements), and reads the patch metadata that apimachinery's `strategicpatch` takes from Go struct tags:
/// `x-kubernetes-patch-strategy` and `x-kubernetes-patch-merge-key`. It ignores `x-kubernetes-list-type` and
/// `x-kubernetes-map-type`, which only server-side apply uses.
struct PatchSchema: Sendable {
    /// The schema object after resolving `$ref`; `nil` when unknown.
    private let node: JSONObject?

    /// A position outside the schema.
    static let unknown = PatchSchema(node: nil)

    private init(node: JSONObject?) { self.node = node }

    /// The resolved schema object, `nil` when unknown; server-side apply reads its list and map types from it.
    var schemaObject: JSONObject? { self.node }

    /// The schema of the definition `name` (`io.k8s.api.apps.v1.Deployment`), or `nil` if there is none.
    init?(definitionName name: String) {
        guard case .object(let object) = APISchema.definition(named: name) else { return nil }
        self.node = object
    }

    /// Resolves a schema value: follows a `$ref`, keeps an inline schema, and gives ``unknown`` for anything else.
    static func resolve(_ schema: JSONValue?) -> PatchSchema {
        guard case .object(let object) = schema else { return .unknown }
        if case .string(let reference) = object["$ref"] {
            let prefix = "#/definitions/"
            guard reference.hasPrefix(prefix),
                case .object(let definition) = APISchema.definition(named: String(reference.dropFirst(prefix.count)))
            else { return .unknown }
            return PatchSchema(node: definition)
        }
        return PatchSchema(node: object)
    }

    /// The patch metadata of the member `key` of an object with this schema: a struct field from `properties`, or
    /// the value schema of a map from `additionalProperties`.
    func field(_ key: String) -> Field {
        guard let node = self.node else { return Field(schema: nil) }
        if case .object(let properties) = node["properties"], let property = properties[key] {
            return Field(schema: property)
        }
        if case .object = node["additionalProperties"] {
            return Field(schema: node["additionalProperties"])
        }
        return Field(schema: nil)
    }

    /// The patch metadata of one field: its strategies, merge key and the schema of its value.
    struct Field: Sendable {
        /// The field's (unresolved) schema; `nil` for a field unknown to the schema.
        let schema: JSONValue?
        /// `x-kubernetes-patch-strategy` contains `merge`: lists merge (by ``mergeKey`` for lists of objects).
        let isMerge: Bool
        /// `x-kubernetes-patch-strategy` contains `replace`: an object patch replaces the whole value.
        let isReplace: Bool
        /// `x-kubernetes-patch-merge-key`, for lists of objects merged by one member.
        let mergeKey: String?

        init(schema: JSONValue?) {
            self.schema = schema
            var isMerge = false
            var isReplace = false
            if case .string(let strategies) = schema?["x-kubernetes-patch-strategy"] {
                switch strategies {
                // The spellings the schema uses, without splitting; retainKeys needs nothing here, since the patch
                // carries its own $retainKeys directive.
                case "merge", "merge,retainKeys": isMerge = true
                case "replace": isReplace = true
                case "retainKeys": break
                default:
                    for strategy in strategies.split(separator: ",") {
                        if strategy == "merge" { isMerge = true }
                        if strategy == "replace" { isReplace = true }
                    }
                }
            }
            self.isMerge = isMerge
            self.isReplace = isReplace
            self.mergeKey = schema?["x-kubernetes-patch-merge-key"]?.stringValue
        }

        /// The schema of the field's value when it is an object.
        var valueSchema: PatchSchema { PatchSchema.resolve(self.schema) }

        /// The schema of the field's elements when it is a list.
        var elementSchema: PatchSchema { PatchSchema.resolve(self.schema?["items"]) }
    }
}
