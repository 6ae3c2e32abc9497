/// Label selectors, as `k8s.io/apimachinery/pkg/labels` upstream.
///
/// A ``Selector`` is parsed from the `labelSelector` query string (`app=web,tier!=db,env in (a,b),!canary`) or built
/// from a `meta/v1.LabelSelector`, and matched against an object's labels.
///
/// ## Topics
/// ### Selecting
/// - ``Selector``
/// - ``Requirement``
/// - ``Operator``
/// ### Errors
/// - ``SelectorError``
public enum Labels {}

extension Labels {
    /// How a requirement relates a key to its values (`selection.Operator` upstream); raw values are upstream's.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        /// `key in (a,b)`: the label is present with one of the values.
        case `in` = "in"
        /// `key notin (a,b)`: the label is absent or has none of the values.
        case notIn = "notin"
        /// `key=value`.
        case equals = "="
        /// `key==value`, the same as ``equals``.
        case doubleEquals = "=="
        /// `key!=value`: the label is absent or has another value.
        case notEquals = "!="
        /// `key`: the label is present.
        case exists = "exists"
        /// `!key`: the label is absent.
        case doesNotExist = "!"
        /// `key>1`: the label is an integer greater than the value.
        case greaterThan = "gt"
        /// `key<1`: the label is an integer less than the value.
        case lessThan = "lt"

