import Foundation
import Logging
import SkiffAPIMachinery
@testable import SkiffAPIServer
import SkiffStorage
import Synchronization
import Testing

/// The `scale` subresource's writes: managedFields on the parent object and what admission sees
/// (↔ apimachinery's `ScaleHandler` and the scale REST storage).
struct ScaleSubresourceTests {
    static let deployments = "/apis/apps/v1/namespaces/default/deployments"
    static let deployment =
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":2,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}"#

    static func entry(_ object: JSONValue, manager: String) -> JSONValue? {
        object["metadata"]?["managedFields"]?.arrayValue?.first { $0["manager"]?.stringValue == manager }
    }

    static func fields(_ object: JSONValue, manager: String) -> String? {
        Self.entry(object, manager: manager)?["fieldsV1"].map { String(decoding: $0.serialized(), as: UTF8.self) }
    }

    @Test
    func aScaleWriteRecordsItsManagerWithSubresourceScale() async throws {
        try await withTestHandler { client in
            let created = await client.request("POST", Self.deployments + "?fieldManager=creator", body: Self.deployment)
            #expect(created.status == 201, "\(created.text)")
            #expect(Self.fields(created.json, manager: "creator")?.contains(#""f:replicas":{}"#) == true)
            let scaled = await client.request(
                "PATCH",
                Self.deployments + "/d/scale?fieldManager=scaler",
                body: #"{"spec":{"replicas":5}}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(scaled.status == 200, "\(scaled.text)")
            let parent = await client.request("GET", Self.deployments + "/d")
            let entry = Self.entry(parent.json, manager: "scaler")
            #expect(entry?["operation"] == "Update")
            #expect(entry?["apiVersion"] == "apps/v1")
            #expect(entry?["subresource"] == "scale")
            #expect(entry?["time"]?.stringValue?.hasSuffix("Z") == true)
            #expect(Self.fields(parent.json, manager: "scaler") == #"{"f:spec":{"f:replicas":{}}}"#)
            // The field moved: the creator no longer owns it.
            #expect(Self.fields(parent.json, manager: "creator")?.contains("f:replicas") == false)
            // An applier now conflicts with the scaler, named as upstream names a subresource's manager.
            let applied = await client.request(
                "PATCH",
                Self.deployments + "/d?fieldManager=applier",
                body: #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":3}}"#,
                contentType: "application/apply-patch+yaml"
            )
            #expect(applied.status == 409, "\(applied.text)")
            #expect(
                applied.json["message"]
                    == #"Apply failed with 1 conflict: conflict with "scaler" with subresource "scale" using apps/v1: .spec.replicas"#
            )
        }
    }

    @Test
    func aScaleWriteOfTheSameReplicasChangesNoOwnership() async throws {
        try await withTestHandler { client in
            let created = await client.request("POST", Self.deployments + "?fieldManager=creator", body: Self.deployment)
            #expect(created.status == 201, "\(created.text)")
            let scaled = await client.request(
                "PUT",
                Self.deployments + "/d/scale?fieldManager=scaler",
                body: #"{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"d","namespace":"default"},"spec":{"replicas":2}}"#
            )
            #expect(scaled.status == 200, "\(scaled.text)")
            let parent = await client.request("GET", Self.deployments + "/d")
            #expect(Self.entry(parent.json, manager: "scaler") == nil)
            #expect(parent.json["metadata"]?["managedFields"] == created.json["metadata"]?["managedFields"])
            #expect(parent.json["metadata"]?["resourceVersion"] == created.json["metadata"]?["resourceVersion"])
        }
    }

