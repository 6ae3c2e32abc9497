import Foundation
import SkiffAPIMachinery
import SkiffAPIServer
import Testing

/// Service node ports and cluster IPs through the real handler on SQLite (ADR 0006).
struct NodePortAllocationTests {
    static func service(_ name: String, type: String = "NodePort", nodePort: Int? = nil, extra: String = "") -> String {
        let port = nodePort.map { #","nodePort":\#($0)"# } ?? ""
        return #"{"metadata":{"name":"\#(name)"},"spec":{"type":"\#(type)","selector":{"app":"x"},"ports":[{"port":80\#(port)}]\#(extra)}}"#
    }

    static func nodePort(_ reply: Reply) -> Int? {
        guard case .int(let port)? = reply.json["spec"]?["ports"]?.arrayValue?.first?["nodePort"] else { return nil }
        return Int(port)
    }

    @Test func automaticAndExplicitPortsAndConflicts() async throws {
        try await withSQLiteHandler { client in
            let automatic = await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("auto"))
            #expect(automatic.status == 201, "\(automatic.text)")
            let port = try #require(Self.nodePort(automatic))
            #expect((30000...32767).contains(port))

            let explicit = await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("fixed", nodePort: 30080))
            #expect(explicit.status == 201)
            #expect(Self.nodePort(explicit) == 30080)

            let clash = await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("clash", nodePort: 30080))
            #expect(clash.status == 422)
            #expect(
                clash.text
                    == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Service \"clash\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated","reason":"Invalid","details":{"name":"clash","kind":"Service","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: 30080: provided port is already allocated","field":"spec.ports[0].nodePort"}]},"code":422}"#
                    + "\n"
            )
            // The failed create left nothing behind: its cluster IP was released too.
            #expect(await client.request("GET", "/api/v1/namespaces/default/services/clash").status == 404)

            let outside = await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("outside", nodePort: 8080))
            #expect(outside.status == 422)
            #expect(
                outside.json["message"]
                    == #"Service "outside" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767"#
            )

            // Deleting the owner releases the port.
            #expect(await client.request("DELETE", "/api/v1/namespaces/default/services/fixed").status == 200)
            let again = await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("again", nodePort: 30080))
            #expect(again.status == 201)
        }
    }

    @Test func configuredRangeIsHonoured() async throws {
        try await withSQLiteHandler(configuration: APIServerConfiguration(serviceNodePortRange: 31000...31001)) { client in
            var ports: Set<Int> = []
            for name in ["a", "b"] {
                let reply = await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service(name))
                #expect(reply.status == 201)
                ports.insert(Self.nodePort(reply) ?? 0)
            }
            #expect(ports == [31000, 31001])
            let full = await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("c"))
            #expect(full.status == 500)
            #expect(full.json["message"] == "Internal error occurred: failed to allocate a nodePort: range is full")
        }
    }

    @Test func concurrentCreatesNeverShareAPort() async throws {
        try await withSQLiteHandler { client in
            let replies = await withTaskGroup(of: Reply.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("svc-\(index)"))
                    }
                }
                // Ten more race for one explicit port: exactly one wins.
                for index in 0..<10 {
                    group.addTask {
                        await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("race-\(index)", nodePort: 31234))
                    }
                }
                var replies: [Reply] = []
                for await reply in group { replies.append(reply) }
                return replies
            }
            let created = replies.filter { $0.status == 201 }
            // One service holds 31234: a racer, or (about one run in seventy) one of the forty, whose random
            // port it was before any racer asked; then every racer loses.
            let name = { (reply: Reply) in reply.json["metadata"]?["name"]?.stringValue ?? "" }
            let winners = created.filter { name($0).hasPrefix("race-") }.count
            let holders = created.filter { Self.nodePort($0) == 31234 }.count
            #expect(holders == 1)
            #expect(winners <= 1)
            #expect(created.count == 40 + winners)
            #expect(replies.filter { $0.status == 422 }.count == 10 - winners)
            let ports = created.compactMap(Self.nodePort)
            #expect(ports.count == created.count)
            #expect(Set(ports).count == created.count)
            let addresses = created.compactMap { $0.json["spec"]?["clusterIP"]?.stringValue }
            #expect(Set(addresses).count == created.count)
        }
    }

    @Test func allocationsSurviveARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "skiff-nodeport-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withSQLiteHandler(directory: directory) { client in
            #expect(await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("keep", nodePort: 30500)).status == 201)
        }
        try await withSQLiteHandler(directory: directory) { client in
            let clash = await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("other", nodePort: 30500))
            #expect(clash.status == 422)
            #expect(await client.request("DELETE", "/api/v1/namespaces/default/services/keep").status == 200)
            #expect(await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("other", nodePort: 30500)).status == 201)
        }
    }

    @Test func typeChangesAllocateAndRelease() async throws {
        try await withSQLiteHandler { client in
            let path = "/api/v1/namespaces/default/services"
            let created = await client.request("POST", path, body: Self.service("t", nodePort: 30600))
            #expect(created.status == 201)
            let address = try #require(created.json["spec"]?["clusterIP"]?.stringValue)

            // NodePort → ClusterIP (by merge patch, leaving the node port in place as kubectl does) releases it.
            let toClusterIP = await client.request(
                "PATCH",
                path + "/t",
                body: #"{"spec":{"type":"ClusterIP"}}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(toClusterIP.status == 200, "\(toClusterIP.text)")
            #expect(Self.nodePort(toClusterIP) == nil)
            #expect(toClusterIP.json["spec"]?["clusterIP"]?.stringValue == address)
            #expect(await client.request("POST", path, body: Self.service("taker", nodePort: 30600)).status == 201)

            // ClusterIP → NodePort allocates a fresh port.
            let toNodePort = await client.request("PATCH", path + "/t", body: #"{"spec":{"type":"NodePort"}}"#, contentType: "application/merge-patch+json")
            #expect(toNodePort.status == 200)
            #expect(Self.nodePort(toNodePort).map { (30000...32767).contains($0) && $0 != 30600 } == true)

            // A cluster IP cannot change.
            let moved = await client.request("PATCH", path + "/t", body: #"{"spec":{"clusterIP":"10.43.9.9","clusterIPs":["10.43.9.9"]}}"#, contentType: "application/merge-patch+json")
            #expect(moved.status == 422)

            // ClusterIP → ExternalName releases the address; back to ClusterIP allocates one.
            let external = await client.request(
                "PATCH",
                path + "/t",
                body: #"{"spec":{"type":"ExternalName","externalName":"example.com","ports":null,"selector":null}}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(external.status == 200, "\(external.text)")
            #expect(external.json["spec"]?["clusterIP"] == nil)
            #expect(await client.request("GET", "/apis/networking.k8s.io/v1/ipaddresses/\(address)").status == 404)
            let back = await client.request(
                "PATCH",
                path + "/t",
                body: #"{"spec":{"type":"ClusterIP","externalName":null,"ports":[{"port":80}]}}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(back.status == 200, "\(back.text)")
            let newAddress = try #require(back.json["spec"]?["clusterIP"]?.stringValue)
            #expect(await client.request("GET", "/apis/networking.k8s.io/v1/ipaddresses/\(newAddress)").status == 200)
        }
    }

    @Test func replaceWithoutAllocatedValuesKeepsThem() async throws {
        try await withSQLiteHandler { client in
            let path = "/api/v1/namespaces/default/services"
            let created = await client.request("POST", path, body: Self.service("r"))
            let port = Self.nodePort(created)
            let address = created.json["spec"]?["clusterIP"]
            let resourceVersion = created.json["metadata"]?["resourceVersion"]?.stringValue ?? ""
            let body = #"{"metadata":{"name":"r","resourceVersion":"\#(resourceVersion)"},"spec":{"type":"NodePort","selector":{"app":"y"},"ports":[{"port":80}]}}"#
            let replaced = await client.request("PUT", path + "/r", body: body)
            #expect(replaced.status == 200, "\(replaced.text)")
            #expect(Self.nodePort(replaced) == port)
            #expect(replaced.json["spec"]?["clusterIP"] == address)
        }
    }

    @Test func dryRunReservesNothing() async throws {
        try await withSQLiteHandler { client in
            let path = "/api/v1/namespaces/default/services"
            let dry = await client.request("POST", path + "?dryRun=All", body: Self.service("d", nodePort: 30700))
            #expect(dry.status == 201)
            #expect(Self.nodePort(dry) == 30700)
            let real = await client.request("POST", path, body: Self.service("d", nodePort: 30700))
            #expect(real.status == 201)
            let clash = await client.request("POST", path + "?dryRun=All", body: Self.service("e", nodePort: 30700))
            #expect(clash.status == 422)
        }
    }
}
