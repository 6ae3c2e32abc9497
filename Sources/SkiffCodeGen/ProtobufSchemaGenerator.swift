import Foundation

/// Generates the table that drives decoding (and encoding) of Kubernetes protobuf bodies.
///
/// Inputs, all committed or in `../shared/reference`:
/// - the messages of `proto/**/generated.proto` (``GeneratorInput/protoMessages``), plus apiextensions.k8s.io/v1's,
///   which the reference lacks, from `Data/apiextensions-v1.proto`;
/// - `Data/GoJSONFields.txt`: per protobuf field, the Go facts the `.proto` files do not carry (JSON name, pointer,
///   `omitempty`, `omitzero`, `inline`), derived from the upstream Go types by `Data/derive-go-json-fields.py`;
/// - the OpenAPI definitions, for group/version/kind and to check every JSON name.
///
/// The output, `Sources/SkiffAPI/Generated/ProtobufSchemaTable.swift`, is one raw string in a line format that
/// `ProtobufSchema` parses once at first use (see there for the format). Generation fails when a field's JSON name
/// disagrees with the OpenAPI schema and no fact explains the difference.
enum ProtobufSchemaGenerator {
    static let outputPath = "Sources/SkiffAPI/Generated/ProtobufSchemaTable.swift"

    /// Messages whose JSON shape is not an object of their fields, by fully qualified name.
    static let specialMessages: [String: String] = [
        "k8s.io.apimachinery.pkg.apis.meta.v1.Time": "time",
        "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime": "microtime",
        "k8s.io.apimachinery.pkg.apis.meta.v1.Duration": "duration",
        "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1": "rawjson",
        "k8s.io.apimachinery.pkg.apis.meta.v1.Verbs": "items",
        "k8s.io.apimachinery.pkg.util.intstr.IntOrString": "intorstring",
        "k8s.io.apimachinery.pkg.api.resource.Quantity": "quantity",
        "k8s.io.apimachinery.pkg.api.resource.QuantityValue": "quantity",
        "k8s.io.apimachinery.pkg.runtime.RawExtension": "rawextension",
        "k8s.io.api.authentication.v1.ExtraValue": "items",
        "k8s.io.api.authorization.v1.ExtraValue": "items",
        "k8s.io.api.certificates.v1.ExtraValue": "items",
        apiextensions + ".JSON": "rawjson",
        apiextensions + ".JSONSchemaPropsOrArray": "propsorarray",
        apiextensions + ".JSONSchemaPropsOrBool": "propsorbool",
        apiextensions + ".JSONSchemaPropsOrStringArray": "propsorstringarray",
    ]

    static let apiextensions = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1"

    /// Kinds served or received that have no OpenAPI definition (and so no `x-kubernetes-group-version-kind`).
    static let extraKinds: [(message: String, apiVersion: String, kind: String)] = [
        ("k8s.io.api.admission.v1.AdmissionReview", "admission.k8s.io/v1", "AdmissionReview"),
        ("k8s.io.api.apidiscovery.v2.APIGroupDiscoveryList", "apidiscovery.k8s.io/v2", "APIGroupDiscoveryList"),
        (apiextensions + ".ConversionReview", "apiextensions.k8s.io/v1", "ConversionReview"),
        ("k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions", "meta.k8s.io/v1", "DeleteOptions"),
        ("k8s.io.apimachinery.pkg.apis.meta.v1.CreateOptions", "meta.k8s.io/v1", "CreateOptions"),
        ("k8s.io.apimachinery.pkg.apis.meta.v1.UpdateOptions", "meta.k8s.io/v1", "UpdateOptions"),
        ("k8s.io.apimachinery.pkg.apis.meta.v1.PatchOptions", "meta.k8s.io/v1", "PatchOptions"),
        ("k8s.io.apimachinery.pkg.apis.meta.v1.GetOptions", "meta.k8s.io/v1", "GetOptions"),
        ("k8s.io.apimachinery.pkg.apis.meta.v1.ListOptions", "meta.k8s.io/v1", "ListOptions"),
        ("k8s.io.apimachinery.pkg.apis.meta.v1.PartialObjectMetadata", "meta.k8s.io/v1", "PartialObjectMetadata"),
        (
            "k8s.io.apimachinery.pkg.apis.meta.v1.PartialObjectMetadataList", "meta.k8s.io/v1",
            "PartialObjectMetadataList"
        ),
        ("k8s.io.apimachinery.pkg.apis.meta.v1.Table", "meta.k8s.io/v1", "Table"),
    ]