    @Test(arguments: ["PUT", "PATCH"])
    func admissionSeesTheScaleSubresourceAndTheUser(method: String) async throws {
        let storage = InMemoryStorage()
        let handler = APIHandler(
            configuration: APIServerConfiguration(),
            storage: storage,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let recorder = AdmissionRecorder()
        let served = try #require(handler.store(group: "apps", version: "v1", resource: "deployments")).resource
        let store = ResourceStore(resource: served, storage: storage, clock: { Date() }, admission: AdmissionChain([recorder]))
        let alice = UserInfo(name: "alice", groups: ["system:authenticated"])
        _ = try await handler.create(
            APIRequest(
                method: "POST",
                path: Self.deployments,
                query: "",
                headers: [("Content-Type", "application/json")],
                body: Array(Self.deployment.utf8),
                user: alice
            ),
            store: store,
            namespace: "default",
            query: QueryParameters(""),
            format: .json
        )
        let path = Self.deployments + "/d/scale"
        let body =
            method == "PUT"
            ? #"{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"d"},"spec":{"replicas":4}}"#
            : #"{"spec":{"replicas":4}}"#
        let request = APIRequest(
            method: method,
            path: path,
            query: "",
            headers: [("Content-Type", method == "PUT" ? "application/json" : "application/merge-patch+json")],
            body: Array(body.utf8),
            user: alice
        )
        let response = try await handler.handleSubresource(
            request,
            info: RequestInfo(method: method, path: path, isWatch: false),
            store: store,
            namespace: "default",
            subresource: "scale",
            query: QueryParameters("")
        )
        #expect(response.status == 200)
        let seen = recorder.seen
        #expect(seen.map(\.operation) == ["CREATE", "UPDATE"])
        #expect(seen.map(\.subresource) == ["", "scale"])
        #expect(seen.map(\.user) == ["alice", "alice"])
    }
}

/// Writes through the handler reach admission as the requesting user.
struct RequestUserTests {
    static let configMaps = "/api/v1/namespaces/default/configmaps"

    @Test
    func createUpdatePatchAndDeletePassTheRequestUserToAdmission() async throws {
        let storage = InMemoryStorage()
        let handler = APIHandler(
            configuration: APIServerConfiguration(),
            storage: storage,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let recorder = AdmissionRecorder()
        let served = try #require(handler.store(group: "", version: "v1", resource: "configmaps")).resource
        let store = ResourceStore(resource: served, storage: storage, clock: { Date() }, admission: AdmissionChain([recorder]))
        let bob = UserInfo(name: "bob", groups: ["system:authenticated"])
        func request(_ method: String, _ path: String, _ body: String, _ contentType: String = "application/json") -> APIRequest {
            APIRequest(
                method: method,
                path: path,
                query: "",
                headers: [("Content-Type", contentType)],
                body: Array(body.utf8),
                user: bob
            )
        }
        let query = QueryParameters("")
        _ = try await handler.create(
            request("POST", Self.configMaps, #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}}"#),
            store: store,
            namespace: "default",
            query: query,
            format: .json
        )
        _ = try await handler.update(
            request("PUT", Self.configMaps + "/c", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"w"}}"#),
            store: store,
            namespace: "default",
            name: "c",
            subresource: nil,
            query: query,
            format: .json
        )
        _ = try await handler.patch(
            request("PATCH", Self.configMaps + "/c", #"{"data":{"k":"x"}}"#, "application/merge-patch+json"),
            store: store,
            namespace: "default",
            name: "c",
            subresource: nil,
            query: query,
            format: .json
        )
        _ = try await handler.delete(
            request("DELETE", Self.configMaps + "/c", ""),
            store: store,
            namespace: "default",
            name: "c",
            query: query,
            format: .json
        )
        let seen = recorder.seen
        #expect(seen.map(\.operation) == ["CREATE", "UPDATE", "UPDATE", "DELETE"])
        #expect(seen.map(\.user) == ["bob", "bob", "bob", "bob"])
    }
}

/// A mutating admission plugin that records what it is shown.
final class AdmissionRecorder: MutatingAdmissionPlugin {
    struct Seen: Sendable {
        var operation: String
        var subresource: String
        var user: String?
    }

    let name = "Recorder"
    private let calls = Mutex<[Seen]>([])

    var seen: [Seen] { self.calls.withLock { $0 } }

    func admit(_ attributes: inout AdmissionAttributes) async throws {
        let seen = Seen(
            operation: attributes.operation.rawValue,
            subresource: attributes.subresource,
            user: attributes.user?.name
        )
        self.calls.withLock { $0.append(seen) }
    }
}
