public import SkiffAPIMachinery

extension APIExtensionsV1 {
    /// A schema or a list of property names: the JSON shape of a `dependencies` entry.
    ///
    /// Upstream (`JSONSchemaPropsOrStringArray`) writes the list when it is not empty and the schema otherwise; a
    /// JSON array decodes as ``strings(_:)``, an object as ``schema(_:)``.
    public indirect enum JSONSchemaPropsOrStringArray: JSONTreeCodable, Sendable, Hashable {
        /// A schema the object must also follow when the property is present.
        case schema(JSONSchemaProps)
        /// Properties that must be present when the property is present.
        case strings([String])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let strings = try? container.decode([String].self) {
                self = .strings(strings)
            } else {
                self = .schema(try container.decode(JSONSchemaProps.self))
            }
        }

        public init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws {
            if case .array = value, let strings = try? [String](jsonTree: value, decoder: &decoder) {
                self = .strings(strings)
            } else {
                self = .schema(try JSONSchemaProps(jsonTree: value, decoder: &decoder))
            }
        }

        public func jsonTree() -> JSONValue {
            switch self {
            case .schema(let schema): schema.jsonTree()
            case .strings(let strings): strings.jsonTree()
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .schema(let schema): try container.encode(schema)
            case .strings(let strings): try container.encode(strings)
            }
        }
    }
}
