extension Labels.Selector {
    /// The selector a `meta/v1.LabelSelector` describes (upstream's `metav1.LabelSelectorAsSelector`).
    ///
    /// A missing selector (`nil`) selects ``nothing``; one with no `matchLabels` and no `matchExpressions` selects
    /// ``everything``. Throws ``Labels/SelectorError`` for an invalid key, value or operator, with upstream's message.
    public init(_ selector: MetaV1.LabelSelector?) throws(Labels.SelectorError) {
        guard let selector else {
            self = .nothing
            return
        }
        try self.init(
            matchLabels: selector.matchLabels,
            matchExpressions: selector.matchExpressions?.map { (key: $0.key, operator: $0.operator, values: $0.values) }
        )
    }
}