        /// The binary operators in upstream's order, as quoted in parse errors.
        static let binary: [Operator] = [.in, .notIn, .equals, .doubleEquals, .notEquals, .greaterThan, .lessThan]
    }

    /// Why a selector or requirement is invalid; ``message`` is worded as upstream's error.
    public struct SelectorError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The message, for example `unable to parse requirement: <nil>: Invalid value: "a b": …`.
        public var message: String

        public init(_ message: String) { self.message = message }

        public var description: String { self.message }
    }

    /// One term of a selector: a key, an operator and its values (`labels.Requirement` upstream).
    public struct Requirement: Sendable, Hashable, CustomStringConvertible {
        /// The label key.
        public let key: String
        /// The operator.
        public let `operator`: Operator
        /// The values, in the order given (parsed set-based requirements hold them sorted and unique).
        public let values: [String]

        /// A validated requirement (upstream's `NewRequirement`).
        ///
        /// The key must be a qualified name and every value a label value; `in`/`notin` need at least one value,
        /// `=`/`==`/`!=` exactly one, `exists`/`!` none, and `gt`/`lt` exactly one integer.
        public init(key: String, operator: Operator, values: [String]) throws(SelectorError) {
            var errors: [String] = []
            let keyErrors = Validation.isQualifiedName(key)
            if !keyErrors.isEmpty {
                errors.append("key: Invalid value: \(goQuoted(key)): \(keyErrors.joined(separator: "; "))")
            }
            let badValues = "values: Invalid value: \(goStringSlice(values))"
            switch `operator` {
            case .in, .notIn:
                if values.isEmpty {
                    errors.append("\(badValues): for 'in', 'notin' operators, values set can't be empty")
                }
            case .equals, .doubleEquals, .notEquals:
                if values.count != 1 {
                    errors.append("\(badValues): exact-match compatibility requires one single value")
                }
            case .exists, .doesNotExist:
                if !values.isEmpty {
                    errors.append("\(badValues): values set must be empty for exists and does not exist")
                }
            case .greaterThan, .lessThan:
                if values.count != 1 {
                    errors.append("\(badValues): for 'Gt', 'Lt' operators, exactly one value is required")
                }
                for (index, value) in values.enumerated() where Int64(value) == nil {
                    errors.append(
                        "values[\(index)]: Invalid value: \(goQuoted(value)): for 'Gt', 'Lt' operators, the value "
                            + "must be an integer"
                    )
                }
            }
            for (index, value) in values.enumerated() {
                let valueErrors = Validation.isValidLabelValue(value)
                if !valueErrors.isEmpty {
                    errors.append(
                        "values[\(index)][\(key)]: Invalid value: \(goQuoted(value)): "
                            + valueErrors.joined(separator: "; ")
                    )
                }
            }
            if let message = aggregate(errors) { throw SelectorError(message) }
            self.init(unchecked: key, operator: `operator`, values: values)
        }

        init(unchecked key: String, operator: Operator, values: [String]) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }

        /// Whether `labels` satisfy this requirement.
        public func matches(_ labels: [String: String]) -> Bool {
            switch self.operator {
            case .in, .equals, .doubleEquals:
                guard let value = labels[self.key] else { return false }
                return self.values.contains(value)
            case .notIn, .notEquals:
                guard let value = labels[self.key] else { return true }
                return !self.values.contains(value)
            case .exists:
                return labels[self.key] != nil
            case .doesNotExist:
                return labels[self.key] == nil
            case .greaterThan, .lessThan:
                guard let text = labels[self.key], let value = Int64(text) else { return false }
                guard self.values.count == 1, let bound = Int64(self.values[0]) else { return false }
                return self.operator == .greaterThan ? value > bound : value < bound
            }
        }

        /// The requirement in selector syntax, as upstream's `String()`: `!key`, `key`, `key=v`, `key in (a,b)`,
        /// with several values sorted.
        public var description: String {
            var result = self.operator == .doesNotExist ? "!" + self.key : self.key
            switch self.operator {
            case .equals: result += "="
            case .doubleEquals: result += "=="
            case .notEquals: result += "!="
            case .in: result += " in "
            case .notIn: result += " notin "
            case .greaterThan: result += ">"
            case .lessThan: result += "<"
            case .exists, .doesNotExist: return result
            }
            let list = self.values.count == 1 ? self.values[0] : self.values.sorted().joined(separator: ",")
            return self.operator == .in || self.operator == .notIn ? result + "(" + list + ")" : result + list
        }
    }

    /// A label selector: requirements that must all hold (`labels.Selector` upstream).
    ///
    /// ``everything`` matches every label set; ``nothing`` matches none (what a missing `meta/v1.LabelSelector`
    /// selects). Parsed and built selectors keep their requirements sorted by key, so ``description`` is canonical.
    public struct Selector: Sendable, Hashable, CustomStringConvertible {
        private enum Storage: Sendable, Hashable {
            case requirements([Requirement])
            case nothing
        }

        private let storage: Storage

        private init(storage: Storage) { self.storage = storage }

        /// The selector with no requirements, which matches everything.
        public static let everything = Selector(storage: .requirements([]))

        /// The selector that matches nothing.
        public static let nothing = Selector(storage: .nothing)

        /// A selector of `requirements`, sorted by key (stable for equal keys), as upstream's `Add`.
        public init(_ requirements: [Requirement]) {
            self.storage = .requirements(Self.sortedByKey(requirements))
        }

        /// The selector `key=value` for every member of `set`, unvalidated (upstream's `SelectorFromSet`).
        public init(_ set: [String: String]) {
            self.init(set.map { Requirement(unchecked: $0.key, operator: .equals, values: [$0.value]) })
        }

        /// The selector `key=value` for every member of `set`, validating keys and values (upstream's
        /// `ValidatedSelectorFromSet`).
        public init(validating set: [String: String]) throws(SelectorError) {
            var requirements: [Requirement] = []
            for (key, value) in set.sorted(by: { $0.key < $1.key }) {
                requirements.append(try Requirement(key: key, operator: .equals, values: [value]))
            }
            self.init(requirements)
        }

        /// Parses the selector syntax of `?labelSelector=` (upstream's `labels.Parse`).
        ///
        /// Terms are separated by commas: `key=value`, `key==value`, `key!=value`, `key in (a,b)`,
        /// `key notin (a,b)`, `key`, `!key`, `key>1`, `key<1`. Whitespace around tokens is ignored. The empty string
        /// is ``everything``. Errors say what was found and what was expected, as upstream's.
        public init(parsing string: String) throws(SelectorError) {
            var parser = SelectorParser(string)
            self.init(try parser.parse())
        }

        /// A selector from the fields of a `meta/v1.LabelSelector` (upstream's `LabelSelectorAsSelector`).
        ///
        /// `matchLabels` become `=` requirements; `matchExpressions` operators are `In`, `NotIn`, `Exists` and
        /// `DoesNotExist`. A selector with neither is ``everything``; callers map a missing selector to ``nothing``.
        public init(
            matchLabels: [String: String]?,
            matchExpressions: [(key: String, operator: String, values: [String]?)]?
        ) throws(SelectorError) {
            let labels = matchLabels ?? [:]
            let expressions = matchExpressions ?? []
            guard !labels.isEmpty || !expressions.isEmpty else {
                self = .everything
                return
            }
            var requirements: [Requirement] = []
            for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
                requirements.append(try Requirement(key: key, operator: .equals, values: [value]))
            }
            for expression in expressions {
                let op: Operator
                switch expression.operator {
                case "In": op = .in
                case "NotIn": op = .notIn
                case "Exists": op = .exists
                case "DoesNotExist": op = .doesNotExist
                default: throw SelectorError("\(goQuoted(expression.operator)) is not a valid label selector operator")
                }
                requirements.append(try Requirement(key: expression.key, operator: op, values: expression.values ?? []))
            }
            self.init(requirements)
        }

        /// The requirements, sorted by key; empty for ``everything`` and ``nothing``.
        public var requirements: [Requirement] {
            switch self.storage {
            case .requirements(let requirements): requirements
            case .nothing: []
            }
        }

        /// Whether the selector has no requirements (``everything``; ``nothing`` is not empty).
        public var isEmpty: Bool {
            switch self.storage {
            case .requirements(let requirements): requirements.isEmpty
            case .nothing: false
            }
        }

        /// Whether the selector is ``nothing``.
        public var isNothing: Bool { self.storage == .nothing }

        /// Whether `labels` satisfy every requirement.
        public func matches(_ labels: [String: String]) -> Bool {
            switch self.storage {
            case .requirements(let requirements): requirements.allSatisfy { $0.matches(labels) }
            case .nothing: false
            }
        }

        /// The selector with `requirements` added (``nothing`` stays ``nothing``), as upstream's `Add`.
        public func adding(_ requirements: Requirement...) -> Selector {
            guard case .requirements(let existing) = self.storage else { return self }
            return Selector(existing + requirements)
        }

        /// The one value `key` must have, if the selector requires an exact match on it (upstream's
        /// `RequiresExactMatch`): the first requirement on `key` is `=`, `==` or `in` with a single value.
        public func requiredValue(for key: String) -> String? {
            guard let requirement = self.requirements.first(where: { $0.key == key }) else { return nil }
            switch requirement.operator {
            case .equals, .doubleEquals, .in:
                return requirement.values.count == 1 ? requirement.values[0] : nil
            default:
                return nil
            }
        }

        /// The canonical selector string, as upstream's `String()`: requirements joined by `,`.
        public var description: String {
            self.requirements.map(\.description).joined(separator: ",")
        }

        private static func sortedByKey(_ requirements: [Requirement]) -> [Requirement] {
            requirements.enumerated()
                .sorted { $0.element.key != $1.element.key ? $0.element.key < $1.element.key : $0.offset < $1.offset }
                .map(\.element)
        }
    }
}
