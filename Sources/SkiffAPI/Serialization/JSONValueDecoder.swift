public import SkiffAPIMachinery

/// Decodes a `Decodable` value from a ``JSONValue`` tree, with Go's strictness, and can report unknown fields.
///
/// The API server parses a body once with `JSONValue.parse(_:)` (Go's number and string rules) and decodes the
/// typed object from the tree, without a second pass over the bytes. Types are strict as in Go's `encoding/json`:
/// an integer field rejects `3.0` and `"3"`, a string field rejects numbers. With
/// ``decodeReportingUnknownFields(_:from:)`` the members no property consumed are listed with their path
/// (`spec.containers[0].imagePullPolcy`), which `fieldValidation=Strict` and `Warn` report as upstream does.
///
/// One decoder object serves a whole top-level decode: nested values are decoded by switching its current value
/// and pushing their key on its path (as Foundation's `JSONDecoder` does), so a nested object costs one keyed
/// container and no dictionary; members are found by a linear scan for small objects and an index for large ones.
public struct JSONValueDecoder: Sendable {
    /// Whether types that are ``JSONTreeCodable`` (the generated API types) decode themselves directly, which is
    /// several times faster than through `Decodable`; the two agree on values, errors and unknown fields. Tests
    /// turn it off to compare.
    var usesTreeCodable = true
    /// Where the generated types' string-valued maps are shared from, if anywhere (see ``JSONMapTable``).
    public var maps: JSONMapTable?

    public init(maps: JSONMapTable? = nil) {
        self.maps = maps
    }

    /// The value of type `type` decoded from `value`.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        if self.usesTreeCodable, let direct = T.self as? any JSONTreeCodable.Type {
            var decoder = JSONTreeDecoder(maps: self.maps)
            return try decodeDirectly(direct, from: value, decoder: &decoder, as: T.self)
        }
        return try TreeDecoder(value: value, codingPath: [], state: nil, usesTreeCodable: self.usesTreeCodable)
            .decodeTopLevel(type)
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
        if self.usesTreeCodable, let direct = T.self as? any JSONTreeCodable.Type {
            var decoder = JSONTreeDecoder(reportingUnknownFields: true)
            let decoded = try decodeDirectly(direct, from: value, decoder: &decoder, as: T.self)
            return (decoded, decoder.unknownFields ?? [])
        }
        let state = DecodingState()
        let decoded = try TreeDecoder(value: value, codingPath: [], state: state, usesTreeCodable: self.usesTreeCodable)
            .decodeTopLevel(type)
        return (decoded, state.unknownFields)
    }
}

/// Decodes `direct` (the same type as `T`, seen as ``JSONTreeCodable``) through its own decoder.
private func decodeDirectly<Direct: JSONTreeCodable, T>(
    _ direct: Direct.Type,
    from value: JSONValue,
    decoder: inout JSONTreeDecoder,
    as type: T.Type
) throws -> T {
    // `Direct` is `T`: the cast changes only the static type.
    unsafeBitCast(try decoder.decode(Direct.self, from: value), to: T.self)
}

/// Shared by every decoder of one top-level decode: the unknown members found so far.
private final class DecodingState {
    var unknownFields: [String] = []
}

