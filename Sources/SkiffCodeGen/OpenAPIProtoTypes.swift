/// Types the OpenAPI document lacks.
///
/// These are meta/v1's Table family, PartialObjectMetadata, the *Options kinds, and apidiscovery/v2. Fields come from the protobuf messages where upstream has one (JSON names equal the proto field
/// names); the Table family is not protobuf-generated upstream, so its fields are listed here from the Go types.
enum OpenAPIProtoTypes {
    private static let meta = "k8s.io.apimachinery.pkg.apis.meta.v1."
    private static let discovery = "k8s.io.api.apidiscovery.v2."

    /// A type to generate from a protobuf message.
    struct Entry {
        var message: String
        var spec: APIGroupVersionSpec
        /// The properties that are non-optional (Go fields without `omitempty`).
        var required: Set<String> = []
        /// Whether the Go type embeds `TypeMeta` (`kind` and `apiVersion` first).
        var hasTypeMeta: Bool = false
        /// The single group-version-kind, which the initializer defaults to.
        var groupVersionKind: APIGroupVersionKind?
        var documentation: String
    }

    static var metaSpec: APIGroupVersionSpec { APITypeCatalog.groupVersions.first { $0.namespace == "MetaV1" }! }

    static var entries: [Entry] {
        let metaV1 = self.metaSpec
        let discoveryV2 = APITypeCatalog.apiDiscovery
        let metaGVK = { (kind: String) in APIGroupVersionKind(group: "meta.k8s.io", version: "v1", kind: kind) }
        let discoveryGVK = { (kind: String) in
            APIGroupVersionKind(group: "apidiscovery.k8s.io", version: "v2", kind: kind)
        }
        return [
            Entry(
                message: meta + "PartialObjectMetadata",
                spec: metaV1,
                hasTypeMeta: true,
                groupVersionKind: metaGVK("PartialObjectMetadata"),
                documentation: "PartialObjectMetadata is a generic representation of any object with ObjectMeta."
            ),
            Entry(
                message: meta + "PartialObjectMetadataList",
                spec: metaV1,
                required: ["items"],
                hasTypeMeta: true,
                groupVersionKind: metaGVK("PartialObjectMetadataList"),
                documentation: "PartialObjectMetadataList contains a list of objects containing only their metadata."
            ),
            Entry(
                message: meta + "TableOptions",
                spec: metaV1,
                hasTypeMeta: true,
                groupVersionKind: metaGVK("TableOptions"),
                documentation: "TableOptions are used when a Table is requested by the caller."
            ),
            Entry(
                message: meta + "ListOptions",
                spec: metaV1,
                hasTypeMeta: true,
                documentation: "ListOptions is the query options to a standard REST list call."
            ),
            Entry(
                message: meta + "GetOptions",
                spec: metaV1,
                hasTypeMeta: true,
                documentation: "GetOptions is the standard query options to the standard REST get call."
            ),
            Entry(
                message: meta + "CreateOptions",
                spec: metaV1,
                hasTypeMeta: true,
                documentation: "CreateOptions may be provided when creating an API object."
            ),
            Entry(
                message: meta + "UpdateOptions",
                spec: metaV1,
                hasTypeMeta: true,
                documentation: "UpdateOptions may be provided when updating an API object."
            ),
            Entry(
                message: meta + "PatchOptions",
                spec: metaV1,
                hasTypeMeta: true,
                documentation: "PatchOptions may be provided when patching an API object."
            ),
            Entry(
                message: meta + "GroupVersionKind",
                spec: metaV1,
                required: ["group", "version", "kind"],
                documentation: "GroupVersionKind unambiguously identifies a kind."
            ),
            Entry(
                message: discovery + "APIGroupDiscoveryList",
                spec: discoveryV2,
                required: ["items"],
                hasTypeMeta: true,
                groupVersionKind: discoveryGVK("APIGroupDiscoveryList"),
                documentation: "APIGroupDiscoveryList is a resource containing a list of APIGroupDiscovery."
            ),
            Entry(
                message: discovery + "APIGroupDiscovery",
                spec: discoveryV2,
                // Upstream writes the list's items without kind and apiVersion: no defaults.
                hasTypeMeta: true,
                documentation: "APIGroupDiscovery holds information about which resources are being served for all "
                    + "version of the API Group."
            ),
            Entry(
                message: discovery + "APIVersionDiscovery",
                spec: discoveryV2,
                required: ["version"],
                documentation: "APIVersionDiscovery holds a list of APIResourceDiscovery types that are served for a "
                    + "particular version within an API Group."
            ),
            Entry(
                message: discovery + "APIResourceDiscovery",
                spec: discoveryV2,
                required: ["resource", "scope", "singularResource", "verbs"],
                documentation: "APIResourceDiscovery provides information about an API resource for discovery."
            ),
            Entry(
                message: discovery + "APISubresourceDiscovery",
                spec: discoveryV2,
                required: ["subresource", "verbs"],
                documentation: "APISubresourceDiscovery provides information about an API subresource for discovery."
            ),
        ]
    }

