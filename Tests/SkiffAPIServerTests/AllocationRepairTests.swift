import Foundation
import SkiffAPIMachinery
@testable import SkiffAPIServer
import SkiffStorage
import Testing

/// Reservations left behind by a Service that was never stored (a crash between reserving and writing) are
/// released by the repair pass, after being seen unowned three passes in a row; owned ones never are.
struct AllocationRepairTests {
    static func service(_ name: String, nodePort: Int) -> String {
        #"{"metadata":{"name":"\#(name)"},"spec":{"type":"NodePort","selector":{"app":"x"},"ports":[{"port":80,"nodePort":\#(nodePort)}]}}"#
    }

    @Test func leakedNodePortsAndAddressesAreReleasedAfterThreePasses() async throws {
        try await withSQLiteHandler { client in
            let kept = await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("kept", nodePort: 30100))
            #expect(kept.status == 201, "\(kept.text)")
            let leaky = await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("leaky", nodePort: 30111))
            #expect(leaky.status == 201, "\(leaky.text)")
            let leakedIP = try #require(leaky.json["spec"]?["clusterIP"]?.stringValue)
            // The Service disappears without its release running, as after a crash between reserve and write.
            _ = try await client.handler.storage.delete("/registry/services/default/leaky")

            let repair = client.handler.allocationRepair
            #expect(try await repair.repair() == [])
            #expect(try await repair.repair() == [])
            // Still held: a new Service cannot take the port yet.
            let early = await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("early", nodePort: 30111))
            #expect(early.status == 422, "\(early.text)")
            #expect(try await repair.repair().sorted() == ["ip/\(leakedIP)", "nodeport/30111"])
            #expect(await client.request("GET", "/apis/networking.k8s.io/v1/ipaddresses/\(leakedIP)").status == 404)

            let reuse = await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("reuse", nodePort: 30111))
            #expect(reuse.status == 201, "\(reuse.text)")
            // Owned reservations (kept, reuse, the kubernetes Service) survive any number of passes.
            for _ in 0..<4 { #expect(try await repair.repair() == []) }
            let clash = await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("clash", nodePort: 30100))
            #expect(clash.status == 422)
        }
    }

    @Test func aSuspectThatGetsAnOwnerIsForgiven() async throws {
        try await withSQLiteHandler { client in
            let leaky = await client.request("POST", "/api/v1/namespaces/default/services", body: Self.service("late", nodePort: 30222))
            #expect(leaky.status == 201)
            let stored = try #require(try await client.handler.storage.get("/registry/services/default/late"))
            _ = try await client.handler.storage.delete("/registry/services/default/late")
            let repair = client.handler.allocationRepair
            #expect(try await repair.repair() == [])
            #expect(try await repair.repair() == [])
            // The Service's write lands after all (the in-flight case): the suspects are cleared.
            _ = try await client.handler.storage.create("/registry/services/default/late", value: stored.value, lease: nil)
            #expect(try await repair.repair() == [])
            _ = try await client.handler.storage.delete("/registry/services/default/late")
            #expect(try await repair.repair() == [])  // counting starts again
        }
    }
}
