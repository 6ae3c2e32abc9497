import SkiffAPIMachinery
import Testing

struct ObjectNameValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var messages: [String]
        var testDescription: String { "\"\(self.name)\"" }
    }

    // Upstream's TestValidatePathSegmentName.
    @Test(arguments: [
        Case(name: "foo", messages: []),
        Case(name: ".", messages: ["may not be '.'"]),
        Case(name: "..", messages: ["may not be '..'"]),
        Case(name: "...", messages: []),
        Case(name: "a/b", messages: ["may not contain '/'"]),
        Case(name: "a%b", messages: ["may not contain '%'"]),
        Case(name: "/%", messages: ["may not contain '/'", "may not contain '%'"]),
    ])
    func pathSegmentNames(_ c: Case) {
        #expect(Validation.isValidPathSegmentName(c.name) == c.messages)
    }

    @Test(arguments: [
        (".", true), ("..", true), ("a/", false), ("a%", false),
    ])
    func pathSegmentPrefixes(_ name: String, _ valid: Bool) {
        #expect(Validation.isValidPathSegmentPrefix(name).isEmpty == valid)
    }

    @Test(arguments: [
        ("web-", true, true), ("web-", false, false), ("web", true, true), ("-", true, false), ("a-", true, true),
        ("Web-", true, false), ("web.", true, false),
    ])
    func generateNamePrefixesMayEndInADash(_ name: String, _ prefix: Bool, _ valid: Bool) {
        #expect(Validation.nameIsDNSSubdomain(name, prefix: prefix).isEmpty == valid)
        #expect(Validation.nameIsDNSLabel(name, prefix: prefix).isEmpty == valid)
    }

    @Test func dns1035NamePrefixes() {
        #expect(Validation.nameIsDNS1035Label("svc-", prefix: true).isEmpty)
        #expect(!Validation.nameIsDNS1035Label("1svc-", prefix: true).isEmpty)
    }

    // Upstream's TestIsWildcardDNS1123Subdomain.
    @Test(arguments: [
        ("*.example.com", true), ("*.bar.com", true), ("*.foo.bar.com", true), ("*.foo", true), ("*.1", true),
        ("*", false), ("*.", false), ("*.-foo", false), ("*.foo-", false), ("example.com", false), ("*.Foo", false),
        ("a.*.com", false), ("**.foo", false),
    ])
    func wildcardSubdomains(_ value: String, _ valid: Bool) {
        #expect(Validation.isWildcardDNS1123Subdomain(value).isEmpty == valid)
    }

    @Test func rangesAndIDs() {
        #expect(Validation.isInRange(5, 5, 20).isEmpty)
        #expect(Validation.isInRange(1, 2, 10) == ["must be between 2 and 10, inclusive"])
        #expect(Validation.isValidUserID(2_147_483_647).isEmpty)
        #expect(Validation.isValidUserID(-1) == ["must be between 0 and 2147483647, inclusive"])
        #expect(Validation.isValidGroupID(2_147_483_648) == ["must be between 0 and 2147483647, inclusive"])
    }
}