/// The position of each member name (the last of duplicates, as Go keeps), for objects too large to scan.
private final class MemberIndex {
    let positions: [String: Int]
    init(_ members: [(key: String, value: JSONValue)]) {
        var positions: [String: Int] = [:]
        positions.reserveCapacity(members.count)
        for (offset, member) in members.enumerated() { positions[member.key] = offset }
        self.positions = positions
    }
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

/// An array index on the coding path; its string form is built only if someone asks.
private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { String(self.intValue ?? 0) }
    init(_ index: Int) { self.intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private func mismatch(_ type: Any.Type, _ value: JSONValue, _ codingPath: [any CodingKey]) -> DecodingError {
    JSONTreeDecoder.typeMismatch(type, value, codingPath: codingPath)
}

/// Member lookups scan objects up to this many members; larger ones get a ``MemberIndex``.
private let linearScanLimit = 24

/// The position of the member named `name` (the last one, if repeated), or `nil`.
@inline(__always)
private func position(
    of name: String,
    in members: [(key: String, value: JSONValue)],
    index: MemberIndex?
) -> Int? {
    if let index { return index.positions[name] }
    let length = name.utf8.count
    return members.withUnsafeBufferPointer { buffer in
        var position = buffer.count
        while position > 0 {
            position -= 1
            let candidate = buffer[position].key
            if candidate.utf8.count == length, candidate == name { return position }
        }
        return nil
    }
}

/// The decoder of one top-level decode, positioned at the value being decoded.
///
/// ``decode(_:from:key:)`` moves it to a child value for the duration of the child's `init(from:)`; containers keep
/// the value they were made for, and the depth of the path at which they were made.
private final class TreeDecoder: Decoder, SingleValueDecodingContainer {
    /// The value whose `init(from:)` is running.
    private(set) var value: JSONValue
    /// The keys from the root to `value`.
    private(set) var path: [any CodingKey]
    /// The reader of `value`, once `value` was read as an object.
    var reader: ObjectReader?
    let state: DecodingState?
    /// Whether nested ``JSONTreeCodable`` values decode themselves.
    let usesTreeCodable: Bool

    var codingPath: [any CodingKey] { self.path }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, codingPath: [any CodingKey], state: DecodingState?, usesTreeCodable: Bool) {
        self.value = value
        self.path = codingPath
        self.state = state
        self.usesTreeCodable = usesTreeCodable
    }

    func codingPath(depth: Int) -> [any CodingKey] {
        Array(self.path.prefix(depth))
    }

    func codingPath(appending key: any CodingKey) -> [any CodingKey] {
        self.path + [key]
    }

    func decodeTopLevel<T: Decodable>(_ type: T.Type) throws -> T {
        if Self.isScalar(type) { return try Self.scalar(type, from: self.value, codingPath: { self.path }) }
        let decoded = try T(from: self)
        self.reportUnknownMembers()
        return decoded
    }

    /// Decodes `type` from `value`, the child of the current value at `key`.
    func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, key: some CodingKey) throws -> T {
        if Self.isScalar(type) {
            return try Self.scalar(type, from: value, codingPath: { self.codingPath(appending: key) })
        }
        if self.usesTreeCodable, let direct = T.self as? any JSONTreeCodable.Type {
            // A generated type inside a hand-written `Decodable`: it decodes itself, at this path.
            var decoder = JSONTreeDecoder(
                codingPath: self.codingPath(appending: key),
                reportingUnknownFields: self.state != nil
            )
            let decoded = try decodeDirectly(direct, from: value, decoder: &decoder, as: T.self)
            self.state?.unknownFields += decoder.unknownFields ?? []
            return decoded
        }
        let savedValue = self.value
        let savedReader = self.reader
        self.value = value
        self.reader = nil
        self.path.append(key)
        defer {
            self.path.removeLast()
            self.value = savedValue
            self.reader = savedReader
        }
        let decoded = try T(from: self)
        self.reportUnknownMembers()
        return decoded
    }

    private func reportUnknownMembers() {
        guard let state = self.state, let reader = self.reader else { return }
        let members = reader.members
        for (offset, member) in members.enumerated() where !reader.isUsed(offset) {
            // A repeated name counts as known when any of its members was looked up.
            let asked = members.indices.contains { reader.isUsed($0) && members[$0].key == member.key }
            if !asked {
                let path = self.path + [DecodingKey(stringValue: member.key)]
                state.unknownFields.append(JSONTreeDecoder.fieldPath(path))
            }
        }
    }

