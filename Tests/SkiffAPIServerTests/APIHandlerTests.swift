import Foundation
import SkiffAPIMachinery
import SkiffAPIServer
import Testing

@Suite struct APIHandlerTests {
    @Test func versionReportsMinor32() async throws {
        try await withTestHandler { client in
            let reply = await client.request("GET", "/version")
            #expect(reply.status == 200)
            #expect(reply.json["major"] == "1")
            #expect(reply.json["minor"] == "32")
            #expect(reply.json["gitVersion"]?.stringValue?.hasPrefix("v1.32.") == true)
        }
    }

    @Test func bootstrapCreatesSystemNamespacesAndKubernetesService() async throws {
        try await withTestHandler { client in
            let namespaces = await client.request("GET", "/api/v1/namespaces")
            #expect(namespaces.status == 200)
            let names = namespaces.json["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
            #expect(Set(names) == ["default", "kube-system", "kube-public", "kube-node-lease"])
            let service = await client.request("GET", "/api/v1/namespaces/default/services/kubernetes")
            #expect(service.status == 200)
            #expect(service.json["spec"]?["clusterIP"] == "10.43.0.1")
        }
    }

    @Test func createGetUpdateDeleteConfigMap() async throws {
        try await withTestHandler { client in
            let created = await client.request(
                "POST",
                "/api/v1/namespaces/default/configmaps",
                body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c1","labels":{"app":"x"}},"data":{"a":"1"}}"#
            )
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json["metadata"]?["uid"]?.stringValue?.count == 36)
            let rv = created.json["metadata"]?["resourceVersion"]?.stringValue ?? ""
            #expect(Int(rv) != nil)

            let duplicate = await client.request(
                "POST",
                "/api/v1/namespaces/default/configmaps",
                body: #"{"metadata":{"name":"c1"}}"#
            )
            #expect(duplicate.status == 409)
            #expect(
                duplicate.text
                    == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"c1\" already exists","reason":"AlreadyExists","details":{"name":"c1","kind":"configmaps"},"code":409}"#
                    + "\n"
            )

            let got = await client.request("GET", "/api/v1/namespaces/default/configmaps/c1")
            #expect(got.json["data"]?["a"] == "1")
            #expect(got.json["metadata"]?["resourceVersion"]?.stringValue == rv)

            let stale = await client.request(
                "PUT",
                "/api/v1/namespaces/default/configmaps/c1",
                body: #"{"metadata":{"name":"c1","resourceVersion":"1"},"data":{"a":"2"}}"#
            )
            #expect(stale.status == 409)
            #expect(stale.json["reason"] == "Conflict")

            let updated = await client.request(
                "PUT",
                "/api/v1/namespaces/default/configmaps/c1",
                body: #"{"metadata":{"name":"c1","resourceVersion":"\#(rv)","labels":{"app":"x"}},"data":{"a":"2"}}"#
            )
            #expect(updated.status == 200, "\(updated.text)")
            #expect(updated.json["data"]?["a"] == "2")
            #expect(updated.json["metadata"]?["uid"] == created.json["metadata"]?["uid"])

