import SkiffAPI
import SkiffAPIMachinery

/// Upstream's generic validation helpers (↔ `apimachinery/pkg/api/validation`, `metav1/validation`).
///
/// Every function returns the problems it found, in upstream's order, with upstream's paths and wording; callers
/// concatenate the lists, and ``ObjectValidation`` turns them into one 422 Status.
enum CommonValidation {
    /// How an object name is checked: upstream's `ValidateNameFunc` (the Bool says whether it is a prefix).
    typealias NameRule = @Sendable (String, Bool) -> [String]

    static let dnsSubdomainName: NameRule = { Validation.nameIsDNSSubdomain($0, prefix: $1) }
    static let dnsLabelName: NameRule = { Validation.nameIsDNSLabel($0, prefix: $1) }
    static let dns1035LabelName: NameRule = { Validation.nameIsDNS1035Label($0, prefix: $1) }
    static let pathSegmentName: NameRule = { name, prefix in
        prefix ? Validation.isValidPathSegmentPrefix(name) : Validation.isValidPathSegmentName(name)
    }

    static let immutableMessage = "field is immutable"
    static let negativeMessage = "must be greater than or equal to 0"

    // MARK: Object metadata

    /// `ValidateObjectMeta`: name (or generateName), namespace presence, labels, annotations, owner references and
    /// finalizers.
    static func objectMeta(
        _ meta: MetaV1.ObjectMeta,
        namespaced: Bool,
        name nameRule: NameRule,
        path: FieldPath = FieldPath("metadata")
    ) -> [FieldError] {
        var errors: [FieldError] = []
        let generateName = meta.generateName ?? ""
        if !generateName.isEmpty {
            for message in nameRule(generateName, true) {
                errors.append(.invalid(path.child("generateName"), generateName, message))
            }
        }
        let name = meta.name ?? ""
        if name.isEmpty {
            errors.append(.required(path.child("name"), "name or generateName is required"))
        } else {
            for message in nameRule(name, false) {
                errors.append(.invalid(path.child("name"), name, message))
            }
        }
        if namespaced {
            if (meta.namespace ?? "").isEmpty {
                errors.append(.required(path.child("namespace"), ""))
            }
        } else if let namespace = meta.namespace, !namespace.isEmpty {
            errors.append(.forbidden(path.child("namespace"), "not allowed on this type"))
        }
        if let generation = meta.generation, generation < 0 {
            errors.append(.invalid(path.child("generation"), generation, Self.negativeMessage))
        }
        errors += Self.labels(meta.labels, path: path.child("labels"))
        errors += Self.annotations(meta.annotations, path: path.child("annotations"))
        errors += Self.ownerReferences(meta.ownerReferences, path: path.child("ownerReferences"))
        errors += Self.finalizers(meta.finalizers, path: path.child("finalizers"))
        return errors
    }

    /// `ValidateObjectMetaUpdate`: the new metadata is valid and its identity did not change.
    static func objectMetaUpdate(_ new: MetaV1.ObjectMeta, old: MetaV1.ObjectMeta, path: FieldPath = FieldPath("metadata"))
        -> [FieldError]
    {
        var errors: [FieldError] = []
        if (new.name ?? "") != (old.name ?? "") {
            errors.append(.invalid(path.child("name"), new.name ?? "", Self.immutableMessage))
        }
        if (new.namespace ?? "") != (old.namespace ?? "") {
            errors.append(.invalid(path.child("namespace"), new.namespace ?? "", Self.immutableMessage))
        }
        if (new.uid ?? "") != (old.uid ?? "") {
            errors.append(.invalid(path.child("uid"), new.uid ?? "", Self.immutableMessage))
        }
        return errors
    }

    /// `ValidateLabels`: each key a qualified name, each value a label value.
    static func labels(_ labels: [String: String]?, path: FieldPath) -> [FieldError] {
        guard let labels, !labels.isEmpty else { return [] }
        var errors: [FieldError] = []
        for key in labels.keys.sorted() {
            for message in Validation.isQualifiedName(key) {
                errors.append(.invalid(path, key, message))
            }
            let value = labels[key]!
            for message in Validation.isValidLabelValue(value) {
                errors.append(.invalid(path, value, message))
            }
        }
        return errors
    }

    /// `ValidateAnnotations`: keys are qualified names (compared lower-cased) and all of them fit in 256 KiB.
    static func annotations(_ annotations: [String: String]?, path: FieldPath) -> [FieldError] {
        guard let annotations, !annotations.isEmpty else { return [] }
        var errors: [FieldError] = []
        for key in annotations.keys.sorted() {
            for message in Validation.isQualifiedName(key.lowercased()) {
                errors.append(.invalid(path, key, message))
            }
        }
        if Validation.validateAnnotationsSize(annotations) != nil {
            errors.append(.tooLong(path, maxLength: Validation.totalAnnotationSizeLimitBytes))
        }
        return errors
    }

