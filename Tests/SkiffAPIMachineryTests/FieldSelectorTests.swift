import SkiffAPIMachinery
import Testing

struct FieldSelectorTests {
    // Upstream's TestSelectorParse good strings: they re-stringify to themselves.
    @Test(arguments: ["x=a,y=b,z=c", "", "x!=a,y=b", #"x=a||y\=b"#, #"x=a\=\=b"#, "metadata.name=web", "a=", "a!="])
    func parsesAndRestringifies(_ input: String) throws {
        #expect(try Fields.Selector(parsing: input).description == input)
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var input: String
        var message: String
        var testDescription: String { "\"\(self.input)\"" }
    }

    // Upstream's TestSelectorParse bad strings, with the messages.
    @Test(arguments: [
        ErrorCase(input: "x=a||y=b", message: "invalid field selector: unescaped character in value: 61"),
        ErrorCase(input: "x==a==b", message: "invalid field selector: unescaped character in value: 61"),
        ErrorCase(input: "x=a,b", message: "invalid selector: 'x=a,b'; can't understand 'b'"),
        ErrorCase(input: "x in (a)", message: "invalid selector: 'x in (a)'; can't understand 'x in (a)'"),
        ErrorCase(input: "x in (a,b,c)", message: "invalid selector: 'x in (a,b,c)'; can't understand 'b'"),
        ErrorCase(input: "x", message: "invalid selector: 'x'; can't understand 'x'"),
        ErrorCase(input: #"k=\a"#, message: #"invalid field selector: invalid escape sequence: \a"#),
        ErrorCase(input: #"k=\"#, message: #"invalid field selector: invalid escape sequence: \"#),
        ErrorCase(input: #"k=\\\"#, message: #"invalid field selector: invalid escape sequence: \"#),
    ])
    func rejectsMalformedSelectors(_ c: ErrorCase) {
        #expect(throws: Fields.SelectorError(c.message)) { try Fields.Selector(parsing: c.input) }
    }

    struct CanonicalCase: Sendable, CustomTestStringConvertible {
        var input: String
        var canonical: String
        var testDescription: String { "\"\(self.input)\"" }
    }

    @Test(arguments: [
        CanonicalCase(input: "x=a,a=x", canonical: "a=x,x=a"),
        CanonicalCase(input: "a=x,x=a", canonical: "a=x,x=a"),
        CanonicalCase(input: "b==v", canonical: "b=v"),
        CanonicalCase(input: "a=a,", canonical: "a=a"),
        CanonicalCase(input: ",a=a", canonical: "a=a"),
        CanonicalCase(input: #"k=\,,k2=v2"#, canonical: #"k2=v2,k=\,"#),
        CanonicalCase(input: #"k=\\,k2=v2"#, canonical: #"k2=v2,k=\\"#),
        CanonicalCase(input: "함=수,목=록", canonical: "목=록,함=수"),
        CanonicalCase(
            input: "status.phase!=Running,metadata.name=x",
            canonical: "metadata.name=x,status.phase!=Running"
        ),
    ])
    func sortsTermsAndEscapesValues(_ c: CanonicalCase) throws {
        #expect(try Fields.Selector(parsing: c.input).description == c.canonical)
    }

    struct MatchCase: Sendable, CustomTestStringConvertible {
        var selector: String
        var fields: [String: String]
        var matches: Bool
        var testDescription: String { "\(self.selector) on \(self.fields)" }
    }

    // Upstream's TestSelectorMatches.
    @Test(arguments: [
        MatchCase(selector: "", fields: ["x": "y"], matches: true),
        MatchCase(selector: "x=y", fields: ["x": "y"], matches: true),
        MatchCase(selector: "x=y,z=w", fields: ["x": "y", "z": "w"], matches: true),
        MatchCase(selector: "x!=y,z!=w", fields: ["x": "z", "z": "a"], matches: true),
        MatchCase(selector: "notin=in", fields: ["notin": "in"], matches: true),
        MatchCase(selector: "x=z", fields: [:], matches: false),
        MatchCase(selector: "x=y", fields: ["x": "z"], matches: false),
        MatchCase(selector: "x=y,z=w", fields: ["x": "w", "z": "w"], matches: false),
        MatchCase(selector: "x!=y,z!=w", fields: ["x": "z", "z": "w"], matches: false),
        MatchCase(selector: "x=", fields: [:], matches: true),
        MatchCase(selector: "x!=", fields: [:], matches: false),
        MatchCase(selector: #"x=a\,b"#, fields: ["x": "a,b"], matches: true),
        MatchCase(
            selector: "metadata.name=web,status.phase!=Running",
            fields: ["metadata.name": "web", "status.phase": "Pending"],
            matches: true
        ),
    ])
    func matchesFieldSets(_ c: MatchCase) throws {
        #expect(try Fields.Selector(parsing: c.selector).matches(c.fields) == c.matches)
    }

    // Upstream's TestEscapeValue.
    @Test(arguments: [("", ""), ("a", "a"), ("=", #"\="#), (",", #"\,"#), (#"\"#, #"\\"#), (#"\=\,\"#, #"\\\=\\\,\\"#)])
    func escapesAndUnescapes(_ plain: String, _ escaped: String) throws {
        #expect(Fields.escapeValue(plain) == escaped)
        #expect(try Fields.unescapeValue(escaped) == plain)
    }

    @Test func requirementsRequiredValuesAndTransforms() throws {
        let selector = try Fields.Selector(parsing: "metadata.name=web,spec.nodeName!=a")
        #expect(
            selector.requirements == [
                .init(field: "metadata.name", operator: .equals, value: "web"),
                .init(field: "spec.nodeName", operator: .notEquals, value: "a"),
            ]
        )
        #expect(selector.requiredValue(for: "metadata.name") == "web")
        #expect(selector.requiredValue(for: "spec.nodeName") == nil)
        let renamed = selector.transformed { field, value in
            field == "spec.nodeName" ? ("", "") : ("metadata.name", value + "-x")
        }
        #expect(renamed.description == "metadata.name=web-x")
        #expect(Fields.Selector.everything.matches(["a": "b"]))
        #expect(!Fields.Selector.nothing.matches([:]))
        #expect(!Fields.Selector.nothing.isEmpty)
        #expect(Fields.Selector(["b": "2", "a": "1"]).description == "a=1,b=2")
    }

    @Test func objectMetaFieldsSelectByNameAndNamespace() throws {
        let fields = Fields.objectMetaFieldsSet(name: "web", namespace: "default")
        #expect(try Fields.Selector(parsing: "metadata.name=web,metadata.namespace=default").matches(fields))
        #expect(!(try Fields.Selector(parsing: "metadata.namespace=kube-system").matches(fields)))
        #expect(Fields.objectMetaFieldsSet(name: "node-1", namespace: nil) == ["metadata.name": "node-1"])
    }
}
