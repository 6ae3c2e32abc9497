/// Any JSON value, kept exactly as received.
///
/// Used wherever the schema says "any JSON": `runtime.RawExtension`, `meta/v1.FieldsV1`, apiextensions' `JSON`,
/// fields marked `x-kubernetes-preserve-unknown-fields`, and as the intermediate tree for protobuf decoding.
/// Integers stay integers (`.int`); only numbers with a fraction or exponent become `.double`.
/// Object members keep their order of arrival, so a decode-then-encode writes them back in the same order.
///
/// ``parse(_:)`` and ``serialized(sortingKeys:)`` are the fast, faithful path (Go's number and string rules, byte for
/// byte). Decoding through `Codable` depends on the decoder: Foundation's `JSONDecoder` answers `Int64` for `3.0` and
/// `1e3`, so those arrive as `.int`, and it may not report object members in their order of arrival.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// An ordered JSON object: member order is preserved, lookups by key are linear for small objects.
public struct JSONObject: Sendable, Hashable, Sequence {
    public typealias Element = (key: String, value: JSONValue)

    public private(set) var members: [(key: String, value: JSONValue)]

    public init() { self.members = [] }
    public init(_ members: [(key: String, value: JSONValue)]) { self.members = members }

    public var count: Int { self.members.count }
    public var isEmpty: Bool { self.members.isEmpty }
    public var keys: [String] { self.members.map(\.key) }

    public subscript(key: String) -> JSONValue? {
        get { self.position(of: key).map { self.members[$0].value } }
        set {
            if let index = self.position(of: key) {
                if let newValue { self.members[index].value = newValue } else { self.members.remove(at: index) }
            } else if let newValue {
                self.members.append((key, newValue))
            }
        }
    }

    /// Sets `key` to `value`: in place when present, otherwise just after the last member named in
    /// `predecessors` (the members a Go struct declares before it), or first when none is present. An object in
    /// Go's member order, as the typed encoder writes it, stays in that order.
    public mutating func setInGoOrder(_ key: String, _ value: JSONValue, after predecessors: Set<String>) {
        if let index = self.position(of: key) {
            self.members[index].value = value
            return
        }
        var insertion = 0
        for (index, member) in self.members.enumerated() where predecessors.contains(member.key) {
            insertion = index + 1
        }
        self.members.insert((key, value), at: insertion)
    }

