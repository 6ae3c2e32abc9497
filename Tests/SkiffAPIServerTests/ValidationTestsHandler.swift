import Foundation
import SkiffAPIMachinery
import SkiffAPIServer
import Testing

/// Validation through the real handler: the 422 Status bodies byte for byte as upstream writes them.
@Suite struct ValidationHandlerTests {
    @Test func podWithoutNameAndImageIsInvalid() async throws {
        try await withTestHandler { client in
            let reply = await client.request(
                "POST",
                "/api/v1/namespaces/default/pods",
                body: #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{"containers":[{}]}}"#
            )
            #expect(reply.status == 422)
            #expect(
                reply.text
                    == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Pod \"x\" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]","reason":"Invalid","details":{"name":"x","kind":"Pod","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers[0].name"},{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers[0].image"}]},"code":422}"#
                    + "\n"
            )
        }
    }

    @Test func oneProblemIsNotBracketed() async throws {
        try await withTestHandler { client in
            let reply = await client.request(
                "POST",
                "/apis/apps/v1/namespaces/default/deployments",
                body: #"{"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"api"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}"#
            )
            #expect(reply.status == 422)
            #expect(
                reply.text
                    == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`","reason":"Invalid","details":{"name":"web","group":"apps","kind":"Deployment","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`","field":"spec.template.metadata.labels"}]},"code":422}"#
                    + "\n"
            )
        }
    }

    @Test func selectorUpdateIsRejected() async throws {
        try await withTestHandler { client in
            let created = await client.request(
                "POST",
                "/apis/apps/v1/namespaces/default/deployments",
                body: #"{"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}"#
            )
            #expect(created.status == 201, "\(created.text)")
            let patched = await client.request(
                "PATCH",
                "/apis/apps/v1/namespaces/default/deployments/web",
                body: #"{"spec":{"selector":{"matchLabels":{"app":"api"}},"template":{"metadata":{"labels":{"app":"api"}}}}}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(patched.status == 422)
            #expect(
                patched.text
                    == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Deployment.apps \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"api\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable","reason":"Invalid","details":{"name":"web","group":"apps","kind":"Deployment","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"api\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable","field":"spec.selector"}]},"code":422}"#
                    + "\n"
            )
        }
    }

    @Test func configMapTooLargeAndBadKeys() async throws {
        try await withTestHandler { client in
            let big = String(repeating: "x", count: 1024 * 1024 + 1)
            let reply = await client.request(
                "POST",
                "/api/v1/namespaces/default/configmaps",
                body: #"{"metadata":{"name":"c"},"data":{"a b":"1","big":"\#(big)"}}"#
            )
            #expect(reply.status == 422)
            let causes = reply.json["details"]?["causes"]?.arrayValue ?? []
            #expect(causes.count == 2)
            #expect(causes.first?["field"] == "data[a b]")
            #expect(causes.last?["field"] == "")
            #expect(causes.last?["reason"] == "FieldValueTooLong")
            #expect(causes.last?["message"] == "Too long: may not be more than 1048576 bytes")
            #expect(reply.json["message"]?.stringValue?.hasSuffix(", : Too long: may not be more than 1048576 bytes]") == true)
        }
    }

    @Test func podSpecUpdateIsForbiddenButImageMayChange() async throws {
        try await withTestHandler { client in
            let created = await client.request(
                "POST",
                "/api/v1/namespaces/default/pods",
                body: #"{"metadata":{"name":"p"},"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}"#
            )
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json["status"]?["qosClass"] == "BestEffort")
            let image = await client.request(
                "PATCH",
                "/api/v1/namespaces/default/pods/p",
                body: #"{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}"#,
                contentType: "application/strategic-merge-patch+json"
            )
            #expect(image.status == 200, "\(image.text)")
            let forbidden = await client.request(
                "PATCH",
                "/api/v1/namespaces/default/pods/p",
                body: #"{"spec":{"restartPolicy":"Never"}}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(forbidden.status == 422)
            #expect(forbidden.json["details"]?["causes"]?.arrayValue?.first?["field"] == "spec")
            #expect(
                forbidden.json["message"]?.stringValue?.hasPrefix(
                    #"Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`"#
                ) == true
            )
        }
    }

    @Test func bindingStillAssignsANode() async throws {
        try await withTestHandler { client in
            let created = await client.request(
                "POST",
                "/api/v1/namespaces/default/pods",
                body: #"{"metadata":{"name":"b"},"spec":{"containers":[{"name":"web","image":"nginx"}]}}"#
            )
            #expect(created.status == 201, "\(created.text)")
            let bound = await client.request(
                "POST",
                "/api/v1/namespaces/default/pods/b/binding",
                body: #"{"metadata":{"name":"b"},"target":{"kind":"Node","name":"n1"}}"#
            )
            #expect(bound.status == 201, "\(bound.text)")
        }
    }
}
