import SkiffAPIMachinery
import Testing

struct LabelSelectorTests {
    // Upstream's TestSelectorParse: good strings re-stringify to themselves without spaces.
    @Test(arguments: [
        "x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5",
    ])
    func parsesAndRestringifies(_ input: String) throws {
        let selector = try Labels.Selector(parsing: input)
        #expect(selector.description == String(input.filter { $0 != " " }))
    }

    struct ParseCase: Sendable, CustomTestStringConvertible {
        var input: String
        /// The canonical string, or `nil` when parsing must fail.
        var canonical: String?
        var testDescription: String { "\"\(self.input)\"" }
    }

    // Upstream's TestSetSelectorParser, expressed through the canonical string.
    @Test(arguments: [
        ParseCase(input: "", canonical: ""),
        ParseCase(input: "\rx", canonical: "x"),
        ParseCase(
            input: "this-is-a-dns.domain.com/key-with-dash",
            canonical: "this-is-a-dns.domain.com/key-with-dash"
        ),
        ParseCase(
            input: "this-is-another-dns.domain.com/key-with-dash in (so,what)",
            canonical: "this-is-another-dns.domain.com/key-with-dash in (so,what)"
        ),
        ParseCase(
            input: "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
            canonical: "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)"
        ),
        ParseCase(input: "foo  in\t (abc)", canonical: "foo in (abc)"),
        ParseCase(input: "x notin\n (abc)", canonical: "x notin (abc)"),
        ParseCase(input: "x  notin\t\t\t(abc,def)", canonical: "x notin (abc,def)"),
        ParseCase(input: "x in (abc,def)", canonical: "x in (abc,def)"),
        ParseCase(input: "x in (abc,)", canonical: "x in (,abc)"),
        ParseCase(input: "x in ()", canonical: "x in ()"),
        ParseCase(input: "x notin (abc,,def),bar,z in (),w", canonical: "bar,w,x notin (,abc,def),z in ()"),
        ParseCase(input: "x,y in (a)", canonical: "x,y in (a)"),
        ParseCase(input: "x=a", canonical: "x=a"),
        ParseCase(input: "x==a", canonical: "x==a"),
        ParseCase(input: "x>1", canonical: "x>1"),
        ParseCase(input: "x<7", canonical: "x<7"),
        ParseCase(input: "x=a,y!=b", canonical: "x=a,y!=b"),
        ParseCase(input: "x=a,y!=b,z in (h,i,j)", canonical: "x=a,y!=b,z in (h,i,j)"),
        ParseCase(input: "z in (j,i,h,i)", canonical: "z in (h,i,j)"),
        ParseCase(input: "x notin ( )", canonical: "x notin ()"),
        ParseCase(input: "x notin (, a)", canonical: "x notin (,a)"),
        ParseCase(input: "a ", canonical: "a"),
        ParseCase(input: "a in (x,y,notin, z,in)", canonical: "a in (in,notin,x,y,z)"),
        ParseCase(input: "notin=in", canonical: "notin=in"),
        ParseCase(input: "x=a,a=x", canonical: "a=x,x=a"),
        ParseCase(input: "a=x,x=a", canonical: "a=x,x=a"),
        ParseCase(input: "x=a||y=b", canonical: nil),
        ParseCase(input: "x==a==b", canonical: nil),
        ParseCase(input: "!x=a", canonical: nil),
        ParseCase(input: "x<a", canonical: nil),
        ParseCase(input: "x,,y", canonical: nil),
        ParseCase(input: ",x,y", canonical: nil),
        ParseCase(input: "x nott in (y)", canonical: nil),
        ParseCase(input: "a in (xyz),", canonical: nil),
        ParseCase(input: "a in (xyz)b notin ()", canonical: nil),
        ParseCase(input: "a in (xyz abc)", canonical: nil),
        ParseCase(input: "a notin(", canonical: nil),
        ParseCase(input: "a (", canonical: nil),
        ParseCase(input: "(", canonical: nil),
        ParseCase(input: "a b", canonical: nil),
        ParseCase(input: "x=a b", canonical: nil),
        ParseCase(input: "Bad Key=1", canonical: nil),
        ParseCase(input: "x=-a", canonical: nil),
    ])
    func parsesSetBasedSyntax(_ c: ParseCase) {
        do {
            let selector = try Labels.Selector(parsing: c.input)
            #expect(selector.description == c.canonical)
            if let canonical = c.canonical {
                #expect(try Labels.Selector(parsing: canonical) == selector)
            }
        } catch {
            #expect(c.canonical == nil, "\(error)")
        }
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var input: String
        var message: String
        var testDescription: String { "\"\(self.input)\"" }
    }

