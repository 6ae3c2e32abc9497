import SkiffAPIMachinery
import Synchronization

/// How server-side apply treats a value: the schema's `x-kubernetes-list-type`, `x-kubernetes-list-map-keys` and
/// `x-kubernetes-map-type`, resolved from the compiled-in schema (↔ structured-merge-diff `schema.Atom`).
///
/// - ``leaf``: a scalar, or an atomic list, map or struct: owned and replaced as a whole.
/// - ``structure(_:)``: a struct (an OpenAPI definition with `properties`): fields merge one by one.
/// - ``map(_:)``: a granular map (`additionalProperties`): entries merge one by one.
/// - ``associativeList(_:keys:)``: `list-type: map`: elements merge by their key fields.
/// - ``setList``: `list-type: set`: elements are scalars owned one by one.
/// - ``untyped``: outside the schema (`x-kubernetes-preserve-unknown-fields`, `RawExtension`): objects merge by
///   member, lists are atomic.
///
/// Lists without `x-kubernetes-list-type` follow upstream's rule: `x-kubernetes-patch-strategy: merge` with a
/// merge key makes an associative list keyed by it, `merge` alone a set, anything else atomic.
indirect enum ApplyType: Sendable {
    case leaf
    case structure(String)
    case map(ApplyType)
    case associativeList(ApplyType, keys: [String])
    case setList
    case untyped

    /// The type of objects of the OpenAPI definition `name`.
    static func definition(_ name: String) -> ApplyType { .structure(name) }

    /// The type of the member `name` of an object of this type; `nil` for a field a struct does not declare.
    func member(_ name: String) -> ApplyType? {
        switch self {
        case .structure(let definition): return StructFields.fields(of: definition)[name]
        case .map(let element): return element
        case .untyped: return .untyped
        default: return nil
        }
    }

    /// The type of the elements of a list of this type.
    var element: ApplyType {
        switch self {
        case .associativeList(let element, _): return element
        case .setList: return .leaf
        default: return .untyped
        }
    }

    /// Whether the type is a struct: its named fields are tracked as members when they have children
    /// (↔ `EnsureNamedFieldsAreMembers`).
    var isStructure: Bool {
        if case .structure = self { return true }
        return false
    }

    /// Resolves an (unresolved) property schema.
    static func make(_ schema: JSONValue?) -> ApplyType {
        guard case .object(let property) = schema else { return .untyped }
        if property["x-kubernetes-preserve-unknown-fields"] == .bool(true) { return .untyped }
        let type = property["type"]?.stringValue
        if type == "array" || property["x-kubernetes-list-type"] != nil {
            let items = property["items"]
            switch property["x-kubernetes-list-type"]?.stringValue {
            case "map":
                let keys = (property["x-kubernetes-list-map-keys"]?.arrayValue ?? []).compactMap(\.stringValue)
                return .associativeList(Self.make(items), keys: keys)
            case "set":
                return .setList
            case "atomic":
                return .leaf
            default:
                // Upstream's rule for lists without list-type: the patch strategy decides.
                let field = PatchSchema.Field(schema: schema)
                if field.isMerge, let key = field.mergeKey { return .associativeList(Self.make(items), keys: [key]) }
                if field.isMerge { return .setList }
                return .leaf
            }
        }
        var mapType = property["x-kubernetes-map-type"]?.stringValue
        if case .string(let reference) = property["$ref"] {
            guard let definition = PatchSchema.resolve(schema).schemaObject else { return .untyped }
            if mapType == nil { mapType = definition["x-kubernetes-map-type"]?.stringValue }
            if case .object = definition["properties"] {
                if mapType == "atomic" { return .leaf }
                let prefix = "#/definitions/"
                return .structure(String(reference.dropFirst(prefix.count)))
            }
            return Self.make(.object(definition))
        }
        if case .object = property["additionalProperties"] {
            if mapType == "atomic" { return .leaf }
            return .map(Self.make(property["additionalProperties"]))
        }
        switch type {
        case "string", "integer", "number", "boolean": return .leaf
        default: return mapType == "atomic" ? .leaf : .untyped
        }
    }
}

/// The field types of each struct definition, resolved once and cached.
enum StructFields {
    private static let cache = Mutex<[String: [String: ApplyType]]>([:])

    static func fields(of definition: String) -> [String: ApplyType] {
        if let cached = Self.cache.withLock({ $0[definition] }) { return cached }
        var fields: [String: ApplyType] = [:]
        if let schema = PatchSchema(definitionName: definition),
            case .object(let properties)? = schema.schemaObject?["properties"]
        {
            for (name, property) in properties { fields[name] = ApplyType.make(property) }
        }
        Self.cache.withLock { $0[definition] = fields }
        return fields
    }
}
