public import SkiffAPIMachinery

/// Decodes a `Decodable` value from a ``JSONValue`` tree, with Go's strictness, and can report unknown fields.
///
/// The API server parses a body once with `JSONValue.parse(_:)` (Go's number and string rules) and decodes the
/// typed object from the tree, without a second pass over the bytes. Types are strict as in Go's `encoding/json`:
/// an integer field rejects `3.0` and `"3"`, a string field rejects numbers. With
/// ``decodeReportingUnknownFields(_:from:)`` the members no property consumed are listed with their path
/// (`spec.containers[0].imagePullPolcy`), which `fieldValidation=Strict` and `Warn` report as upstream does.
public struct JSONValueDecoder: Sendable {
    public init() {}

    /// The value of type `type` decoded from `value`.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try DecodingTree.decode(type, from: value, codingPath: [], state: nil)
    }

    /// The value of type `type` decoded from JSON bytes.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        try self.decode(type, from: try JSONValue.parse(bytes))
    }

    /// The value and the paths of the object members that no property consumed, in document order.
    public func decodeReportingUnknownFields<T: Decodable>(
        _ type: T.Type,
        from value: JSONValue
    ) throws -> (value: T, unknownFields: [String]) {
        let state = DecodingState()
        let decoded = try DecodingTree.decode(type, from: value, codingPath: [], state: state)
        return (decoded, state.unknownFields)
    }
}

/// Shared by every decoder of one top-level decode: the unknown members found so far.
private final class DecodingState {
    var unknownFields: [String] = []
}

/// The member names a keyed container was asked about.
private final class ObjectAccess {
    var keys: Set<String> = []
}

private struct DecodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
    static let superKey = DecodingKey(stringValue: "super")
}

/// `spec.containers[0].image`, as upstream spells a field path.
private func fieldPath(_ codingPath: [any CodingKey]) -> String {
    var path = ""
    for key in codingPath {
        if let index = key.intValue {
            path += "[\(index)]"
        } else {
            path += path.isEmpty ? key.stringValue : "." + key.stringValue
        }
    }
    return path
}

private func describe(_ value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool: "bool"
    case .int(let integer): "number \(integer)"
    case .double(let double): "number \(double)"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
}

private func mismatch(_ type: Any.Type, _ value: JSONValue, _ codingPath: [any CodingKey]) -> DecodingError {
    DecodingError.typeMismatch(
        type,
        DecodingError.Context(
            codingPath: codingPath,
            debugDescription: "cannot unmarshal \(describe(value)) into \(type)"
        )
    )
}

private func integer<I: FixedWidthInteger>(_ type: I.Type, _ value: JSONValue, _ path: [any CodingKey]) throws -> I {
    guard case .int(let integer) = value else { throw mismatch(type, value, path) }
    guard let exact = I(exactly: integer) else {
        throw DecodingError.dataCorrupted(
            DecodingError.Context(codingPath: path, debugDescription: "number \(integer) overflows \(type)")
        )
    }
    return exact
}

private enum DecodingTree {
    static func decode<T: Decodable>(
        _ type: T.Type,
        from value: JSONValue,
        codingPath: [any CodingKey],
        state: DecodingState?
    ) throws -> T {
        if let scalar = try self.scalar(type, from: value, codingPath: codingPath) { return scalar }
        let decoder = TreeDecoder(value: value, codingPath: codingPath, state: state)
        let decoded = try T(from: decoder)
        if let state, let access = decoder.objectAccess, case .object(let object) = value {
            for (key, _) in object where !access.keys.contains(key) {
                state.unknownFields.append(fieldPath(codingPath + [DecodingKey(stringValue: key)]))
            }
        }
        return decoded
    }

    /// Scalars and `JSONValue` itself, decoded without a decoder; `nil` for other types.
    static func scalar<T>(_ type: T.Type, from value: JSONValue, codingPath: [any CodingKey]) throws -> T? {
        if type == JSONValue.self { return (value as! T) }
        if type == String.self {
            guard case .string(let string) = value else { throw mismatch(type, value, codingPath) }
            return (string as! T)
        }
        if type == Bool.self {
            guard case .bool(let bool) = value else { throw mismatch(type, value, codingPath) }
            return (bool as! T)
        }
        if type == Int32.self { return (try integer(Int32.self, value, codingPath) as! T) }
        if type == Int64.self { return (try integer(Int64.self, value, codingPath) as! T) }
        if type == Int.self { return (try integer(Int.self, value, codingPath) as! T) }
        if type == Double.self {
            switch value {
            case .int(let integer): return (Double(integer) as! T)
            case .double(let double): return (double as! T)
            default: throw mismatch(type, value, codingPath)
            }
        }
        return nil
    }
}

