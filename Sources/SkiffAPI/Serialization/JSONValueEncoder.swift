public import SkiffAPIMachinery

/// Encodes an `Encodable` value to a ``JSONValue`` that keeps object members in encoding order.
///
/// Foundation's `JSONEncoder` on Linux writes object members in hash order, but Kubernetes clients compare bytes
/// and expect Go's struct order (`{"kind":"Status","apiVersion":"v1","metadata":{},…`). The generated types encode
/// their properties in Go's order; this encoder keeps it, and `JSONValue.serialized()` writes the bytes as Go does.
///
/// ```swift
/// let bytes = try JSONValueEncoder().encodeToBytes(status)  // {"kind":"Status","apiVersion":"v1",…}
/// ```
public struct JSONValueEncoder: Sendable {
    public init() {}

    /// The value as a JSON tree, members in encoding order.
    public func encode(_ value: some Encodable) throws -> JSONValue {
        let encoder = TreeEncoder(codingPath: [])
        try value.encode(to: encoder)
        return encoder.node?.materialized ?? .object(JSONObject())
    }

    /// The value as compact JSON bytes, as Go's `encoding/json` writes them (no trailing newline).
    public func encodeToBytes(_ value: some Encodable) throws -> [UInt8] {
        try self.encode(value).serialized()
    }
}

/// A node of the tree under construction: containers are reference types so nested containers can fill them
/// after they have been attached to their parent.
private enum TreeNode {
    case value(JSONValue)
    case object(ObjectNode)
    case array(ArrayNode)

    var materialized: JSONValue {
        switch self {
        case .value(let value): value
        case .object(let object): .object(JSONObject(object.members.map { ($0.key, $0.node.materialized) }))
        case .array(let array): .array(array.elements.map(\.materialized))
        }
    }
}

private final class ObjectNode {
    var members: [(key: String, node: TreeNode)] = []
    var indices: [String: Int] = [:]

    func set(_ node: TreeNode, for key: String) {
        if let index = self.indices[key] {
            self.members[index].node = node
        } else {
            self.indices[key] = self.members.count
            self.members.append((key, node))
        }
    }
}

private final class ArrayNode {
    var elements: [TreeNode] = []
}

private struct IndexKey: CodingKey {
    var stringValue: String { String(self.intValue!) }
    var intValue: Int?
    init(_ index: Int) { self.intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct SuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) {}
    init?(intValue: Int) { nil }
}

/// Scalars as JSON values; `nil` for anything else.
private func scalar(_ value: some Encodable) -> JSONValue? {
    switch value {
    case let value as String: .string(value)
    case let value as Bool: .bool(value)
    case let value as Int: .int(Int64(value))
    case let value as Int8: .int(Int64(value))
    case let value as Int16: .int(Int64(value))
    case let value as Int32: .int(Int64(value))
    case let value as Int64: .int(value)
    case let value as UInt: value <= UInt(Int64.max) ? .int(Int64(value)) : .double(Double(value))
    case let value as UInt8: .int(Int64(value))
    case let value as UInt16: .int(Int64(value))
    case let value as UInt32: .int(Int64(value))
    case let value as UInt64: value <= UInt64(Int64.max) ? .int(Int64(value)) : .double(Double(value))
    case let value as Double: .double(value)
    case let value as Float: .double(Double(value))
    case let value as JSONValue: value
    default: nil
    }
}

private final class TreeEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var node: TreeNode?

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    /// Encodes `value` as a child at `key` and returns its node.
    static func encode(_ value: some Encodable, at codingPath: [any CodingKey]) throws -> TreeNode {
        if let scalar = scalar(value) { return .value(scalar) }
        let encoder = TreeEncoder(codingPath: codingPath)
        try value.encode(to: encoder)
        return encoder.node ?? .object(ObjectNode())
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: ObjectNode
        if case .object(let existing) = self.node {
            object = existing
        } else {
            object = ObjectNode()
            self.node = .object(object)
        }
        return KeyedEncodingContainer(KeyedTreeContainer<Key>(object: object, codingPath: self.codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: ArrayNode
        if case .array(let existing) = self.node {
            array = existing
        } else {
            array = ArrayNode()
            self.node = .array(array)
        }
        return UnkeyedTreeContainer(array: array, codingPath: self.codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleTreeContainer(encoder: self)
    }
}

private struct KeyedTreeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: ObjectNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {
        self.object.set(.value(.null), for: key.stringValue)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        self.object.set(try TreeEncoder.encode(value, at: self.codingPath + [key]), for: key.stringValue)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectNode()
        self.object.set(.object(nested), for: key.stringValue)
        return KeyedEncodingContainer(
            KeyedTreeContainer<NestedKey>(object: nested, codingPath: self.codingPath + [key])
        )
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = ArrayNode()
        self.object.set(.array(nested), for: key.stringValue)
        return UnkeyedTreeContainer(array: nested, codingPath: self.codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        ReferencingEncoder(codingPath: self.codingPath + [SuperKey()]) { [object] node in
            object.set(node, for: "super")
        }
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        ReferencingEncoder(codingPath: self.codingPath + [key]) { [object] node in
            object.set(node, for: key.stringValue)
        }
    }
}

private struct UnkeyedTreeContainer: UnkeyedEncodingContainer {
    let array: ArrayNode
    let codingPath: [any CodingKey]
    var count: Int { self.array.elements.count }

    mutating func encodeNil() throws {
        self.array.elements.append(.value(.null))
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let key = IndexKey(self.array.elements.count)
        self.array.elements.append(try TreeEncoder.encode(value, at: self.codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let key = IndexKey(self.array.elements.count)
        let nested = ObjectNode()
        self.array.elements.append(.object(nested))
        return KeyedEncodingContainer(
            KeyedTreeContainer<NestedKey>(object: nested, codingPath: self.codingPath + [key])
        )
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = IndexKey(self.array.elements.count)
        let nested = ArrayNode()
        self.array.elements.append(.array(nested))
        return UnkeyedTreeContainer(array: nested, codingPath: self.codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        let index = self.array.elements.count
        self.array.elements.append(.value(.null))
        return ReferencingEncoder(codingPath: self.codingPath + [IndexKey(index)]) { [array] node in
            array.elements[index] = node
        }
    }
}

private struct SingleTreeContainer: SingleValueEncodingContainer {
    let encoder: TreeEncoder
    var codingPath: [any CodingKey] { self.encoder.codingPath }

    mutating func encodeNil() throws {
        self.encoder.node = .value(.null)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        self.encoder.node = try TreeEncoder.encode(value, at: self.codingPath)
    }
}

/// An encoder whose result is stored into its parent when the value finishes encoding (`superEncoder`).
private final class ReferencingEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private let inner: TreeEncoder
    private let store: (TreeNode) -> Void

    init(codingPath: [any CodingKey], store: @escaping (TreeNode) -> Void) {
        self.codingPath = codingPath
        self.inner = TreeEncoder(codingPath: codingPath)
        self.store = store
    }

    deinit {
        self.store(self.inner.node ?? .object(ObjectNode()))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        self.inner.container(keyedBy: type)
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        self.inner.unkeyedContainer()
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        self.inner.singleValueContainer()
    }
}