    /// Whether `type` is a scalar or `JSONValue` itself, which ``scalar(_:from:codingPath:)`` decodes without a
    /// decoder.
    @inline(__always)
    static func isScalar<T>(_ type: T.Type) -> Bool {
        type == String.self || type == JSONValue.self || type == Bool.self || type == Int32.self
            || type == Int64.self || type == Int.self || type == Double.self || type == Float.self
            || type == Int8.self || type == Int16.self || type == UInt.self || type == UInt8.self
            || type == UInt16.self || type == UInt32.self || type == UInt64.self
    }

    /// A scalar or `JSONValue` decoded without a decoder; `type` must pass ``isScalar(_:)``. (Not an optional
    /// result: `T?` would cost a metadata lookup per call in this unspecialized code.)
    static func scalar<T>(_ type: T.Type, from value: JSONValue, codingPath: () -> [any CodingKey]) throws -> T {
        if type == String.self { return unsafeBitCast(try Self.string(value, codingPath), to: T.self) }
        if type == JSONValue.self { return unsafeBitCast(value, to: T.self) }
        if type == Bool.self { return unsafeBitCast(try Self.bool(value, codingPath), to: T.self) }
        if type == Int32.self { return unsafeBitCast(try Self.integer(Int32.self, value, codingPath), to: T.self) }
        if type == Int64.self { return unsafeBitCast(try Self.integer(Int64.self, value, codingPath), to: T.self) }
        if type == Int.self { return unsafeBitCast(try Self.integer(Int.self, value, codingPath), to: T.self) }
        if type == Double.self { return unsafeBitCast(try Self.double(value, codingPath), to: T.self) }
        if type == Float.self { return unsafeBitCast(Float(try Self.double(value, codingPath)), to: T.self) }
        if type == Int8.self { return unsafeBitCast(try Self.integer(Int8.self, value, codingPath), to: T.self) }
        if type == Int16.self { return unsafeBitCast(try Self.integer(Int16.self, value, codingPath), to: T.self) }
        if type == UInt.self { return unsafeBitCast(try Self.integer(UInt.self, value, codingPath), to: T.self) }
        if type == UInt8.self { return unsafeBitCast(try Self.integer(UInt8.self, value, codingPath), to: T.self) }
        if type == UInt16.self { return unsafeBitCast(try Self.integer(UInt16.self, value, codingPath), to: T.self) }
        if type == UInt32.self { return unsafeBitCast(try Self.integer(UInt32.self, value, codingPath), to: T.self) }
        return unsafeBitCast(try Self.integer(UInt64.self, value, codingPath), to: T.self)
    }

    static func string(_ value: JSONValue, _ codingPath: () -> [any CodingKey]) throws -> String {
        guard case .string(let string) = value else { throw mismatch(String.self, value, codingPath()) }
        return string
    }

    static func bool(_ value: JSONValue, _ codingPath: () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(Bool.self, value, codingPath()) }
        return bool
    }

    static func double(_ value: JSONValue, _ codingPath: () -> [any CodingKey]) throws -> Double {
        switch value {
        case .int(let integer): return Double(integer)
        case .double(let double): return double
        default: throw mismatch(Double.self, value, codingPath())
        }
    }

    static func integer<I: FixedWidthInteger>(
        _ type: I.Type,
        _ value: JSONValue,
        _ codingPath: () -> [any CodingKey]
    ) throws -> I {
        guard case .int(let integer) = value else { throw mismatch(type, value, codingPath()) }
        guard let exact = I(exactly: integer) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: codingPath(), debugDescription: "number \(integer) overflows \(type)")
            )
        }
        return exact
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = self.value else {
            throw mismatch([String: Any].self, self.value, self.path)
        }
        let reader: ObjectReader
        if let existing = self.reader {
            reader = existing
        } else {
            reader = ObjectReader(members: object.members, depth: self.path.count, tracksUsage: self.state != nil)
            self.reader = reader
        }
        return KeyedDecodingContainer(KeyedTreeDecodingContainer<Key>(decoder: self, reader: reader))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let array) = self.value else { throw mismatch([Any].self, self.value, self.path) }
        return UnkeyedTreeDecodingContainer(decoder: self, elements: array)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        self
    }

    // MARK: SingleValueDecodingContainer (of the current value)

    func decodeNil() -> Bool {
        if case .null = self.value { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if Self.isScalar(type) { return try Self.scalar(type, from: self.value, codingPath: { self.path }) }
        // A type that decodes itself through a single-value container: decode it afresh at the same path.
        let savedReader = self.reader
        self.reader = nil
        defer { self.reader = savedReader }
        let decoded = try T(from: self)
        self.reportUnknownMembers()
        return decoded
    }

    func decode(_ type: String.Type) throws -> String { try Self.string(self.value, { self.path }) }
    func decode(_ type: Bool.Type) throws -> Bool { try Self.bool(self.value, { self.path }) }
    func decode(_ type: Int.Type) throws -> Int { try Self.integer(type, self.value, { self.path }) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Self.integer(type, self.value, { self.path }) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Self.integer(type, self.value, { self.path }) }
    func decode(_ type: Double.Type) throws -> Double { try Self.double(self.value, { self.path }) }
}

