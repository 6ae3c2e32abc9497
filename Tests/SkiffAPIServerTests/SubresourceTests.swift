import Foundation
import SkiffAPIMachinery
import SkiffAPIServer
import Testing

@Suite struct SubresourceTests {
    static let pod = #"{"metadata":{"name":"p","labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"i"}]}}"#

    @Test func bindingAssignsANodeOnce() async throws {
        try await withTestHandler { client in
            await client.request("POST", "/api/v1/namespaces/default/pods", body: Self.pod)
            let binding = #"{"apiVersion":"v1","kind":"Binding","metadata":{"name":"p"},"target":{"kind":"Node","name":"n1"}}"#
            let bound = await client.request("POST", "/api/v1/namespaces/default/pods/p/binding", body: binding)
            #expect(bound.status == 201, "\(bound.text)")
            #expect(bound.json["status"] == "Success")
            let pod = await client.request("GET", "/api/v1/namespaces/default/pods/p")
            #expect(pod.json["spec"]?["nodeName"] == "n1")
            let again = await client.request("POST", "/api/v1/namespaces/default/pods/p/binding", body: binding)
            #expect(again.status == 409)
            #expect(again.json["message"]?.stringValue?.contains(#"is already assigned to node "n1""#) == true)
        }
    }

    /// The binding edits the stored JSON; what it stores is what a typed write stores, in Go's member order, so a
    /// write of the object as read changes nothing.
    @Test func bindingStoresGoMemberOrderAndTheBindingsAnnotations() async throws {
        try await withTestHandler { client in
            let pod = #"{"metadata":{"name":"q","labels":{"app":"a"},"annotations":{"m":"1"}},"spec":{"containers":[{"name":"c","image":"i"}]}}"#
            #expect(await client.request("POST", "/api/v1/namespaces/default/pods", body: pod).status == 201)
            let binding =
                #"{"apiVersion":"v1","kind":"Binding","metadata":{"name":"q","annotations":{"z":"3","a":"2"}},"target":{"kind":"Node","name":"n1"}}"#
            let bound = await client.request("POST", "/api/v1/namespaces/default/pods/q/binding", body: binding)
            #expect(bound.status == 201, "\(bound.text)")
            let read = await client.request("GET", "/api/v1/namespaces/default/pods/q")
            #expect(read.json["spec"]?["nodeName"] == "n1")
            #expect(read.json["metadata"]?["annotations"]?.objectValue?.keys == ["a", "m", "z"])
            let scheduled = read.json["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "PodScheduled" }
            #expect(scheduled?["status"] == "True")
            #expect(scheduled?.objectValue?.keys == ["type", "status", "lastTransitionTime"])
            let spec = read.json["spec"]?.objectValue?.keys ?? []
            #expect(spec.firstIndex(of: "nodeName").map { $0 > spec.firstIndex(of: "serviceAccountName")! } == true)
            #expect(spec.firstIndex(of: "nodeName").map { $0 < spec.firstIndex(of: "securityContext")! } == true)
            let put = await client.request("PUT", "/api/v1/namespaces/default/pods/q", body: read.text)
            #expect(put.status == 200, "\(put.text)")
            #expect(put.json["metadata"]?["resourceVersion"] == read.json["metadata"]?["resourceVersion"])
        }
    }

    @Test func bindingHonoursItsUIDAndResourceVersionPreconditions() async throws {
        try await withTestHandler { client in
            let created = await client.request("POST", "/api/v1/namespaces/default/pods", body: Self.pod)
            let version = created.json["metadata"]?["resourceVersion"]?.stringValue ?? ""
            func bind(_ metadata: String) async -> Reply {
                await client.request(
                    "POST",
                    "/api/v1/namespaces/default/pods/p/binding",
                    body: #"{"apiVersion":"v1","kind":"Binding","metadata":{"name":"p",\#(metadata)},"target":{"kind":"Node","name":"n1"}}"#
                )
            }
            let stale = await bind(#""resourceVersion":"1""#)
            #expect(stale.status == 409)
            #expect(
                stale.json["message"]?.stringValue?.hasSuffix(
                    "Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: \(version)"
                ) == true
            )
            let otherUID = await bind(#""uid":"not-the-pod""#)
            #expect(otherUID.status == 409)
            #expect(otherUID.json["message"]?.stringValue?.contains("Precondition failed: UID in precondition: not-the-pod") == true)
            let current = await bind(#""resourceVersion":"\#(version)""#)
            #expect(current.status == 201, "\(current.text)")
        }
    }

    @Test func bindingRefusesAGatedPod() async throws {
        try await withTestHandler { client in
            let pod = #"{"metadata":{"name":"g"},"spec":{"schedulingGates":[{"name":"wait"}],"containers":[{"name":"c","image":"i"}]}}"#
            #expect(await client.request("POST", "/api/v1/namespaces/default/pods", body: pod).status == 201)
            let binding = #"{"apiVersion":"v1","kind":"Binding","metadata":{"name":"g"},"target":{"kind":"Node","name":"n1"}}"#
            let refused = await client.request("POST", "/api/v1/namespaces/default/pods/g/binding", body: binding)
            #expect(refused.status == 409)
            #expect(refused.json["message"]?.stringValue?.hasSuffix("pod g has non-empty .spec.schedulingGates") == true)
            #expect(await client.request("GET", "/api/v1/namespaces/default/pods/g").json["spec"]?["nodeName"] == nil)
        }
    }

    @Test func ephemeralContainersAreAddedOnlyThroughTheirSubresource() async throws {
        try await withTestHandler { client in
            await client.request("POST", "/api/v1/namespaces/default/pods", body: Self.pod)
            let path = "/api/v1/namespaces/default/pods/p/ephemeralcontainers"
            let added = await client.request(
                "PATCH",
                path,
                body: #"{"spec":{"ephemeralContainers":[{"name":"dbg","image":"busybox","targetContainerName":"c"}],"containers":[{"name":"c","image":"changed"}]}}"#,
                contentType: "application/strategic-merge-patch+json"
            )
            #expect(added.status == 200, "\(added.text)")
            #expect(added.json["spec"]?["ephemeralContainers"]?.arrayValue?.first?["name"] == "dbg")
            // Defaults apply; the rest of the write is ignored.
            #expect(added.json["spec"]?["ephemeralContainers"]?.arrayValue?.first?["imagePullPolicy"] == "Always")
            #expect(added.json["spec"]?["containers"]?.arrayValue?.first?["image"] == "i")
            let read = await client.request("GET", path)
            #expect(read.json["kind"] == "Pod")

            // The pod itself cannot add or change them.
            let direct = await client.request(
                "PATCH",
                "/api/v1/namespaces/default/pods/p",
                body: #"{"spec":{"ephemeralContainers":[{"name":"other","image":"busybox"}]}}"#,
                contentType: "application/strategic-merge-patch+json"
            )
            #expect(direct.status == 422, "\(direct.text)")
            // Existing ones stay as they are.
            let removed = await client.request(
                "PATCH",
                path,
                body: #"[{"op":"remove","path":"/spec/ephemeralContainers/0"}]"#,
                contentType: "application/json-patch+json"
            )
            #expect(removed.status == 422)
            #expect(
                removed.json["details"]?["causes"]?.arrayValue?.first?["message"]
                    == "Forbidden: existing ephemeral containers \"dbg\" may not be removed\n"
            )
            let duplicate = await client.request(
                "PATCH",
                path,
                body: #"{"spec":{"ephemeralContainers":[{"name":"c","image":"busybox"}]}}"#,
                contentType: "application/strategic-merge-patch+json"
            )
            #expect(duplicate.status == 422, "\(duplicate.text)")
        }
    }

    @Test func evictionHonoursDisruptionBudgets() async throws {
        try await withTestHandler { client in
            await client.request("POST", "/api/v1/namespaces/default/pods", body: Self.pod)
            await client.request(
                "POST",
                "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
                body: #"{"metadata":{"name":"b"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"a"}}}}"#
            )
            let eviction = #"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"p","namespace":"default"},"deleteOptions":{}}"#
            let blocked = await client.request("POST", "/api/v1/namespaces/default/pods/p/eviction", body: eviction)
            #expect(blocked.status == 429, "\(blocked.text)")
            #expect(blocked.json["message"] == "Cannot evict pod as it would violate the pod's disruption budget.")
            #expect(blocked.header("Retry-After") != nil)
            // The disruption controller would compute this; set it by hand.
            let status = await client.request(
                "PATCH",
                "/apis/policy/v1/namespaces/default/poddisruptionbudgets/b/status",
                body: #"{"status":{"disruptionsAllowed":1,"currentHealthy":1,"desiredHealthy":1,"expectedPods":1,"observedGeneration":1}}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(status.status == 200, "\(status.text)")
            let allowed = await client.request("POST", "/api/v1/namespaces/default/pods/p/eviction", body: eviction)
            #expect(allowed.status == 201, "\(allowed.text)")
            let gone = await client.request("GET", "/api/v1/namespaces/default/pods/p")
            #expect(gone.status == 404)
        }
    }

    @Test func scaleReadsAndWritesReplicas() async throws {
        try await withTestHandler { client in
            let created = await client.request(
                "POST",
                "/apis/apps/v1/namespaces/default/deployments",
                body: #"{"metadata":{"name":"d"},"spec":{"replicas":2,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}"#
            )
            #expect(created.status == 201, "\(created.text)")
            let scale = await client.request("GET", "/apis/apps/v1/namespaces/default/deployments/d/scale")
            #expect(scale.json["kind"] == "Scale")
            #expect(scale.json["spec"]?["replicas"] == 2)
            #expect(scale.json["status"]?["selector"] == "a=b")
            let patched = await client.request(
                "PATCH",
                "/apis/apps/v1/namespaces/default/deployments/d/scale",
                body: #"{"spec":{"replicas":5}}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(patched.json["spec"]?["replicas"] == 5, "\(patched.text)")
            let deployment = await client.request("GET", "/apis/apps/v1/namespaces/default/deployments/d")
            #expect(deployment.json["spec"]?["replicas"] == 5)
            #expect(deployment.json["metadata"]?["generation"] == 2)
        }
    }

    @Test func statusSubresourceChangesOnlyStatus() async throws {
        try await withTestHandler { client in
            await client.request("POST", "/api/v1/namespaces/default/pods", body: Self.pod)
            let main = await client.request(
                "PATCH",
                "/api/v1/namespaces/default/pods/p",
                body: #"{"status":{"phase":"Running"}}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(main.json["status"]?["phase"] == "Pending")
            let status = await client.request(
                "PATCH",
                "/api/v1/namespaces/default/pods/p/status",
                body: #"{"metadata":{"labels":{"x":"y"}},"status":{"phase":"Running"}}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(status.json["status"]?["phase"] == "Running", "\(status.text)")
            #expect(status.json["metadata"]?["labels"]?["x"] == nil)
        }
    }

    @Test func tokenRequestIssuesATokenThatAuthenticates() async throws {
        try await withTestHandler { client in
            await client.request("POST", "/api/v1/namespaces/default/serviceaccounts", body: #"{"metadata":{"name":"bot"}}"#)
            let reply = await client.request(
                "POST",
                "/api/v1/namespaces/default/serviceaccounts/bot/token",
                body: #"{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":3600}}"#
            )
            #expect(reply.status == 201, "\(reply.text)")
            let token = reply.json["status"]?["token"]?.stringValue ?? ""
            let user = client.handler.serviceAccountTokens?.authenticate(token)
            #expect(user?.name == "system:serviceaccount:default:bot")
            #expect(user?.groups.contains("system:serviceaccounts:default") == true)
            #expect(client.handler.serviceAccountTokens?.authenticate(token + "x") == nil)
            let tooShort = await client.request(
                "POST",
                "/api/v1/namespaces/default/serviceaccounts/bot/token",
                body: #"{"spec":{"expirationSeconds":60}}"#
            )
            #expect(tooShort.status == 422)
            let missing = await client.request("POST", "/api/v1/namespaces/default/serviceaccounts/nobody/token", body: "{}")
            #expect(missing.status == 404)
        }
    }
}
