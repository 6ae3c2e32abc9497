import SkiffAPIMachinery
import Testing

struct LabelSelectorMetaV1Tests {
    struct Case: Sendable, CustomTestStringConvertible {
        var selector: MetaV1.LabelSelector?
        /// The canonical selector string, or the error message.
        var expected: Result<String, Labels.SelectorError>
        var matchesEmpty: Bool
        var testDescription: String { "\(String(describing: self.selector))" }
    }

    // Upstream's LabelSelectorAsSelector: nil selects nothing, empty selects everything.
    @Test(arguments: [
        Case(selector: nil, expected: .success(""), matchesEmpty: false),
        Case(selector: .init(), expected: .success(""), matchesEmpty: true),
        Case(selector: .init(matchLabels: [:], matchExpressions: []), expected: .success(""), matchesEmpty: true),
        Case(
            selector: .init(
                matchLabels: ["app": "web"],
                matchExpressions: [.init(key: "tier", operator: "NotIn", values: ["db"])]
            ),
            expected: .success("app=web,tier notin (db)"),
            matchesEmpty: false
        ),
        Case(
            selector: .init(matchExpressions: [.init(key: "tier", operator: "DoesNotExist")]),
            expected: .success("!tier"),
            matchesEmpty: true
        ),
        Case(
            selector: .init(matchExpressions: [.init(key: "tier", operator: "Gt", values: ["1"])]),
            expected: .failure(Labels.SelectorError("\"Gt\" is not a valid label selector operator")),
            matchesEmpty: false
        ),
    ])
    func convertsLabelSelectors(_ c: Case) {
        let result = Result { () throws(Labels.SelectorError) -> Labels.Selector in try Labels.Selector(c.selector) }
        #expect(result.map(\.description) == c.expected)
        if case .success(let selector) = result {
            #expect(selector.matches([:]) == c.matchesEmpty)
        }
    }
}