    /// The Table family (`meta.k8s.io/v1`), which upstream excludes from protobuf: fields in Go order.
    static func tableModels() -> [APITypeModel] {
        let typeMeta = [
            APIPropertyModel(jsonName: "kind", type: .string, isRequired: false, documentation: nil),
            APIPropertyModel(jsonName: "apiVersion", type: .string, isRequired: false, documentation: nil),
        ]
        func named(_ name: String) -> APIFieldType { .named("MetaV1." + name, zero: "MetaV1." + name + "()") }
        let json = APIFieldType.named("JSONValue", zero: "JSONValue.null")
        func property(_ name: String, _ type: APIFieldType, required: Bool, _ doc: String) -> APIPropertyModel {
            APIPropertyModel(jsonName: name, type: type, isRequired: required, documentation: doc)
        }
        return [
            APITypeModel(
                namespace: "MetaV1",
                name: "Table",
                source: "meta/v1 Table",
                documentation: "Table is a tabular representation of a set of API resources. The server transforms "
                    + "the object into a set of preferred columns for quickly reviewing the objects.",
                properties: typeMeta + [
                    property("metadata", named("ListMeta"), required: true, "Standard list metadata."),
                    property(
                        "columnDefinitions",
                        .array(named("TableColumnDefinition")),
                        required: true,
                        "columnDefinitions describes each column in the returned items array."
                    ),
                    property(
                        "rows",
                        .array(named("TableRow")),
                        required: true,
                        "rows is the list of items in the table."
                    ),
                ],
                groupVersionKinds: [APIGroupVersionKind(group: "meta.k8s.io", version: "v1", kind: "Table")]
            ),
            APITypeModel(
                namespace: "MetaV1",
                name: "TableColumnDefinition",
                source: "meta/v1 TableColumnDefinition",
                documentation: "TableColumnDefinition contains information about a column returned in the Table.",
                properties: [
                    property("name", .string, required: true, "name is a human readable name for the column."),
                    property("type", .string, required: true, "type is an OpenAPI type definition for this column."),
                    property("format", .string, required: true, "format is an optional OpenAPI type modifier."),
                    property(
                        "description",
                        .string,
                        required: true,
                        "description is a human readable description of this column."
                    ),
                    property(
                        "priority",
                        .int32,
                        required: true,
                        "priority is an integer defining the relative importance of this column compared to others."
                    ),
                ],
                groupVersionKinds: []
            ),
            APITypeModel(
                namespace: "MetaV1",
                name: "TableRow",
                source: "meta/v1 TableRow",
                documentation: "TableRow is an individual row in a table.",
                properties: [
                    property(
                        "cells",
                        .array(json),
                        required: true,
                        "cells will be as wide as the column definitions array and may contain strings, numbers, "
                            + "booleans, simple maps, lists, or null."
                    ),
                    property(
                        "conditions",
                        .array(named("TableRowCondition")),
                        required: false,
                        "conditions describe additional status of a row that are relevant for a human user."
                    ),
                    property(
                        "object",
                        json,
                        required: false,
                        "This field contains the requested additional information about each object based on the "
                            + "includeObject policy when requesting the Table."
                    ),
                ],
                groupVersionKinds: []
            ),
            APITypeModel(
                namespace: "MetaV1",
                name: "TableRowCondition",
                source: "meta/v1 TableRowCondition",
                documentation: "TableRowCondition allows a row to be marked with additional information.",
                properties: [
                    property("type", .string, required: true, "Type of row condition."),
                    property(
                        "status",
                        .string,
                        required: true,
                        "Status of the condition, one of True, False, Unknown."
                    ),
                    property(
                        "reason",
                        .string,
                        required: false,
                        "(brief) machine readable reason for the condition's last transition."
                    ),
                    property(
                        "message",
                        .string,
                        required: false,
                        "Human readable message indicating details about last transition."
                    ),
                ],
                groupVersionKinds: []
            ),
        ]
    }

    /// Models of the protobuf-only types.
    static func models(protoMessages: [String: ProtoMessage]) throws -> [APITypeModel] {
        var models = self.tableModels()
        for entry in self.entries {
            guard let message = protoMessages[entry.message] else {
                throw ProtoIDLError(message: "missing protobuf message \(entry.message)")
            }
            var properties: [APIPropertyModel] = []
            if entry.hasTypeMeta {
                properties.append(
                    APIPropertyModel(jsonName: "kind", type: .string, isRequired: false, documentation: nil)
                )
                properties.append(
                    APIPropertyModel(jsonName: "apiVersion", type: .string, isRequired: false, documentation: nil)
                )
            }
            for field in message.fields {
                var type = try self.fieldType(field.type, message: entry.message)
                switch field.label {
                case .optional: break
                case .repeated: type = .array(type)
                case .map: type = .map(type)
                }
                properties.append(
                    APIPropertyModel(
                        jsonName: field.name,
                        type: type,
                        isRequired: entry.required.contains(field.name),
                        documentation: nil
                    )
                )
            }
            let name = String(entry.message.split(separator: ".").last!)
            models.append(
                APITypeModel(
                    namespace: entry.spec.namespace,
                    name: name,
                    source: entry.message,
                    documentation: entry.documentation,
                    properties: properties,
                    groupVersionKinds: entry.groupVersionKind.map { [$0] } ?? []
                )
            )
        }
        return models
    }

    static func fieldType(_ protoType: String, message: String) throws -> APIFieldType {
        switch protoType {
        case "string", "bytes": return .string
        case "int32", "uint32", "sint32", "fixed32", "sfixed32": return .int32
        case "int64", "uint64", "sint64", "fixed64", "sfixed64": return .int64
        case "bool": return .bool
        case "double", "float": return .double
        case meta + "Time": return .named("Time", zero: "GeneratedSupport.zeroTime")
        case meta + "MicroTime": return .named("MicroTime", zero: "GeneratedSupport.zeroMicroTime")
        case "k8s.io.apimachinery.pkg.runtime.RawExtension": return .named("JSONValue", zero: "JSONValue.null")
        default:
            for (prefix, namespace) in [(meta, "MetaV1"), (discovery, "APIDiscoveryV2")]
            where protoType.hasPrefix(prefix) {
                let name = namespace + "." + protoType.dropFirst(prefix.count)
                return .named(name, zero: name + "()")
            }
            throw ProtoIDLError(message: "\(message): unsupported field type \(protoType)")
        }
    }
}
