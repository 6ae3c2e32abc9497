internal import SkiffAPIMachinery

/// Walks protobuf wire format with ``ProtobufSchema`` and builds the JSON tree Go's `encoding/json` would write for
/// the same Go value.
///
/// Zero values: gogo-protobuf writes every non-pointer scalar, even when zero, while Go's JSON omits the zero of an
/// `omitempty` one. So a zero is dropped exactly when the schema flags the field `o` (non-pointer + `omitempty`, from
/// the Go types); zeros of pointer fields (`replicas: 0`) and of fields without `omitempty` (`imageID: ""`) stay.
/// Non-pointer structs are always written by gogo and always present in Go's JSON (`"status": {}`), except the zero
/// `Time` (an empty message), which Go's JSON writes as `null`, or omits under `omitzero`.
struct ProtobufDecoder: ~Copyable {
    let schema: ProtobufSchema
    let bytes: UnsafeRawBufferPointer
    /// Nesting is bounded so that a hostile body cannot exhaust the stack.
    static let maximumDepth = 100

    private enum Slot {
        case empty
        case value(JSONValue)
        case list([JSONValue])
        case map(JSONObject)
    }

    /// Decodes the message `index` from `range` into a JSON value.
    func decodeMessage(_ index: Int, range: Range<Int>, depth: Int) throws(KubernetesProtobufError) -> JSONValue {
        guard depth <= Self.maximumDepth else {
            throw .malformed("messages nested deeper than \(Self.maximumDepth)", at: range.lowerBound)
        }
        let message = self.schema.messages[index]
        if message.special != .none {
            return try self.decodeSpecial(message, range: range, depth: depth)
        }
        let slots = try self.decodeFields(message, range: range, depth: depth)
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(message.fields.count)
        for position in message.fields.indices {
            let field = message.fields[position]
            switch slots[position] {
            case .empty:
                continue
            case .value(let value):
                if field.inline, case .object(let inner) = value {
                    members.append(contentsOf: inner.members)
                } else if field.omitZero, value.isProtobufZero {
                    continue
                } else if field.omitZeroStruct, value == .null || value == .object(JSONObject()) {
                    continue
                } else {
                    members.append((field.jsonName, value))
                }
            case .list(let values):
                members.append((field.jsonName, .array(values)))
            case .map(let object):
                members.append((field.jsonName, .object(object)))
            }
        }
        return .object(JSONObject(members))
    }

