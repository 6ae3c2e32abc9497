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
///
/// One encoder object serves a whole top-level encode: a nested value is encoded by pushing its key on the
/// encoder's path, and becomes a finished `JSONValue` as soon as its `encode(to:)` returns.
public struct JSONValueEncoder: Sendable {
    /// Whether values that are ``JSONTreeCodable`` (the generated API types) encode themselves directly, which is
    /// several times faster than through `Encodable`; the two give the same tree. Tests turn it off to compare.
    var usesTreeCodable = true

    public init() {}

    /// The value as a JSON tree, members in encoding order.
    public func encode(_ value: some Encodable) throws -> JSONValue {
        if self.usesTreeCodable, let direct = value as? any JSONTreeCodable { return direct.jsonTree() }
        let encoder = TreeEncoder(codingPath: [], usesTreeCodable: self.usesTreeCodable)
        try value.encode(to: encoder)
        let encoded = encoder.node?.materialized ?? .object(JSONObject())
        return value is any StringKeyedMap ? encoded.sortingMapKeys() : encoded
    }

    /// The value as compact JSON bytes, as Go's `encoding/json` writes them (no trailing newline).
    public func encodeToBytes(_ value: some Encodable) throws -> [UInt8] {
        try self.encode(value).serialized()
    }
}

/// Dictionaries with string keys: Go's maps (`labels`, `data`, `nodeSelector`, …), written with sorted keys.
private protocol StringKeyedMap {}

extension Dictionary: StringKeyedMap where Key == String {}

extension JSONValue {
    /// The object with its members sorted by key bytes, as Go's `encoding/json` orders a map (other values as is).
    fileprivate func sortingMapKeys() -> JSONValue {
        guard case .object(let object) = self else { return self }
        let sorted = object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return .object(JSONObject(sorted))
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
        case .object(let object): object.materialized
        case .array(let array): array.materialized
        }
    }
}

/// Objects up to this many members find a repeated key by scanning; larger ones keep an index.
private let linearScanLimit = 16

private final class ObjectNode {
    /// Finished members, and placeholders for the ones in `pending`.
    var members: [(key: String, value: JSONValue)] = []
    /// Members still being filled by a nested container or a super encoder, by position.
    var pending: [(position: Int, node: TreeNode)] = []
    /// Member positions by key, once the object outgrows a scan.
    var index: [String: Int]?

    var materialized: JSONValue {
        guard !self.pending.isEmpty else { return .object(JSONObject(self.members)) }
        var members = self.members
        for (position, node) in self.pending { members[position].value = node.materialized }
        return .object(JSONObject(members))
    }

    private func position(of key: String) -> Int? {
        if let index = self.index { return index[key] }
        let length = key.utf8.count
        return self.members.withUnsafeBufferPointer { buffer in
            for position in buffer.indices {
                let candidate = buffer[position].key
                if candidate.utf8.count == length, candidate == key { return position }
            }
            return nil
        }
    }

    /// Sets the member `key`, in place if it exists (the last write wins, at the first position).
    @discardableResult
    func set(_ value: JSONValue, for key: String) -> Int {
        if let position = self.position(of: key) {
            self.members[position].value = value
            if !self.pending.isEmpty { self.pending.removeAll { $0.position == position } }
            return position
        }
        let position = self.members.count
        self.members.append((key, value))
        if self.index != nil {
            self.index?[key] = position
        } else if self.members.count > linearScanLimit {
            var index: [String: Int] = [:]
            index.reserveCapacity(self.members.count * 2)
            for (offset, member) in self.members.enumerated() { index[member.key] = offset }
            self.index = index
        }
        return position
    }

    func set(_ node: TreeNode, for key: String) {
        if case .value(let value) = node {
            self.set(value, for: key)
        } else {
            let position = self.set(JSONValue.null, for: key)
            self.pending.append((position, node))
        }
    }
}

private final class ArrayNode {
    var elements: [JSONValue] = []
    var pending: [(position: Int, node: TreeNode)] = []

    var materialized: JSONValue {
        guard !self.pending.isEmpty else { return .array(self.elements) }
        var elements = self.elements
        for (position, node) in self.pending { elements[position] = node.materialized }
        return .array(elements)
    }

    func append(_ node: TreeNode) {
        if case .value(let value) = node {
            self.elements.append(value)
        } else {
            self.pending.append((self.elements.count, node))
            self.elements.append(.null)
        }
    }

