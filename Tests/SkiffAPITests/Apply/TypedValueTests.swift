import SkiffAPIMachinery
import Testing

@testable import SkiffAPI

/// The typed operations behind server-side apply, checked against their definitions.
struct TypedValueTests {
    static let deployment = ApplyType.definition("io.k8s.api.apps.v1.Deployment")

    static func json(_ text: String) -> JSONValue { PatchTestSupport.json(text) }

    static func set(_ text: String) throws -> FieldSet { try FieldSet(fieldsV1: Self.json(text)) }

    struct PruneCase: Sendable, CustomTestStringConvertible {
        var name: String
        var last: String
        var value: String
        var owners: [String]
        var testDescription: String { self.name }
    }

    static let pruneCases: [PruneCase] = [
        PruneCase(
            name: "a leaf nobody applies any more",
            last: #"{"f:spec":{"f:replicas":{},"f:paused":{}}}"#,
            value: #"{"spec":{"replicas":3,"paused":true}}"#,
            owners: [#"{"f:spec":{"f:paused":{}}}"#]
        ),
        PruneCase(
            name: "a list item and a map entry, one still owned below a struct",
            last:
                #"{"f:metadata":{"f:labels":{"f:a":{},"f:b":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"x\"}":{".":{},"f:image":{},"f:name":{}},"k:{\"name\":\"y\"}":{".":{},"f:name":{}}}}}}}"#,
            value:
                #"{"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"template":{"spec":{"containers":[{"name":"x","image":"i"},{"name":"y"}]}}}}"#,
            owners: [
                #"{"f:metadata":{"f:labels":{"f:b":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"x\"}":{"f:image":{}}}}}}}"#
            ]
        ),
        PruneCase(
            name: "a struct nobody owns anything below",
            last: #"{"f:spec":{"f:strategy":{"f:rollingUpdate":{"f:maxSurge":{}}},"f:replicas":{}}}"#,
            value: #"{"spec":{"replicas":1,"strategy":{"rollingUpdate":{"maxSurge":1}}}}"#,
            owners: [#"{"f:spec":{"f:replicas":{}}}"#]
        ),
        PruneCase(
            name: "paths the object no longer has",
            last: #"{"f:spec":{"f:minReadySeconds":{},"f:template":{"f:spec":{"f:hostname":{}}}}}"#,
            value: #"{"spec":{"template":{"spec":{"containers":[]}}}}"#,
            owners: []
        ),
        PruneCase(
            name: "a struct whose only content is an empty list",
            last: #"{"f:spec":{"f:template":{"f:spec":{"f:containers":{}}}}}"#,
            value: #"{"spec":{"template":{"spec":{"containers":[]}}}}"#,
            owners: [#"{"f:metadata":{"f:name":{}}}"#]
        ),
    ]

    /// `prunable` walks only the last applied set, and equals upstream's formula over whole sets:
    /// `E(last) ∩ E(fieldSet(value)) − E(∪ owners)`.
    @Test(arguments: Self.pruneCases)
    func prunableEqualsTheSetFormula(_ c: PruneCase) throws {
        let last = try Self.set(c.last)
        let value = Self.json(c.value)
        let owners = try c.owners.map { try Self.set($0) }
        let type = Self.deployment
        var owned = FieldSet()
        for owner in owners { owned.formUnion(owner) }
        let expected = TypedValue.ensuringNamedFieldsAreMembers(last, type: type)
            .intersection(TypedValue.ensuringNamedFieldsAreMembers(try TypedValue.fieldSet(value, type: type), type: type))
            .subtracting(TypedValue.ensuringNamedFieldsAreMembers(owned, type: type))
        let pruned = TypedValue.prunable(last: last, value: value, owners: owners, type: type)
        #expect(pruned == expected, "\(PatchTestSupport.text(pruned.fieldsV1)) vs \(PatchTestSupport.text(expected.fieldsV1))")
    }

    /// A merge that changes nothing keeps the live value's storage, so that comparing it with the live object is
    /// free; one that changes a leaf shares every untouched subtree.
    @Test
    func mergeKeepsTheLiveStorageOfWhatItLeavesUnchanged() {
        let live = Self.json(
            #"{"metadata":{"name":"d","labels":{"a":"1"}},"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}}"#
        )
        let same = TypedValue.merge(live, Self.json(#"{"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}}"#), type: Self.deployment)
        #expect(TypedValue.isIdentical(same, live))
        let changed = TypedValue.merge(live, Self.json(#"{"spec":{"replicas":3}}"#), type: Self.deployment)
        #expect(!TypedValue.isIdentical(changed, live))
        #expect(TypedValue.isIdentical(changed["metadata"]!, live["metadata"]!))
        #expect(TypedValue.isIdentical(changed["spec"]!["template"]!, live["spec"]!["template"]!))
        #expect(changed["spec"]?["replicas"] == 3)
        #expect(TypedValue.compare(live, changed, type: Self.deployment).modified == FieldSet([FieldSetPath(fields: "spec", "replicas")]))
    }
}
