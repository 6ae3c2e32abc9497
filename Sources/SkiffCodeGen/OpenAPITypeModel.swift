/// The generator's intermediate model of one Swift API type: what to emit, independent of where it came from
/// (an OpenAPI definition or a protobuf message).
struct APITypeModel {
    /// The namespace enum (`CoreV1`), or `nil` for a top-level type.
    var namespace: String?
    /// The Swift type name inside the namespace (`Pod`).
    var name: String
    /// The OpenAPI definition name (`io.k8s.api.core.v1.Pod`) or the protobuf message name.
    var source: String
    var documentation: String?
    var properties: [APIPropertyModel]
    /// The `x-kubernetes-group-version-kind` entries of the definition.
    var groupVersionKinds: [APIGroupVersionKind]

    /// The name other modules use: `CoreV1.Pod`.
    var qualifiedName: String {
        guard let namespace = self.namespace else { return self.name }
        return namespace + "." + self.name
    }

    /// The single group-version-kind, when there is exactly one.
    var singleGroupVersionKind: APIGroupVersionKind? {
        self.groupVersionKinds.count == 1 ? self.groupVersionKinds[0] : nil
    }
}

struct APIGroupVersionKind: Hashable, Comparable {
    var group: String
    var version: String
    var kind: String

    var apiVersion: String { self.group.isEmpty ? self.version : self.group + "/" + self.version }

    static func < (lhs: APIGroupVersionKind, rhs: APIGroupVersionKind) -> Bool {
        (lhs.group, lhs.version, lhs.kind) < (rhs.group, rhs.version, rhs.kind)
    }
}

/// One stored property of a generated type.
struct APIPropertyModel {
    /// The JSON member name (`apiVersion`, `$ref`, `x-kubernetes-list-type`).
    var jsonName: String
    var type: APIFieldType
    /// Non-optional: decoded as the zero value when missing or null, always encoded.
    var isRequired: Bool
    var documentation: String?
    /// Stored in a box because the type contains itself through this property.
    var isBoxed: Bool = false

    /// The Swift identifier, without backticks: `ref` for `$ref`, `xKubernetesListType` for `x-kubernetes-list-type`.
    var swiftName: String { SwiftNames.identifier(forJSONName: self.jsonName) }
}

/// The Swift type of a property.
indirect enum APIFieldType: Hashable {
    case string
    case int32
    case int64
    case double
    case bool
    /// A hand-written or generated named type. `zero` is the Swift expression of its zero value, when it has one.
    case named(String, zero: String?)
    case array(APIFieldType)
    case map(APIFieldType)

    var swift: String {
        switch self {
        case .string: "String"
        case .int32: "Int32"
        case .int64: "Int64"
        case .double: "Double"
        case .bool: "Bool"
        case .named(let name, _): name
        case .array(let element): "[" + element.swift + "]"
        case .map(let value): "[String: " + value.swift + "]"
        }
    }

    /// The Swift expression of the zero value (`""`, `0`, `[]`, `CoreV1.PodSpec()`).
    var zero: String? {
        switch self {
        case .string: "\"\""
        case .int32, .int64, .double: "0"
        case .bool: "false"
        case .named(_, let zero): zero
        case .array: "[]"
        case .map: "[:]"
        }
    }

    /// The named type this field contains directly (not through an array or map), which is what makes a value
    /// type recursive.
    var directlyContainedName: String? {
        if case .named(let name, _) = self { return name }
        return nil
    }
}

/// Swift spelling of JSON names.
enum SwiftNames {
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows",
        "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default",
        "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch",
        "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true",
        "try", "Type", "Protocol",
    ]

    /// `$ref` → `ref`, `x-kubernetes-list-type` → `xKubernetesListType`; other names unchanged.
    static func identifier(forJSONName name: String) -> String {
        var words: [String] = []
        var current = ""
        for character in name {
            if character.isLetter || character.isNumber || character == "_" {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        guard let first = words.first else { return "value" }
        var result = first
        for word in words.dropFirst() { result += word.prefix(1).uppercased() + word.dropFirst() }
        if let initial = result.first, initial.isNumber { result = "_" + result }
        return result
    }

    /// The identifier as it must be written in a declaration: backticks around keywords.
    static func declared(_ identifier: String) -> String {
        self.keywords.contains(identifier) ? "`" + identifier + "`" : identifier
    }
}
