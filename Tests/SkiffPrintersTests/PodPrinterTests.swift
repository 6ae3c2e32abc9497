import SkiffAPIMachinery
import SkiffPrinters
import Testing

struct PodPrinterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var pod: JSONValue
        /// Name, Ready, Status, Restarts, Age.
        var expected: [JSONValue]
        var completed: String? = nil
        var testDescription: String { self.name }
    }

    static func pod(
        spec: JSONObject = ["containers": [["name": "app"]]],
        status: JSONObject,
        meta: JSONObject = [:]
    ) -> JSONValue {
        ["metadata": metadata("test1", age: 600, extra: meta), "spec": .object(spec), "status": .object(status)]
    }

    static let twoContainers: JSONObject = ["containers": [["name": "a"], ["name": "b"]]]

    // Modelled on upstream's TestPrintPod, TestPrintPodWithRestartableInitContainer and friends.
    static let cases: [Case] = [
        Case(
            name: "running with restarts and no last termination",
            pod: pod(
                spec: twoContainers,
                status: [
                    "phase": "podPhase",
                    "containerStatuses": [
                        ["ready": true, "restartCount": 3, "state": ["running": [:]]],
                        ["restartCount": 3],
                    ],
                ]
            ),
            expected: ["test1", "1/2", "podPhase", "6", "10m"]
        ),
        Case(
            name: "waiting reason wins",
            pod: pod(
                spec: twoContainers,
                status: [
                    "phase": "podPhase",
                    "containerStatuses": [
                        ["ready": true, "restartCount": 3, "state": ["running": [:]]],
                        ["state": ["waiting": ["reason": "ContainerWaitingReason"]], "restartCount": 3],
                    ],
                ]
            ),
            expected: ["test1", "1/2", "ContainerWaitingReason", "6", "10m"]
        ),
        Case(
            name: "terminated reason",
            pod: pod(
                spec: twoContainers,
                status: [
                    "phase": "podPhase",
                    "containerStatuses": [
                        ["ready": true, "restartCount": 3, "state": ["running": [:]]],
                        ["state": ["terminated": ["reason": "ContainerTerminatedReason", "exitCode": 2]], "restartCount": 3],
                    ],
                ]
            ),
            expected: ["test1", "1/2", "ContainerTerminatedReason", "6", "10m"]
        ),
        Case(
            name: "terminated by a signal, no reason",
            pod: pod(status: [
                "phase": "Running",
                "containerStatuses": [["state": ["terminated": ["exitCode": 137, "signal": 9]]]],
            ]),
            expected: ["test1", "0/1", "Signal:9", "0", "10m"]
        ),
        Case(
            name: "terminated with an exit code, no reason",
            pod: pod(status: [
                "phase": "Running",
                "containerStatuses": [["state": ["terminated": ["exitCode": 2]]]],
            ]),
            expected: ["test1", "0/1", "ExitCode:2", "0", "10m"]
        ),
        Case(
            name: "completed",
            pod: pod(status: [
                "phase": "Succeeded",
                "containerStatuses": [["state": ["terminated": ["reason": "Completed", "exitCode": 0]]]],
            ]),
            expected: ["test1", "0/1", "Completed", "0", "10m"],
            completed: "Succeeded"
        ),
        Case(
            name: "failed",
            pod: pod(status: [
                "phase": "Failed",
                "containerStatuses": [["state": ["terminated": ["reason": "Error", "exitCode": 1]]]],
            ]),
            expected: ["test1", "0/1", "Error", "0", "10m"],
            completed: "Failed"
        ),
        Case(
            name: "completed container but another still runs and the pod is ready",
            pod: pod(
                spec: twoContainers,
                status: [
                    "phase": "Running",
                    "conditions": [["type": "Ready", "status": "True"]],
                    "containerStatuses": [
                        ["ready": true, "state": ["running": [:]]],
                        ["state": ["terminated": ["reason": "Completed", "exitCode": 0]]],
                    ],
                ]
            ),
            expected: ["test1", "1/2", "Running", "0", "10m"]
        ),
        Case(
            name: "completed container but another still runs, pod not ready",
            pod: pod(
                spec: twoContainers,
                status: [
                    "phase": "Running",
                    "containerStatuses": [
                        ["ready": true, "state": ["running": [:]]],
                        ["state": ["terminated": ["reason": "Completed", "exitCode": 0]]],
                    ],
                ]
            ),
            expected: ["test1", "1/2", "NotReady", "0", "10m"]
        ),
        Case(
            name: "crash loop with restarts and a last termination time",
            pod: pod(status: [
                "phase": "Running",
                "containerStatuses": [
                    [
                        "restartCount": 5,
                        "state": ["waiting": ["reason": "CrashLoopBackOff"]],
                        "lastState": ["terminated": ["exitCode": 1, "finishedAt": ago(300)]],
                    ]
                ],
            ]),
            expected: ["test1", "0/1", "CrashLoopBackOff", "5 (5m ago)", "10m"]
        ),
        Case(
            name: "pending, container creating",
            pod: pod(status: [
                "phase": "Pending",
                "containerStatuses": [["state": ["waiting": ["reason": "ContainerCreating"]]]],
            ]),
            expected: ["test1", "0/1", "ContainerCreating", "0", "10m"]
        ),
        Case(
            name: "pending without statuses",
            pod: pod(status: ["phase": "Pending"]),
            expected: ["test1", "0/1", "Pending", "0", "10m"]
        ),
        Case(
            name: "scheduling gated",
            pod: pod(status: [
                "phase": "Pending",
                "conditions": [["type": "PodScheduled", "status": "False", "reason": "SchedulingGated"]],
            ]),
            expected: ["test1", "0/1", "SchedulingGated", "0", "10m"]
        ),
        Case(
            name: "pod reason overrides the phase",
            pod: pod(status: ["phase": "Failed", "reason": "Evicted"]),
            expected: ["test1", "0/1", "Evicted", "0", "10m"],
            completed: "Failed"
        ),
        Case(
            name: "first init container running",
            pod: pod(
                spec: ["initContainers": [["name": "i1"], ["name": "i2"]], "containers": [["name": "app"]]],
                status: [
                    "phase": "Pending",
                    "initContainerStatuses": [["name": "i1", "state": ["running": [:]]], ["name": "i2"]],
                    "containerStatuses": [["name": "app", "state": ["waiting": ["reason": "PodInitializing"]]]],
                ]
            ),
            expected: ["test1", "0/1", "Init:0/2", "0", "10m"]
        ),
        Case(
            name: "second init container, first succeeded",
            pod: pod(
                spec: ["initContainers": [["name": "i1"], ["name": "i2"]], "containers": [["name": "app"]]],
                status: [
                    "phase": "Pending",
                    "initContainerStatuses": [
                        ["name": "i1", "state": ["terminated": ["exitCode": 0, "reason": "Completed"]]],
                        ["name": "i2", "state": ["waiting": ["reason": "PodInitializing"]]],
                    ],
                ]
            ),
            expected: ["test1", "0/1", "Init:1/2", "0", "10m"]
        ),
        Case(
            name: "init container crash looping counts its restarts",
            pod: pod(
                spec: ["initContainers": [["name": "i1"]], "containers": [["name": "app"]]],
                status: [
                    "phase": "Pending",
                    "initContainerStatuses": [
                        [
                            "name": "i1", "restartCount": 3,
                            "state": ["waiting": ["reason": "CrashLoopBackOff"]],
                            "lastState": ["terminated": ["exitCode": 1, "finishedAt": ago(10)]],
                        ]
                    ],
                    "containerStatuses": [["name": "app", "restartCount": 7]],
                ]
            ),
            expected: ["test1", "0/1", "Init:CrashLoopBackOff", "3 (10s ago)", "10m"]
        ),
        Case(
            name: "init container failed with an exit code",
            pod: pod(
                spec: ["initContainers": [["name": "i1"]], "containers": [["name": "app"]]],
                status: [
                    "phase": "Pending",
                    "initContainerStatuses": [["name": "i1", "state": ["terminated": ["exitCode": 1]]]],
                ]
            ),
            expected: ["test1", "0/1", "Init:ExitCode:1", "0", "10m"]
        ),
        Case(
            name: "init container killed by a signal",
            pod: pod(
                spec: ["initContainers": [["name": "i1"]], "containers": [["name": "app"]]],
                status: [
                    "phase": "Pending",
                    "initContainerStatuses": [["name": "i1", "state": ["terminated": ["exitCode": 137, "signal": 9]]]],
                ]
            ),
            expected: ["test1", "0/1", "Init:Signal:9", "0", "10m"]
        ),
        Case(
            name: "init container failed with a reason",
            pod: pod(
                spec: ["initContainers": [["name": "i1"]], "containers": [["name": "app"]]],
                status: [
                    "phase": "Pending",
                    "initContainerStatuses": [["name": "i1", "state": ["terminated": ["exitCode": 1, "reason": "Error"]]]],
                ]
            ),
            expected: ["test1", "0/1", "Init:Error", "0", "10m"]
        ),
        Case(
            name: "restartable init container (sidecar) started and ready",
            pod: pod(
                spec: [
                    "initContainers": [["name": "sidecar", "restartPolicy": "Always"]],
                    "containers": [["name": "app"]],
                ],
                status: [
                    "phase": "Running",
                    "conditions": [["type": "Initialized", "status": "True"]],
                    "initContainerStatuses": [
                        [
                            "name": "sidecar", "ready": true, "started": true, "restartCount": 2,
                            "state": ["running": [:]],
                            "lastState": ["terminated": ["exitCode": 1, "finishedAt": ago(120)]],
                        ]
                    ],
                    "containerStatuses": [["name": "app", "ready": true, "restartCount": 1, "state": ["running": [:]]]],
                ]
            ),
            expected: ["test1", "2/2", "Running", "3 (2m ago)", "10m"]
        ),
        Case(
            name: "restartable init container not started yet",
            pod: pod(
                spec: [
                    "initContainers": [["name": "sidecar", "restartPolicy": "Always"]],
                    "containers": [["name": "app"]],
                ],
                status: [
                    "phase": "Pending",
                    "initContainerStatuses": [["name": "sidecar", "started": false, "state": ["running": [:]]]],
                ]
            ),
            expected: ["test1", "0/2", "Init:0/1", "0", "10m"]
        ),
        Case(
            name: "terminating",
            pod: pod(
                status: ["phase": "Running", "containerStatuses": [["ready": true, "state": ["running": [:]]]]],
                meta: ["deletionTimestamp": ago(5)]
            ),
            expected: ["test1", "1/1", "Terminating", "0", "10m"]
        ),
        Case(
            name: "terminating on a lost node",
            pod: pod(
                status: ["phase": "Running", "reason": "NodeLost"],
                meta: ["deletionTimestamp": ago(5)]
            ),
            expected: ["test1", "0/1", "Unknown", "0", "10m"]
        ),
        Case(
            name: "deleted after success stays completed",
            pod: pod(
                status: [
                    "phase": "Succeeded",
                    "containerStatuses": [["state": ["terminated": ["reason": "Completed", "exitCode": 0]]]],
                ],
                meta: ["deletionTimestamp": ago(5)]
            ),
            expected: ["test1", "0/1", "Completed", "0", "10m"],
            completed: "Succeeded"
        ),
    ]

    @Test(arguments: Self.cases)
    func printsReadyStatusRestartsAndAge(_ c: Case) {
        let row = TableConvertor().row(group: "", resource: "pods", object: c.pod, now: now)
        #expect(Array(row.cells.prefix(5)) == c.expected)
        #expect(row.cells.count == 9)
        #expect(row.conditions?.first?.reason == c.completed)
        if c.completed != nil {
            #expect(row.conditions?.first?.type == "Completed")
            #expect(row.conditions?.first?.status == "True")
        }
    }

    @Test func printsWideCellsWithNoneForMissingValues() {
        let bare = Self.pod(status: ["phase": "Running"])
        #expect(cells("", "pods", bare).suffix(4) == ["<none>", "<none>", "<none>", "<none>"])

        let placed = Self.pod(
            spec: [
                "containers": [["name": "app"]],
                "nodeName": "node-a",
                "readinessGates": [["conditionType": "example.com/gate-1"], ["conditionType": "example.com/gate-2"]],
            ],
            status: [
                "phase": "Running",
                "podIP": "10.0.0.9",
                "podIPs": [["ip": "10.0.0.7"], ["ip": "fd00::7"]],
                "nominatedNodeName": "node-b",
                "conditions": [
                    ["type": "example.com/gate-1", "status": "True"],
                    ["type": "example.com/gate-2", "status": "False"],
                ],
            ]
        )
        #expect(cells("", "pods", placed).suffix(4) == ["10.0.0.7", "node-a", "node-b", "1/2"])

        let legacyIP = Self.pod(status: ["phase": "Running", "podIP": "10.0.0.9"])
        #expect(cells("", "pods", legacyIP)[5] == "10.0.0.9")
    }

    @Test func printsUnknownAgeWithoutACreationTimestamp() {
        let pod: JSONValue = ["metadata": ["name": "p"], "spec": ["containers": []]]
        #expect(cells("", "pods", pod) == ["p", "0/0", "", "0", "<unknown>", "<none>", "<none>", "<none>", "<none>"])
    }

    @Test func hasUpstreamsColumns() {
        let columns = TableConvertor().columnDefinitions(group: "", resource: "pods")
        #expect(columns.map(\.name) == [
            "Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates",
        ])
        #expect(columns.map(\.priority) == [0, 0, 0, 0, 0, 1, 1, 1, 1])
        #expect(columns.allSatisfy { $0.type == "string" })
        #expect(columns[0].format == "name")
        #expect(columns[0].description.hasPrefix("Name must be unique within a namespace."))
        #expect(columns[4].description.hasPrefix("CreationTimestamp is a timestamp"))
        #expect(columns[1].description == "The aggregate readiness state of this pod for accepting traffic.")
        #expect(columns[5].description.hasPrefix("podIP address allocated to the pod."))
        #expect(columns[6].description.hasPrefix("NodeName indicates in which node this pod is scheduled."))
    }
}
