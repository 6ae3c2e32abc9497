internal import SkiffAPIMachinery

/// Writes a JSON tree as protobuf wire format with ``ProtobufSchema``, as gogo-protobuf writes the same Go value:
/// fields in ascending number, non-pointer fields always (zero when absent from the JSON), map entries sorted by key,
/// repeated scalars unpacked.
struct ProtobufEncoder {
    let schema: ProtobufSchema

    func encodeMessage(
        _ index: Int,
        _ object: JSONObject,
        into writer: inout ProtobufWriter
    ) throws(KubernetesProtobufError) {
        let message = self.schema.messages[index]
        // One pass over the members instead of one linear lookup per field.
        var values = [JSONValue?](repeating: nil, count: message.fields.count)
        for (key, value) in object.members {
            if let position = message.indexByJSONName[key] { values[position] = value }
        }
        for position in message.encodingOrder {
            let field = message.fields[position]
            do {
                try self.encodeField(field, value: values[position], of: object, into: &writer)
            } catch var error {
                error.prependPath(field.jsonName)
                throw error
            }
        }
    }

    /// Writes one field; `value` is its member in `object` (the whole object is for inline fields).
    private func encodeField(
        _ field: ProtobufSchema.Field,
        value: JSONValue?,
        of object: JSONObject,
        into writer: inout ProtobufWriter
    ) throws(KubernetesProtobufError) {
        if field.inline, case .message(let inner) = field.type {
            try writer.writeNested(field.number) { (nested: inout ProtobufWriter) throws(KubernetesProtobufError) in
                try self.encodeMessage(inner, object, into: &nested)
            }
            return
        }
        switch field.cardinality {
        case .single:
            guard let value, value != .null else {
                if field.writeZero { try self.encodeZero(field.number, field.type, into: &writer) }
                return
            }
            try self.encodeValue(field.number, field.type, value, into: &writer)
        case .repeated:
            guard let value, value != .null else { return }
            guard case .array(let items) = value else { throw Self.mismatch("an array", value) }
            for item in items { try self.encodeValue(field.number, field.type, item, into: &writer) }
        case .map:
            guard let value, value != .null else { return }
            guard case .object(let entries) = value else { throw Self.mismatch("an object", value) }
            for (key, entry) in entries.members.sorted(by: { $0.key < $1.key }) {
                try writer.writeNested(field.number) { (nested: inout ProtobufWriter) throws(KubernetesProtobufError) in
                    nested.writeBytes(1, key.utf8)
                    try self.encodeValue(2, field.type, entry, into: &nested)
                }
            }
        }
    }

    /// The zero value of a non-pointer field, as gogo-protobuf writes it.
    private func encodeZero(
        _ number: Int,
        _ type: ProtobufSchema.FieldType,
        into writer: inout ProtobufWriter
    ) throws(KubernetesProtobufError) {
        switch type {
        case .scalar(let scalar):
            try self.encodeScalar(number, scalar, scalar.zeroJSON, into: &writer)
        case .message(let index):
            switch self.schema.messages[index].special {
            case .intOrString: try self.encodeValue(number, type, .int(0), into: &writer)
            case .quantity: try self.encodeValue(number, type, .string("0"), into: &writer)
            case .none: try self.encodeValue(number, type, .object(JSONObject()), into: &writer)
            default: writer.writeBytes(number, [])
            }
        }
    }

    private func encodeValue(
        _ number: Int,
        _ type: ProtobufSchema.FieldType,
        _ value: JSONValue,
        into writer: inout ProtobufWriter
    ) throws(KubernetesProtobufError) {
        switch type {
        case .scalar(let scalar):
            try self.encodeScalar(number, scalar, value, into: &writer)
        case .message(let index):
            let message = self.schema.messages[index]
            if message.special != .none {
                try self.encodeSpecial(number, message, value, into: &writer)
                return
            }
            guard case .object(let object) = value else { throw Self.mismatch("an object", value) }
            try writer.writeNested(number) { (nested: inout ProtobufWriter) throws(KubernetesProtobufError) in
                try self.encodeMessage(index, object, into: &nested)
            }
        }
    }

