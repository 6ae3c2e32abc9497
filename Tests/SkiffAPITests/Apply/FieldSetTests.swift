import SkiffAPI
import SkiffAPIMachinery
import Testing

/// Field sets and their FieldsV1 encoding, after structured-merge-diff's `fieldpath` tests.
struct FieldSetTests {
    static func set(_ fieldsV1: String) throws -> FieldSet { try FieldSet(fieldsV1: PatchTestSupport.json(fieldsV1)) }

    static let canonicalDocuments: [String] = [
        #"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{}}}"#,
        #"{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}}}}"#,
        #"{"f:spec":{"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{},"f:protocol":{}}}}}"#,
        #"{"f:metadata":{"f:finalizers":{".":{},"v:\"a\"":{},"v:\"b\"":{}}}}"#,
        #"{"f:a":{},"f:b":{"i:0":{},"i:1":{}}}"#,
    ]

    @Test(arguments: Self.canonicalDocuments)
    func fieldsV1RoundTripsCanonicalDocuments(_ document: String) throws {
        let decoded = try Self.set(document)
        #expect(PatchTestSupport.text(decoded.fieldsV1) == document)
    }

    @Test
    func encodesInUpstreamOrderWhateverTheInsertionOrder() {
        var set = FieldSet()
        set.insert(FieldSetPath([.field("spec"), .field("ports"), .key(ListKey([("protocol", "TCP"), ("port", 80)])), .field("port")]))
        set.insert(FieldSetPath(fields: "spec", "replicas"))
        set.insert(FieldSetPath([.field("spec"), .field("ports"), .key(ListKey([("port", 80), ("protocol", "TCP")]))]))
        set.insert(FieldSetPath(fields: "metadata", "labels", "b"))
        set.insert(FieldSetPath(fields: "metadata", "labels", "a"))
        set.insert(FieldSetPath(fields: "metadata", "labels"))
        #expect(
            PatchTestSupport.text(set.fieldsV1)
                == #"{"f:metadata":{"f:labels":{".":{},"f:a":{},"f:b":{}}},"f:spec":{"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{}}},"f:replicas":{}}}"#
        )
    }

    @Test
    func printsPathsAsUpstreamMessagesDo() {
        let path = FieldSetPath([
            .field("spec"), .field("template"), .field("spec"), .field("containers"), .key(ListKey([("name", "nginx")])),
            .field("image"),
        ])
        #expect(path.description == #".spec.template.spec.containers[name="nginx"].image"#)
        #expect(FieldSetPath([.field("finalizers"), .value("a")]).description == #".finalizers[="a"]"#)
        #expect(FieldSetPath([.field("args"), .index(2)]).description == ".args[2]")
        #expect(
            FieldSetPath([.field("ports"), .key(ListKey([("protocol", "TCP"), ("containerPort", 80)]))]).description
                == #".ports[containerPort=80,protocol="TCP"]"#
        )
    }

    struct OperationCase: Sendable, CustomTestStringConvertible {
        var lhs: String
        var rhs: String
        var union: String
        var intersection: String
        var difference: String
        var recursiveDifference: String
        var testDescription: String { "\(self.lhs) ∘ \(self.rhs)" }
    }

    static let operations: [OperationCase] = [
        OperationCase(
            lhs: #"{"f:a":{},"f:b":{}}"#,
            rhs: #"{"f:b":{},"f:c":{}}"#,
            union: #"{"f:a":{},"f:b":{},"f:c":{}}"#,
            intersection: #"{"f:b":{}}"#,
            difference: #"{"f:a":{}}"#,
            recursiveDifference: #"{"f:a":{}}"#
        ),
        // A member of rhs removes lhs's children only in the recursive difference.
        OperationCase(
            lhs: #"{"f:spec":{"f:replicas":{},"f:paused":{}}}"#,
            rhs: #"{"f:spec":{}}"#,
            union: #"{"f:spec":{".":{},"f:paused":{},"f:replicas":{}}}"#,
            intersection: #"{}"#,
            difference: #"{"f:spec":{"f:paused":{},"f:replicas":{}}}"#,
            recursiveDifference: #"{}"#
        ),
        OperationCase(
            lhs: #"{"f:spec":{".":{},"f:replicas":{}}}"#,
            rhs: #"{"f:spec":{"f:replicas":{}}}"#,
            union: #"{"f:spec":{".":{},"f:replicas":{}}}"#,
            intersection: #"{"f:spec":{"f:replicas":{}}}"#,
            difference: #"{"f:spec":{}}"#,
            recursiveDifference: #"{"f:spec":{}}"#
        ),
    ]

    @Test(arguments: Self.operations)
    func setOperations(_ c: OperationCase) throws {
        let lhs = try Self.set(c.lhs)
        let rhs = try Self.set(c.rhs)
        #expect(PatchTestSupport.text(lhs.union(rhs).fieldsV1) == c.union)
        #expect(PatchTestSupport.text(lhs.intersection(rhs).fieldsV1) == c.intersection)
        #expect(PatchTestSupport.text(lhs.subtracting(rhs).fieldsV1) == c.difference)
        #expect(PatchTestSupport.text(lhs.recursivelySubtracting(rhs).fieldsV1) == c.recursiveDifference)
    }

    @Test
    func containsAndPaths() throws {
        let set = try Self.set(#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{}}}"#)
        #expect(set.contains(FieldSetPath(fields: "metadata", "labels")))
        #expect(set.contains(FieldSetPath(fields: "metadata", "labels", "app")))
        #expect(!set.contains(FieldSetPath(fields: "metadata")))
        #expect(set.paths.map(\.description) == [".metadata.labels", ".metadata.labels.app", ".spec.replicas"])
        #expect(set.count == 3)
    }

    @Test(arguments: [#"{"x:a":{}}"#, #"{"f:a":1}"#, #"{"k:notjson":{}}"#, #"[]"#])
    func rejectsMalformedDocuments(_ document: String) {
        #expect(throws: FieldSetError.self) { try Self.set(document) }
    }
}
