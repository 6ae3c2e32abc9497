import SkiffAPI
import SkiffAPIMachinery
import Testing

@testable import SkiffScheduler

/// NodeName, NodeUnschedulable, TaintToleration (Filter), NodePorts: cases after upstream's plugin tests.
struct NodeNameTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var requested: String?
        var node: String
        var fits: Bool
        var testDescription: String { "nodeName=\(self.requested ?? "nil") on \(self.node)" }
    }

    @Test(arguments: [
        Case(requested: nil, node: "foo", fits: true),
        Case(requested: "foo", node: "foo", fits: true),
        Case(requested: "bar", node: "foo", fits: false),
    ])
    func fitsOnlyTheRequestedNode(_ c: Case) {
        let pod = PodInfo(Make.pod("p", nodeName: c.requested))
        let status = NodeName().filter(pod, on: Make.nodeInfo(Make.node(c.node)), state: CycleState())
        #expect(status.isSuccess == c.fits)
        if !c.fits {
            #expect(status.code == .unschedulableAndUnresolvable)
            #expect(status.reasons == ["node(s) didn't match the requested node name"])
        }
    }
}

struct NodeUnschedulableTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var unschedulable: Bool
        var tolerations: [CoreV1.Toleration]?
        var fits: Bool
        var testDescription: String { self.name }
    }

    @Test(arguments: [
        Case(name: "schedulable node", unschedulable: false, tolerations: nil, fits: true),
        Case(name: "cordoned node", unschedulable: true, tolerations: nil, fits: false),
        Case(
            name: "cordoned node, tolerated",
            unschedulable: true,
            tolerations: [
                CoreV1.Toleration(key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule")
            ],
            fits: true
        ),
    ])
    func rejectsCordonedNodesUnlessTolerated(_ c: Case) {
        let pod = PodInfo(Make.pod("p", tolerations: c.tolerations))
        let node = Make.nodeInfo(Make.node("n", unschedulable: c.unschedulable))
        let status = NodeUnschedulable().filter(pod, on: node, state: CycleState())
        #expect(status.isSuccess == c.fits)
        if !c.fits {
            #expect(status.code == .unschedulableAndUnresolvable)
            #expect(status.reasons == ["node(s) were unschedulable"])
        }
    }

    @Test func aMissingNodeHasUnknownConditions() {
        let status = NodeUnschedulable().filter(PodInfo(Make.pod("p")), on: NodeInfo(name: "gone"), state: CycleState())
        #expect(status.reasons == ["node(s) had unknown conditions"])
    }
}

struct TaintTolerationFilterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var taints: [CoreV1.Taint]
        var tolerations: [CoreV1.Toleration]?
        var reason: String?
        var testDescription: String { self.name }
    }

    @Test(arguments: [
        Case(name: "no taints", taints: [], tolerations: nil, reason: nil),
        Case(
            name: "untolerated NoSchedule taint",
            taints: [Make.taint("dedicated", "user1")],
            tolerations: nil,
            reason: "node(s) had untolerated taint {dedicated: user1}"
        ),
        Case(
            name: "tolerated by an Equal toleration",
            taints: [Make.taint("dedicated", "user1")],
            tolerations: [CoreV1.Toleration(key: "dedicated", operator: "Equal", value: "user1", effect: "NoSchedule")],
            reason: nil
        ),
        Case(
            name: "a toleration with another value does not tolerate",
            taints: [Make.taint("dedicated", "user1")],
            tolerations: [CoreV1.Toleration(key: "dedicated", operator: "Equal", value: "user2", effect: "NoSchedule")],
            reason: "node(s) had untolerated taint {dedicated: user1}"
        ),
        Case(
            name: "an Exists toleration without key tolerates everything",
            taints: [Make.taint("dedicated", "user1"), Make.taint("gpu", effect: "NoExecute")],
            tolerations: [CoreV1.Toleration(operator: "Exists")],
            reason: nil
        ),
        Case(
            name: "a toleration with an empty effect tolerates every effect",
            taints: [Make.taint("foo", "bar", effect: "NoExecute")],
            tolerations: [CoreV1.Toleration(key: "foo", operator: "Equal", value: "bar")],
            reason: nil
        ),
        Case(
            name: "PreferNoSchedule taints do not filter",
            taints: [Make.taint("foo", "bar", effect: "PreferNoSchedule")],
            tolerations: nil,
            reason: nil
        ),
        Case(
            name: "the first untolerated NoExecute taint is reported",
            taints: [Make.taint("a", "1", effect: "PreferNoSchedule"), Make.taint("b", "2", effect: "NoExecute")],
            tolerations: nil,
            reason: "node(s) had untolerated taint {b: 2}"
        ),
    ])
    func filtersUntoleratedTaints(_ c: Case) {
        let pod = PodInfo(Make.pod("p", tolerations: c.tolerations))
        let status = TaintToleration().filter(pod, on: Make.nodeInfo(Make.node("n", taints: c.taints)), state: CycleState())
        if let reason = c.reason {
            #expect(status.code == .unschedulableAndUnresolvable)
            #expect(status.reasons == [reason])
        } else {
            #expect(status.isSuccess)
        }
    }
}