    /// The directory of committed generator inputs, beside this file.
    static var dataDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Data")
    }

    static func generate(_ input: GeneratorInput) throws -> [GeneratedFile] {
        var messages = input.protoMessages
        let extensionsText = try String(
            contentsOf: self.dataDirectory.appending(path: "apiextensions-v1.proto"),
            encoding: .utf8
        )
        for message in try ProtoIDL.parse(extensionsText, file: "Data/apiextensions-v1.proto") {
            messages[message.name] = message
        }
        let facts = try GoFieldFacts.parse(
            String(contentsOf: self.dataDirectory.appending(path: "GoJSONFields.txt"), encoding: .utf8)
        )
        let table = try self.table(messages: messages, facts: facts, definitions: input.definitions)
        return [GeneratedFile(path: self.outputPath, contents: self.swiftFile(table: table))]
    }

    /// The OpenAPI definition name of a protobuf message name.
    static func definitionName(_ message: String) -> String {
        for (proto, openAPI) in [
            ("k8s.io.api.", "io.k8s.api."), ("k8s.io.apimachinery.", "io.k8s.apimachinery."),
            ("k8s.io.apiextensions_apiserver.", "io.k8s.apiextensions-apiserver."),
        ] where message.hasPrefix(proto) {
            return openAPI + message.dropFirst(proto.count)
        }
        return message
    }

    static func package(of message: String) -> Substring {
        message[..<(message.lastIndex(of: ".") ?? message.startIndex)]
    }

    static func table(
        messages: [String: ProtoMessage],
        facts: [String: [String: GoFieldFacts.Field]],
        definitions: [String: [String: Any]]
    ) throws -> String {
        var kinds: [String: [(apiVersion: String, kind: String)]] = [:]
        for (name, _) in messages {
            let definition = definitions[self.definitionName(name)]
            for gvk in definition?["x-kubernetes-group-version-kind"] as? [[String: String]] ?? [] {
                let group = gvk["group"] ?? ""
                let version = gvk["version"] ?? ""
                let kind = gvk["kind"] ?? ""
                kinds[name, default: []].append((group.isEmpty ? version : group + "/" + version, kind))
            }
        }
        for extra in self.extraKinds where messages[extra.message] != nil {
            kinds[extra.message, default: []].append((extra.apiVersion, extra.kind))
        }

        var problems: [String] = []
        var lines: [String] = []
        for name in messages.keys.sorted() {
            let message = messages[name]!
            let package = self.package(of: name)
            let special = self.specialMessages[name]
            lines.append("M \(name)" + (special.map { " " + $0 } ?? ""))
            for (apiVersion, kind) in (kinds[name] ?? []).sorted(by: {
                ($0.apiVersion, $0.kind) < ($1.apiVersion, $1.kind)
            }) {
                lines.append("G \(apiVersion) \(kind)")
            }
            let definition = definitions[self.definitionName(name)]
            let properties = definition?["properties"] as? [String: Any]
            for field in message.fields {
                if !ProtoIDL.scalars.contains(field.type), messages[field.type] == nil {
                    problems.append("\(name).\(field.name): unknown message type \(field.type)")
                }
                let fact = facts[name]?[field.name]
                let jsonName = fact?.jsonName ?? field.name
                var flags = ""
                if special == nil {
                    flags = self.flags(field: field, fact: fact, messages: messages)
                    if let properties {
                        if fact?.inline == true {
                            for inner in self.flattenedNames(field.type, messages: messages, facts: facts)
                            where properties[inner] == nil {
                                problems.append("\(name).\(field.name): inline field \(inner) not in OpenAPI")
                            }
                        } else if properties[jsonName] == nil {
                            problems.append("\(name).\(field.name): JSON name \(jsonName) not in OpenAPI")
                        }
                    }
                    if fact == nil, properties == nil, facts[name] != nil {
                        problems.append("\(name).\(field.name): no Go fact")
                    }
                }
                let cardinality: String
                switch field.label {
                case .optional: cardinality = "1"
                case .repeated: cardinality = "*"
                case .map(let key):
                    guard key == "string" else {
                        problems.append("\(name).\(field.name): map key \(key) unsupported")
                        continue
                    }
                    cardinality = "m"
                }
                var type = field.type
                if !ProtoIDL.scalars.contains(type), self.package(of: type) == package {
                    type = String(type.dropFirst(package.count + 1))
                }
                lines.append("F \(field.number) \(jsonName) \(cardinality) \(type) \(flags.isEmpty ? "-" : flags)")
            }
            if let properties, special == nil {
                let covered = Set(
                    message.fields.flatMap { field -> [String] in
                        let fact = facts[name]?[field.name]
                        if fact?.inline == true {
                            return self.flattenedNames(field.type, messages: messages, facts: facts)
                        }
                        return [fact?.jsonName ?? field.name]
                    }
                )
                for property in properties.keys.sorted()
                where !covered.contains(property) && property != "apiVersion" && property != "kind" {
                    problems.append("\(name): OpenAPI property \(property) has no protobuf field")
                }
            }
        }
        if !problems.isEmpty {
            throw ProtoIDLError(message: "protobuf schema:\n" + problems.joined(separator: "\n"))
        }
        return lines.joined(separator: "\n")
    }

    /// Flags of one field, see `ProtobufSchema`: `o` omit the zero value when decoding (a non-pointer scalar with
    /// `omitempty`, or `[]byte` with `omitempty`), `w` write the zero value when encoding (non-pointer: gogo-protobuf
    /// always writes those), `i` inline (flattened into the parent), `z` `omitzero` (omit a zero struct).
    ///
    /// Without a Go fact the field is treated as a pointer without `omitempty`: zeros are kept as received and never
    /// invented, which is always safe for a Go-typed reader.
    static func flags(field: ProtoField, fact: GoFieldFacts.Field?, messages: [String: ProtoMessage]) -> String {
        guard let fact, field.label == .optional else { return "" }
        var flags = ""
        let scalar = ProtoIDL.scalars.contains(field.type)
        if fact.omitEmpty, scalar, !fact.nilable || field.type == "bytes" { flags += "o" }
        if !fact.nilable { flags += "w" }
        if fact.inline { flags += "i" }
        if fact.omitZero { flags += "z" }
        return flags
    }

    /// The JSON names an inline message contributes to its parent.
    static func flattenedNames(
        _ message: String,
        messages: [String: ProtoMessage],
        facts: [String: [String: GoFieldFacts.Field]]
    ) -> [String] {
        (messages[message]?.fields ?? []).flatMap { field -> [String] in
            let fact = facts[message]?[field.name]
            if fact?.inline == true { return self.flattenedNames(field.type, messages: messages, facts: facts) }
            return [fact?.jsonName ?? field.name]
        }
    }

    static func swiftFile(table: String) -> String {
        """
        // Generated by skiff-api-gen (ProtobufSchemaGenerator) from ../shared/reference/proto, \
        SkiffCodeGen/Data and the
        // OpenAPI definitions. Do not edit. Format: see ProtobufSchema.

        extension ProtobufSchema {
            /// Every protobuf message of the built-in API groups, one line per message, kind and field.
            static let table = #\"\"\"
        \(table)
        \"\"\"#
        }

        """
    }
}

/// The facts of `Data/GoJSONFields.txt`.
enum GoFieldFacts {
    struct Field: Hashable {
        var jsonName: String?
        var nilable: Bool
        var omitEmpty: Bool
        var omitZero: Bool
        var inline: Bool
    }

    /// Keyed by message name, then proto field name.
    static func parse(_ text: String) throws -> [String: [String: Field]] {
        var result: [String: [String: Field]] = [:]
        var current: String?
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            if !line.hasPrefix(" ") {
                current = String(line)
                continue
            }
            let words = line.split(separator: " ")
            guard let current, words.count == 3 else {
                throw ProtoIDLError(message: "GoJSONFields.txt: bad line: \(line)")
            }
            let flags = words[2]
            result[current, default: [:]][String(words[0])] = Field(
                jsonName: words[1] == "-" ? nil : String(words[1]),
                nilable: flags.contains("p"),
                omitEmpty: flags.contains("e"),
                omitZero: flags.contains("z"),
                inline: flags.contains("i")
            )
        }
        return result
    }
}
