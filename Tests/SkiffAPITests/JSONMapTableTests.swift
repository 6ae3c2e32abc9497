import SkiffAPI
import SkiffAPIMachinery
import Testing

@Suite struct JSONMapTableTests {
    /// A dictionary's storage reference: equal for two dictionaries that share it.
    static func storage<Value>(_ map: [String: Value]?) -> Int? {
        map.map { unsafeBitCast($0, to: Int.self) }
    }

    static func pod(_ name: String, app: JSONValue = "web", cpu: JSONValue = "100m") -> JSONValue {
        [
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": [
                "name": .string(name),
                "labels": ["app": app, "tier": "frontend"],
                "annotations": ["prometheus.io/scrape": "true"],
            ],
            "spec": [
                "containers": [
                    ["name": "c", "image": "nginx", "resources": ["requests": ["cpu": cpu, "memory": "64Mi"]]]
                ],
                "nodeSelector": ["kubernetes.io/os": "linux"],
            ],
        ]
    }

    /// Equal maps decoded through one table share storage; the values are those of a decode without a table.
    @Test func equalMapsShareOneCopy() throws {
        let decoder = JSONValueDecoder(maps: JSONMapTable(slots: 64))
        let first = try decoder.decode(CoreV1.Pod.self, from: Self.pod("a"))
        let second = try decoder.decode(CoreV1.Pod.self, from: Self.pod("b"))
        let plain = try JSONValueDecoder().decode(CoreV1.Pod.self, from: Self.pod("b"))
        #expect(second == plain)
        #expect(Self.storage(second.metadata.labels) == Self.storage(first.metadata.labels))
        #expect(Self.storage(second.metadata.annotations) == Self.storage(first.metadata.annotations))
        #expect(Self.storage(second.spec?.nodeSelector) == Self.storage(first.spec?.nodeSelector))
        let requests = { (pod: CoreV1.Pod) in pod.spec?.containers.first?.resources?.requests }
        #expect(Self.storage(requests(second)) == Self.storage(requests(first)))
        #expect(Self.storage(plain.metadata.labels) != Self.storage(first.metadata.labels))

        // Different members decode afresh, and correctly.
        let other = try decoder.decode(CoreV1.Pod.self, from: Self.pod("c", app: "db", cpu: "250m"))
        #expect(other.metadata.labels == ["app": "db", "tier": "frontend"])
        #expect(requests(other)?["cpu"] == (try Quantity(parsing: "250m")))
        #expect(Self.storage(other.metadata.labels) != Self.storage(first.metadata.labels))
        #expect(Self.storage(requests(other)) != Self.storage(requests(first)))
    }

    /// Maps that collide in a one-slot table replace each other; each decode still yields its own members.
    @Test func collisionsNeverMixMaps() throws {
        let decoder = JSONValueDecoder(maps: JSONMapTable(slots: 1))
        for round in 0..<3 {
            for app in ["web", "db", "cache"] {
                let pod = try decoder.decode(CoreV1.Pod.self, from: Self.pod("p", app: .string(app), cpu: .string("\(round + 1)")))
                #expect(pod.metadata.labels?["app"] == app)
                #expect(pod.spec?.containers.first?.resources?.requests?["cpu"] == (try Quantity(parsing: "\(round + 1)")))
            }
        }
    }

    /// A map with a member that is not a string (a quantity written as a number) is decoded as usual, and one that
    /// fails to decode still fails.
    @Test func nonStringMembersAreNotShared() throws {
        let decoder = JSONValueDecoder(maps: JSONMapTable(slots: 64))
        let pod = Self.pod("n", cpu: .int(2))
        let first = try decoder.decode(CoreV1.Pod.self, from: pod)
        let second = try decoder.decode(CoreV1.Pod.self, from: pod)
        #expect(first.spec?.containers.first?.resources?.requests?["cpu"] == (try Quantity(parsing: "2")))
        #expect(second == first)
        let bad = Self.pod("bad", app: .int(1))
        #expect(throws: (any Error).self) { try decoder.decode(CoreV1.Pod.self, from: bad) }
    }
}
