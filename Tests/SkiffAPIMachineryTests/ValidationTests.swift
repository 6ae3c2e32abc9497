import SkiffAPIMachinery
import Testing

struct ValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var value: String
        var valid: Bool
        var testDescription: String { "\"\(self.value)\" \(self.valid ? "valid" : "invalid")" }
    }

    static func cases(good: [String], bad: [String]) -> [Case] {
        good.map { Case(value: $0, valid: true) } + bad.map { Case(value: $0, valid: false) }
    }

    // Upstream's TestIsDNS1123Label.
    static let dns1123Labels = Self.cases(
        good: [
            "a", "ab", "abc", "a1", "a-1", "a--1--2--b", "0", "01", "012", "1a", "1-a", "1--a--b--2",
            String(repeating: "a", count: 63),
        ],
        bad: [
            "", "A", "ABC", "aBc", "A1", "A-1", "1-A", "-", "a-", "-a", "1-", "-1", "_", "a_", "_a", "a_b", "1_", "_1",
            "1_2", ".", "a.", ".a", "a.b", "1.", ".1", "1.2", " ", "a ", " a", "a b", "1 ", " 1", "1 2", "a\n",
            String(repeating: "a", count: 64),
        ]
    )

    @Test(arguments: Self.dns1123Labels)
    func dns1123Label(_ c: Case) {
        #expect(Validation.isDNS1123Label(c.value).isEmpty == c.valid)
    }

    // Upstream's TestIsDNS1123Subdomain.
    static let dns1123Subdomains = Self.cases(
        good: [
            "a", "ab", "abc", "a1", "a-1", "a--1--2--b", "0", "01", "012", "1a", "1-a", "1--a--b--2", "a.a", "ab.a",
            "abc.a", "a1.a", "a-1.a", "a--1--2--b.a", "a.1", "ab.1", "abc.1", "a1.1", "a-1.1", "a--1--2--b.1", "0.a",
            "01.a", "012.a", "1a.a", "1-a.a", "0.1", "01.1", "012.1", "1a.1", "1-a.1", "1--a--b--2.1", "a.b.c.d.e",
            "aa.bb.cc.dd.ee", "1.2.3.4.5", "11.22.33.44.55", String(repeating: "a", count: 253),
        ],
        bad: [
            "", "A", "ABC", "aBc", "A1", "A-1", "1-A", "-", "a-", "-a", "1-", "-1", "_", "a_", "_a", "a_b", "1_", "_1",
            "1_2", ".", "a.", ".a", "a..b", "1.", ".1", "1..2", " ", "a ", " a", "a b", "1 ", " 1", "1 2", "A.a",
            "aB.a",
            "ab.A", "A1.a", "a1.A", "A.1", "aB.1", "A1.1", "1A.1", "0.A", "01.A", "012.A", "1A.a", "1a.A", "A.B.C.D.E",
            "AA.BB.CC.DD.EE", "a.B.c.d.e", "aa.bB.cc.dd.ee", "a@b", "a,b", "a;b", "a:b", "a%b", "a?b", "a$b",
            String(repeating: "a", count: 254),
        ]
    )

    @Test(arguments: Self.dns1123Subdomains)
    func dns1123Subdomain(_ c: Case) {
        #expect(Validation.isDNS1123Subdomain(c.value).isEmpty == c.valid)
    }

    // Upstream's TestIsDNS1035Label.
    static let dns1035Labels = Self.cases(
        good: ["a", "ab", "abc", "a1", "a-1", "a--1--2--b", String(repeating: "a", count: 63)],
        bad: [
            "0", "01", "012", "1a", "1-a", "1--a--b--2", "", "A", "ABC", "aBc", "A1", "A-1", "1-A", "-", "a-", "-a",
            "1-", "-1", "_", "a_", "_a", "a_b", "1_", "_1", "1_2", ".", "a.", ".a", "a.b", "1.", ".1", "1.2", " ", "a ",
            " a", "a b", "1 ", " 1", "1 2", String(repeating: "a", count: 64),
        ]
    )

    @Test(arguments: Self.dns1035Labels)
    func dns1035Label(_ c: Case) {
        #expect(Validation.isDNS1035Label(c.value).isEmpty == c.valid)
    }

    // Upstream's TestIsQualifiedName.
    static let qualifiedNames = Self.cases(
        good: [
            "simple", "now-with-dashes", "1-starts-with-num", "1234", "simple/simple", "now-with-dashes/simple",
            "now-with-dashes/now-with-dashes", "now.with.dots/simple", "now-with.dashes-and.dots/simple",
            "1-num.2-num/3-num", "1234/5678", "1.2.3.4/5678", "Uppercase_Is_OK_123", "example.com/Uppercase_Is_OK_123",
            "requests.storage-foo", String(repeating: "a", count: 63),
            String(repeating: "a", count: 253) + "/" + String(repeating: "b", count: 63),
        ],
        bad: [
            "nospecialchars%^=@", "cantendwithadash-", "-cantstartwithadash-", "only/one/slash", "Example.com/abc",
            "example_com/abc", "example.com/", "/simple", String(repeating: "a", count: 64),
            String(repeating: "a", count: 254) + "/abc", "",
        ]
    )

    @Test(arguments: Self.qualifiedNames)
    func qualifiedName(_ c: Case) {
        #expect(Validation.isQualifiedName(c.value).isEmpty == c.valid)
    }

    // Upstream's TestIsValidLabelValue.
    static let labelValues = Self.cases(
        good: [
            "simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234",
            String(repeating: "a", count: 63),
            "",
        ],
        bad: [
            "nospecialchars%^=@", "Tama-nui-te-rā.is.Māori.sun", "\\backslashes\\are\\bad", "-starts-with-dash",
            "ends-with-dash-", ".starts.with.dot", "ends.with.dot.", String(repeating: "a", count: 64),
        ]
    )

    @Test(arguments: Self.labelValues)
    func labelValue(_ c: Case) {
        #expect(Validation.isValidLabelValue(c.value).isEmpty == c.valid)
    }

    // Upstream's TestIsCIdentifier.
    static let cIdentifiers = Self.cases(
        good: [
            "a", "ab", "abc", "a1", "_a", "a_", "a_b", "a_1", "a__1__2__b", "__abc_123", "A", "AB", "AbC", "A1", "_A",
            "A_", "A_B", "A_1", "A__1__2__B", "__123_ABC",
        ],
        bad: [
            "", "1", "123", "1a", "-", "a-", "-a", "1-", "-1", "1_", "1_2", ".", "a.", ".a", "a.b", "1.", ".1", "1.2",
            " ", "a ", " a", "a b", "1 ", " 1", "1 2", "#a#",
        ]
    )

    @Test(arguments: Self.cIdentifiers)
    func cIdentifier(_ c: Case) {
        #expect(Validation.isCIdentifier(c.value).isEmpty == c.valid)
    }

    // Upstream's TestIsValidPortName.
    static let portNames = Self.cases(
        good: ["telnet", "re-mail-ck", "pop3", "a", "a-1", "1-a", "a-1-b-2-c", "1-a-2-b-3"],
        bad: [
            "longerthan15characters", "", String(repeating: "a", count: 16), "12345", "1-2-3-4", "-begin", "end-",
            "two--hyphens", "whois++",
        ]
    )

    @Test(arguments: Self.portNames)
    func portName(_ c: Case) {
        #expect(Validation.isValidPortName(c.value).isEmpty == c.valid)
    }

    @Test(arguments: [(1, true), (2, true), (1000, true), (65535, true), (0, false), (-1, false), (65536, false)])
    func portNumber(_ port: Int, _ valid: Bool) {
        #expect(Validation.isValidPortNum(port).isEmpty == valid)
    }

    static let configMapKeys = Self.cases(
        good: ["a", "key.name", "KEY_NAME", "key-name", ".dotfile", "a..b", String(repeating: "a", count: 253)],
        bad: ["", ".", "..", "..a", "a b", "a/b", "a:b", String(repeating: "a", count: 254)]
    )

    @Test(arguments: Self.configMapKeys)
    func configMapKey(_ c: Case) {
        #expect(Validation.isConfigMapKey(c.value).isEmpty == c.valid)
    }

    struct MessageCase: Sendable, CustomTestStringConvertible {
        var check: @Sendable (String) -> [String]
        var name: String
        var value: String
        var messages: [String]
        var testDescription: String { "\(self.name)(\"\(self.value.prefix(20))\")" }
    }

    @Test(arguments: [
        MessageCase(
            check: Validation.isDNS1123Label,
            name: "isDNS1123Label",
            value: "A",
            messages: [
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
                    + "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                    + "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
            ]
        ),
        MessageCase(
            check: Validation.isDNS1123Label,
            name: "isDNS1123Label",
            value: "a.b",
            messages: [
                "must not contain dots"
            ]
        ),
        MessageCase(
            check: Validation.isDNS1123Label,
            name: "isDNS1123Label",
            value: String(repeating: "a", count: 64),
            messages: ["must be no more than 63 characters"]
        ),
        MessageCase(
            check: Validation.isDNS1123Subdomain,
            name: "isDNS1123Subdomain",
            value: "Foo",
            messages: [
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
                    + "must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                    + "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
            ]
        ),
        MessageCase(
            check: Validation.isDNS1035Label,
            name: "isDNS1035Label",
            value: "1a",
            messages: [
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
                    + "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used "
                    + "for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
            ]
        ),
        MessageCase(
            check: Validation.isQualifiedName,
            name: "isQualifiedName",
            value: "example.com/",
            messages: [
                "name part must be non-empty",
                "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                    + "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
                    + "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            ]
        ),
        MessageCase(
            check: Validation.isQualifiedName,
            name: "isQualifiedName",
            value: "/simple",
            messages: ["prefix part must be non-empty"]
        ),
        MessageCase(
            check: Validation.isQualifiedName,
            name: "isQualifiedName",
            value: "Example.com/abc",
            messages: [
                "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                    + "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                    + "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
            ]
        ),
        MessageCase(
            check: Validation.isQualifiedName,
            name: "isQualifiedName",
            value: "only/one/slash",
            messages: [
                "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                    + "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                    + "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix "
                    + "and '/' (e.g. 'example.com/MyName')"
            ]
        ),
        MessageCase(
            check: Validation.isValidLabelValue,
            name: "isValidLabelValue",
            value: "-bad",
            messages: [
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
                    + "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
                    + "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
            ]
        ),
        MessageCase(
            check: Validation.isValidPortName,
            name: "isValidPortName",
            value: "-",
            messages: ["must contain at least one letter (a-z)", "must not begin or end with a hyphen"]
        ),
    ])
    func messagesAreWordedAsUpstream(_ c: MessageCase) {
        #expect(c.check(c.value) == c.messages)
    }

    @Test func annotationSizeLimitIs256KiB() {
        let key = "a"
        #expect(Validation.validateAnnotationsSize([key: String(repeating: "x", count: 262_143)]) == nil)
        #expect(
            Validation.validateAnnotationsSize([key: String(repeating: "x", count: 262_144)])
                == "annotations size 262145 is larger than limit 262144"
        )
        #expect(Validation.validateAnnotationsSize([:]) == nil)
    }
}