/// One object read through keyed containers: its members, how to find them, and which were looked up.
///
/// Not generic, so the generic container stays two references (cheap to copy in unspecialized code). It does not
/// refer to its decoder, which keeps the reader of the object being decoded.
private final class ObjectReader {
    /// The object's members, shared with the `JSONObject` (no copy).
    let members: [(key: String, value: JSONValue)]
    let index: MemberIndex?
    /// Whether lookups are recorded, for unknown-field reports.
    let tracksUsage: Bool
    /// The members looked up: bit `n` for member `n`, and `usedBeyond64` for the rest.
    private var used: UInt64 = 0
    private var usedBeyond64: [Bool] = []
    /// The length of the decoder's path when the object was opened.
    let depth: Int

    init(members: [(key: String, value: JSONValue)], depth: Int, tracksUsage: Bool) {
        self.members = members
        self.index = members.count > linearScanLimit ? MemberIndex(members) : nil
        self.tracksUsage = tracksUsage
        if tracksUsage, members.count > 64 { self.usedBeyond64 = Array(repeating: false, count: members.count - 64) }
        self.depth = depth
    }

    /// The member names in order, repeated names once at their first position.
    var names: [String] {
        var names: [String] = []
        names.reserveCapacity(self.members.count)
        if self.members.count <= linearScanLimit {
            for (offset, member) in self.members.enumerated()
            where !self.members[..<offset].contains(where: { $0.key == member.key }) {
                names.append(member.key)
            }
        } else {
            var seen: Set<String> = []
            for member in self.members where seen.insert(member.key).inserted { names.append(member.key) }
        }
        return names
    }

    /// The member's value, marked as used, or `nil` when absent.
    func lookup(_ name: String) -> JSONValue? {
        guard let position = position(of: name, in: self.members, index: self.index) else { return nil }
        if self.tracksUsage { self.markUsed(position) }
        return self.members[position].value
    }

    private func markUsed(_ position: Int) {
        if position < 64 { self.used |= 1 << UInt64(position) } else { self.usedBeyond64[position - 64] = true }
    }

    func isUsed(_ position: Int) -> Bool {
        position < 64 ? self.used & (1 << UInt64(position)) != 0 : self.usedBeyond64[position - 64]
    }

    /// The member's value, or `nil` when absent or `null` (Go's "absent").
    func present(_ name: String) -> JSONValue? {
        guard let value = self.lookup(name) else { return nil }
        if case .null = value { return nil }
        return value
    }
}

