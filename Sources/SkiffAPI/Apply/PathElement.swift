public import SkiffAPIMachinery

/// One step of a field path, as server-side apply names fields (↔ structured-merge-diff `fieldpath.PathElement`).
///
/// - ``field(_:)``: a struct field or a map key, written `f:<name>` in FieldsV1 and `.name` in messages.
/// - ``key(_:)``: an element of an associative list (`x-kubernetes-list-type: map`), named by its key fields,
///   written `k:{"name":"nginx"}` and `[name="nginx"]`.
/// - ``value(_:)``: an element of a set list (`x-kubernetes-list-type: set`), written `v:"a"` and `[="a"]`.
/// - ``index(_:)``: an element of a list by position, written `i:0` and `[0]` (only in atomic positions).
///
/// Elements are totally ordered as upstream orders them (fields, then keys, then values, then indexes), which is
/// the order FieldsV1 is written in.
public enum PathElement: Hashable, Sendable {
    case field(String)
    case key(ListKey)
    case value(JSONValue)
    case index(Int)
}

/// The key of an associative list element: its key fields and values, sorted by field name.
public struct ListKey: Hashable, Sendable {
    /// The key fields, sorted by name.
    public private(set) var fields: [ListKeyField]

    /// A key from fields in any order; they are sorted by name.
    public init(_ fields: [(name: String, value: JSONValue)]) {
        self.fields = fields.map { ListKeyField(name: $0.name, value: $0.value) }.sorted { $0.name < $1.name }
    }

    /// A key from fields in any order, without the copies of ``init(_:)``: a single field (most list keys) is
    /// not sorted at all.
    init(keyFields fields: [ListKeyField]) {
        self.fields = fields
        if fields.count > 1 { self.fields.sort { $0.name < $1.name } }
    }

    /// The key as a JSON object, fields sorted by name: `{"containerPort":80,"protocol":"TCP"}`.
    public var json: JSONValue {
        .object(JSONObject(self.fields.map { (key: $0.name, value: $0.value) }))
    }
}

/// One field of a ``ListKey``.
public struct ListKeyField: Hashable, Sendable {
    public var name: String
    public var value: JSONValue
}

extension PathElement: Comparable {
    public static func < (lhs: PathElement, rhs: PathElement) -> Bool { lhs.compare(rhs) < 0 }

    /// Three-way comparison in upstream's order.
    public func compare(_ other: PathElement) -> Int {
        switch (self, other) {
        case (.field(let a), .field(let b)): return Self.compareStrings(a, b)
        case (.field, _): return -1
        case (_, .field): return 1
        case (.key(let a), .key(let b)):
            if a.fields.count != b.fields.count { return a.fields.count < b.fields.count ? -1 : 1 }
            for (x, y) in zip(a.fields, b.fields) {
                let names = Self.compareStrings(x.name, y.name)
                if names != 0 { return names }
                let values = Self.compareValues(x.value, y.value)
                if values != 0 { return values }
            }
            return 0
        case (.key, _): return -1
        case (_, .key): return 1
        case (.value(let a), .value(let b)): return Self.compareValues(a, b)
        case (.value, _): return -1
        case (_, .value): return 1
        case (.index(let a), .index(let b)): return a == b ? 0 : (a < b ? -1 : 1)
        }
    }

    /// Byte-wise comparison, as Go compares strings.
    static func compareStrings(_ a: String, _ b: String) -> Int {
        var (a, b) = (a, b)
        // Native strings are contiguous UTF-8: compared as bytes, without the generic view's per-byte iteration.
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                for index in 0..<common where x[index] != y[index] {
                    return x[index] < y[index] ? -1 : 1
                }
                return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
            }
        }
    }

    /// Upstream's total order of values: numbers, strings, booleans, lists, maps, then null.
    static func compareValues(_ a: JSONValue, _ b: JSONValue) -> Int {
        func rank(_ value: JSONValue) -> Int {
            switch value {
            case .int, .double: return 0
            case .string: return 1
            case .bool: return 2
            case .array: return 3
            case .object: return 4
            case .null: return 5
            }
        }
        let (ra, rb) = (rank(a), rank(b))
        if ra != rb { return ra < rb ? -1 : 1 }
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.int(let x), .double(let y)): return Double(x) == y ? 0 : (Double(x) < y ? -1 : 1)
        case (.double(let x), .int(let y)): return x == Double(y) ? 0 : (x < Double(y) ? -1 : 1)
        case (.double(let x), .double(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.string(let x), .string(let y)): return Self.compareStrings(x, y)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (.array(let x), .array(let y)):
            for (p, q) in zip(x, y) {
                let c = Self.compareValues(p, q)
                if c != 0 { return c }
            }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        case (.object(let x), .object(let y)):
            let xs = x.members.sorted { Self.compareStrings($0.key, $1.key) < 0 }
            let ys = y.members.sorted { Self.compareStrings($0.key, $1.key) < 0 }
            for (p, q) in zip(xs, ys) {
                let k = Self.compareStrings(p.key, q.key)
                if k != 0 { return k }
                let c = Self.compareValues(p.value, q.value)
                if c != 0 { return c }
            }
            return xs.count == ys.count ? 0 : (xs.count < ys.count ? -1 : 1)
        default: return 0
        }
    }
}

