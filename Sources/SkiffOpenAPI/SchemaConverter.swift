import SkiffAPI
import SkiffAPIMachinery

/// Turns OpenAPI v2 definitions into OpenAPI v3 component schemas, as kube-openapi's builder3 publishes them.
///
/// - `$ref: #/definitions/X` becomes `$ref: #/components/schemas/X`.
/// - A reference nested in a schema (a property, `items`, `additionalProperties`) is wrapped as
///   `allOf: [{$ref}]`, keeping its siblings (`description`, `default`, `x-kubernetes-*`), because OpenAPI 3.0
///   ignores the siblings of a bare `$ref`.
/// - `IntOrString`'s `type: string, format: int-or-string` becomes `oneOf: [integer, string]`.
/// - Everything else, descriptions and every `x-kubernetes-*` extension included, is kept as it is.
struct SchemaConverter {
    static let definitionsPrefix = "#/definitions/"
    static let componentsPrefix = "#/components/schemas/"

    /// The definition named `name`; the default reads the schema compiled into the binary.
    var lookup: @Sendable (String) -> JSONValue?

    init(lookup: @escaping @Sendable (String) -> JSONValue? = { APISchema.definition(named: $0) }) {
        self.lookup = lookup
    }

    /// The converted schemas of `roots` and of every definition they reach, keyed by definition name.
    ///
    /// A name that is not a known definition is left out (the document then has a dangling reference, which the
    /// tests catch).
    func components(reachableFrom roots: some Sequence<String>) -> JSONObject {
        var pending = Array(roots)
        var seen = Set(pending)
        var converted: [(name: String, schema: JSONValue)] = []
        while let name = pending.popLast() {
            guard let definition = self.lookup(name) else { continue }
            var references: [String] = []
            let schema = Self.convert(definition, nested: false, references: &references)
            converted.append((name, schema))
            for reference in references where seen.insert(reference).inserted {
                pending.append(reference)
            }
        }
        converted.sort { $0.name < $1.name }
        return JSONObject(converted.map { (key: $0.name, value: $0.schema) })
    }

    /// The definition name a v2 reference points at, or `nil` for any other reference.
    static func definitionName(ofReference reference: String) -> String? {
        guard reference.hasPrefix(Self.definitionsPrefix) else { return nil }
        return String(reference.dropFirst(Self.definitionsPrefix.count))
    }

    /// A v3 reference to the component schema `name`.
    static func reference(to name: String) -> JSONValue {
        .object(["$ref": .string(Self.componentsPrefix + name)])
    }

    /// Converts one schema, collecting the names of the definitions it references.
    ///
    /// `nested` says the schema sits under a property, `items` or `additionalProperties`, where references are
    /// wrapped in `allOf`.
    static func convert(_ schema: JSONValue, nested: Bool, references: inout [String]) -> JSONValue {
        guard case .object(let object) = schema else { return schema }
        var output: [(key: String, value: JSONValue)] = []
        output.reserveCapacity(object.count + 1)
        var wrappedReference: JSONValue?
        let isIntOrString = object["format"]?.stringValue == "int-or-string" && object["type"] != nil
        for (key, value) in object {
            switch key {
            case "$ref":
                guard let reference = value.stringValue, let name = Self.definitionName(ofReference: reference)
                else {
                    output.append((key, value))
                    continue
                }
                references.append(name)
                if nested {
                    wrappedReference = Self.reference(to: name)
                } else {
                    output.append((key, .string(Self.componentsPrefix + name)))
                }
            case "properties", "patternProperties", "definitions":
                guard case .object(let properties) = value else {
                    output.append((key, value))
                    continue
                }
                let convertedProperties = properties.map { member in
                    (key: member.key, value: Self.convert(member.value, nested: true, references: &references))
                }
                output.append((key, .object(JSONObject(convertedProperties))))
            case "items":
                if case .array(let schemas) = value {
                    output.append(
                        (key, .array(schemas.map { Self.convert($0, nested: true, references: &references) }))
                    )
                } else {
                    output.append((key, Self.convert(value, nested: true, references: &references)))
                }
            case "additionalProperties", "not":
                output.append((key, Self.convert(value, nested: true, references: &references)))
            case "allOf", "anyOf", "oneOf":
                guard case .array(let schemas) = value else {
                    output.append((key, value))
                    continue
                }
                output.append((key, .array(schemas.map { Self.convert($0, nested: false, references: &references) })))
            case "type" where isIntOrString:
                output.append(("oneOf", [["type": "integer"], ["type": "string"]]))
            default:
                // Descriptions, defaults, enums, formats and every x-kubernetes-* extension stay as they are.
                output.append((key, value))
            }
        }
        if let wrappedReference {
            output.insert(("allOf", .array([wrappedReference])), at: 0)
        }
        return .object(JSONObject(output))
    }
}