    /// `ValidateOwnerReferences`: apiVersion, kind, name and uid set; at most one controller.
    static func ownerReferences(_ references: [MetaV1.OwnerReference]?, path: FieldPath) -> [FieldError] {
        guard let references, !references.isEmpty else { return [] }
        var errors: [FieldError] = []
        var controller = ""
        for reference in references {
            let version = reference.apiVersion.split(separator: "/").last.map(String.init) ?? ""
            if version.isEmpty {
                errors.append(.invalid(path.child("apiVersion"), reference.apiVersion, "version must not be empty"))
            }
            if reference.kind.isEmpty {
                errors.append(.invalid(path.child("kind"), reference.kind, "must not be empty"))
            }
            if reference.name.isEmpty {
                errors.append(.invalid(path.child("name"), reference.name, "must not be empty"))
            }
            if reference.uid.isEmpty {
                errors.append(.invalid(path.child("uid"), reference.uid, "must not be empty"))
            }
            if reference.controller == true {
                let current = reference.kind + "/" + reference.name
                if controller.isEmpty {
                    controller = current
                } else {
                    errors.append(
                        .invalid(
                            path,
                            .formatted(Self.ownerReferencesValue(references)),
                            "Only one reference can have Controller set to true. Found \"true\" in references for "
                                + controller + " and " + current
                        )
                    )
                }
            }
        }
        return errors
    }

    private static func ownerReferencesValue(_ references: [MetaV1.OwnerReference]) -> String {
        func pointer(_ value: Bool?) -> String { value.map { "(*bool)(\($0))" } ?? "(*bool)(nil)" }
        return "[]v1.OwnerReference{"
            + references.map {
                "v1.OwnerReference{APIVersion:\(GoSyntax.quoted($0.apiVersion)), Kind:\(GoSyntax.quoted($0.kind)), "
                    + "Name:\(GoSyntax.quoted($0.name)), UID:\(GoSyntax.quoted($0.uid)), "
                    + "Controller:\(pointer($0.controller)), BlockOwnerDeletion:\(pointer($0.blockOwnerDeletion))}"
            }.joined(separator: ", ") + "}"
    }

    static let standardFinalizers: Set<String> = ["kubernetes", "orphan", "foregroundDeletion"]

    /// `ValidateFinalizers` plus core's `validateKubeFinalizerName`: qualified names, standard unless they have
    /// a domain; `orphan` and `foregroundDeletion` together are contradictory.
    static func finalizers(_ finalizers: [String]?, path: FieldPath) -> [FieldError] {
        guard let finalizers, !finalizers.isEmpty else { return [] }
        var errors: [FieldError] = []
        for finalizer in finalizers {
            for message in Validation.isQualifiedName(finalizer) {
                errors.append(.invalid(path, finalizer, message))
            }
        }
        if finalizers.contains("orphan") && finalizers.contains("foregroundDeletion") {
            errors.append(
                .invalid(
                    path,
                    .formatted(GoSyntax.stringSlice(finalizers)),
                    "finalizer orphan and foregroundDeletion cannot be both set"
                )
            )
        }
        for finalizer in finalizers where !finalizer.contains("/") && !Self.standardFinalizers.contains(finalizer) {
            errors.append(.invalid(path, finalizer, "name is neither a standard finalizer name nor is it fully qualified"))
        }
        return errors
    }

    /// `validateFinalizerName` (a namespace's `spec.finalizers`).
    static func finalizerName(_ finalizer: String, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = Validation.isQualifiedName(finalizer).map { FieldError.invalid(path, finalizer, $0) }
        if !finalizer.contains("/") && !Self.standardFinalizers.contains(finalizer) {
            errors.append(.invalid(path, finalizer, "name is neither a standard finalizer name nor is it fully qualified"))
        }
        return errors
    }

    // MARK: Label selectors

