import SkiffAPI
import SkiffAPIMachinery
import Testing

/// RFC 7386 JSON merge patch, checked against the examples of the RFC's appendix A and the shapes kubectl sends.
struct JSONMergePatchTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var document: String
        var patch: String
        var expected: String
        var testDescription: String { "\(self.document) + \(self.patch)" }
    }

    /// RFC 7386, appendix A, in order.
    static let rfcExamples: [Case] = [
        Case(document: #"{"a":"b"}"#, patch: #"{"a":"c"}"#, expected: #"{"a":"c"}"#),
        Case(document: #"{"a":"b"}"#, patch: #"{"b":"c"}"#, expected: #"{"a":"b","b":"c"}"#),
        Case(document: #"{"a":"b"}"#, patch: #"{"a":null}"#, expected: #"{}"#),
        Case(document: #"{"a":"b","b":"c"}"#, patch: #"{"a":null}"#, expected: #"{"b":"c"}"#),
        Case(document: #"{"a":["b"]}"#, patch: #"{"a":"c"}"#, expected: #"{"a":"c"}"#),
        Case(document: #"{"a":"c"}"#, patch: #"{"a":["b"]}"#, expected: #"{"a":["b"]}"#),
        Case(document: #"{"a":{"b":"c"}}"#, patch: #"{"a":{"b":"d","c":null}}"#, expected: #"{"a":{"b":"d"}}"#),
        Case(document: #"{"a":[{"b":"c"}]}"#, patch: #"{"a":[1]}"#, expected: #"{"a":[1]}"#),
        Case(document: #"["a","b"]"#, patch: #"["c","d"]"#, expected: #"["c","d"]"#),
        Case(document: #"{"a":"b"}"#, patch: #"["c"]"#, expected: #"["c"]"#),
        Case(document: #"{"a":"foo"}"#, patch: #"null"#, expected: #"null"#),
        Case(document: #"{"a":"foo"}"#, patch: #""bar""#, expected: #""bar""#),
        Case(document: #"{"e":null}"#, patch: #"{"a":1}"#, expected: #"{"e":null,"a":1}"#),
        Case(document: #"[1,2]"#, patch: #"{"a":"b","c":null}"#, expected: #"{"a":"b"}"#),
        Case(document: #"{}"#, patch: #"{"a":{"bb":{"ccc":null}}}"#, expected: #"{"a":{"bb":{}}}"#),
    ]

    @Test(arguments: Self.rfcExamples)
    func appliesTheRFCExamples(_ c: Case) throws {
        let result = try JSONMergePatch.apply(PatchTestSupport.json(c.patch), to: PatchTestSupport.json(c.document))
        #expect(result == PatchTestSupport.json(c.expected), "got \(PatchTestSupport.text(result))")
    }

    static let kubectlPatches: [Case] = [
        // kubectl label / annotate
        Case(
            document: #"{"metadata":{"name":"p","labels":{"app":"web","tier":"fe"}},"spec":{"x":1}}"#,
            patch: #"{"metadata":{"labels":{"tier":null,"env":"prod"}}}"#,
            expected: #"{"metadata":{"name":"p","labels":{"app":"web","env":"prod"}},"spec":{"x":1}}"#
        ),
        // kubectl scale on the scale subresource
        Case(
            document: #"{"kind":"Scale","spec":{"replicas":1},"status":{"replicas":1}}"#,
            patch: #"{"spec":{"replicas":5}}"#,
            expected: #"{"kind":"Scale","spec":{"replicas":5},"status":{"replicas":1}}"#
        ),
        // lists are replaced wholesale, even lists of named objects
        Case(
            document: #"{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}"#,
            patch: #"{"spec":{"containers":[{"name":"b","image":"b:2"}]}}"#,
            expected: #"{"spec":{"containers":[{"name":"b","image":"b:2"}]}}"#
        ),
    ]

    @Test(arguments: Self.kubectlPatches)
    func appliesKubectlMergePatches(_ c: Case) throws {
        let result = try JSONMergePatch.apply(PatchTestSupport.json(c.patch), to: PatchTestSupport.json(c.document))
        #expect(result == PatchTestSupport.json(c.expected), "got \(PatchTestSupport.text(result))")
    }

    @Test func keepsTheOrderOfExistingMembersAndAppendsNewOnes() throws {
        let result = try JSONMergePatch.apply(
            PatchTestSupport.json(#"{"z":1,"b":{"y":2}}"#),
            to: PatchTestSupport.json(#"{"a":1,"b":{"x":1},"c":3}"#)
        )
        #expect(result.objectValue?.keys == ["a", "b", "c", "z"])
        #expect(result["b"]?.objectValue?.keys == ["x", "y"])
    }
}
