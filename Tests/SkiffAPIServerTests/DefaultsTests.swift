import Foundation
import SkiffAPIMachinery
import SkiffAPIServer
import Testing

@Suite struct DefaultsTests {
    @Test func servicesGetDefaultsAndAUniqueClusterIP() async throws {
        try await withTestHandler { client in
            var addresses: Set<String> = []
            for index in 0..<5 {
                let reply = await client.request(
                    "POST",
                    "/api/v1/namespaces/default/services",
                    body: #"{"metadata":{"name":"s\#(index)"},"spec":{"selector":{"app":"x"},"ports":[{"port":80}]}}"#
                )
                #expect(reply.status == 201, "\(reply.text)")
                let spec = reply.json["spec"]
                #expect(spec?["type"] == "ClusterIP")
                #expect(spec?["sessionAffinity"] == "None")
                #expect(spec?["ports"]?.arrayValue?.first?["protocol"] == "TCP")
                #expect(spec?["ports"]?.arrayValue?.first?["targetPort"] == 80)
                let address = spec?["clusterIP"]?.stringValue ?? ""
                #expect(address.hasPrefix("10.43."), "\(address)")
                #expect(spec?["clusterIPs"] == [.string(address)])
                addresses.insert(address)
            }
            #expect(addresses.count == 5)
            let taken = addresses.first!
            let clash = await client.request(
                "POST",
                "/api/v1/namespaces/default/services",
                body: #"{"metadata":{"name":"clash"},"spec":{"clusterIP":"\#(taken)","ports":[{"port":80}]}}"#
            )
            #expect(clash.status == 422)
            #expect(clash.json["message"]?.stringValue?.contains("provided IP is already allocated") == true)
            let outside = await client.request(
                "POST",
                "/api/v1/namespaces/default/services",
                body: #"{"metadata":{"name":"outside"},"spec":{"clusterIP":"192.168.1.1","ports":[{"port":80}]}}"#
            )
            #expect(outside.status == 422)
            let headless = await client.request(
                "POST",
                "/api/v1/namespaces/default/services",
                body: #"{"metadata":{"name":"headless"},"spec":{"clusterIP":"None","ports":[{"port":80}]}}"#
            )
            #expect(headless.json["spec"]?["clusterIP"] == "None")
            // Deleting releases the address: it can be requested again.
            let service = await client.request("GET", "/api/v1/namespaces/default/services/s0")
            let released = service.json["spec"]?["clusterIP"]?.stringValue ?? ""
            await client.request("DELETE", "/api/v1/namespaces/default/services/s0")
            let reused = await client.request(
                "POST",
                "/api/v1/namespaces/default/services",
                body: #"{"metadata":{"name":"again"},"spec":{"clusterIP":"\#(released)","ports":[{"port":80}]}}"#
            )
            #expect(reused.status == 201, "\(reused.text)")
        }
    }

    @Test func workloadsSecretsAndNamespacesGetUpstreamDefaults() async throws {
        try await withTestHandler { client in
            let deployment = await client.request(
                "POST",
                "/apis/apps/v1/namespaces/default/deployments",
                body: #"{"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80}]}]}}}}"#
            )
            let spec = deployment.json["spec"]
            #expect(spec?["replicas"] == 1)
            #expect(spec?["strategy"]?["type"] == "RollingUpdate")
            #expect(spec?["strategy"]?["rollingUpdate"]?["maxSurge"] == "25%")
            #expect(spec?["revisionHistoryLimit"] == 10)
            #expect(spec?["progressDeadlineSeconds"] == 600)
            let pod = spec?["template"]?["spec"]
            #expect(pod?["restartPolicy"] == "Always")
            #expect(pod?["dnsPolicy"] == "ClusterFirst")
            #expect(pod?["terminationGracePeriodSeconds"] == 30)
            #expect(pod?["schedulerName"] == "default-scheduler")
            #expect(pod?["containers"]?.arrayValue?.first?["imagePullPolicy"] == "Always")
            #expect(pod?["containers"]?.arrayValue?.first?["ports"]?.arrayValue?.first?["protocol"] == "TCP")
            #expect(pod?["containers"]?.arrayValue?.first?["terminationMessagePath"] == "/dev/termination-log")

            let secret = await client.request(
                "POST",
                "/api/v1/namespaces/default/secrets",
                body: #"{"metadata":{"name":"s"},"stringData":{"user":"admin"}}"#
            )
            #expect(secret.json["type"] == "Opaque")
            #expect(secret.json["data"]?["user"] == "YWRtaW4=")
            #expect(secret.json["stringData"] == nil)

            let namespace = await client.request("POST", "/api/v1/namespaces", body: #"{"metadata":{"name":"n1"}}"#)
            #expect(namespace.json["metadata"]?["labels"]?["kubernetes.io/metadata.name"] == "n1")
        }
    }
}
