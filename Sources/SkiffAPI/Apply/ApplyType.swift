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
    case structure(StructType)
    case map(ApplyType)
    case associativeList(ApplyType, keys: [String])
    case setList
    case untyped

    /// The type of objects of the OpenAPI definition `name`.
    static func definition(_ name: String) -> ApplyType { .structure(StructType.named(name)) }

    /// The type of the member `name` of an object of this type; `nil` for a field a struct does not declare.
    @inline(__always)
    func member(_ name: String) -> ApplyType? {
        switch self {
        case .structure(let definition): return definition.fields[name]
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

    /// Whether `name` is a field of this struct type that Go holds by value (see ``StructType/valueFields``).
    func isValueField(_ name: String) -> Bool {
        if case .structure(let definition) = self { return definition.valueFields.contains(name) }
        return false
    }

    /// Resolves an (unresolved) property schema; struct definitions it meets are built into `registry`.
    static func make(_ schema: JSONValue?, registry: inout [String: StructType]) -> ApplyType {
        guard case .object(let property) = schema else { return .untyped }
        if property["x-kubernetes-preserve-unknown-fields"] == .bool(true) { return .untyped }
        let type = property["type"]?.stringValue
        if type == "array" || property["x-kubernetes-list-type"] != nil {
            let items = property["items"]
            switch property["x-kubernetes-list-type"]?.stringValue {
            case "map":
                let keys = (property["x-kubernetes-list-map-keys"]?.arrayValue ?? []).compactMap(\.stringValue)
                return .associativeList(Self.make(items, registry: &registry), keys: keys)
            case "set":
                return .setList
            case "atomic":
                return .leaf
            default:
                // Upstream's rule for lists without list-type: the patch strategy decides.
                let field = PatchSchema.Field(schema: schema)
                if field.isMerge, let key = field.mergeKey {
                    return .associativeList(Self.make(items, registry: &registry), keys: [key])
                }
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
                return .structure(StructType.build(String(reference.dropFirst(prefix.count)), registry: &registry))
            }
            return Self.make(.object(definition), registry: &registry)
        }
        if case .object = property["additionalProperties"] {
            if mapType == "atomic" { return .leaf }
            return .map(Self.make(property["additionalProperties"], registry: &registry))
        }
        switch type {
        case "string", "integer", "number", "boolean": return .leaf
        default: return mapType == "atomic" ? .leaf : .untyped
        }
    }
}

/// A struct definition with its fields resolved, built once per process for the definition and every definition
/// its fields reach, so that walking a value never looks a field up by definition name.
///
/// Instances are created and filled in by ``build(_:registry:)`` while ``registry``'s lock is held, and published
/// only when the lock is released; after that nothing mutates them.
// @unchecked: `fields` is written only before publication (see above).
final class StructType: @unchecked Sendable {
    /// The OpenAPI definition name: `io.k8s.api.apps.v1.DeploymentSpec`.
    let name: String
    /// The declared fields and their types.
    private(set) var fields: [String: ApplyType] = [:]
    /// The fields Go holds by value rather than through a pointer (or as a list without `omitempty`): whenever an
    /// object of this type exists, they exist too, so an update that first sets something below them adds their
    /// contents, not the fields themselves (the zero value upstream compares a create against has them).
    let valueFields: Set<String>

    private static let registry = Mutex<[String: StructType]>([:])

    private init(name: String) {
        self.name = name
        self.valueFields = ValueFields.of(name)
    }

    /// The struct type of the definition `name` (with no fields when the schema has no such definition).
    static func named(_ name: String) -> StructType {
        Self.registry.withLock { registry in Self.build(name, registry: &registry) }
    }

    /// The struct type of `name` from `registry`, built (with the types it reaches) when missing.
    static func build(_ name: String, registry: inout [String: StructType]) -> StructType {
        if let found = registry[name] { return found }
        let type = StructType(name: name)
        registry[name] = type  // before its fields, so that recursive definitions find it
        if let schema = PatchSchema(definitionName: name),
            case .object(let properties)? = schema.schemaObject?["properties"]
        {
            var fields: [String: ApplyType] = [:]
            fields.reserveCapacity(properties.count)
            for (field, property) in properties { fields[field] = ApplyType.make(property, registry: &registry) }
            type.fields = fields
        }
        return type
    }
}

/// Which struct fields Go holds by value: upstream's zero value of a kind (what a create is compared against) and
/// every decoded object carry them, empty, whenever their parent exists, so they are never "added" themselves.
///
/// The OpenAPI schema does not say whether a Go field is a pointer; this is the list for the built-in types whose
/// value structs are not atomic (atomic ones are leaves, owned alike either way), plus `containers`, which Go
/// writes as `null` in a zero PodSpec.
enum ValueFields {
    /// Every kind's `metadata`, `spec` and `status` are values, as are a template's.
    private static let everywhere: Set<String> = ["metadata", "spec", "status"]

    private static let byDefinition: [String: Set<String>] = [
        "io.k8s.api.apps.v1.DeploymentSpec": ["template", "strategy"],
        "io.k8s.api.apps.v1.DaemonSetSpec": ["template", "updateStrategy"],
        "io.k8s.api.apps.v1.StatefulSetSpec": ["template", "updateStrategy"],
        "io.k8s.api.apps.v1.ReplicaSetSpec": ["template"],
        "io.k8s.api.batch.v1.JobSpec": ["template"],
        "io.k8s.api.batch.v1.CronJobSpec": ["jobTemplate"],
        "io.k8s.api.core.v1.PodTemplate": ["metadata", "template"],
        "io.k8s.api.core.v1.PodSpec": ["containers"],
        "io.k8s.api.core.v1.Container": ["resources"],
        "io.k8s.api.core.v1.EphemeralContainer": ["resources"],
        "io.k8s.api.core.v1.PersistentVolumeClaimSpec": ["resources"],
        "io.k8s.api.core.v1.Event": ["source"],
        "io.k8s.api.core.v1.ServiceStatus": ["loadBalancer"],
        "io.k8s.api.core.v1.NodeStatus": ["daemonEndpoints", "nodeInfo"],
        "io.k8s.api.core.v1.NodeDaemonEndpoints": ["kubeletEndpoint"],
        "io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec": ["scaleTargetRef"],
        "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec": ["scaleTargetRef"],
        "io.k8s.api.storage.v1.VolumeAttachmentSpec": ["source"],
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec": ["names"],
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus": ["acceptedNames"],
    ]

    /// The value fields of the definition `name`.
    static func of(_ name: String) -> Set<String> {
        if let listed = Self.byDefinition[name] { return listed }
        // A kind (it has `apiVersion` and `kind`) or a template spec: metadata, spec and status are values.
        if name.hasSuffix(".PodTemplateSpec") || name.hasSuffix(".JobTemplateSpec") { return ["metadata", "spec"] }
        guard case .object(let properties)? = APISchema.definition(named: name)?["properties"],
            properties["apiVersion"] != nil, properties["kind"] != nil
        else { return [] }
        return Self.everywhere
    }
}