    /// `metav1validation.ValidateLabelSelector` (label values checked strictly).
    static func labelSelector(_ selector: MetaV1.LabelSelector?, path: FieldPath) -> [FieldError] {
        guard let selector else { return [] }
        var errors = Self.labels(selector.matchLabels, path: path.child("matchLabels"))
        for (index, requirement) in (selector.matchExpressions ?? []).enumerated() {
            let requirementPath = path.child("matchExpressions").index(index)
            let values = requirement.values ?? []
            switch requirement.operator {
            case "In", "NotIn":
                if values.isEmpty {
                    errors.append(
                        .required(requirementPath.child("values"), "must be specified when `operator` is 'In' or 'NotIn'")
                    )
                }
            case "Exists", "DoesNotExist":
                if !values.isEmpty {
                    errors.append(
                        .forbidden(
                            requirementPath.child("values"),
                            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                        )
                    )
                }
            default:
                errors.append(.invalid(requirementPath.child("operator"), requirement.operator, "not a valid selector operator"))
            }
            for message in Validation.isQualifiedName(requirement.key) {
                errors.append(.invalid(requirementPath.child("key"), requirement.key, message))
            }
            for (valueIndex, value) in values.enumerated() {
                for message in Validation.isValidLabelValue(value) {
                    errors.append(.invalid(requirementPath.child("values").index(valueIndex), value, message))
                }
            }
        }
        return errors
    }

    /// A label selector as Go's `%#v` prints the `v1.LabelSelector` value in `Invalid value: …` messages.
    static func goLabelSelector(_ selector: MetaV1.LabelSelector?) -> String {
        guard let selector else { return "null" }
        let expressions: String
        if let matchExpressions = selector.matchExpressions {
            expressions =
                "[]v1.LabelSelectorRequirement{"
                + matchExpressions.map {
                    "v1.LabelSelectorRequirement{Key:\(GoSyntax.quoted($0.key)), Operator:\(GoSyntax.quoted($0.operator)), "
                        + "Values:\(GoSyntax.stringSlice($0.values))}"
                }.joined(separator: ", ") + "}"
        } else {
            expressions = "[]v1.LabelSelectorRequirement(nil)"
        }
        return "v1.LabelSelector{MatchLabels:\(GoSyntax.stringMap(selector.matchLabels)), MatchExpressions:\(expressions)}"
    }

    /// `ValidateImmutableField` for label selectors: `Invalid value: v1.LabelSelector{…}: field is immutable`.
    static func immutableSelector(_ new: MetaV1.LabelSelector?, old: MetaV1.LabelSelector?, path: FieldPath)
        -> [FieldError]
    {
        guard Self.normalized(new) != Self.normalized(old) else { return [] }
        return [.invalid(path, .formatted(Self.goLabelSelector(new)), Self.immutableMessage)]
    }

    /// A selector with empty collections dropped, for semantic comparison.
    private static func normalized(_ selector: MetaV1.LabelSelector?) -> MetaV1.LabelSelector? {
        guard var selector else { return nil }
        if selector.matchLabels?.isEmpty == true { selector.matchLabels = nil }
        if selector.matchExpressions?.isEmpty == true { selector.matchExpressions = nil }
        return selector
    }

    // MARK: Numbers and names

    /// `ValidateNonnegativeField`.
    static func nonnegative(_ value: (some BinaryInteger)?, path: FieldPath) -> [FieldError] {
        guard let value, value < 0 else { return [] }
        return [.invalid(path, value, Self.negativeMessage)]
    }

    /// `ValidateDNS1123Label`.
    static func dns1123Label(_ value: String, path: FieldPath) -> [FieldError] {
        Validation.isDNS1123Label(value).map { FieldError.invalid(path, value, $0) }
    }

    /// `ValidateDNS1123Subdomain`.
    static func dns1123Subdomain(_ value: String, path: FieldPath) -> [FieldError] {
        Validation.isDNS1123Subdomain(value).map { FieldError.invalid(path, value, $0) }
    }

    /// `ValidateQualifiedName`.
    static func qualifiedName(_ value: String, path: FieldPath) -> [FieldError] {
        Validation.isQualifiedName(value).map { FieldError.invalid(path, value, $0) }
    }

    /// An `IntOrString` as upstream prints it in messages (its `String()`): bare.
    static func intOrStringValue(_ value: IntOrString) -> FieldError.Value {
        switch value {
        case .int(let number): .formatted(String(number))
        case .string(let string): .formatted(string)
        }
    }

    /// `ValidatePositiveIntOrPercent`: a non-negative integer or a `N%` string.
    static func positiveIntOrPercent(_ value: IntOrString?, path: FieldPath) -> [FieldError] {
        guard let value else { return [] }
        switch value {
        case .string(let string):
            return Validation.isValidPercent(string).map { FieldError.invalid(path, Self.intOrStringValue(value), $0) }
        case .int(let number):
            return Self.nonnegative(number, path: path)
        }
    }

    /// `IsNotMoreThan100Percent`.
    static func notMoreThan100Percent(_ value: IntOrString?, path: FieldPath) -> [FieldError] {
        guard case .string(let string)? = value, string.hasSuffix("%"), let percent = Int(string.dropLast()),
            percent > 100
        else { return [] }
        return [.invalid(path, Self.intOrStringValue(value!), "must not be greater than 100%")]
    }
}
