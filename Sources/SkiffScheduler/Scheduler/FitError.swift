import SkiffAPIMachinery
import SkiffAPI
/// Why no node fits, per node and per plugin (↔ `framework.Diagnosis`).
public struct Diagnosis: Sendable {
    /// Filter statuses by node.
    public var nodeToStatus = NodeToStatus()
    /// Plugins that rejected the pod on some node (or at PreFilter).
    public var unschedulablePlugins: Set<String> = []
    /// Plugins that returned Pending.
    public var pendingPlugins: Set<String> = []
    /// The message of a PreFilter rejection.
    public var preFilterMessage = ""
    /// The message of the PostFilter plugins (preemption).
    public var postFilterMessage = ""

    public init() {}

    /// Records a node's rejection and its plugin.
    mutating func add(_ status: PluginStatus, node: String) {
        self.nodeToStatus.statuses[node] = status
        self.addPlugin(of: status)
    }

    mutating func addPlugin(of status: PluginStatus) {
        guard let plugin = status.plugin, !plugin.isEmpty else { return }
        if status.code == .pending {
            self.pendingPlugins.insert(plugin)
        } else if status.isRejected {
            self.unschedulablePlugins.insert(plugin)
        }
    }
}

/// No node fits the pod (↔ `framework.FitError`); ``message`` is upstream's `FailedScheduling` text.
public struct FitError: Error, Sendable, CustomStringConvertible {
    /// The pod.
    public var pod: PodInfo
    /// The number of nodes in the snapshot.
    public var numAllNodes: Int
    /// The per-node and per-plugin reasons.
    public var diagnosis: Diagnosis

    /// `0/3 nodes are available: 1 node(s) had untolerated taint {key: value}, 2 Insufficient cpu. preemption: ...`
    public var message: String {
        var message = "0/\(self.numAllNodes) nodes are available:"
        let preFilter = self.diagnosis.preFilterMessage
        if !preFilter.isEmpty {
            message += " \(preFilter)."
        } else {
            var histogram: [String: Int] = [:]
            let statuses = self.diagnosis.nodeToStatus.statuses
            for status in statuses.values {
                for reason in status.reasons { histogram[reason, default: 0] += 1 }
            }
            if statuses.count < self.numAllNodes {
                for reason in self.diagnosis.nodeToStatus.absentNodesStatus.reasons {
                    histogram[reason, default: 0] += self.numAllNodes - statuses.count
                }
            }
            let reasons = histogram.map { "\($0.value) \($0.key)" }.sorted()
            if !reasons.isEmpty {
                message += " " + reasons.joined(separator: ", ") + "."
            }
        }
        if !self.diagnosis.postFilterMessage.isEmpty {
            message += " \(self.diagnosis.postFilterMessage)."
        }
        return message
    }

    public var description: String { self.message }
}

/// Where the scheduling algorithm put the pod (↔ `ScheduleResult`).
public struct ScheduleResult: Sendable, Hashable {
    /// The chosen node.
    public var suggestedHost: String
    /// How many nodes were filtered.
    public var evaluatedNodes: Int
    /// How many of them fit.
    public var feasibleNodes: Int
}

/// The message of an empty cluster (↔ `ErrNoNodesAvailable`).
public let noNodesAvailableMessage = "no nodes available to schedule pods"
