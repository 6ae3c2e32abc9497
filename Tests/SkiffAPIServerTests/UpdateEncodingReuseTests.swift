import Foundation
import SkiffAPI
import SkiffAPIMachinery
@testable import SkiffAPIServer
import Testing

/// An update whose rules leave the encoded object as it was stores that encoding: the same bytes as the general path.
struct UpdateEncodingReuseTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var plural: String
        var group: String = ""
        var version: String = "v1"
        var old: String
        var new: String
        var subresource: String? = nil
        /// Whether the new object carries the old object's status as stored.
        var sendsOldStatus = false
        /// Whether the update rules leave the encoded object as it is (so the write reuses it).
        var reused: Bool
        var testDescription: String { self.name }
    }

    static let pod =
        #"{"metadata":{"name":"p","labels":{"a":"b"}},"spec":{"containers":[{"name":"web","image":"nginx:1.26","resources":{"requests":{"cpu":"100m","memory":"1Gi"}}}]}}"#
    static let deployment =
        #"{"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}"#

    static let cases: [Case] = [
        Case(
            name: "an update sending the old status again",
            plural: "pods",
            old: Self.pod,
            new: #"{"metadata":{"name":"p","labels":{"a":"c"}},"spec":{"containers":[{"name":"web","image":"nginx:1.27","resources":{"requests":{"cpu":"100m","memory":"1Gi"}}}]}}"#,
            sendsOldStatus: true,
            reused: true
        ),
        Case(
            name: "an update sending another status",
            plural: "pods",
            old: Self.pod,
            new: #"{"metadata":{"name":"p"},"spec":{"containers":[{"name":"web","image":"nginx:1.27","resources":{"requests":{"cpu":"100m","memory":"1Gi"}}}]},"status":{"phase":"Running"}}"#,
            reused: false
        ),
        Case(
            name: "a status write",
            plural: "pods",
            old: Self.pod,
            new: #"{"metadata":{"name":"p"},"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]},"status":{"phase":"Running"}}"#,
            subresource: "status",
            reused: false
        ),
        Case(
            name: "a status write that changes only the status",
            plural: "pods",
            old: Self.pod,
            new: #"{"metadata":{"name":"p","labels":{"a":"b"}},"spec":{"containers":[{"name":"web","image":"nginx:1.26","resources":{"requests":{"cpu":"100m","memory":"1Gi"}}}]},"status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable"}]}}"#,
            subresource: "status",
            reused: true
        ),
        Case(
            name: "a ConfigMap without status",
            plural: "configmaps",
            old: #"{"metadata":{"name":"c"},"data":{"a":"1"}}"#,
            new: #"{"metadata":{"name":"c","annotations":{"x":"y"}},"data":{"a":"2","b":"3"}}"#,
            reused: true
        ),
        Case(
            name: "a Deployment whose spec changes bumps its generation",
            plural: "deployments",
            group: "apps",
            old: Self.deployment,
            new: #"{"metadata":{"name":"d"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}"#,
            reused: false
        ),
        Case(
            name: "a Deployment whose labels change keeps its generation",
            plural: "deployments",
            group: "apps",
            old: Self.deployment,
            new: #"{"metadata":{"name":"d","labels":{"x":"y"}},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}"#,
            reused: true
        ),
    ]

    /// The returned JSON is the prepared object's canonical JSON, byte for byte what the general path (decode the
    /// edited JSON, encode the result) stores; `nil` exactly when the rules edited the object.
    @Test(arguments: Self.cases)
    func preparedJSONIsWhatTheGeneralPathStores(_ c: Case) throws {
        let resource = try #require(ResourceRegistry.builtIn.resource(group: c.group, version: c.version, plural: c.plural))
        func decode(_ manifest: String) throws -> any APIObject { try decodeTestObject(manifest, as: resource) }
        var old = try decode(c.old)
        try ResourceStrategy.prepareForCreate(&old, resource: resource, now: Date(timeIntervalSince1970: 1_800_000_000))
        old.metadata.resourceVersion = "0"
        let oldJSON = try ObjectCodec.encode(old, as: resource)
        var newManifest = try JSONValue.parse(Array(c.new.utf8))
        if c.sendsOldStatus, case .object(var members) = newManifest {
            members["status"] = oldJSON["status"]
            newManifest = .object(members)
        }
        var new = try decode(String(decoding: newManifest.serialized(), as: UTF8.self))
        let prepared = try ResourceStrategy.prepareForUpdate(
            &new,
            old: old,
            oldJSON: oldJSON,
            resource: resource,
            subresource: c.subresource,
            now: Date()
        )
        #expect((prepared != nil) == c.reused)
        let stored = try ObjectCodec.encode(new, as: resource).serialized()
        if let prepared {
            #expect(prepared.serialized() == stored)
            let generalPath = try ObjectCodec.encode(ObjectCodec.decode(prepared, as: resource).object, as: resource)
            #expect(generalPath.serialized() == stored)
        }
    }
}