private struct KeyedTreeDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TreeDecoder
    let reader: ObjectReader

    var codingPath: [any CodingKey] { self.decoder.codingPath(depth: self.reader.depth) }

    var allKeys: [Key] {
        self.reader.names.compactMap { Key(stringValue: $0) }
    }

    func member(_ key: Key) throws -> JSONValue {
        guard let value = self.reader.lookup(key.stringValue) else {
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(codingPath: self.codingPath, debugDescription: "no member \(key.stringValue)")
            )
        }
        return value
    }

    func contains(_ key: Key) -> Bool {
        self.reader.lookup(key.stringValue) != nil
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try self.member(key) { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try self.decoder.decode(type, from: try self.member(key), key: key)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = self.reader.present(key.stringValue) else { return nil }
        return try self.decoder.decode(type, from: value, key: key)
    }

    // The scalar requirements, which would otherwise default to `contains`, `decodeNil` and `decode`.

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try TreeDecoder.string(try self.member(key), { self.codingPath + [key] })
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try TreeDecoder.bool(try self.member(key), { self.codingPath + [key] })
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        try TreeDecoder.integer(type, try self.member(key), { self.codingPath + [key] })
    }

    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        try TreeDecoder.integer(type, try self.member(key), { self.codingPath + [key] })
    }

    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        try TreeDecoder.integer(type, try self.member(key), { self.codingPath + [key] })
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try TreeDecoder.double(try self.member(key), { self.codingPath + [key] })
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = self.reader.present(key.stringValue) else { return nil }
        return try TreeDecoder.string(value, { self.codingPath + [key] })
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let value = self.reader.present(key.stringValue) else { return nil }
        return try TreeDecoder.bool(value, { self.codingPath + [key] })
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let value = self.reader.present(key.stringValue) else { return nil }
        return try TreeDecoder.integer(type, value, { self.codingPath + [key] })
    }

    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? {
        guard let value = self.reader.present(key.stringValue) else { return nil }
        return try TreeDecoder.integer(type, value, { self.codingPath + [key] })
    }

    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        guard let value = self.reader.present(key.stringValue) else { return nil }
        return try TreeDecoder.integer(type, value, { self.codingPath + [key] })
    }

    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let value = self.reader.present(key.stringValue) else { return nil }
        return try TreeDecoder.double(value, { self.codingPath + [key] })
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
        TreeDecoder(
            value: self.reader.lookup("super") ?? .null,
            codingPath: self.codingPath + [DecodingKey.superKey],
            state: self.decoder.state,
            usesTreeCodable: self.decoder.usesTreeCodable
        )
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TreeDecoder(
            value: try self.member(key),
            codingPath: self.codingPath + [key],
            state: self.decoder.state,
            usesTreeCodable: self.decoder.usesTreeCodable
        )
    }
}

private struct UnkeyedTreeDecodingContainer: UnkeyedDecodingContainer {
    let decoder: TreeDecoder
    let elements: [JSONValue]
    /// The next element and the length of the decoder's path when this container was made, packed so the
    /// container fits an existential's inline buffer.
    private var position: Int32
    private let depth: Int32

    init(decoder: TreeDecoder, elements: [JSONValue]) {
        self.decoder = decoder
        self.elements = elements
        self.position = 0
        self.depth = Int32(truncatingIfNeeded: decoder.path.count)
    }

    var codingPath: [any CodingKey] { self.decoder.codingPath(depth: Int(self.depth)) }
    var count: Int? { self.elements.count }
    var currentIndex: Int { Int(self.position) }
    var isAtEnd: Bool { Int(self.position) >= self.elements.count }

    mutating func next() throws -> JSONValue {
        guard !self.isAtEnd else {
            throw DecodingError.valueNotFound(
                JSONValue.self,
                DecodingError.Context(codingPath: self.codingPath, debugDescription: "the array has no more elements")
            )
        }
        defer { self.position += 1 }
        return self.elements[Int(self.position)]
    }

    mutating func decodeNil() throws -> Bool {
        guard !self.isAtEnd, case .null = self.elements[Int(self.position)] else { return false }
        self.position += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let index = Int(self.position)
        let value = try self.next()
        return try self.decoder.decode(type, from: value, key: IndexKey(index))
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
        let index = Int(self.position)
        let value = try self.next()
        return TreeDecoder(
            value: value,
            codingPath: self.codingPath + [IndexKey(index)],
            state: self.decoder.state,
            usesTreeCodable: self.decoder.usesTreeCodable
        )
    }
}
