import SkiffAPI
import SkiffAPIMachinery
import Testing

/// RFC 6902 JSON patch, checked against the examples of the RFC's appendix A, kubectl's `--type=json` patches and
/// evanphx/json-patch's error messages.
struct JSONPatchTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var document: String
        var patch: String
        var outcome: PatchOutcome
        var testDescription: String { self.name }
    }

    /// RFC 6902, appendix A (A.13, a patch with a repeated member, is a JSON parsing matter and is left out).
    static let rfcExamples: [Case] = [
        Case(
            name: "A.1 adding an object member",
            document: #"{"foo":"bar"}"#,
            patch: #"[{"op":"add","path":"/baz","value":"qux"}]"#,
            outcome: .document(#"{"baz":"qux","foo":"bar"}"#)
        ),
        Case(
            name: "A.2 adding an array element",
            document: #"{"foo":["bar","baz"]}"#,
            patch: #"[{"op":"add","path":"/foo/1","value":"qux"}]"#,
            outcome: .document(#"{"foo":["bar","qux","baz"]}"#)
        ),
        Case(
            name: "A.3 removing an object member",
            document: #"{"baz":"qux","foo":"bar"}"#,
            patch: #"[{"op":"remove","path":"/baz"}]"#,
            outcome: .document(#"{"foo":"bar"}"#)
        ),
        Case(
            name: "A.4 removing an array element",
            document: #"{"foo":["bar","qux","baz"]}"#,
            patch: #"[{"op":"remove","path":"/foo/1"}]"#,
            outcome: .document(#"{"foo":["bar","baz"]}"#)
        ),
        Case(
            name: "A.5 replacing a value",
            document: #"{"baz":"qux","foo":"bar"}"#,
            patch: #"[{"op":"replace","path":"/baz","value":"boo"}]"#,
            outcome: .document(#"{"baz":"boo","foo":"bar"}"#)
        ),
        Case(
            name: "A.6 moving a value",
            document: #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
            patch: #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
            outcome: .document(#"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#)
        ),
        Case(
            name: "A.7 moving an array element",
            document: #"{"foo":["all","grass","cows","eat"]}"#,
            patch: #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#,
            outcome: .document(#"{"foo":["all","cows","eat","grass"]}"#)
        ),
        Case(
            name: "A.8 testing a value: success",
            document: #"{"baz":"qux","foo":["a",2,"c"]}"#,
            patch: #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
            outcome: .document(#"{"baz":"qux","foo":["a",2,"c"]}"#)
        ),
        Case(
            name: "A.9 testing a value: error",
            document: #"{"baz":"qux"}"#,
            patch: #"[{"op":"test","path":"/baz","value":"bar"}]"#,
            outcome: .failure(.testFailed, message: "testing value /baz failed: test failed")
        ),
        Case(
            name: "A.10 adding a nested member object",
            document: #"{"foo":"bar"}"#,
            patch: #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#,
            outcome: .document(#"{"foo":"bar","child":{"grandchild":{}}}"#)
        ),
        Case(
            name: "A.11 ignoring unrecognized elements",
            document: #"{"foo":"bar"}"#,
            patch: #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#,
            outcome: .document(#"{"foo":"bar","baz":"qux"}"#)
        ),
        Case(
            name: "A.12 adding to a nonexistent target",
            document: #"{"foo":"bar"}"#,
            patch: #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#,
            outcome: .failure(
                .pathNotFound,
                message: #"add operation does not apply: doc is missing path: "/baz/bat": missing value"#
            )
        ),
        Case(
            name: "A.14 ~ escape ordering",
            document: #"{"/":9,"~1":10}"#,
            patch: #"[{"op":"test","path":"/~01","value":10}]"#,
            outcome: .document(#"{"/":9,"~1":10}"#)
        ),
        Case(
            name: "A.15 comparing strings and numbers",
            document: #"{"/":9,"~1":10}"#,
            patch: #"[{"op":"test","path":"/~01","value":"10"}]"#,
            outcome: .failure(.testFailed)
        ),
        Case(
            name: "A.16 adding an array value",
            document: #"{"foo":["bar"]}"#,
            patch: #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#,
            outcome: .document(#"{"foo":["bar",["abc","def"]]}"#)
        ),
    ]

    /// What `kubectl patch --type=json`, admission webhooks and the Python client send, and their failures.
    static let kubernetesCases: [Case] = [
        Case(
            name: "replace replicas",
            document: #"{"spec":{"replicas":1,"paused":false}}"#,
            patch: #"[{"op":"replace","path":"/spec/replicas","value":3}]"#,
            outcome: .document(#"{"spec":{"replicas":3,"paused":false}}"#)
        ),
        Case(
            name: "add a label whose key holds a slash",
            document: #"{"metadata":{"labels":{"a":"b"}}}"#,
            patch: #"[{"op":"add","path":"/metadata/labels/app.kubernetes.io~1name","value":"web"}]"#,
            outcome: .document(#"{"metadata":{"labels":{"a":"b","app.kubernetes.io/name":"web"}}}"#)
        ),
        Case(
            name: "append a container and set its image",
            document: #"{"spec":{"containers":[{"name":"a","image":"a:1"}]}}"#,
            patch: #"""
                [{"op":"add","path":"/spec/containers/-","value":{"name":"b","image":"b:1"}},
                 {"op":"replace","path":"/spec/containers/1/image","value":"b:2"}]
                """#,
            outcome: .document(#"{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:2"}]}}"#)
        ),
        Case(
            name: "copy then remove",
            document: #"{"metadata":{"labels":{"a":"1"}},"spec":{}}"#,
            patch: #"""
                [{"op":"copy","from":"/metadata/labels","path":"/spec/selector"},
                 {"op":"remove","path":"/metadata/labels/a"}]
                """#,
            outcome: .document(#"{"metadata":{"labels":{}},"spec":{"selector":{"a":"1"}}}"#)
        ),
        Case(
            name: "test compares numbers by value and objects regardless of member order",
            document: #"{"spec":{"replicas":3,"selector":{"a":"1","b":"2"}}}"#,
            patch: #"""
                [{"op":"test","path":"/spec/replicas","value":3.0},
                 {"op":"test","path":"/spec/selector","value":{"b":"2","a":"1"}}]
                """#,
            outcome: .document(#"{"spec":{"replicas":3,"selector":{"a":"1","b":"2"}}}"#)
        ),
        Case(
            name: "the empty path replaces the whole document",
            document: #"{"a":1}"#,
            patch: #"[{"op":"replace","path":"","value":{"b":2}}]"#,
            outcome: .document(#"{"b":2}"#)
        ),
        Case(
            name: "a failed test aborts the whole patch",
            document: #"{"spec":{"x":1}}"#,
            patch: #"[{"op":"replace","path":"/spec/x","value":2},{"op":"test","path":"/spec/x","value":1}]"#,
            outcome: .failure(.testFailed, message: "testing value /spec/x failed: test failed")
        ),
        Case(
            name: "testing a missing member fails",
            document: #"{"spec":{}}"#,
            patch: #"[{"op":"test","path":"/spec/x","value":null}]"#,
            outcome: .failure(.testFailed)
        ),
        Case(
            name: "replace of a missing member",
            document: #"{"spec":{"bar":1}}"#,
            patch: #"[{"op":"replace","path":"/spec/foo","value":1}]"#,
            outcome: .failure(
                .pathNotFound,
                message: "replace operation does not apply: doc is missing key: /spec/foo: missing value"
            )
        ),
        Case(
            name: "replace under a missing parent",
            document: #"{"spec":{}}"#,
            patch: #"[{"op":"replace","path":"/status/phase","value":"Running"}]"#,
            outcome: .failure(
                .pathNotFound,
                message: "replace operation does not apply: doc is missing path: /status/phase: missing value"
            )
        ),
        Case(
            name: "remove of a missing member",
            document: #"{"metadata":{"labels":{}}}"#,
            patch: #"[{"op":"remove","path":"/metadata/labels/app"}]"#,
            outcome: .failure(
                .pathNotFound,
                message: "error in remove for path: '/metadata/labels/app': Unable to remove nonexistent key: app: "
                    + "missing value"
            )
        ),
        Case(
            name: "add past the end of an array",
            document: #"{"foo":[1,2]}"#,
            patch: #"[{"op":"add","path":"/foo/3","value":3}]"#,
            outcome: .failure(.invalidIndex)
        ),
        Case(
            name: "an index with a leading zero",
            document: #"{"foo":[1,2]}"#,
            patch: #"[{"op":"remove","path":"/foo/01"}]"#,
            outcome: .failure(.invalidIndex)
        ),
        Case(
            name: "move from a missing path",
            document: #"{"a":{}}"#,
            patch: #"[{"op":"move","from":"/a/b","path":"/c"}]"#,
            outcome: .failure(.pathNotFound)
        ),
        Case(
            name: "move into its own child",
            document: #"{"a":{"b":{}}}"#,
            patch: #"[{"op":"move","from":"/a","path":"/a/b/c"}]"#,
            outcome: .failure(.invalidPatch)
        ),
        Case(
            name: "copy to a missing destination",
            document: #"{"a":1}"#,
            patch: #"[{"op":"copy","from":"/a","path":"/x/y"}]"#,
            outcome: .failure(
                .pathNotFound,
                message: "copy operation does not apply: doc is missing destination path: /x/y: missing value"
            )
        ),
        Case(
            name: "an unknown operation",
            document: #"{}"#,
            patch: #"[{"op":"frob","path":"/a"}]"#,
            outcome: .failure(.invalidPatch, message: "Unexpected kind: frob")
        ),
        Case(
            name: "an operation without op",
            document: #"{}"#,
            patch: #"[{"path":"/a","value":1}]"#,
            outcome: .failure(.invalidPatch, message: "Unexpected kind: unknown")
        ),
        Case(
            name: "add without a value",
            document: #"{}"#,
            patch: #"[{"op":"add","path":"/a"}]"#,
            outcome: .failure(.invalidPatch)
        ),
        Case(
            name: "a patch that is not a list",
            document: #"{}"#,
            patch: #"{"op":"add","path":"/a","value":1}"#,
            outcome: .failure(
                .invalidPatch,
                message: "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
            )
        ),
        Case(
            name: "a pointer without a leading slash",
            document: #"{"a":1}"#,
            patch: #"[{"op":"remove","path":"a"}]"#,
            outcome: .failure(.invalidPointer)
        ),
        Case(
            name: "a pointer with a bad escape",
            document: #"{"a":1}"#,
            patch: #"[{"op":"remove","path":"/a~2"}]"#,
            outcome: .failure(.invalidPointer)
        ),
    ]

    @Test(arguments: Self.rfcExamples + Self.kubernetesCases)
    func appliesOperationsInOrder(_ c: Case) {
        let document = PatchTestSupport.json(c.document)
        let patch = PatchTestSupport.json(c.patch)
        switch c.outcome {
        case .document(let expected):
            do {
                let result = try JSONPatch.apply(patch, to: document)
                #expect(result == PatchTestSupport.json(expected), "got \(PatchTestSupport.text(result))")
            } catch {
                Issue.record("unexpected error: \(error)")
            }
        case .failure(let code, let message):
            do {
                let result = try JSONPatch.apply(patch, to: document)
                Issue.record("expected \(code), got \(PatchTestSupport.text(result))")
            } catch {
                #expect(error.code == code, "\(error)")
                if let message { #expect(error.message == message) }
            }
        }
    }
}
