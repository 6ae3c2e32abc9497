#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import SkiffAPI
import SkiffAPIMachinery

extension ResourcePrinter {
    /// Pods: `printPod`. Ready counts, the aggregate status reason, restarts with the last restart's age.
    static var pods: ResourcePrinter {
        .typed(
            CoreV1.Pod.self,
            [
                Columns.name,
                Columns.column("Ready", "The aggregate readiness state of this pod for accepting traffic."),
                Columns.column("Status", "The aggregate status of the containers in this pod."),
                Columns.column(
                    "Restarts",
                    "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."
                ),
                Columns.age,
                Columns.column("IP", priority: 1, Columns.core("PodStatus", "podIP")),
                Columns.column("Node", priority: 1, Columns.core("PodSpec", "nodeName")),
                Columns.column("Nominated Node", priority: 1, Columns.core("PodStatus", "nominatedNodeName")),
                Columns.column("Readiness Gates", priority: 1, Columns.core("PodSpec", "readinessGates")),
            ],
            PodPrinter.row
        )
    }

    static var podTemplates: ResourcePrinter {
        .typed(
            CoreV1.PodTemplate.self,
            [
                Columns.name,
                Columns.column("Containers", "Names of each container in the template."),
                Columns.column("Images", "Images referenced by each container in the template."),
                Columns.column("Pod Labels", "The labels for the pod template."),
            ]
        ) { template, _ in
            let (names, images) = Format.containerCells(template.template?.spec?.containers)
            return Row(cells: [
                .string(template.metadata.name ?? ""), .string(names), .string(images),
                .string(Format.labels(template.template?.metadata.labels)),
            ])
        }
    }
}

/// Upstream's `printPod`, step by step.
enum PodPrinter {
    static let succeeded = [
        MetaV1.TableRowCondition(
            type: "Completed",
            status: "True",
            reason: "Succeeded",
            message: "The pod has completed successfully."
        )
    ]
    static let failed = [
        MetaV1.TableRowCondition(type: "Completed", status: "True", reason: "Failed", message: "The pod failed.")
    ]