    /// Reads every field of `message` in `range`, by field position; unknown fields are skipped.
    private func decodeFields(
        _ message: ProtobufSchema.Message,
        range: Range<Int>,
        depth: Int
    ) throws(KubernetesProtobufError) -> [Slot] {
        var slots = [Slot](repeating: .empty, count: message.fields.count)
        var reader = ProtobufReader(bytes: self.bytes, range: range)
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readTag()
            guard let position = message.fieldIndex(number: number) else {
                try reader.skip(wireType: wireType)
                continue
            }
            let field = message.fields[position]
            do {
                switch field.cardinality {
                case .single:
                    slots[position] = .value(try self.readValue(field.type, wireType: wireType, &reader, depth: depth))
                case .repeated:
                    var values: [JSONValue]
                    if case .list(let existing) = slots[position] { values = existing } else { values = [] }
                    slots[position] = .empty
                    if case .scalar(let scalar) = field.type, wireType == 2, scalar.wireType != 2 {
                        // Packed repeated scalars.
                        let packed = try reader.readLengthDelimited()
                        var inner = ProtobufReader(bytes: self.bytes, range: packed)
                        while !inner.isAtEnd {
                            values.append(try self.readScalar(scalar, wireType: scalar.wireType, &inner))
                        }
                    } else {
                        values.append(try self.readValue(field.type, wireType: wireType, &reader, depth: depth))
                    }
                    slots[position] = .list(values)
                case .map:
                    var object: JSONObject
                    if case .map(let existing) = slots[position] { object = existing } else { object = JSONObject() }
                    slots[position] = .empty
                    let (key, value) = try self.readMapEntry(field.type, wireType: wireType, &reader, depth: depth)
                    object[key] = value
                    slots[position] = .map(object)
                }
            } catch var error {
                error.prependPath(field.jsonName)
                throw error
            }
        }
        return slots
    }

    private func readMapEntry(
        _ type: ProtobufSchema.FieldType,
        wireType: UInt8,
        _ reader: inout ProtobufReader,
        depth: Int
    ) throws(KubernetesProtobufError) -> (String, JSONValue) {
        guard wireType == 2 else { throw .malformed("map entry with wire type \(wireType)", at: reader.position) }
        var entry = ProtobufReader(bytes: self.bytes, range: try reader.readLengthDelimited())
        var key = ""
        var value: JSONValue?
        while !entry.isAtEnd {
            let (number, entryWireType) = try entry.readTag()
            switch number {
            case 1:
                guard case .string(let text) = try self.readScalar(.string, wireType: entryWireType, &entry) else {
                    continue
                }
                key = text
            case 2:
                value = try self.readValue(type, wireType: entryWireType, &entry, depth: depth)
            default:
                try entry.skip(wireType: entryWireType)
            }
        }
        if let value { return (key, value) }
        // A missing value is the zero value of its type.
        switch type {
        case .scalar(let scalar): return (key, scalar.zeroJSON)
        case .message(let index): return (key, try self.decodeMessage(index, range: 0..<0, depth: depth + 1))
        }
    }

    private func readValue(
        _ type: ProtobufSchema.FieldType,
        wireType: UInt8,
        _ reader: inout ProtobufReader,
        depth: Int
    ) throws(KubernetesProtobufError) -> JSONValue {
        switch type {
        case .scalar(let scalar):
            return try self.readScalar(scalar, wireType: wireType, &reader)
        case .message(let index):
            guard wireType == 2 else {
                throw .malformed("message field with wire type \(wireType)", at: reader.position)
            }
            return try self.decodeMessage(index, range: try reader.readLengthDelimited(), depth: depth + 1)
        }
    }

    private func readScalar(
        _ scalar: ProtobufSchema.Scalar,
        wireType: UInt8,
        _ reader: inout ProtobufReader
    ) throws(KubernetesProtobufError) -> JSONValue {
        guard wireType == scalar.wireType else {
            throw .malformed("\(scalar) field with wire type \(wireType)", at: reader.position)
        }
        switch scalar {
        case .string:
            let range = try reader.readLengthDelimited()
            return .string(String(decoding: UnsafeRawBufferPointer(rebasing: self.bytes[range]), as: UTF8.self))
        case .bytes:
            let range = try reader.readLengthDelimited()
            return .string(ProtobufFormats.base64(UnsafeRawBufferPointer(rebasing: self.bytes[range])))
        case .bool:
            return .bool(try reader.readVarint() != 0)
        case .int32:
            return .int(Int64(Int32(truncatingIfNeeded: try reader.readVarint())))
        case .int64:
            return .int(Int64(bitPattern: try reader.readVarint()))
        case .uint32:
            return .int(Int64(UInt32(truncatingIfNeeded: try reader.readVarint())))
        case .uint64:
            let value = try reader.readVarint()
            return value <= UInt64(Int64.max) ? .int(Int64(value)) : .double(Double(value))
        case .sint32:
            let value = UInt32(truncatingIfNeeded: try reader.readVarint())
            return .int(Int64(Int32(bitPattern: value >> 1) ^ -Int32(bitPattern: value & 1)))
        case .sint64:
            let value = try reader.readVarint()
            return .int(Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1))
        case .fixed32:
            return .int(Int64(try reader.readFixed32()))
        case .sfixed32:
            return .int(Int64(Int32(bitPattern: try reader.readFixed32())))
        case .fixed64:
            let value = try reader.readFixed64()
            return value <= UInt64(Int64.max) ? .int(Int64(value)) : .double(Double(value))
        case .sfixed64:
            return .int(Int64(bitPattern: try reader.readFixed64()))
        case .double:
            return .double(Double(bitPattern: try reader.readFixed64()))
        case .float:
            return .double(Double(Float(bitPattern: try reader.readFixed32())))
        }
    }

    // MARK: Special messages

    private func decodeSpecial(
        _ message: ProtobufSchema.Message,
        range: Range<Int>,
        depth: Int
    ) throws(KubernetesProtobufError) -> JSONValue {
        switch message.special {
        case .none:
            preconditionFailure("not a special message")
        case .time, .microtime:
            // An empty message is the zero time, which Go's JSON writes as null.
            if range.isEmpty { return .null }
            var seconds: Int64 = 0
            var nanos: Int32 = 0
            var reader = ProtobufReader(bytes: self.bytes, range: range)
            while !reader.isAtEnd {
                let (number, wireType) = try reader.readTag()
                switch (number, wireType) {
                case (1, 0): seconds = Int64(bitPattern: try reader.readVarint())
                case (2, 0): nanos = Int32(truncatingIfNeeded: try reader.readVarint())
                default: try reader.skip(wireType: wireType)
                }
            }
            // Go: `Time` keeps seconds only; `MicroTime` truncates to microseconds.
            if message.special == .time {
                return .string(RFC3339.format(seconds: seconds, nanoseconds: 0, fractionDigits: 0))
            }
            guard (0..<1_000_000_000).contains(nanos) else {
                throw .malformed("MicroTime nanos \(nanos) out of range", at: range.lowerBound)
            }
            return .string(RFC3339.format(seconds: seconds, nanoseconds: nanos, fractionDigits: 6))
        case .duration:
            var reader = ProtobufReader(bytes: self.bytes, range: range)
            var nanoseconds: Int64 = 0
            while !reader.isAtEnd {
                let (number, wireType) = try reader.readTag()
                if number == 1, wireType == 0 {
                    nanoseconds = Int64(bitPattern: try reader.readVarint())
                } else {
                    try reader.skip(wireType: wireType)
                }
            }
            return .string(ProtobufFormats.formatDuration(nanoseconds: nanoseconds))
        case .intOrString:
            var reader = ProtobufReader(bytes: self.bytes, range: range)
            var type: UInt64 = 0
            var intValue: Int64 = 0
            var stringValue = ""
            while !reader.isAtEnd {
                let (number, wireType) = try reader.readTag()
                switch (number, wireType) {
                case (1, 0): type = try reader.readVarint()
                case (2, 0): intValue = Int64(Int32(truncatingIfNeeded: try reader.readVarint()))
                case (3, 2):
                    let text = try reader.readLengthDelimited()
                    stringValue = String(decoding: UnsafeRawBufferPointer(rebasing: self.bytes[text]), as: UTF8.self)
                default: try reader.skip(wireType: wireType)
                }
            }
            return type == 1 ? .string(stringValue) : .int(intValue)
        case .quantity:
            // Go: the zero Quantity is written as "0".
            var value: JSONValue = .string("0")
            var reader = ProtobufReader(bytes: self.bytes, range: range)
            while !reader.isAtEnd {
                let (number, wireType) = try reader.readTag()
                if number == 1, wireType == 2 {
                    value = try self.readScalar(.string, wireType: 2, &reader)
                } else {
                    try reader.skip(wireType: wireType)
                }
            }
            return value
        case .rawExtension, .rawJSON:
            var raw: Range<Int>?
            var reader = ProtobufReader(bytes: self.bytes, range: range)
            while !reader.isAtEnd {
                let (number, wireType) = try reader.readTag()
                if number == 1, wireType == 2 {
                    raw = try reader.readLengthDelimited()
                } else {
                    try reader.skip(wireType: wireType)
                }
            }
            guard let raw, !raw.isEmpty else { return .null }
            let buffer = UnsafeRawBufferPointer(rebasing: self.bytes[raw])
            if message.special == .rawExtension, buffer.starts(with: KubernetesProtobuf.magic) {
                // A nested protobuf object (runtime.Unknown inside a RawExtension).
                return try KubernetesProtobuf.decodeEnvelope(self.schema, buffer, depth: depth + 1).jsonObject
            }
            guard let value = ProtobufFormats.parseJSON(buffer) else {
                throw KubernetesProtobufError(
                    code: .invalidValue,
                    message: "embedded \(message.name.split(separator: ".").last ?? "") is not JSON",
                    offset: raw.lowerBound
                )
            }
            return value
        case .items:
            var items: [JSONValue] = []
            var reader = ProtobufReader(bytes: self.bytes, range: range)
            while !reader.isAtEnd {
                let (number, wireType) = try reader.readTag()
                if number == 1 {
                    items.append(try self.readScalar(.string, wireType: wireType, &reader))
                } else {
                    try reader.skip(wireType: wireType)
                }
            }
            return .array(items)
        case .propsOrArray, .propsOrBool, .propsOrStringArray:
            let slots = try self.decodeFields(message, range: range, depth: depth)
            func slot(_ number: Int) -> Slot {
                message.fieldIndex(number: number).map { slots[$0] } ?? .empty
            }
            switch message.special {
            case .propsOrArray:
                // {1: schema, 2: jSONSchemas}: an array when it has items, else the schema, else null.
                if case .list(let schemas) = slot(2), !schemas.isEmpty { return .array(schemas) }
                if case .value(let schema) = slot(1) { return schema }
                return .null
            case .propsOrBool:
                // {1: allows, 2: schema}: the schema when set, else the boolean.
                if case .value(let schema) = slot(2) { return schema }
                if case .value(let allows) = slot(1) { return allows }
                return .bool(false)
            default:
                // {1: schema, 2: property}: the strings when there are any, else the schema, else null.
                if case .list(let property) = slot(2), !property.isEmpty { return .array(property) }
                if case .value(let schema) = slot(1) { return schema }
                return .null
            }
        }
    }
}

extension ProtobufSchema.Scalar {
    /// The JSON form of this scalar's zero value.
    var zeroJSON: JSONValue {
        switch self {
        case .string, .bytes: .string("")
        case .bool: .bool(false)
        case .double, .float: .double(0)
        default: .int(0)
        }
    }
}

extension JSONValue {
    /// Whether this is the zero value of a scalar: `""`, `false`, `0`.
    var isProtobufZero: Bool {
        switch self {
        case .string(let value): value.isEmpty
        case .bool(let value): !value
        case .int(let value): value == 0
        case .double(let value): value == 0
        default: false
        }
    }
}

extension KubernetesProtobufError {
    /// Records that the error happened inside field `name`.
    mutating func prependPath(_ name: String) {
        self.fieldPath = self.fieldPath.map { name + "." + $0 } ?? name
    }
}
