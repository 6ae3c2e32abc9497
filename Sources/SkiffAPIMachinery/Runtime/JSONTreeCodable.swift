/// A type that converts itself to and from a ``JSONValue`` tree directly, without `Codable`'s containers.
///
/// The API types are generated with this conformance beside their `Codable` one (which Foundation's coders, Yams
/// and tests keep using): a generated decoder makes one pass over an object's members and a generated encoder
/// appends its members in Go's field order, so neither pays for keyed containers, coding keys or dynamic casts.
/// `JSONValueDecoder` and `JSONValueEncoder` take this path whenever the type has it. The two paths agree: same
/// values, same bytes, the same errors at the same paths, and the same unknown fields (a corpus test checks it).
///
/// Semantics, the same as the `Codable` path's: a `null` or absent optional member is `nil`; a `null` or absent
/// required member is the zero value; an integer member rejects `3.0` and `"3"`; a map's keys are written sorted
/// by their bytes (Go's order for a `map[string]T`).
public protocol JSONTreeCodable: Codable {
    /// Decodes the value from `value`, the member or element at the end of `decoder`'s path.
    init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws
    /// The value as a JSON tree.
    func jsonTree() -> JSONValue
}

/// The state of one top-level ``JSONTreeCodable`` decode: the path to the value being decoded (for errors) and,
/// when asked for, the unknown members found so far.
public struct JSONTreeDecoder {
    /// One step of a path: an object member or an array element.
    @usableFromInline
    enum PathKey {
        case member(String)
        case index(Int)
    }

    @usableFromInline var path: [PathKey] = []
    /// The paths of members that no property took (`spec.containers[0].imagePullPolcy`), in document order;
    /// `nil` when not collected.
    public private(set) var unknownFields: [String]?
    /// Where string-valued maps are shared from, if anywhere (see ``JSONMapTable``): for values a client keeps.
    public var maps: JSONMapTable?

    public init(reportingUnknownFields: Bool = false, maps: JSONMapTable? = nil) {
        self.path.reserveCapacity(16)
        self.unknownFields = reportingUnknownFields ? [] : nil
        self.maps = maps
    }

    /// A decoder of a value nested at `codingPath` (its errors and unknown fields carry that path).
    public init(codingPath: [any CodingKey], reportingUnknownFields: Bool) {
        self.init(reportingUnknownFields: reportingUnknownFields)
        for key in codingPath {
            self.path.append(key.intValue.map(PathKey.index) ?? .member(key.stringValue))
        }
    }