extension PathElement: CustomStringConvertible {
    /// The element as upstream prints it in messages: `.replicas`, `[name="nginx"]`, `[="a"]`, `[0]`.
    public var description: String {
        switch self {
        case .field(let name): return "." + name
        case .key(let key): return "[" + key.fields.map { $0.name + "=" + Self.valueString($0.value) }.joined(separator: ",") + "]"
        case .value(let value): return "[=" + Self.valueString(value) + "]"
        case .index(let index): return "[\(index)]"
        }
    }

    /// A value as structured-merge-diff's `value.ToString` prints it: strings quoted, numbers and booleans bare.
    static func valueString(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .string: return String(decoding: value.serialized(), as: UTF8.self)
        case .int(let int): return String(int)
        case .double, .bool: return String(decoding: value.serialized(), as: UTF8.self)
        case .array(let elements): return "[" + elements.map(Self.valueString).joined(separator: ", ") + "]"
        case .object(let object):
            return "{" + object.members.map { $0.key + "=" + Self.valueString($0.value) }.joined(separator: ", ") + "}"
        }
    }

    /// The element as a FieldsV1 key: `f:replicas`, `k:{"name":"nginx"}`, `v:"a"`, `i:0`.
    public var fieldsV1Key: String {
        switch self {
        case .field(let name): return "f:" + name
        case .key(let key): return "k:" + String(decoding: key.json.serialized(), as: UTF8.self)
        case .value(let value): return "v:" + String(decoding: value.serialized(), as: UTF8.self)
        case .index(let index): return "i:\(index)"
        }
    }

    /// Parses a FieldsV1 key; `nil` when it is not one.
    public init?(fieldsV1Key key: String) {
        let utf8 = key.utf8
        guard utf8.count >= 2, utf8[utf8.index(after: utf8.startIndex)] == UInt8(ascii: ":") else { return nil }
        let rest = String(key.dropFirst(2))
        switch utf8.first {
        case UInt8(ascii: "f"):
            self = .field(rest)
        case UInt8(ascii: "k"):
            guard case .object(let object)? = try? JSONValue.parse(rest.utf8) else { return nil }
            self = .key(ListKey(object.members.map { (name: $0.key, value: $0.value) }))
        case UInt8(ascii: "v"):
            guard let value = try? JSONValue.parse(rest.utf8) else { return nil }
            self = .value(value)
        case UInt8(ascii: "i"):
            guard let index = Int(rest) else { return nil }
            self = .index(index)
        default:
            return nil
        }
    }
}

/// A path from the root of an object to one field: a list of ``PathElement``s.
public struct FieldSetPath: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var elements: [PathElement]

    public init(_ elements: [PathElement]) { self.elements = elements }

    /// A path of struct fields: `FieldSetPath(fields: "spec", "replicas")`.
    public init(fields: String...) { self.elements = fields.map { .field($0) } }

    /// The path as upstream prints it: `.spec.template.spec.containers[name="nginx"].image`.
    public var description: String { self.elements.map(\.description).joined() }

    public static func < (lhs: FieldSetPath, rhs: FieldSetPath) -> Bool {
        for (a, b) in zip(lhs.elements, rhs.elements) {
            let c = a.compare(b)
            if c != 0 { return c < 0 }
        }
        return lhs.elements.count < rhs.elements.count
    }

    func appending(_ element: PathElement) -> FieldSetPath { FieldSetPath(self.elements + [element]) }
}
