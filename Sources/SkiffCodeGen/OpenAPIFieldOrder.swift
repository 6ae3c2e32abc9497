/// Go struct field order of types that have no protobuf message in the reference.
///
/// Covers apiextensions and version.Info, written from the upstream Go type declarations. Properties not listed sort alphabetically after these.
enum OpenAPIFieldOrder {
    static let apiextensions = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."

    static let goOrder: [String: [String]] = [
        "io.k8s.apimachinery.pkg.version.Info": [
            "major", "minor", "emulationMajor", "emulationMinor", "minCompatibilityMajor", "minCompatibilityMinor",
            "gitVersion", "gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform",
        ],
        apiextensions + "CustomResourceDefinition": ["metadata", "spec", "status"],
        apiextensions + "CustomResourceDefinitionList": ["metadata", "items"],
        apiextensions + "CustomResourceDefinitionSpec": [
            "group", "names", "scope", "versions", "conversion", "preserveUnknownFields",
        ],
        apiextensions + "CustomResourceConversion": ["strategy", "webhook"],
        apiextensions + "WebhookConversion": ["clientConfig", "conversionReviewVersions"],
        apiextensions + "WebhookClientConfig": ["url", "service", "caBundle"],
        apiextensions + "ServiceReference": ["namespace", "name", "path", "port"],
        apiextensions + "CustomResourceDefinitionVersion": [
            "name", "served", "storage", "deprecated", "deprecationWarning", "schema", "subresources",
            "additionalPrinterColumns", "selectableFields",
        ],
        apiextensions + "SelectableField": ["jsonPath"],
        apiextensions + "CustomResourceColumnDefinition": [
            "name", "type", "format", "description", "priority", "jsonPath",
        ],
        apiextensions + "CustomResourceDefinitionNames": [
            "plural", "singular", "shortNames", "kind", "listKind", "categories",
        ],
        apiextensions + "CustomResourceDefinitionCondition": [
            "type", "status", "lastTransitionTime", "reason", "message", "observedGeneration",
        ],
        apiextensions + "CustomResourceDefinitionStatus": [
            "conditions", "acceptedNames", "storedVersions", "observedGeneration",
        ],
        apiextensions + "CustomResourceValidation": ["openAPIV3Schema"],
        apiextensions + "CustomResourceSubresources": ["status", "scale"],
        apiextensions + "CustomResourceSubresourceScale": [
            "specReplicasPath", "statusReplicasPath", "labelSelectorPath",
        ],
        apiextensions + "JSONSchemaProps": [
            "id", "$schema", "$ref", "description", "type", "format", "title", "default", "maximum",
            "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems",
            "minItems", "uniqueItems", "multipleOf", "enum", "maxProperties", "minProperties", "required", "items",
            "allOf", "oneOf", "anyOf", "not", "properties", "additionalProperties", "patternProperties",
            "dependencies", "additionalItems", "definitions", "externalDocs", "example", "nullable",
            "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string",
            "x-kubernetes-list-map-keys", "x-kubernetes-list-type", "x-kubernetes-map-type",
            "x-kubernetes-validations",
        ],
        apiextensions + "ValidationRule": [
            "rule", "message", "messageExpression", "reason", "fieldPath", "optionalOldSelf",
        ],
        apiextensions + "ExternalDocumentation": ["description", "url"],
    ]

    /// The properties in Go's encoding order: TypeMeta's `kind` and `apiVersion`, then the protobuf message's (or
    /// the table's) field order, then the rest alphabetically.
    static func ordered(
        _ names: [String],
        definition: String,
        protoMessages: [String: ProtoMessage]
    ) -> [String] {
        var goOrder: [String] = []
        if definition.hasPrefix("io.k8s.") {
            let protoName = "k8s.io." + definition.dropFirst("io.k8s.".count)
            if let message = protoMessages[protoName] {
                goOrder = self.protoOrder(message, names: names, protoMessages: protoMessages)
            }
        }
        if goOrder.isEmpty { goOrder = self.goOrder[definition] ?? [] }
        let present = Set(names)
        // TypeMeta (`kind`, `apiVersion`) is embedded first and has no protobuf field; a `kind` that the message
        // declares (OwnerReference, StatusDetails) keeps the message's place.
        var result: [String] = ["kind", "apiVersion"].filter { present.contains($0) && !goOrder.contains($0) }
        for name in goOrder where present.contains(name) && !result.contains(name) { result.append(name) }
        let placed = Set(result)
        result += names.filter { !placed.contains($0) }.sorted()
        return result
    }

    /// The message's fields as JSON names: a field whose name is not a property but whose message type holds
    /// properties is an embedded (`json:",inline"`) struct and expands in place (`Volume.volumeSource`,
    /// `Probe.handler`); names match case-insensitively (upstream's proto names `Webhooks`, `uID`, `aPIGroup`).
    static func protoOrder(
        _ message: ProtoMessage,
        names: [String],
        protoMessages: [String: ProtoMessage],
        depth: Int = 0
    ) -> [String] {
        var byLowercased: [String: String] = [:]
        for name in names { byLowercased[name.lowercased()] = name }
        var result: [String] = []
        for field in message.fields {
            if let name = byLowercased[field.name.lowercased()] {
                result.append(name)
            } else if depth < 4, case .optional = field.label, let embedded = protoMessages[field.type] {
                result += self.protoOrder(embedded, names: names, protoMessages: protoMessages, depth: depth + 1)
            }
        }
        return result
    }
}
