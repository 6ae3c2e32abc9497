/// Field selectors, as `k8s.io/apimachinery/pkg/fields` upstream.
///
/// A ``Selector`` is parsed from the `fieldSelector` query string (`metadata.name=web,status.phase!=Running`) and
/// matched against the fields a resource exposes for selection (a `[String: String]` such as
/// `["metadata.name": "web", "metadata.namespace": "default"]`). A field that is missing reads as the empty string.
///
/// ## Topics
/// ### Selecting
/// - ``Selector``
/// - ``Requirement``
/// ### Escaping
/// - ``escapeValue(_:)``
/// - ``unescapeValue(_:)``
/// ### Errors
/// - ``SelectorError``
public enum Fields {}

extension Fields {
    /// Why a field selector is invalid; ``message`` is worded as upstream's error.
    public struct SelectorError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The message, for example `invalid selector: 'x'; can't understand 'x'`.
        public var message: String

        public init(_ message: String) { self.message = message }

        public var description: String { self.message }
    }

    /// One term of a field selector.
    public struct Requirement: Sendable, Hashable, CustomStringConvertible {
        /// How the field relates to the value.
        public enum Operator: String, Sendable, Hashable {
            /// `field=value` (also written `field==value`).
            case equals = "="
            /// `field!=value`.
            case notEquals = "!="
        }

        /// The field path, such as `metadata.name`.
        public var field: String
        /// The operator.
        public var `operator`: Operator
        /// The value, unescaped.
        public var value: String

        public init(field: String, operator: Operator, value: String) {
            self.field = field
            self.operator = `operator`
            self.value = value
        }

        /// Whether `fields` satisfy the term; a missing field reads as `""`.
        public func matches(_ fields: [String: String]) -> Bool {
            self.matches { fields[$0] }
        }

        /// Whether the fields `value(name)` gives satisfy the term; a missing field reads as `""`.
        public func matches(_ value: (String) -> String?) -> Bool {
            let actual = value(self.field) ?? ""
            return self.operator == .equals ? actual == self.value : actual != self.value
        }

        /// `field=value` or `field!=value`, with the value escaped.
        public var description: String {
            self.field + self.operator.rawValue + Fields.escapeValue(self.value)
        }
    }

    /// A field selector: terms that must all hold (`fields.Selector` upstream).
    public struct Selector: Sendable, Hashable, CustomStringConvertible {
        private enum Storage: Sendable, Hashable {
            case requirements([Requirement])
            case nothing
        }

        private let storage: Storage

        private init(storage: Storage) { self.storage = storage }

        /// The selector with no terms, which matches everything.
        public static let everything = Selector(storage: .requirements([]))

        /// The selector that matches nothing.
        public static let nothing = Selector(storage: .nothing)

        /// A selector of `requirements`, in the order given.
        public init(_ requirements: [Requirement]) {
            self.storage = .requirements(requirements)
        }

        /// The selector `field=value` for every member of `set`, sorted by field (upstream's `SelectorFromSet`).
        public init(_ set: [String: String]) {
            self.init(
                set.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                    .map { Requirement(field: $0.key, operator: .equals, value: $0.value) }
            )
        }

        /// Parses the syntax of `?fieldSelector=` (upstream's `fields.ParseSelector`).
        ///
        /// Terms are separated by unescaped commas and sorted; each is `field=value`, `field==value` or
        /// `field!=value`. In values, `\,`, `\=` and `\\` stand for `,`, `=` and `\`; any other backslash sequence
        /// or a bare `,` or `=` is an error. Empty terms are skipped, so `""` is ``everything``.
        public init(parsing string: String) throws(SelectorError) {
            var requirements: [Requirement] = []
            let terms = Self.splitTerms(string).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for term in terms where !term.isEmpty {
                guard let (field, op, rawValue) = Self.splitTerm(term) else {
                    throw SelectorError("invalid selector: '\(string)'; can't understand '\(term)'")
                }
                requirements.append(Requirement(field: field, operator: op, value: try Fields.unescapeValue(rawValue)))
            }
            self.init(requirements)
        }

        /// The terms; empty for ``everything`` and ``nothing``.
        public var requirements: [Requirement] {
            switch self.storage {
            case .requirements(let requirements): requirements
            case .nothing: []
            }
        }

        /// Whether the selector has no terms (``everything``; ``nothing`` is not empty).
        public var isEmpty: Bool {
            switch self.storage {
            case .requirements(let requirements): requirements.isEmpty
            case .nothing: false
            }
        }

        /// Whether `fields` satisfy every term.
        public func matches(_ fields: [String: String]) -> Bool {
            self.matches { fields[$0] }
        }

        /// Whether the fields `value(name)` gives satisfy every term.
        public func matches(_ value: (String) -> String?) -> Bool {
            switch self.storage {
            case .requirements(let requirements): requirements.allSatisfy { $0.matches(value) }
            case .nothing: false
            }
        }

        /// The value the first `=` term on `field` requires, if any (upstream's `RequiresExactMatch`).
        public func requiredValue(for field: String) -> String? {
            self.requirements.first { $0.field == field && $0.operator == .equals }?.value
        }

        /// The selector with each term's field and value rewritten by `transform` (upstream's `Transform`, used to
        /// convert field labels between versions); a term rewritten to an empty field and value is dropped.
        public func transformed<Failure: Error>(
            _ transform: (_ field: String, _ value: String) throws(Failure) -> (field: String, value: String)
        ) throws(Failure) -> Selector {
            guard case .requirements(let requirements) = self.storage else { return self }
            var result: [Requirement] = []
            for requirement in requirements {
                let (field, value) = try transform(requirement.field, requirement.value)
                if field.isEmpty, value.isEmpty { continue }
                result.append(Requirement(field: field, operator: requirement.operator, value: value))
            }
            return Selector(result)
        }

        /// The selector string, as upstream's `String()`: terms joined by `,`, values escaped.
        public var description: String {
            self.requirements.map(\.description).joined(separator: ",")
        }

        /// Splits on commas that are not escaped by a backslash.
        static func splitTerms(_ selector: String) -> [String] {
            guard !selector.isEmpty else { return [] }
            var terms: [String] = []
            let bytes = Array(selector.utf8)
            var start = 0
            var escaped = false
            for (index, byte) in bytes.enumerated() {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: ",") {
                    terms.append(String(decoding: bytes[start..<index], as: UTF8.self))
                    start = index + 1
                }
            }
            terms.append(String(decoding: bytes[start...], as: UTF8.self))
            return terms
        }

        /// Splits a term at its first operator, trying `!=`, `==` and `=` at each position.
        static func splitTerm(_ term: String) -> (String, Requirement.Operator, String)? {
            let bytes = Array(term.utf8)
            for index in bytes.indices {
                let operators: [(text: [UInt8], op: Requirement.Operator)] = [
                    (Array("!=".utf8), .notEquals), (Array("==".utf8), .equals), (Array("=".utf8), .equals),
                ]
                for (text, op) in operators where bytes[index...].starts(with: text) {
                    return (
                        String(decoding: bytes[..<index], as: UTF8.self), op,
                        String(decoding: bytes[(index + text.count)...], as: UTF8.self)
                    )
                }
            }
            return nil
        }
    }

    /// The fields every object offers for selection (upstream's `generic.ObjectMetaFieldsSet`):
    /// `metadata.name`, plus `metadata.namespace` for a namespaced resource (`namespace` non-nil).
    public static func objectMetaFieldsSet(name: String, namespace: String?) -> [String: String] {
        guard let namespace else { return ["metadata.name": name] }
        return ["metadata.name": name, "metadata.namespace": namespace]
    }

    /// Escapes `\`, `,` and `=` in a field selector value (upstream's `EscapeValue`).
    public static func escapeValue(_ value: String) -> String {
        guard
            value.utf8.contains(where: {
                $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "=")
            })
        else { return value }
        var result = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": result += "\\\\"
            case ",": result += "\\,"
            case "=": result += "\\="
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// Reverses ``escapeValue(_:)``; errors name an invalid escape sequence or an unescaped `,`/`=` (by its code
    /// point, as upstream prints it).
    public static func unescapeValue(_ value: String) throws(SelectorError) -> String {
        guard
            value.utf8.contains(where: {
                $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "=")
            })
        else { return value }
        var result = ""
        var escaped = false
        for scalar in value.unicodeScalars {
            if escaped {
                switch scalar {
                case "\\", ",", "=": result.unicodeScalars.append(scalar)
                default:
                    throw SelectorError("invalid field selector: invalid escape sequence: \\\(scalar)")
                }
                escaped = false
                continue
            }
            switch scalar {
            case "\\": escaped = true
            case ",", "=": throw SelectorError("invalid field selector: unescaped character in value: \(scalar.value)")
            default: result.unicodeScalars.append(scalar)
            }
        }
        if escaped { throw SelectorError("invalid field selector: invalid escape sequence: \\") }
        return result
    }
}
