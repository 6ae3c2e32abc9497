import SkiffAPIMachinery
import SkiffAPIServer
import Testing

/// managedFields on every write and server-side apply, through the real ``APIHandler``.
struct ApplyTests {
    static let apply = "application/apply-patch+yaml"
    static let configMaps = "/api/v1/namespaces/default/configmaps"
    static let deployments = "/apis/apps/v1/namespaces/default/deployments"

    static func deployment(replicas: Int, image: String = "nginx:1") -> String {
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":\#(replicas),"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"\#(image)"}]}}}}"#
    }

    static func managers(_ object: JSONValue) -> [String] {
        (object["metadata"]?["managedFields"]?.arrayValue ?? []).map {
            ($0["manager"]?.stringValue ?? "") + "/" + ($0["operation"]?.stringValue ?? "")
        }
    }

    static func fields(_ object: JSONValue, manager: String) -> String? {
        let entry = object["metadata"]?["managedFields"]?.arrayValue?.first { $0["manager"]?.stringValue == manager }
        return entry?["fieldsV1"].map { String(decoding: $0.serialized(), as: UTF8.self) }
    }

    @Test
    func createRecordsAnUpdateEntryForTheFieldManager() async throws {
        try await withTestHandler { client in
            let reply = await client.request(
                "POST",
                Self.configMaps + "?fieldManager=kubectl-create",
                body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"a":"b"}},"data":{"k":"v"}}"#
            )
            #expect(reply.status == 201)
            let entries = reply.json["metadata"]?["managedFields"]?.arrayValue ?? []
            #expect(entries.count == 1)
            let entry = entries.first ?? .null
            #expect(entry["manager"] == "kubectl-create")
            #expect(entry["operation"] == "Update")
            #expect(entry["apiVersion"] == "v1")
            #expect(entry["fieldsType"] == "FieldsV1")
            #expect(entry["time"]?.stringValue?.hasSuffix("Z") == true)
            #expect(entry["subresource"] == nil)
            #expect(
                Self.fields(reply.json, manager: "kubectl-create")
                    == #"{"f:data":{".":{},"f:k":{}},"f:metadata":{"f:labels":{".":{},"f:a":{}}}}"#
            )
        }
    }

    @Test
    func theManagerDefaultsToTheUserAgentProduct() async throws {
        try await withTestHandler { client in
            let response = await client.handler.handle(
                APIRequest(
                    method: "POST",
                    path: Self.configMaps,
                    query: "",
                    headers: [("Content-Type", "application/json"), ("User-Agent", "Python-urllib/3.12")],
                    body: Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ua"},"data":{"k":"v"}}"#.utf8),
                    user: TestClient.admin
                )
            )
            #expect(response.status == 201)
            let object = try JSONValue.parse(response.bodyBytes)
            #expect(Self.managers(object) == ["Python-urllib/Update"])
        }
    }

    @Test
    func updatesMoveOwnershipAndNoOpWritesKeepTheResourceVersion() async throws {
        try await withTestHandler { client in
            let created = await client.request(
                "POST",
                Self.configMaps + "?fieldManager=creator",
                body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"m"},"data":{"a":"1","b":"2"}}"#
            )
            #expect(created.status == 201)
            let patched = await client.request(
                "PATCH",
                Self.configMaps + "/m?fieldManager=editor",
                body: #"{"data":{"a":"changed"}}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(patched.status == 200)
            #expect(Self.managers(patched.json) == ["creator/Update", "editor/Update"] || Self.managers(patched.json) == ["editor/Update", "creator/Update"])
            #expect(Self.fields(patched.json, manager: "creator") == #"{"f:data":{".":{},"f:b":{}}}"#)
            #expect(Self.fields(patched.json, manager: "editor") == #"{"f:data":{"f:a":{}}}"#)
            // The same patch again changes nothing: same resourceVersion, same managedFields.
            let again = await client.request(
                "PATCH",
                Self.configMaps + "/m?fieldManager=editor",
                body: #"{"data":{"a":"changed"}}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(again.json["metadata"]?["managedFields"] == patched.json["metadata"]?["managedFields"])
            // Maps encode with sorted keys, as Go's do, so an unchanged object is the same bytes: no new revision.
            #expect(again.json["metadata"]?["resourceVersion"] == patched.json["metadata"]?["resourceVersion"])
            // A client may clear managedFields with [{}].
            let cleared = await client.request(
                "PATCH",
                Self.configMaps + "/m?fieldManager=editor",
                body: #"{"metadata":{"managedFields":[{}]}}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(cleared.status == 200)
            #expect(cleared.json["metadata"]?["managedFields"] == nil)
        }
    }

    @Test
    func applyCreatesThenConvergesWithoutNewRevisions() async throws {
        try await withTestHandler { client in
            let created = await client.request(
                "PATCH",
                Self.deployments + "/web?fieldManager=kubectl&force=false",
                body: Self.deployment(replicas: 2),
                contentType: Self.apply
            )
            #expect(created.status == 201, "\(created.text)")
            #expect(Self.managers(created.json) == ["kubectl/Apply"])
            #expect(created.json["spec"]?["strategy"]?["type"] == "RollingUpdate")  // defaults still apply
            let again = await client.request(
                "PATCH",
                Self.deployments + "/web?fieldManager=kubectl",
                body: Self.deployment(replicas: 2),
                contentType: Self.apply
            )
            #expect(again.status == 200)
            #expect(again.json["metadata"]?["resourceVersion"] == created.json["metadata"]?["resourceVersion"])
            // YAML bodies are accepted too; dropping the image tag change is a plain change by the owner.
            let yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  replicas: 3
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                      - name: nginx
                        image: nginx:2
                """
            let changed = await client.request("PATCH", Self.deployments + "/web?fieldManager=kubectl", body: yaml, contentType: Self.apply)
            #expect(changed.status == 200, "\(changed.text)")
            #expect(changed.json["spec"]?["replicas"] == 3)
            #expect(changed.json["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == "nginx:2")
        }
    }

    @Test
    func conflictsAnswerUpstreamsStatusAndForceTakesOwnership() async throws {
        try await withTestHandler { client in
            let created = await client.request(
                "POST",
                Self.deployments + "?fieldManager=kubectl-client-side-apply",
                body: Self.deployment(replicas: 1)
            )
            #expect(created.status == 201)
            let conflict = await client.request(
                "PATCH",
                Self.deployments + "/web?fieldManager=other",
                body: Self.deployment(replicas: 4),
                contentType: Self.apply
            )
            #expect(conflict.status == 409)
            #expect(
                conflict.text
                    == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas","reason":"Conflict","details":{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \"kubectl-client-side-apply\" using apps/v1","field":".spec.replicas"}]},"code":409}"#
                    + "\n"
            )
            let forced = await client.request(
                "PATCH",
                Self.deployments + "/web?fieldManager=other&force=true",
                body: Self.deployment(replicas: 4),
                contentType: Self.apply
            )
            #expect(forced.status == 200)
            #expect(forced.json["spec"]?["replicas"] == 4)
            #expect(Self.fields(forced.json, manager: "kubectl-client-side-apply")?.contains("f:replicas") == false)
            #expect(Self.fields(forced.json, manager: "other")?.contains("f:replicas") == true)
        }
    }

    struct BadApply: Sendable, CustomTestStringConvertible {
        var query: String
        var body: String
        var contentType: String
        var status: Int
        var message: String
        var testDescription: String { self.message }
    }

    static let badApplies: [BadApply] = [
        BadApply(
            query: "",
            body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}"#,
            contentType: ApplyTests.apply,
            status: 422,
            message: #"PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch"#
        ),
        BadApply(
            query: "?fieldManager=m&force=true",
            body: #"{"data":{"a":"b"}}"#,
            contentType: "application/merge-patch+json",
            status: 422,
            message: #"PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch"#
        ),
        BadApply(
            query: "?fieldManager=m",
            body: #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}"#,
            contentType: ApplyTests.apply,
            status: 400,
            message: "invalid object type: /v1, Kind=Secret"
        ),
        BadApply(
            query: "?fieldManager=m",
            body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","managedFields":[{"manager":"m"}]}}"#,
            contentType: ApplyTests.apply,
            status: 400,
            message: "metadata.managedFields must be nil"
        ),
    ]

    @Test(arguments: Self.badApplies)
    func rejectsBadApplies(_ c: BadApply) async throws {
        try await withTestHandler { client in
            let reply = await client.request("PATCH", Self.configMaps + "/x" + c.query, body: c.body, contentType: c.contentType)
            #expect(reply.status == c.status)
            #expect(reply.json["message"]?.stringValue == c.message)
        }
    }
}
