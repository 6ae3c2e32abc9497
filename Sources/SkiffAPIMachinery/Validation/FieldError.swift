/// One validation problem with a field (↔ `k8s.io/apimachinery/pkg/util/validation/field.Error`).
///
/// An error has a ``Kind`` (`FieldValueRequired`, `FieldValueInvalid`, …), the rendered path of the field, the
/// offending value and a detail. ``body`` and ``description`` write it exactly as upstream's `ErrorBody()` and
/// `Error()` do (`Invalid value: "x": must be …`, strings quoted as Go's `%q`, numbers bare), and
/// ``APIError/invalid(group:kind:name:errors:)`` turns a list of them into the 422 Status.
///
/// ## Topics
/// ### Making errors
/// - ``required(_:_:)``
/// - ``invalid(_:_:_:)-(_,String,_)``
/// - ``notSupported(_:_:_:)``
/// - ``duplicate(_:_:)``
/// - ``forbidden(_:_:)``
/// - ``tooLong(_:maxLength:)``
/// - ``tooMany(_:actual:max:)``
/// - ``notFound(_:_:)``
/// - ``internalError(_:_:)``
/// ### Rendering
/// - ``body``
/// - ``description``
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why a field is invalid: upstream's `field.ErrorType`, which is also the Status cause's `reason`.
    public struct Kind: Hashable, Sendable {
        /// The cause type as it appears in `details.causes[].reason`.
        public let rawValue: String
        /// The words that open the message: `Required value`, `Invalid value`, …
        public let label: String

        /// `FieldValueNotFound`: `Not found`.
        public static let notFound = Kind(rawValue: "FieldValueNotFound", label: "Not found")
        /// `FieldValueRequired`: `Required value`.
        public static let required = Kind(rawValue: "FieldValueRequired", label: "Required value")
        /// `FieldValueDuplicate`: `Duplicate value`.
        public static let duplicate = Kind(rawValue: "FieldValueDuplicate", label: "Duplicate value")
        /// `FieldValueInvalid`: `Invalid value`.
        public static let invalid = Kind(rawValue: "FieldValueInvalid", label: "Invalid value")
        /// `FieldValueNotSupported`: `Unsupported value`.
        public static let notSupported = Kind(rawValue: "FieldValueNotSupported", label: "Unsupported value")
        /// `FieldValueForbidden`: `Forbidden`.
        public static let forbidden = Kind(rawValue: "FieldValueForbidden", label: "Forbidden")
        /// `FieldValueTooLong`: `Too long`.
        public static let tooLong = Kind(rawValue: "FieldValueTooLong", label: "Too long")
        /// `FieldValueTooMany`: `Too many`.
        public static let tooMany = Kind(rawValue: "FieldValueTooMany", label: "Too many")
        /// `InternalError`: `Internal error`.
        public static let internalError = Kind(rawValue: "InternalError", label: "Internal error")
        /// `FieldValueTypeInvalid`: `Invalid value`.
        public static let typeInvalid = Kind(rawValue: "FieldValueTypeInvalid", label: "Invalid value")
    }

    /// The offending value, as upstream prints it in the message.
    public enum Value: Hashable, Sendable {
        /// Not printed.
        case omitted
        /// Go's `nil`: printed `null`.
        case null
        /// Printed quoted, as Go's `%q`.
        case string(String)
        /// Printed bare.
        case int(Int64)
        /// Printed `true` or `false`.
        case bool(Bool)
        /// Printed as given (a value already formatted as Go's `%#v` or a `String()` method writes it).
        case formatted(String)

        /// A number, printed bare.
        public static func number(_ value: some BinaryInteger) -> Value { .int(Int64(value)) }

        var rendered: String {
            switch self {
            case .omitted: ""
            case .null: "null"
            case .string(let value): goQuoted(value)
            case .int(let value): String(value)
            case .bool(let value): value ? "true" : "false"
            case .formatted(let value): value
            }
        }
    }

    /// Why the field is invalid.
    public var kind: Kind
    /// The path of the field: `spec.containers[0].image`.
    public var field: String
    /// The value that was rejected.
    public var badValue: Value
    /// What is wrong, or empty.
    public var detail: String

    /// Makes an error from its parts.
    public init(kind: Kind, field: String, badValue: Value, detail: String) {
        self.kind = kind
        self.field = field
        self.badValue = badValue
        self.detail = detail
    }

    /// The message without the field: `Invalid value: "x": must be …` (upstream's `ErrorBody()`), which is also
    /// the Status cause's `message`.
    public var body: String {
        var result = self.kind.label
        switch self.kind {
        case .required, .forbidden, .tooLong, .internalError:
            break
        default:
            if self.badValue != .omitted { result += ": " + self.badValue.rendered }
        }
        if !self.detail.isEmpty { result += ": " + self.detail }
        return result
    }

    /// `field: body`, as upstream's `Error()`.
    public var description: String { self.field + ": " + self.body }

    // MARK: Constructors, as upstream's

    /// `Required value` (with `detail`, if any).
    public static func required(_ path: FieldPath, _ detail: String = "") -> FieldError {
        FieldError(kind: .required, field: path.description, badValue: .string(""), detail: detail)
    }

    /// `Invalid value: <value>: <detail>`.
    public static func invalid(_ path: FieldPath, _ value: Value, _ detail: String) -> FieldError {
        FieldError(kind: .invalid, field: path.description, badValue: value, detail: detail)
    }

    /// `Invalid value: "<value>": <detail>`.
    public static func invalid(_ path: FieldPath, _ value: String, _ detail: String) -> FieldError {
        FieldError(kind: .invalid, field: path.description, badValue: .string(value), detail: detail)
    }

    /// `Invalid value: <number>: <detail>`.
    public static func invalid(_ path: FieldPath, _ value: some BinaryInteger, _ detail: String) -> FieldError {
        FieldError(kind: .invalid, field: path.description, badValue: .int(Int64(value)), detail: detail)
    }

    /// `Unsupported value: "<value>": supported values: "a", "b"`.
    public static func notSupported(_ path: FieldPath, _ value: Value, _ supported: [String]) -> FieldError {
        let detail = supported.isEmpty ? "" : "supported values: " + supported.map(goQuoted).joined(separator: ", ")
        return FieldError(kind: .notSupported, field: path.description, badValue: value, detail: detail)
    }

    /// `Unsupported value: "<value>": supported values: "a", "b"`.
    public static func notSupported(_ path: FieldPath, _ value: String, _ supported: [String]) -> FieldError {
        self.notSupported(path, .string(value), supported)
    }

    /// `Duplicate value: <value>`.
    public static func duplicate(_ path: FieldPath, _ value: Value) -> FieldError {
        FieldError(kind: .duplicate, field: path.description, badValue: value, detail: "")
    }

    /// `Duplicate value: "<value>"`.
    public static func duplicate(_ path: FieldPath, _ value: String) -> FieldError {
        self.duplicate(path, .string(value))
    }

    /// `Forbidden: <detail>`.
    public static func forbidden(_ path: FieldPath, _ detail: String) -> FieldError {
        FieldError(kind: .forbidden, field: path.description, badValue: .string(""), detail: detail)
    }

    /// `Too long: may not be more than <n> bytes` (the value is never printed).
    public static func tooLong(_ path: FieldPath, maxLength: Int) -> FieldError {
        let detail: String
        if maxLength >= 0 {
            detail = "may not be more than \(maxLength) \(maxLength == 1 ? "byte" : "bytes")"
        } else {
            detail = "value is too long"
        }
        return FieldError(kind: .tooLong, field: path.description, badValue: .omitted, detail: detail)
    }

    /// `Too many: <actual>: must have at most <max> items`.
    public static func tooMany(_ path: FieldPath, actual: Int, max: Int) -> FieldError {
        FieldError(
            kind: .tooMany,
            field: path.description,
            badValue: actual >= 0 ? .int(Int64(actual)) : .omitted,
            detail: max >= 0 ? "must have at most \(max) items" : "has too many items"
        )
    }

    /// `Not found: <value>`.
    public static func notFound(_ path: FieldPath, _ value: String) -> FieldError {
        FieldError(kind: .notFound, field: path.description, badValue: .string(value), detail: "")
    }

    /// `Internal error: <detail>`.
    public static func internalError(_ path: FieldPath, _ detail: String) -> FieldError {
        FieldError(kind: .internalError, field: path.description, badValue: .null, detail: detail)
    }
}

extension [FieldError] {
    /// The errors as upstream's `ErrorList.ToAggregate().Error()` writes them: one message alone, several in
    /// brackets joined by `, `, repeated messages once; `nil` when empty.
    public var aggregateMessage: String? {
        aggregate(self.map(\.description))
    }
}

/// Go's `%#v` and `%q` renderings that validation messages embed.
public enum GoSyntax {
    /// `"x"` with Go's escapes.
    public static func quoted(_ string: String) -> String { goQuoted(string) }

    /// `[]string{"a", "b"}`, or `[]string(nil)` for `nil`.
    public static func stringSlice(_ values: [String]?) -> String {
        guard let values else { return "[]string(nil)" }
        return goStringSlice(values)
    }

    /// `map[string]string{"a":"b"}` with sorted keys, or `map[string]string(nil)` for `nil`.
    public static func stringMap(_ map: [String: String]?) -> String {
        guard let map else { return "map[string]string(nil)" }
        let members = map.keys.sorted().map { goQuoted($0) + ":" + goQuoted(map[$0]!) }
        return "map[string]string{" + members.joined(separator: ", ") + "}"
    }
}