    /// Decodes a value of type `T` from `value`, at the top level.
    @inlinable
    public mutating func decode<T: JSONTreeCodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try T(jsonTree: value, decoder: &self)
    }

    /// Decodes `value`, the member `key` of the object being decoded.
    @inlinable
    public mutating func decode<T: JSONTreeCodable>(
        _ type: T.Type,
        from value: JSONValue,
        member key: String
    ) throws -> T {
        self.path.append(.member(key))
        defer { self.path.removeLast() }
        return try T(jsonTree: value, decoder: &self)
    }

    /// Decodes `value`, the element `index` of the array being decoded.
    @inlinable
    public mutating func decode<T: JSONTreeCodable>(_ type: T.Type, from value: JSONValue, index: Int) throws -> T {
        self.path.append(.index(index))
        defer { self.path.removeLast() }
        return try T(jsonTree: value, decoder: &self)
    }

    /// An optional member: `nil` when `null`.
    @inlinable
    public mutating func decodeIfPresent<T: JSONTreeCodable>(
        _ type: T.Type,
        from value: JSONValue,
        member key: String
    ) throws -> T? {
        if case .null = value { return nil }
        return try self.decode(type, from: value, member: key)
    }

    /// The members of `value`, which must be an object (a struct or a map).
    @inlinable
    public func members(of value: JSONValue) throws -> [(key: String, value: JSONValue)] {
        guard case .object(let object) = value else { throw self.typeMismatch([String: Any].self, value) }
        return object.members
    }

    /// Records the member `key` of the object being decoded as unknown, when unknown fields are collected.
    @inlinable
    public mutating func unknownMember(_ key: String) {
        guard self.unknownFields != nil else { return }
        self.recordUnknown(key)
    }

    @usableFromInline
    mutating func recordUnknown(_ key: String) {
        var path = self.fieldPath
        path += path.isEmpty ? key : "." + key
        self.unknownFields?.append(path)
    }

    /// The current path as upstream spells it.
    var fieldPath: String { Self.fieldPath(self.codingPath) }

    /// `spec.containers[0].image`, as upstream spells a field path (unknown fields, strict decoding errors).
    public static func fieldPath(_ codingPath: [any CodingKey]) -> String {
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

    /// The path as `Codable` spells it, for `DecodingError`s.
    public var codingPath: [any CodingKey] {
        self.path.map { key -> any CodingKey in
            switch key {
            case .member(let name): TreePathKey(stringValue: name)
            case .index(let index): TreePathKey(intValue: index)
            }
        }
    }

    /// `DecodingError.typeMismatch` for a value of the wrong JSON type at the current path.
    public func typeMismatch(_ type: Any.Type, _ value: JSONValue) -> DecodingError {
        Self.typeMismatch(type, value, codingPath: self.codingPath)
    }

    /// `DecodingError.typeMismatch` for a value of the wrong JSON type at `codingPath`, worded as both JSON
    /// decoders word it (`cannot unmarshal string into Int32`).
    public static func typeMismatch(
        _ type: Any.Type,
        _ value: JSONValue,
        codingPath: [any CodingKey]
    ) -> DecodingError {
        DecodingError.typeMismatch(
            type,
            DecodingError.Context(
                codingPath: codingPath,
                debugDescription: "cannot unmarshal \(Self.describe(value)) into \(type)"
            )
        )
    }

    /// `DecodingError.dataCorrupted` at the current path.
    public func dataCorrupted(_ description: String) -> DecodingError {
        DecodingError.dataCorrupted(DecodingError.Context(codingPath: self.codingPath, debugDescription: description))
    }

    static func describe(_ value: JSONValue) -> String {
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

    @usableFromInline
    func integer<I: FixedWidthInteger>(_ type: I.Type, _ value: JSONValue) throws -> I {
        guard case .int(let integer) = value else { throw self.typeMismatch(type, value) }
        guard let exact = I(exactly: integer) else { throw self.dataCorrupted("number \(integer) overflows \(type)") }
        return exact
    }
}

/// A key of ``JSONTreeDecoder/codingPath``.
struct TreePathKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

// MARK: - Scalars, arrays, maps and JSONValue

extension String: JSONTreeCodable {
    @inlinable
    public init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws {
        guard case .string(let string) = value else { throw decoder.typeMismatch(String.self, value) }
        self = string
    }

    @inlinable
    public func jsonTree() -> JSONValue { .string(self) }
}

extension Bool: JSONTreeCodable {
    @inlinable
    public init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws {
        guard case .bool(let bool) = value else { throw decoder.typeMismatch(Bool.self, value) }
        self = bool
    }

    @inlinable
    public func jsonTree() -> JSONValue { .bool(self) }
}

extension Int32: JSONTreeCodable {
    @inlinable
    public init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws {
        self = try decoder.integer(Int32.self, value)
    }

    @inlinable
    public func jsonTree() -> JSONValue { .int(Int64(self)) }
}

extension Int64: JSONTreeCodable {
    @inlinable
    public init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws {
        guard case .int(let integer) = value else { throw decoder.typeMismatch(Int64.self, value) }
        self = integer
    }

    @inlinable
    public func jsonTree() -> JSONValue { .int(self) }
}

extension Double: JSONTreeCodable {
    @inlinable
    public init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws {
        switch value {
        case .int(let integer): self = Double(integer)
        case .double(let double): self = double
        default: throw decoder.typeMismatch(Double.self, value)
        }
    }

    @inlinable
    public func jsonTree() -> JSONValue { .double(self) }
}

extension JSONValue: JSONTreeCodable {
    @inlinable
    public init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws {
        self = value
    }

    @inlinable
    public func jsonTree() -> JSONValue { self }
}

extension Array: JSONTreeCodable where Element: JSONTreeCodable {
    @inlinable
    public init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws {
        guard case .array(let elements) = value else { throw decoder.typeMismatch([Any].self, value) }
        var array: [Element] = []
        array.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            array.append(try decoder.decode(Element.self, from: element, index: index))
        }
        self = array
    }

    @inlinable
    public func jsonTree() -> JSONValue {
        var elements: [JSONValue] = []
        elements.reserveCapacity(self.count)
        for element in self { elements.append(element.jsonTree()) }
        return .array(elements)
    }
}

extension Dictionary: JSONTreeCodable where Key == String, Value: JSONTreeCodable {
    @inlinable
    public init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws {
        let members = try decoder.members(of: value)
        let lookup = decoder.maps?.lookup(members, as: Value.self) ?? .unshared
        if case .found(let shared) = lookup {
            self = shared
            return
        }
        var map: [String: Value] = [:]
        map.reserveCapacity(members.count)
        for member in members {
            map[member.key] = try decoder.decode(Value.self, from: member.value, member: member.key)
        }
        if case .missed(let slot) = lookup { decoder.maps?.store(map, for: members, in: slot) }
        self = map
    }

    /// The members sorted by key bytes, as Go writes a map.
    @inlinable
    public func jsonTree() -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(self.count)
        for (key, value) in self { members.append((key, value.jsonTree())) }
        if members.count > 1 { members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } }
        return .object(JSONObject(members))
    }
}