private final class TreeDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let state: DecodingState?
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// Set when the value is decoded through a keyed container, to find the members nobody asked for.
    var objectAccess: ObjectAccess?

    init(value: JSONValue, codingPath: [any CodingKey], state: DecodingState?) {
        self.value = value
        self.codingPath = codingPath
        self.state = state
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = self.value else {
            throw mismatch([String: Any].self, self.value, self.codingPath)
        }
        let access = self.objectAccess ?? ObjectAccess()
        self.objectAccess = access
        return KeyedDecodingContainer(
            KeyedTreeDecodingContainer<Key>(
                object: object,
                access: access,
                codingPath: self.codingPath,
                state: self.state
            )
        )
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let array) = self.value else { throw mismatch([Any].self, self.value, self.codingPath) }
        return UnkeyedTreeDecodingContainer(elements: array, codingPath: self.codingPath, state: self.state)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleTreeDecodingContainer(value: self.value, codingPath: self.codingPath, state: self.state)
    }
}

private struct KeyedTreeDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let order: [String]
    let access: ObjectAccess
    let codingPath: [any CodingKey]
    let state: DecodingState?

    init(object: JSONObject, access: ObjectAccess, codingPath: [any CodingKey], state: DecodingState?) {
        // Go keeps the last of duplicate members.
        self.members = Dictionary(object.members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        self.order = object.keys
        self.access = access
        self.codingPath = codingPath
        self.state = state
    }

    var allKeys: [Key] {
        var seen: Set<String> = []
        return self.order.compactMap { name in seen.insert(name).inserted ? Key(stringValue: name) : nil }
    }

    func contains(_ key: Key) -> Bool {
        self.access.keys.insert(key.stringValue)
        return self.members[key.stringValue] != nil
    }

    func member(_ key: Key) throws -> JSONValue {
        self.access.keys.insert(key.stringValue)
        guard let value = self.members[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(codingPath: self.codingPath, debugDescription: "no member \(key.stringValue)")
            )
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        try self.member(key) == .null
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try DecodingTree.decode(
            type,
            from: try self.member(key),
            codingPath: self.codingPath + [key],
            state: self.state
        )
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        self.access.keys.insert(key.stringValue)
        guard let value = self.members[key.stringValue], value != .null else { return nil }
        return try DecodingTree.decode(type, from: value, codingPath: self.codingPath + [key], state: self.state)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type,
        forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try self.superDecoder(forKey: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try self.superDecoder(forKey: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        self.access.keys.insert("super")
        return TreeDecoder(
            value: self.members["super"] ?? .null,
            codingPath: self.codingPath + [DecodingKey.superKey],
            state: self.state
        )
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TreeDecoder(value: try self.member(key), codingPath: self.codingPath + [key], state: self.state)
    }
}

private struct UnkeyedTreeDecodingContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    let state: DecodingState?
    var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey], state: DecodingState?) {
        self.elements = elements
        self.codingPath = codingPath
        self.state = state
    }

    var count: Int? { self.elements.count }
    var isAtEnd: Bool { self.currentIndex >= self.elements.count }

    mutating func next() throws -> (JSONValue, [any CodingKey]) {
        guard !self.isAtEnd else {
            throw DecodingError.valueNotFound(
                JSONValue.self,
                DecodingError.Context(codingPath: self.codingPath, debugDescription: "the array has no more elements")
            )
        }
        let path = self.codingPath + [DecodingKey(intValue: self.currentIndex)]
        defer { self.currentIndex += 1 }
        return (self.elements[self.currentIndex], path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !self.isAtEnd, self.elements[self.currentIndex] == .null else { return false }
        self.currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try self.next()
        return try DecodingTree.decode(type, from: value, codingPath: path, state: self.state)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try self.superDecoder().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try self.superDecoder().unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try self.next()
        return TreeDecoder(value: value, codingPath: path, state: self.state)
    }
}

private struct SingleTreeDecodingContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let state: DecodingState?

    func decodeNil() -> Bool {
        self.value == .null
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try DecodingTree.decode(type, from: self.value, codingPath: self.codingPath, state: self.state)
    }
}