    @Test(arguments: [
        ErrorCase(input: "!", message: "unable to parse requirement: found '', expected: identifier"),
        ErrorCase(input: "x=a,y=b c", message: "found 'c', expected: ',' or 'end of string'"),
        ErrorCase(input: "x,,y", message: "found ',', expected: identifier after ','"),
        ErrorCase(input: ",x", message: "found ',', expected: !, identifier, or 'end of string'"),
        ErrorCase(
            input: "x nott in (y)",
            message: "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"
        ),
        ErrorCase(input: "a in (xyz abc)", message: "unable to parse requirement: found 'abc', expected: ',' or ')'"),
        ErrorCase(input: "a in xyz", message: "unable to parse requirement: found 'xyz' expected: '('"),
        ErrorCase(
            input: "x<a",
            message:
                "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"
        ),
        ErrorCase(
            input: "a b=c",
            message: "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"
        ),
        ErrorCase(
            input: "x@y",
            message: "unable to parse requirement: <nil>: Invalid value: \"x@y\": name part must consist of "
                + "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                + "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        ),
        ErrorCase(
            input: "x=a b",
            message: "found 'b', expected: ',' or 'end of string'"
        ),
        ErrorCase(
            input: "x=-a",
            message: "unable to parse requirement: values[0][x]: Invalid value: \"-a\": a valid label must be an empty "
                + "string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                + "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                + "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        ),
    ])
    func parseErrorsSayWhatWasFound(_ c: ErrorCase) {
        #expect(throws: Labels.SelectorError(c.message)) { try Labels.Selector(parsing: c.input) }
    }

    struct MatchCase: Sendable, CustomTestStringConvertible {
        var selector: String
        var labels: [String: String]
        var matches: Bool
        var testDescription: String { "\(self.selector) on \(self.labels)" }
    }

    // Upstream's TestSelectorMatches and TestRequirementSelectorMatching.
    @Test(arguments: [
        MatchCase(selector: "", labels: ["x": "y"], matches: true),
        MatchCase(selector: "x=y", labels: ["x": "y"], matches: true),
        MatchCase(selector: "x=y,z=w", labels: ["x": "y", "z": "w"], matches: true),
        MatchCase(selector: "x!=y,z!=w", labels: ["x": "z", "z": "a"], matches: true),
        MatchCase(selector: "notin=in", labels: ["notin": "in"], matches: true),
        MatchCase(selector: "x", labels: ["x": "z"], matches: true),
        MatchCase(selector: "!x", labels: ["y": "z"], matches: true),
        MatchCase(selector: "x>1", labels: ["x": "2"], matches: true),
        MatchCase(selector: "x<1", labels: ["x": "0"], matches: true),
        MatchCase(selector: "x=z", labels: [:], matches: false),
        MatchCase(selector: "x=y", labels: ["x": "z"], matches: false),
        MatchCase(selector: "x=y,z=w", labels: ["x": "w", "z": "w"], matches: false),
        MatchCase(selector: "x!=y,z!=w", labels: ["x": "z", "z": "w"], matches: false),
        MatchCase(selector: "x", labels: ["y": "z"], matches: false),
        MatchCase(selector: "!x", labels: ["x": "z"], matches: false),
        MatchCase(selector: "x>1", labels: ["x": "0"], matches: false),
        MatchCase(selector: "x<1", labels: ["x": "2"], matches: false),
        MatchCase(selector: "x>1", labels: ["x": "v2"], matches: false),
        MatchCase(selector: "x>1", labels: [:], matches: false),
        MatchCase(selector: "x in (foo),y notin (alpha)", labels: ["x": "foo", "y": "baz"], matches: true),
        MatchCase(selector: "x in (foo),y in (alpha)", labels: ["x": "foo", "y": "baz"], matches: false),
        MatchCase(selector: "x notin (),y", labels: ["y": ""], matches: true),
        MatchCase(selector: "!x,y", labels: ["y": ""], matches: true),
        MatchCase(selector: "x notin (),!y", labels: ["y": ""], matches: false),
        MatchCase(selector: "x in ()", labels: ["y": "baz"], matches: false),
        MatchCase(selector: "x in ()", labels: ["x": ""], matches: true),
        MatchCase(selector: "x=", labels: ["x": ""], matches: true),
        MatchCase(selector: "x!=", labels: [:], matches: true),
        MatchCase(selector: "foo=bar,baz=blah", labels: ["foo": "bar", "baz": "blah"], matches: true),
        MatchCase(selector: "foo=blah", labels: ["foo": "bar", "baz": "blah"], matches: false),
    ])
    func matchesLabelSets(_ c: MatchCase) throws {
        #expect(try Labels.Selector(parsing: c.selector).matches(c.labels) == c.matches)
    }

    @Test func everythingAndNothing() {
        #expect(Labels.Selector.everything.matches(["x": "y"]))
        #expect(Labels.Selector.everything.isEmpty)
        #expect(Labels.Selector.everything.description == "")
        #expect(!Labels.Selector.nothing.matches([:]))
        #expect(!Labels.Selector.nothing.isEmpty)
        #expect(Labels.Selector.nothing.description == "")
        #expect(Labels.Selector.nothing != Labels.Selector.everything)
        #expect(Labels.Selector.nothing.adding(try! .init(key: "a", operator: .exists, values: [])).isNothing)
    }

    struct RequirementCase: Sendable, CustomTestStringConvertible {
        var key: String
        var op: Labels.Operator
        var values: [String]
        /// The error message, or `nil` for a valid requirement.
        var error: String?
        var testDescription: String { "\(self.key) \(self.op.rawValue) \(self.values)" }
    }

    // Upstream's TestRequirementConstructor, with the full messages.
    @Test(arguments: [
        RequirementCase(
            key: "x1",
            op: .in,
            values: [],
            error: "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"
        ),
        RequirementCase(
            key: "x2",
            op: .notIn,
            values: [],
            error: "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"
        ),
        RequirementCase(key: "x3", op: .in, values: ["foo"], error: nil),
        RequirementCase(key: "x4", op: .notIn, values: ["foo"], error: nil),
        RequirementCase(
            key: "x5",
            op: .equals,
            values: ["bar", "foo"],
            error:
                "values: Invalid value: []string{\"bar\", \"foo\"}: exact-match compatibility requires one single value"
        ),
        RequirementCase(key: "x6", op: .exists, values: [], error: nil),
        RequirementCase(key: "x7", op: .doesNotExist, values: [], error: nil),
        RequirementCase(
            key: "x8",
            op: .exists,
            values: ["foo"],
            error: "values: Invalid value: []string{\"foo\"}: values set must be empty for exists and does not exist"
        ),
        RequirementCase(key: "x11", op: .greaterThan, values: ["1"], error: nil),
        RequirementCase(key: "x12", op: .lessThan, values: ["6"], error: nil),
        RequirementCase(
            key: "x13",
            op: .greaterThan,
            values: [],
            error: "values: Invalid value: []string{}: for 'Gt', 'Lt' operators, exactly one value is required"
        ),
        RequirementCase(
            key: "x14",
            op: .greaterThan,
            values: ["bar"],
            error: "values[0]: Invalid value: \"bar\": for 'Gt', 'Lt' operators, the value must be an integer"
        ),
        RequirementCase(
            key: String(repeating: "a", count: 254),
            op: .exists,
            values: [],
            error:
                "key: Invalid value: \"\(String(repeating: "a", count: 254))\": name part must be no more than 63 characters"
        ),
        RequirementCase(
            key: "x16",
            op: .equals,
            values: [String(repeating: "a", count: 254)],
            error:
                "values[0][x16]: Invalid value: \"\(String(repeating: "a", count: 254))\": must be no more than 63 characters"
        ),
        RequirementCase(
            key: "x17",
            op: .equals,
            values: ["a b"],
            error:
                "values[0][x17]: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        ),
        RequirementCase(
            key: "x18",
            op: .greaterThan,
            values: ["a", "b"],
            error:
                "[values: Invalid value: []string{\"a\", \"b\"}: for 'Gt', 'Lt' operators, exactly one value is required, values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer, values[1]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer]"
        ),
    ])
    func requirementsAreValidated(_ c: RequirementCase) {
        do {
            _ = try Labels.Requirement(key: c.key, operator: c.op, values: c.values)
            #expect(c.error == nil)
        } catch {
            #expect(error.message == c.error)
        }
    }

    // Upstream's TestToString.
    @Test func requirementsPrintAsUpstream() throws {
        let selector = Labels.Selector([
            try .init(key: "x", operator: .notIn, values: ["def", "abc"]),
            try .init(key: "y", operator: .notEquals, values: ["jkl"]),
            try .init(key: "z", operator: .doesNotExist, values: []),
        ])
        #expect(selector.description == "x notin (abc,def),y!=jkl,!z")
        let second = Labels.Selector([
            try .init(key: "z", operator: .notEquals, values: ["a"]),
            try .init(key: "x", operator: .equals, values: ["abc"]),
            try .init(key: "z", operator: .exists, values: []),
            try .init(key: "y", operator: .doubleEquals, values: ["jkl"]),
        ])
        #expect(second.description == "x=abc,y==jkl,z!=a,z")
    }

    @Test func fromSetsAndLabelSelectorFields() throws {
        #expect(Labels.Selector(["b": "2", "a": "1"]).description == "a=1,b=2")
        #expect(Labels.Selector([:]).isEmpty)
        #expect(throws: Labels.SelectorError.self) { try Labels.Selector(validating: ["a b": "1"]) }

        let selector = try Labels.Selector(
            matchLabels: ["app": "web"],
            matchExpressions: [
                (key: "tier", operator: "In", values: ["front", "back"]),
                (key: "canary", operator: "DoesNotExist", values: nil),
                (key: "env", operator: "NotIn", values: ["prod"]),
                (key: "team", operator: "Exists", values: []),
            ]
        )
        #expect(selector.description == "app=web,!canary,env notin (prod),team,tier in (back,front)")
        #expect(selector.matches(["app": "web", "tier": "front", "team": "a"]))
        #expect(!selector.matches(["app": "web", "tier": "front"]))
        #expect(try Labels.Selector(matchLabels: nil, matchExpressions: nil) == .everything)
        #expect(try Labels.Selector(matchLabels: [:], matchExpressions: []) == .everything)
        #expect(throws: Labels.SelectorError("\"Gt\" is not a valid label selector operator")) {
            try Labels.Selector(matchLabels: nil, matchExpressions: [(key: "a", operator: "Gt", values: ["1"])])
        }
        #expect(
            throws: Labels.SelectorError(
                "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"
            )
        ) {
            try Labels.Selector(matchLabels: nil, matchExpressions: [(key: "a", operator: "In", values: nil)])
        }
    }

    // Upstream's TestRequiresExactMatch.
    @Test func requiredValues() throws {
        #expect(try Labels.Selector(parsing: "a=b").requiredValue(for: "a") == "b")
        #expect(try Labels.Selector(parsing: "a==b").requiredValue(for: "a") == "b")
        #expect(try Labels.Selector(parsing: "a in (b)").requiredValue(for: "a") == "b")
        #expect(try Labels.Selector(parsing: "a in (b,c)").requiredValue(for: "a") == nil)
        #expect(try Labels.Selector(parsing: "a!=b").requiredValue(for: "a") == nil)
        #expect(try Labels.Selector(parsing: "a=b").requiredValue(for: "c") == nil)
    }
}
