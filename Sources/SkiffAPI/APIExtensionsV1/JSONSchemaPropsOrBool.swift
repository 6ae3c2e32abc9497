public import SkiffAPIMachinery

extension APIExtensionsV1 {
    /// A boolean or a schema: the JSON shape of `additionalProperties` and `additionalItems`.
    ///
    /// Upstream (`JSONSchemaPropsOrBool`) writes the schema when there is one and the boolean otherwise; a JSON
    /// object decodes as ``schema(_:)`` (which allows additional members), `true`/`false` as ``bool(_:)``.
    public indirect enum JSONSchemaPropsOrBool: JSONTreeCodable, Sendable, Hashable {
        /// Whether additional members or items are allowed at all.
        case bool(Bool)
        /// The schema additional members or items must follow.
        case schema(JSONSchemaProps)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let allows = try? container.decode(Bool.self) {
                self = .bool(allows)
            } else {
                self = .schema(try container.decode(JSONSchemaProps.self))
            }
        }

        public init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws {
            if case .bool(let allows) = value {
                self = .bool(allows)
            } else {
                self = .schema(try JSONSchemaProps(jsonTree: value, decoder: &decoder))
            }
        }

        public func jsonTree() -> JSONValue {
            switch self {
            case .bool(let allows): .bool(allows)
            case .schema(let schema): schema.jsonTree()
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .bool(let allows): try container.encode(allows)
            case .schema(let schema): try container.encode(schema)
            }
        }
    }
}