            let patched = await client.request(
                "PATCH",
                "/api/v1/namespaces/default/configmaps/c1",
                body: #"{"metadata":{"labels":{"b":"y"}}}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(patched.status == 200, "\(patched.text)")
            #expect(patched.json["metadata"]?["labels"]?["b"] == "y")
            #expect(patched.json["metadata"]?["labels"]?["app"] == "x")

            let deleted = await client.request("DELETE", "/api/v1/namespaces/default/configmaps/c1")
            #expect(deleted.status == 200)
            #expect(deleted.json["status"] == "Success")
            #expect(deleted.json["details"]?["kind"] == "configmaps")
            let gone = await client.request("GET", "/api/v1/namespaces/default/configmaps/c1")
            #expect(gone.status == 404)
            #expect(gone.json["message"] == #"configmaps "c1" not found"#)
        }
    }

    @Test func listWithSelectorsAndPaging() async throws {
        try await withTestHandler { client in
            var lastVersion = ""
            for index in 0..<7 {
                let reply = await client.request(
                    "POST",
                    "/api/v1/namespaces/default/pods",
                    body: #"{"metadata":{"name":"p\#(index)","labels":{"tier":"\#(index % 2 == 0 ? "even" : "odd")"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}"#
                )
                #expect(reply.status == 201, "\(reply.text)")
                #expect(reply.json["status"]?["phase"] == "Pending")
                lastVersion = reply.json["metadata"]?["resourceVersion"]?.stringValue ?? ""
            }
            let even = await client.request("GET", "/api/v1/namespaces/default/pods?labelSelector=tier%3Deven")
            #expect(even.json["items"]?.arrayValue?.count == 4)
            #expect(even.json["kind"] == "PodList")

            var names: [String] = []
            var token = ""
            repeat {
                let page = await client.request(
                    "GET",
                    "/api/v1/pods?limit=3" + (token.isEmpty ? "" : "&continue=\(token)")
                )
                #expect(page.status == 200, "\(page.text)")
                names += page.json["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
                token = page.json["metadata"]?["continue"]?.stringValue ?? ""
                token = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token
            } while !token.isEmpty
            #expect(names == (0..<7).map { "p\($0)" })

            let badField = await client.request("GET", "/api/v1/pods?fieldSelector=spec.foo%3Dbar")
            #expect(badField.status == 400)
            #expect(badField.json["message"] == "field label not supported: spec.foo")

            let cached = await client.request("GET", "/api/v1/namespaces/default/pods?resourceVersion=\(lastVersion)&resourceVersionMatch=NotOlderThan&fieldSelector=metadata.name%3Dp3")
            #expect(cached.json["items"]?.arrayValue?.count == 1)
        }
    }

    @Test func watchReplaysFromResourceVersionAndFiltersBySelector() async throws {
        try await withTestHandler { client in
            let list = await client.request("GET", "/api/v1/namespaces/default/configmaps")
            let rv = list.json["metadata"]?["resourceVersion"]?.stringValue ?? "0"
            await client.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"w1","labels":{"a":"1"}}}"#)
            await client.request(
                "PATCH",
                "/api/v1/namespaces/default/configmaps/w1",
                body: #"{"data":{"k":"v"}}"#,
                contentType: "application/merge-patch+json"
            )
            await client.request(
                "PATCH",
                "/api/v1/namespaces/default/configmaps/w1",
                body: #"{"metadata":{"labels":{"a":null}}}"#,
                contentType: "application/merge-patch+json"
            )
            let lines = try await client.watchLines(
                "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(rv)&labelSelector=a%3D1",
                count: 3
            )
            #expect(lines.map { $0["type"]?.stringValue ?? "" } == ["ADDED", "MODIFIED", "DELETED"])
        }
    }

    @Test func tableOutputHasUpstreamColumns() async throws {
        try await withTestHandler { client in
            let reply = await client.request(
                "GET",
                "/api/v1/namespaces",
                accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
            )
            #expect(reply.header("Content-Type") == "application/json;as=Table;v=v1;g=meta.k8s.io")
            let columns = reply.json["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            #expect(columns == ["Name", "Status", "Age"])
            #expect(reply.json["rows"]?.arrayValue?.first?["object"]?["kind"] == "PartialObjectMetadata")
        }
    }

    @Test func discoveryBothForms() async throws {
        try await withTestHandler { client in
            let aggregated = await client.request(
                "GET",
                "/apis",
                accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
            )
            #expect(aggregated.header("Content-Type") == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
            #expect(aggregated.json["kind"] == "APIGroupDiscoveryList")
            let legacy = await client.request("GET", "/api/v1")
            let entries = legacy.json["resources"]?.arrayValue ?? []
            let eviction = entries.first { $0["name"] == "pods/eviction" }
            #expect(eviction?["group"] == "policy")
            #expect(eviction?["version"] == "v1")
            let pods = entries.first { $0["name"] == "pods" }
            #expect(pods?["categories"] == ["all"])
            let missing = await client.request("GET", "/apis/nothing.example/v1/foos")
            #expect(missing.status == 404)
        }
    }

    @Test func metricsCountRequestsByVerbResourceAndCode() async throws {
        try await withTestHandler { client in
            await client.request("GET", "/api/v1/namespaces/default/configmaps")
            await client.request("GET", "/api/v1/namespaces/default/configmaps/missing")
            let metrics = await client.request("GET", "/metrics")
            #expect(metrics.status == 200)
            let text = metrics.text
            #expect(text.contains("apiserver_request_total{"))
            #expect(text.contains(#"verb="LIST""#) && text.contains(#"resource="configmaps""#))
            #expect(text.contains(#"code="404""#))
            #expect(text.contains("apiserver_request_duration_seconds_bucket"))
            #expect(text.contains("etcd_request_duration_seconds_bucket"))
        }
    }

    @Test func yamlAndUnknownFieldValidation() async throws {
        try await withTestHandler { client in
            let yaml = await client.request(
                "POST",
                "/api/v1/namespaces/default/configmaps",
                body: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y1\ndata:\n  n: \"1\"\n",
                contentType: "application/yaml"
            )
            #expect(yaml.status == 201, "\(yaml.text)")
            let strict = await client.request(
                "POST",
                "/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
                body: #"{"metadata":{"name":"y2"},"dataa":{}}"#
            )
            #expect(strict.status == 400)
            #expect(
                strict.json["message"]
                    == #"ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dataa""#
            )
            let warn = await client.request(
                "POST",
                "/api/v1/namespaces/default/configmaps",
                body: #"{"metadata":{"name":"y3"},"dataa":{}}"#
            )
            #expect(warn.status == 201)
            #expect(warn.header("Warning") == #"299 - "unknown field \"dataa\"""#)
            let unsupported = await client.request(
                "POST",
                "/api/v1/namespaces/default/configmaps",
                body: "x",
                contentType: "text/plain"
            )
            #expect(unsupported.status == 415)
            let wrongType = await client.request(
                "POST",
                "/apis/apps/v1/namespaces/default/deployments",
                body: #"{"metadata":{"name":"d"},"spec":{"replicas":"3"}}"#
            )
            #expect(wrongType.status == 400)
            let missingNamespace = await client.request(
                "POST",
                "/api/v1/namespaces/nope/configmaps",
                body: #"{"metadata":{"name":"z"}}"#
            )
            #expect(missingNamespace.status == 404)
            #expect(missingNamespace.json["message"] == #"namespaces "nope" not found"#)
        }
    }
}
