public import SkiffAPI
import SkiffAPIMachinery

/// Filters out nodes with NoSchedule/NoExecute taints the pod does not tolerate, and prefers nodes with fewer
/// untolerated PreferNoSchedule taints (↔ `tainttoleration.TaintToleration`; default score weight 3).
public struct TaintToleration: FilterPlugin, PreScorePlugin, ScorePlugin, ScoreExtensions, EnqueueExtensions {
    public var name: String { PluginNames.taintToleration }

    public init() {}

    public static let factory: PluginFactory = { _, _ in TaintToleration() }

    /// `true` when `toleration` tolerates `taint` (↔ `Toleration.ToleratesTaint`).
    public static func tolerates(_ toleration: CoreV1.Toleration, _ taint: CoreV1.Taint) -> Bool {
        if let effect = toleration.effect, !effect.isEmpty, effect != taint.effect { return false }
        if let key = toleration.key, !key.isEmpty, key != taint.key { return false }
        switch toleration.operator ?? "Equal" {
        case "Exists": return true
        case "Equal", "": return (toleration.value ?? "") == (taint.value ?? "")
        default: return false
        }
    }

    /// `true` when one of `tolerations` tolerates `taint`.
    public static func tolerates(_ tolerations: [CoreV1.Toleration], _ taint: CoreV1.Taint) -> Bool {
        tolerations.contains { Self.tolerates($0, taint) }
    }

    /// The first taint with an effect in `effects` that no toleration tolerates (↔
    /// `FindMatchingUntoleratedTaint`).
    public static func firstUntolerated(
        _ taints: [CoreV1.Taint],
        tolerations: [CoreV1.Toleration],
        effects: Set<String>
    ) -> CoreV1.Taint? {
        taints.first { effects.contains($0.effect) && !Self.tolerates(tolerations, $0) }
    }

    private static let filterEffects: Set<String> = ["NoSchedule", "NoExecute"]

    public func filter(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> PluginStatus {
        if node.taints.isEmpty { return .success }
        guard
            let taint = Self.firstUntolerated(
                node.taints,
                tolerations: pod.pod.spec?.tolerations ?? [],
                effects: Self.filterEffects
            )
        else { return .success }
        return .unschedulableAndUnresolvable("node(s) had untolerated taint {\(taint.key): \(taint.value ?? "")}")
    }

    struct PreScoreState: CycleStateData {
        /// Read by Score alone.
        static var isSchedulingCycleOnly: Bool { true }
        var tolerationsPreferNoSchedule: [CoreV1.Toleration]
    }

    public func preScore(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) -> PluginStatus {
        let tolerations = (pod.pod.spec?.tolerations ?? []).filter {
            ($0.effect ?? "").isEmpty || $0.effect == "PreferNoSchedule"
        }
        state.write(PreScoreState(tolerationsPreferNoSchedule: tolerations))
        return .success
    }

    public func score(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> (Int64, PluginStatus) {
        if node.taints.isEmpty { return (0, .success) }
        func count(_ tolerations: [CoreV1.Toleration]) -> Int64 {
            var count: Int64 = 0
            for taint in node.taints where taint.effect == "PreferNoSchedule" && !Self.tolerates(tolerations, taint) {
                count += 1
            }
            return count
        }
        if let counted = state.withData(PreScoreState.self, { count($0.pointee.tolerationsPreferNoSchedule) }) {
            return (counted, .success)
        }
        let tolerations = (pod.pod.spec?.tolerations ?? []).filter {
            ($0.effect ?? "").isEmpty || $0.effect == "PreferNoSchedule"
        }
        return (count(tolerations), .success)
    }

    public var scoreExtensions: (any ScoreExtensions)? { self }

    public func normalizeScore(_ pod: PodInfo, state: CycleState, scores: inout [NodeScore]) -> PluginStatus {
        defaultNormalizeScore(maxPriority: maxNodeScore, reverse: true, scores: &scores)
        return .success
    }

    public func eventsToRegister() -> [ClusterEventWithHint] {
        [
            ClusterEventWithHint(ClusterEvent(resource: .node, actionType: [.add, .updateNodeTaint], label: "NodeTaintChange"))
            { pod, _, new in
                guard let node = new?.node else { return .skip }
                let untolerated = Self.firstUntolerated(
                    node.spec?.taints ?? [],
                    tolerations: pod.pod.spec?.tolerations ?? [],
                    effects: Self.filterEffects
                )
                return untolerated == nil ? .queue : .skip
            },
            ClusterEventWithHint(ClusterEvent(resource: .unscheduledPod, actionType: .updatePodTolerations, label: "PodTolerationChange")) {
                pod, _, new in new?.pod?.uid == pod.uid ? .queue : .skip
            },
        ]
    }
}

/// Scales scores to [0, `maxPriority`] by the largest one, reversed if asked (↔ `helper.DefaultNormalizeScore`).
public func defaultNormalizeScore(maxPriority: Int64, reverse: Bool, scores: inout [NodeScore]) {
    var maxCount: Int64 = 0
    for score in scores where score.score > maxCount {
        maxCount = score.score
    }
    if maxCount == 0 {
        if reverse {
            for index in scores.indices { scores[index].score = maxPriority }
        }
        return
    }
    for index in scores.indices {
        var score = maxPriority * scores[index].score / maxCount
        if reverse { score = maxPriority - score }
        scores[index].score = score
    }
}
