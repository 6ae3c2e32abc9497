public import SkiffAPIMachinery

extension APIExtensionsV1 {
    /// A schema or an array of schemas: the JSON shape of `items` in a structural schema.
    ///
    /// Upstream (`JSONSchemaPropsOrArray`) writes an array when it has schemas and a single schema otherwise; a
    /// JSON array decodes as ``schemas(_:)``, an object as ``schema(_:)``.
    public indirect enum JSONSchemaPropsOrArray: JSONTreeCodable, Sendable, Hashable {
        /// One schema, applied to every item.
        case schema(JSONSchemaProps)
        /// One schema per position (tuple validation).
        case schemas([JSONSchemaProps])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let schemas = try? container.decode([JSONSchemaProps].self) {
                self = .schemas(schemas)
            } else {
                self = .schema(try container.decode(JSONSchemaProps.self))
            }
        }

        public init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws {
            if case .array = value, let schemas = try? [JSONSchemaProps](jsonTree: value, decoder: &decoder) {
                self = .schemas(schemas)
            } else {
                self = .schema(try JSONSchemaProps(jsonTree: value, decoder: &decoder))
            }
        }

        public func jsonTree() -> JSONValue {
            switch self {
            case .schema(let schema): schema.jsonTree()
            case .schemas(let schemas): schemas.jsonTree()
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .schema(let schema): try container.encode(schema)
            case .schemas(let schemas): try container.encode(schemas)
            }
        }
    }
}