    private func encodeScalar(
        _ number: Int,
        _ scalar: ProtobufSchema.Scalar,
        _ value: JSONValue,
        into writer: inout ProtobufWriter
    ) throws(KubernetesProtobufError) {
        switch scalar {
        case .string:
            guard case .string(let text) = value else { throw Self.mismatch("a string", value) }
            writer.writeBytes(number, text.utf8)
        case .bytes:
            guard case .string(let text) = value, let bytes = ProtobufFormats.decodeBase64(text) else {
                throw Self.mismatch("a base64 string", value)
            }
            writer.writeBytes(number, bytes)
        case .bool:
            guard case .bool(let flag) = value else { throw Self.mismatch("a boolean", value) }
            writer.writeTag(number, 0)
            writer.writeVarint(flag ? 1 : 0)
        case .double, .float:
            let double: Double
            switch value {
            case .double(let number): double = number
            case .int(let number): double = Double(number)
            default: throw Self.mismatch("a number", value)
            }
            if scalar == .double {
                writer.writeTag(number, 1)
                writer.writeFixed64(double.bitPattern)
            } else {
                writer.writeTag(number, 5)
                writer.writeFixed32(Float(double).bitPattern)
            }
        default:
            let integer: Int64
            switch value {
            case .int(let number): integer = number
            case .double(let number) where number.rounded() == number && abs(number) < 9.2e18: integer = Int64(number)
            default: throw Self.mismatch("an integer", value)
            }
            writer.writeTag(number, scalar.wireType)
            switch scalar {
            case .int32: writer.writeVarint(UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: integer))))
            case .sint32, .sint64: writer.writeVarint(UInt64(bitPattern: (integer << 1) ^ (integer >> 63)))
            case .fixed32, .sfixed32: writer.writeFixed32(UInt32(truncatingIfNeeded: integer))
            case .fixed64, .sfixed64: writer.writeFixed64(UInt64(bitPattern: integer))
            default: writer.writeVarint(UInt64(bitPattern: integer))
            }
        }
    }

    private func encodeSpecial(
        _ number: Int,
        _ message: ProtobufSchema.Message,
        _ value: JSONValue,
        into writer: inout ProtobufWriter
    ) throws(KubernetesProtobufError) {
        var body = ProtobufWriter()
        switch message.special {
        case .none:
            preconditionFailure("not a special message")
        case .time, .microtime:
            if value != .null {
                guard case .string(let text) = value, let time = try? RFC3339.parseInstant(text) else {
                    throw Self.mismatch("an RFC 3339 time", value)
                }
                body.writeTag(1, 0)
                body.writeVarint(UInt64(bitPattern: time.seconds))
                body.writeTag(2, 0)
                // Go: `Time` drops the fraction; `MicroTime` keeps microseconds.
                body.writeVarint(message.special == .time ? 0 : UInt64(time.nanoseconds / 1000 * 1000))
            }
        case .duration:
            guard case .string(let text) = value, let nanoseconds = ProtobufFormats.parseDuration(text) else {
                throw Self.mismatch("a duration", value)
            }
            body.writeTag(1, 0)
            body.writeVarint(UInt64(bitPattern: nanoseconds))
        case .intOrString:
            switch value {
            case .int(let integer):
                body.writeTag(1, 0)
                body.writeVarint(0)
                body.writeTag(2, 0)
                body.writeVarint(UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: integer))))
                body.writeBytes(3, [])
            case .string(let text):
                body.writeTag(1, 0)
                body.writeVarint(1)
                body.writeTag(2, 0)
                body.writeVarint(0)
                body.writeBytes(3, text.utf8)
            default:
                throw Self.mismatch("an integer or a string", value)
            }
        case .quantity:
            switch value {
            case .string(let text): body.writeBytes(1, text.utf8)
            case .int(let integer): body.writeBytes(1, String(integer).utf8)
            case .double(let double): body.writeBytes(1, String(double).utf8)
            default: throw Self.mismatch("a quantity", value)
            }
        case .rawExtension, .rawJSON:
            if value != .null {
                guard let json = ProtobufFormats.serializeJSON(value) else { throw Self.mismatch("JSON", value) }
                body.writeBytes(1, json)
            }
        case .items:
            guard case .array(let items) = value else { throw Self.mismatch("an array of strings", value) }
            for item in items { try self.encodeScalar(1, .string, item, into: &body) }
        case .propsOrArray:
            let props = try self.propsType(message, field: 1)
            switch value {
            case .array(let schemas): for schema in schemas { try self.encodeValue(2, props, schema, into: &body) }
            case .object: try self.encodeValue(1, props, value, into: &body)
            default: throw Self.mismatch("a schema or an array of schemas", value)
            }
        case .propsOrBool:
            let props = try self.propsType(message, field: 2)
            switch value {
            case .bool(let allows):
                try self.encodeScalar(1, .bool, .bool(allows), into: &body)
            case .object:
                try self.encodeScalar(1, .bool, .bool(true), into: &body)
                try self.encodeValue(2, props, value, into: &body)
            default:
                throw Self.mismatch("a schema or a boolean", value)
            }
        case .propsOrStringArray:
            let props = try self.propsType(message, field: 1)
            switch value {
            case .array(let strings): for string in strings { try self.encodeScalar(2, .string, string, into: &body) }
            case .object: try self.encodeValue(1, props, value, into: &body)
            default: throw Self.mismatch("a schema or an array of strings", value)
            }
        }
        writer.writeBytes(number, body.bytes)
    }

    private func propsType(
        _ message: ProtobufSchema.Message,
        field number: Int
    ) throws(KubernetesProtobufError) -> ProtobufSchema.FieldType {
        guard let position = message.fieldIndex(number: number) else {
            throw KubernetesProtobufError(code: .invalidValue, message: "\(message.name) has no field \(number)")
        }
        return message.fields[position].type
    }

    static func mismatch(_ expected: String, _ value: JSONValue) -> KubernetesProtobufError {
        let found: String
        switch value {
        case .null: found = "null"
        case .bool: found = "a boolean"
        case .int, .double: found = "a number"
        case .string: found = "a string"
        case .array: found = "an array"
        case .object: found = "an object"
        }
        return KubernetesProtobufError(code: .invalidValue, message: "expected \(expected), found \(found)")
    }
}
