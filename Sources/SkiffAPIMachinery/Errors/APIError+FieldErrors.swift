extension APIError {
    /// 422 `Pod "x" is invalid: <errors>`, as upstream's `NewInvalid`: one cause per error (its type, its path and
    /// its message without the path), and a message aggregating the errors (one alone, several in brackets,
    /// repeated messages once).
    public static func invalid(group: String, kind: String, name: String, errors: [FieldError]) -> APIError {
        let qualifiedKind = group.isEmpty ? kind : kind + "." + group
        let summary = errors.aggregateMessage.map { ": " + $0 } ?? ""
        return APIError(
            reason: .invalid,
            code: 422,
            message: "\(qualifiedKind) \(GoSyntax.quoted(name)) is invalid\(summary)",
            details: MetaV1.StatusDetails(
                name: name.isEmpty ? nil : name,
                group: group.isEmpty ? nil : group,
                kind: kind,
                causes: errors.map { MetaV1.StatusCause(reason: $0.kind.rawValue, message: $0.body, field: $0.field) }
            )
        )
    }
}