    static func row(_ pod: CoreV1.Pod, now: Date) -> ResourcePrinter.Row {
        let spec = pod.spec
        let status = pod.status
        let initContainers = spec?.initContainers ?? []
        var restarts = 0
        var restartableInitRestarts = 0
        var totalContainers = spec?.containers.count ?? 0
        var readyContainers = 0
        var lastRestart = Time.zero
        var lastRestartableInitRestart = Time.zero

        let phase = status?.phase ?? ""
        var reason = phase
        if let podReason = status?.reason, !podReason.isEmpty { reason = podReason }
        for condition in status?.conditions ?? []
        where condition.type == "PodScheduled" && condition.reason == "SchedulingGated" {
            reason = "SchedulingGated"
        }

        var conditions: [MetaV1.TableRowCondition]? = nil
        switch phase {
        case "Succeeded": conditions = self.succeeded
        case "Failed": conditions = self.failed
        default: break
        }

        // Restartable ("sidecar") init containers count as containers; the last declaration of a name wins.
        var restartable: [String: Bool] = [:]
        for container in initContainers {
            let isRestartable = container.restartPolicy == "Always"
            restartable[container.name] = isRestartable
            if isRestartable { totalContainers += 1 }
        }

        var initializing = false
        for (index, container) in (status?.initContainerStatuses ?? []).enumerated() {
            restarts += Int(container.restartCount)
            let lastTerminated = container.lastState?.terminated
            if let lastTerminated { self.keepLater(&lastRestart, lastTerminated.finishedAt) }
            let isRestartable = restartable[container.name] ?? false
            if isRestartable {
                restartableInitRestarts += Int(container.restartCount)
                if let lastTerminated { self.keepLater(&lastRestartableInitRestart, lastTerminated.finishedAt) }
            }
            if let terminated = container.state?.terminated, terminated.exitCode == 0 { continue }
            if isRestartable, container.started == true {
                if container.ready { readyContainers += 1 }
                continue
            }
            if let terminated = container.state?.terminated {
                if let terminatedReason = terminated.reason, !terminatedReason.isEmpty {
                    reason = "Init:" + terminatedReason
                } else if let signal = terminated.signal, signal != 0 {
                    reason = "Init:Signal:\(signal)"
                } else {
                    reason = "Init:ExitCode:\(terminated.exitCode)"
                }
            } else if let waiting = container.state?.waiting?.reason, !waiting.isEmpty, waiting != "PodInitializing" {
                reason = "Init:" + waiting
            } else {
                reason = "Init:\(index)/\(initContainers.count)"
            }
            initializing = true
            break
        }

        if !initializing || self.isInitialized(status) {
            restarts = restartableInitRestarts
            lastRestart = lastRestartableInitRestart
            var hasRunning = false
            for container in (status?.containerStatuses ?? []).reversed() {
                restarts += Int(container.restartCount)
                if let lastTerminated = container.lastState?.terminated {
                    self.keepLater(&lastRestart, lastTerminated.finishedAt)
                }
                if let waiting = container.state?.waiting?.reason, !waiting.isEmpty {
                    reason = waiting
                } else if let terminated = container.state?.terminated {
                    if let terminatedReason = terminated.reason, !terminatedReason.isEmpty {
                        reason = terminatedReason
                    } else if let signal = terminated.signal, signal != 0 {
                        reason = "Signal:\(signal)"
                    } else {
                        reason = "ExitCode:\(terminated.exitCode)"
                    }
                } else if container.ready, container.state?.running != nil {
                    hasRunning = true
                    readyContainers += 1
                }
            }
            // Back to "Running" while at least one container still runs.
            if reason == "Completed", hasRunning {
                let ready = (status?.conditions ?? []).contains { $0.type == "Ready" && $0.status == "True" }
                reason = ready ? "Running" : "NotReady"
            }
        }

        if pod.metadata.deletionTimestamp != nil, status?.reason == "NodeLost" {
            reason = "Unknown"
        } else if pod.metadata.deletionTimestamp != nil, phase != "Failed", phase != "Succeeded" {
            reason = "Terminating"
        }

        var restartsCell = String(restarts)
        if restarts != 0, !lastRestart.isZero {
            restartsCell = "\(restarts) (\(Format.age(lastRestart, now: now)) ago)"
        }

        // Wide cells. The internal pod's `podIPs` falls back to `podIP` when only that is set.
        var podIP = status?.podIPs?.first?.ip ?? status?.podIP ?? ""
        if podIP.isEmpty { podIP = "<none>" }
        var nodeName = spec?.nodeName ?? ""
        if nodeName.isEmpty { nodeName = "<none>" }
        var nominatedNodeName = status?.nominatedNodeName ?? ""
        if nominatedNodeName.isEmpty { nominatedNodeName = "<none>" }
        var readinessGates = "<none>"
        if let gates = spec?.readinessGates, !gates.isEmpty {
            let podConditions = status?.conditions ?? []
            let trueConditions = gates.filter { gate in
                podConditions.first { $0.type == gate.conditionType }?.status == "True"
            }.count
            readinessGates = "\(trueConditions)/\(gates.count)"
        }

        return ResourcePrinter.Row(
            cells: [
                .string(pod.metadata.name ?? ""),
                .string("\(readyContainers)/\(totalContainers)"),
                .string(reason),
                .string(restartsCell),
                .string(Format.age(pod.metadata.creationTimestamp, now: now)),
                .string(podIP),
                .string(nodeName),
                .string(nominatedNodeName),
                .string(readinessGates),
            ],
            conditions: conditions
        )
    }

    /// Replaces `current` by `candidate` when the candidate is later (`lastRestartDate.Before(&terminatedDate)`).
    static func keepLater(_ current: inout Time, _ candidate: Time?) {
        guard let candidate, candidate.date > current.date else { return }
        current = candidate
    }

    /// `isPodInitializedConditionTrue`: the first `Initialized` condition is `True`.
    static func isInitialized(_ status: CoreV1.PodStatus?) -> Bool {
        (status?.conditions ?? []).first { $0.type == "Initialized" }?.status == "True"
    }
}