    /// The position of the first member named `key`: a scan that compares lengths before contents.
    @inline(__always)
    private func position(of key: String) -> Int? {
        let length = key.utf8.count
        return self.members.withUnsafeBufferPointer { buffer in
            for position in buffer.indices {
                let candidate = buffer[position].key
                if candidate.utf8.count == length, candidate == key { return position }
            }
            return nil
        }
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        self.members.makeIterator()
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        // JSON object equality ignores member order.
        guard lhs.members.count == rhs.members.count else { return false }
        for (key, value) in lhs.members where rhs[key] != value { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: combine per-member hashes commutatively.
        var combined = 0
        for (key, value) in self.members {
            var memberHasher = Hasher()
            memberHasher.combine(key)
            memberHasher.combine(value)
            combined ^= memberHasher.finalize()
        }
        hasher.combine(self.members.count)
        hasher.combine(combined)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.members = elements.map { (key: $0.0, value: $0.1) }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
}

extension JSONValue {
    /// The member `key` of an object, or `nil` for a missing member or a value that is not an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    public var stringValue: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    public var objectValue: JSONObject? {
        guard case .object(let value) = self else { return nil }
        return value
    }

    public var arrayValue: [JSONValue]? {
        guard case .array(let value) = self else { return nil }
        return value
    }
}

private struct JSONCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { self.stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            if let count = array.count { elements.reserveCapacity(count) }
            while !array.isAtEnd { elements.append(try array.decode(JSONValue.self)) }
            self = .array(elements)
            return
        }
        if let object = try? decoder.container(keyedBy: JSONCodingKey.self) {
            var members: [(key: String, value: JSONValue)] = []
            members.reserveCapacity(object.allKeys.count)
            for key in object.allKeys {
                members.append((key.stringValue, try object.decode(JSONValue.self, forKey: key)))
            }
            self = .object(JSONObject(members))
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let value = try? single.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? single.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? single.decode(Double.self) {
            self = .double(value)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .int(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .double(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .string(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .array(let elements):
            var array = encoder.unkeyedContainer()
            for element in elements { try array.encode(element) }
        case .object(let object):
            var container = encoder.container(keyedBy: JSONCodingKey.self)
            for (key, value) in object.members { try container.encode(value, forKey: JSONCodingKey(key)) }
        }
    }
}

extension JSONValue {
    /// Why bytes are not JSON; ``message`` follows Go's `encoding/json` syntax errors.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The message, for example `invalid character '}' looking for beginning of value`.
        public var message: String
        /// The byte offset at which the problem was found.
        public var offset: Int

        public init(message: String, offset: Int) {
            self.message = message
            self.offset = offset
        }

        public var description: String { self.message }
    }

    /// The deepest nesting of arrays and objects accepted: 1000.
    ///
    /// Go's decoder accepts 10000, but parsing, comparing, writing and freeing a ``JSONValue`` recurse, and 5000
    /// levels already overflow a thread stack in debug builds; no Kubernetes object comes near 1000.
    public static let maximumDepth = 1000

    /// Parses one JSON value from `bytes` (RFC 8259), as Go's `encoding/json` would into `interface{}`, except that
    /// numbers are kept exact where they can be.
    ///
    /// - An integer literal (no fraction, no exponent) that fits in `Int64` is ``int(_:)``; any other number is
    ///   ``double(_:)`` (`3` → `.int(3)`, `3.0` and `1e3` → `.double`).
    /// - Object members keep their order; a repeated key keeps its first position and its last value (Go's map
    ///   keeps the last value).
    /// - Invalid UTF-8 and lone surrogate escapes become U+FFFD, as Go does.
    /// - Whitespace may surround the value; anything else after it is an error.
    ///
    /// Throws ``ParseError``.
    public static func parse(_ bytes: some Collection<UInt8>) throws(ParseError) -> JSONValue {
        try Self.parse(bytes, strings: nil)
    }

    /// Parses JSON, sharing the storage of its longer strings through `strings` (see ``JSONStringTable``): for
    /// values a client keeps, such as the objects of a list or a watch.
    ///
    /// With `droppingManagedFields`, the `managedFields` of every `metadata` object are skipped rather than parsed,
    /// for a reader that would throw them away (an informer that trims them): often a third of an object's JSON.
    public static func parse(
        _ bytes: some Collection<UInt8>,
        strings: JSONStringTable?,
        droppingManagedFields: Bool = false
    ) throws(ParseError) -> JSONValue {
        let result: Result<JSONValue, ParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(ParseError) -> JSONValue in
                try Self.parse(buffer, strings: strings, droppingManagedFields: droppingManagedFields)
            }
        }
        if let result { return try result.get() }
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { buffer in
            Result { () throws(ParseError) -> JSONValue in
                try Self.parse(buffer, strings: strings, droppingManagedFields: droppingManagedFields)
            }
        }.get()
    }

    private static func parse(
        _ buffer: UnsafeBufferPointer<UInt8>,
        strings: JSONStringTable?,
        droppingManagedFields: Bool
    ) throws(ParseError) -> JSONValue {
        var parser = JSONParser(buffer, strings: strings, dropsManagedFields: droppingManagedFields)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index < buffer.count {
            let character = JSONParser.quoteCharacter(buffer[parser.index])
            throw parser.error("invalid character \(character) after top-level value")
        }
        return value
    }

    /// Compact JSON, byte for byte as Go's `encoding/json` writes it.
    ///
    /// No whitespace; strings escape `<`, `>`, `&`, U+2028 and U+2029 as `\u003c`-style escapes and never escape
    /// `/`; doubles use Go's shortest form (`1e+21`, `1e-7`, `0.000001`, `100`); non-finite doubles, which Go refuses
    /// to encode, are written as `null`. Object members are written in order, or sorted by key when `sortingKeys`
    /// is true (as Go writes a `map[string]interface{}`, e.g. an unstructured custom resource). No trailing newline
    /// (Go's `Encoder.Encode` adds one).
    public func serialized(sortingKeys: Bool = false) -> [UInt8] {
        var writer = JSONWriter(sortsKeys: sortingKeys)
        writer.write(self)
        return writer.output
    }
}