    func set(_ node: TreeNode, at position: Int) {
        self.pending.removeAll { $0.position == position }
        if case .value(let value) = node {
            self.elements[position] = value
        } else {
            self.pending.append((position, node))
        }
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { String(self.intValue ?? 0) }
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

/// Scalars as JSON values, by type identity (no dynamic casts); `nil` for anything else.
@inline(__always)
private func scalar<T: Encodable>(_ value: T) -> JSONValue? {
    if T.self == String.self { return .string(unsafeBitCast(value, to: String.self)) }
    if T.self == Bool.self { return .bool(unsafeBitCast(value, to: Bool.self)) }
    if T.self == Int32.self { return .int(Int64(unsafeBitCast(value, to: Int32.self))) }
    if T.self == Int64.self { return .int(unsafeBitCast(value, to: Int64.self)) }
    if T.self == Int.self { return .int(Int64(unsafeBitCast(value, to: Int.self))) }
    if T.self == Double.self { return .double(unsafeBitCast(value, to: Double.self)) }
    if T.self == JSONValue.self { return unsafeBitCast(value, to: JSONValue.self) }
    if T.self == Int8.self { return .int(Int64(unsafeBitCast(value, to: Int8.self))) }
    if T.self == Int16.self { return .int(Int64(unsafeBitCast(value, to: Int16.self))) }
    if T.self == UInt8.self { return .int(Int64(unsafeBitCast(value, to: UInt8.self))) }
    if T.self == UInt16.self { return .int(Int64(unsafeBitCast(value, to: UInt16.self))) }
    if T.self == UInt32.self { return .int(Int64(unsafeBitCast(value, to: UInt32.self))) }
    if T.self == UInt.self {
        let value = unsafeBitCast(value, to: UInt.self)
        return value <= UInt(Int64.max) ? .int(Int64(value)) : .double(Double(value))
    }
    if T.self == UInt64.self {
        let value = unsafeBitCast(value, to: UInt64.self)
        return value <= UInt64(Int64.max) ? .int(Int64(value)) : .double(Double(value))
    }
    if T.self == Float.self { return .double(Double(unsafeBitCast(value, to: Float.self))) }
    return nil
}

/// The encoder of one top-level encode, positioned at the value whose `encode(to:)` is running.
private final class TreeEncoder: Encoder, SingleValueEncodingContainer {
    /// The keys from the root to the current value.
    private(set) var path: [any CodingKey]
    /// The current value's node, once it asked for a container.
    var node: TreeNode?

    var codingPath: [any CodingKey] { self.path }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Whether nested ``JSONTreeCodable`` values encode themselves.
    let usesTreeCodable: Bool

    init(codingPath: [any CodingKey], usesTreeCodable: Bool) {
        self.path = codingPath
        self.usesTreeCodable = usesTreeCodable
    }

    /// An encoder for a nested container at `codingPath`.
    func nested(at codingPath: [any CodingKey]) -> TreeEncoder {
        TreeEncoder(codingPath: codingPath, usesTreeCodable: self.usesTreeCodable)
    }

    func codingPath(depth: Int) -> [any CodingKey] {
        Array(self.path.prefix(depth))
    }

    /// Encodes `value`, the child of the current value at `key`.
    func encode<T: Encodable>(_ value: T, key: some CodingKey) throws -> JSONValue {
        if let scalar = scalar(value) { return scalar }
        if self.usesTreeCodable, let direct = value as? any JSONTreeCodable { return direct.jsonTree() }
        self.path.append(key)
        defer { self.path.removeLast() }
        return try self.encodeHere(value)
    }

    /// Encodes `value` at the current path, as a value of its own.
    private func encodeHere<T: Encodable>(_ value: T) throws -> JSONValue {
        let saved = self.node
        self.node = nil
        defer { self.node = saved }
        try value.encode(to: self)
        let encoded = self.node?.materialized ?? .object(JSONObject())
        // Go writes a map's keys sorted; a Swift dictionary encodes them in hash order, different in every process.
        return value is any StringKeyedMap ? encoded.sortingMapKeys() : encoded
    }

    // MARK: Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: ObjectNode
        if case .object(let existing) = self.node {
            object = existing
        } else {
            object = ObjectNode()
            self.node = .object(object)
        }
        return KeyedEncodingContainer(KeyedTreeContainer<Key>(encoder: self, object: object))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: ArrayNode
        if case .array(let existing) = self.node {
            array = existing
        } else {
            array = ArrayNode()
            self.node = .array(array)
        }
        return UnkeyedTreeContainer(encoder: self, array: array)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        self
    }

    // MARK: SingleValueEncodingContainer (of the current value)

    func encodeNil() throws {
        self.node = .value(.null)
    }

    func encode<T: Encodable>(_ value: T) throws {
        if let scalar = scalar(value) {
            self.node = .value(scalar)
        } else {
            self.node = .value(try self.encodeHere(value))
        }
    }

    func encode(_ value: String) throws { self.node = .value(.string(value)) }
    func encode(_ value: Bool) throws { self.node = .value(.bool(value)) }
    func encode(_ value: Int) throws { self.node = .value(.int(Int64(value))) }
    func encode(_ value: Int32) throws { self.node = .value(.int(Int64(value))) }
    func encode(_ value: Int64) throws { self.node = .value(.int(value)) }
    func encode(_ value: Double) throws { self.node = .value(.double(value)) }
}

private struct KeyedTreeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: TreeEncoder
    let object: ObjectNode
    /// The length of the encoder's path when this container was made.
    let depth: Int

