public import SkiffAPI
public import SkiffAPIMachinery

/// A parsed `NodeSelector`: terms ORed, each term's expressions and fields ANDed (↔ `nodeaffinity.NodeSelector`).
///
/// A term that fails to parse, or that has neither expressions nor fields, matches no node, as upstream's lazy
/// error node selector does.
public struct NodeSelectorMatcher: Sendable, Hashable {
    struct Term: Sendable, Hashable {
        var expressions: [Labels.Requirement]
        /// `metadata.name` values a `matchFields` requirement accepts (`In`) or refuses (`NotIn`).
        var fieldRequirements: [FieldRequirement]
        var valid: Bool
    }

    struct FieldRequirement: Sendable, Hashable {
        var key: String
        var isIn: Bool
        var values: [String]
    }

    var terms: [Term]

    /// Parses `selector`.
    public init(_ selector: CoreV1.NodeSelector) {
        self.terms = selector.nodeSelectorTerms.map(Self.parse)
    }

    /// Parses a list of terms.
    public init(terms: [CoreV1.NodeSelectorTerm]) {
        self.terms = terms.map(Self.parse)
    }

    static func parse(_ term: CoreV1.NodeSelectorTerm) -> Term {
        var valid = true
        var expressions: [Labels.Requirement] = []
        for expression in term.matchExpressions ?? [] {
            if let requirement = Self.requirement(expression) {
                expressions.append(requirement)
            } else {
                valid = false
            }
        }
        var fields: [FieldRequirement] = []
        for field in term.matchFields ?? [] {
            guard field.key == "metadata.name", field.operator == "In" || field.operator == "NotIn",
                (field.values ?? []).count == 1
            else {
                valid = false
                continue
            }
            fields.append(FieldRequirement(key: field.key, isIn: field.operator == "In", values: field.values ?? []))
        }
        if expressions.isEmpty && fields.isEmpty { valid = false }
        return Term(expressions: expressions, fieldRequirements: fields, valid: valid)
    }

    /// A node selector requirement as a label requirement (↔ `nodeSelectorRequirementsAsSelector`).
    public static func requirement(_ expression: CoreV1.NodeSelectorRequirement) -> Labels.Requirement? {
        let op: Labels.Operator
        switch expression.operator {
        case "In": op = .in
        case "NotIn": op = .notIn
        case "Exists": op = .exists
        case "DoesNotExist": op = .doesNotExist
        case "Gt": op = .greaterThan
        case "Lt": op = .lessThan
        default: return nil
        }
        return try? Labels.Requirement(key: expression.key, operator: op, values: expression.values ?? [])
    }

    /// `true` when one term matches a node with `name` and `labels`.
    public func matches(name: String, labels: [String: String]) -> Bool {
        for term in self.terms where term.valid {
            if Self.matches(term, name: name, labels: labels) { return true }
        }
        return false
    }

    /// `true` when `term` matches (used for preferred terms, scored one by one).
    static func matches(_ term: Term, name: String, labels: [String: String]) -> Bool {
        guard term.valid else { return false }
        for requirement in term.expressions where !requirement.matches(labels) {
            return false
        }
        for field in term.fieldRequirements {
            let contains = field.values.contains(name)
            if contains != field.isIn { return false }
        }
        return true
    }
}

/// A pod's required node selection: `spec.nodeSelector` AND the required node affinity (↔
/// `nodeaffinity.RequiredNodeAffinity`).
public struct RequiredNodeAffinity: Sendable, Hashable {
    /// `spec.nodeSelector` (empty: no constraint).
    public var nodeSelector: [String: String]
    /// The required node affinity terms, when present.
    public var affinity: NodeSelectorMatcher?

    /// Reads `pod`'s spec.
    public init(_ pod: CoreV1.Pod) {
        self.nodeSelector = pod.spec?.nodeSelector ?? [:]
        if let required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution {
            self.affinity = NodeSelectorMatcher(required)
        }
    }

    /// `true` when the pod has no node selection at all.
    public var isEmpty: Bool { self.nodeSelector.isEmpty && self.affinity == nil }

    /// `true` when a node with `name` and `labels` satisfies both.
    public func matches(name: String, labels: [String: String]) -> Bool {
        for (key, value) in self.nodeSelector where labels[key] != value {
            return false
        }
        if let affinity = self.affinity {
            return affinity.matches(name: name, labels: labels)
        }
        return true
    }

    /// `true` when `node` satisfies both.
    public func matches(_ node: NodeInfo) -> Bool {
        self.matches(name: node.name, labels: node.labels)
    }
}