struct NodePortsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var wanted: [Int32]
        var used: [Int32]
        var fits: Bool
        var testDescription: String { self.name }
    }

    @Test(arguments: [
        Case(name: "no ports", wanted: [], used: [8080], fits: true),
        Case(name: "other port", wanted: [8080], used: [9090], fits: true),
        Case(name: "same port", wanted: [8080], used: [8080], fits: false),
        Case(name: "one of several", wanted: [80, 8080], used: [8080], fits: false),
    ])
    func rejectsTakenHostPorts(_ c: Case) {
        let pod = PodInfo(Make.pod("p", containers: [Make.container(hostPorts: c.wanted)]))
        let existing = Make.pod("e", containers: [Make.container(hostPorts: c.used)], nodeName: "n")
        let node = Make.nodeInfo(Make.node("n"), pods: [existing])
        let state = CycleState()
        let (_, preFilter) = NodePorts().preFilter(pod, state: state, nodes: [node])
        #expect(preFilter.isSkip == c.wanted.isEmpty)
        let status = NodePorts().filter(pod, on: node, state: state)
        #expect(status.isSuccess == c.fits)
        if !c.fits {
            #expect(status.code == .unschedulable)
            #expect(status.reasons == ["node(s) didn't have free ports for the requested pod ports"])
        }
    }

    @Test func wildcardAddressConflictsWithSpecificAddresses() {
        var used = HostPortInfo()
        used.add(HostPort(ip: "127.0.0.1", protocol: "TCP", port: 80))
        #expect(used.conflicts(with: HostPort(ip: "0.0.0.0", protocol: "TCP", port: 80)))
        #expect(used.conflicts(with: HostPort(ip: "", protocol: "", port: 80)))
        #expect(!used.conflicts(with: HostPort(ip: "127.0.0.2", protocol: "TCP", port: 80)))
        #expect(!used.conflicts(with: HostPort(ip: "127.0.0.1", protocol: "UDP", port: 80)))
        used.add(HostPort(ip: "0.0.0.0", protocol: "UDP", port: 53))
        #expect(used.conflicts(with: HostPort(ip: "10.0.0.1", protocol: "UDP", port: 53)))
        used.remove(HostPort(ip: "0.0.0.0", protocol: "UDP", port: 53))
        #expect(!used.conflicts(with: HostPort(ip: "10.0.0.1", protocol: "UDP", port: 53)))
    }
}

struct SchedulingGatesTests {
    @Test func gatedPodsWaitWithUpstreamMessage() {
        let gated = PodInfo(Make.pod("p", schedulingGates: ["example.com/a", "example.com/b"]))
        let status = SchedulingGates().preEnqueue(gated)
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.reasons == ["waiting for scheduling gates: [example.com/a example.com/b]"])
        #expect(SchedulingGates().preEnqueue(PodInfo(Make.pod("q"))).isSuccess)
    }
}

struct PrioritySortTests {
    @Test func higherPriorityFirstThenEarlierTimestamp() {
        let low = QueuedPodInfo(podInfo: PodInfo(Make.pod("low", priority: 1)), timestamp: .seconds(1))
        let high = QueuedPodInfo(podInfo: PodInfo(Make.pod("high", priority: 10)), timestamp: .seconds(5))
        let lowLater = QueuedPodInfo(podInfo: PodInfo(Make.pod("low2", priority: 1)), timestamp: .seconds(2))
        let sort = PrioritySort()
        #expect(sort.less(high, low))
        #expect(!sort.less(low, high))
        #expect(sort.less(low, lowLater))
        #expect(!sort.less(lowLater, low))
    }
}