    init(encoder: TreeEncoder, object: ObjectNode) {
        self.encoder = encoder
        self.object = object
        self.depth = encoder.path.count
    }

    var codingPath: [any CodingKey] { self.encoder.codingPath(depth: self.depth) }

    mutating func encodeNil(forKey key: Key) throws {
        self.object.set(JSONValue.null, for: key.stringValue)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        self.object.set(try self.encoder.encode(value, key: key), for: key.stringValue)
    }

    mutating func encode(_ value: String, forKey key: Key) throws {
        self.object.set(JSONValue.string(value), for: key.stringValue)
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        self.object.set(JSONValue.bool(value), for: key.stringValue)
    }

    mutating func encode(_ value: Int, forKey key: Key) throws {
        self.object.set(JSONValue.int(Int64(value)), for: key.stringValue)
    }

    mutating func encode(_ value: Int32, forKey key: Key) throws {
        self.object.set(JSONValue.int(Int64(value)), for: key.stringValue)
    }

    mutating func encode(_ value: Int64, forKey key: Key) throws {
        self.object.set(JSONValue.int(value), for: key.stringValue)
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        self.object.set(JSONValue.double(value), for: key.stringValue)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectNode()
        self.object.set(.object(nested), for: key.stringValue)
        let encoder = self.encoder.nested(at: self.codingPath + [key])
        return KeyedEncodingContainer(KeyedTreeContainer<NestedKey>(encoder: encoder, object: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = ArrayNode()
        self.object.set(.array(nested), for: key.stringValue)
        return UnkeyedTreeContainer(encoder: self.encoder.nested(at: self.codingPath + [key]), array: nested)
    }

    mutating func superEncoder() -> any Encoder {
        ReferencingEncoder(
            codingPath: self.codingPath + [SuperKey()],
            usesTreeCodable: self.encoder.usesTreeCodable
        ) { [object] node in
            object.set(node, for: "super")
        }
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        ReferencingEncoder(
            codingPath: self.codingPath + [key],
            usesTreeCodable: self.encoder.usesTreeCodable
        ) { [object] node in
            object.set(node, for: key.stringValue)
        }
    }
}

private struct UnkeyedTreeContainer: UnkeyedEncodingContainer {
    let encoder: TreeEncoder
    let array: ArrayNode
    /// The length of the encoder's path when this container was made.
    let depth: Int

    init(encoder: TreeEncoder, array: ArrayNode) {
        self.encoder = encoder
        self.array = array
        self.depth = encoder.path.count
    }

    var codingPath: [any CodingKey] { self.encoder.codingPath(depth: self.depth) }
    var count: Int { self.array.elements.count }

    mutating func encodeNil() throws {
        self.array.elements.append(.null)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let key = IndexKey(self.array.elements.count)
        self.array.elements.append(try self.encoder.encode(value, key: key))
    }

    mutating func encode(_ value: String) throws {
        self.array.elements.append(.string(value))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let key = IndexKey(self.array.elements.count)
        let nested = ObjectNode()
        self.array.append(.object(nested))
        let encoder = self.encoder.nested(at: self.codingPath + [key])
        return KeyedEncodingContainer(KeyedTreeContainer<NestedKey>(encoder: encoder, object: nested))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = IndexKey(self.array.elements.count)
        let nested = ArrayNode()
        self.array.append(.array(nested))
        return UnkeyedTreeContainer(encoder: self.encoder.nested(at: self.codingPath + [key]), array: nested)
    }

    mutating func superEncoder() -> any Encoder {
        let index = self.array.elements.count
        self.array.elements.append(.null)
        return ReferencingEncoder(
            codingPath: self.codingPath + [IndexKey(index)],
            usesTreeCodable: self.encoder.usesTreeCodable
        ) { [array] node in
            array.set(node, at: index)
        }
    }
}

/// An encoder whose result is stored into its parent when the value finishes encoding (`superEncoder`).
private final class ReferencingEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private let inner: TreeEncoder
    private let store: (TreeNode) -> Void

    init(codingPath: [any CodingKey], usesTreeCodable: Bool, store: @escaping (TreeNode) -> Void) {
        self.codingPath = codingPath
        self.inner = TreeEncoder(codingPath: codingPath, usesTreeCodable: usesTreeCodable)
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
