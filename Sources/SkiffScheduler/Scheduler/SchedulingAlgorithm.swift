import SkiffAPIMachinery
import SkiffAPI
import Synchronization

/// The pure part of a scheduling cycle (↔ `schedulePod`, `findNodesThatFitPod`, `prioritizeNodes`,
/// `selectHost`): filters the snapshot's nodes in parallel, stopping after enough feasible ones, scores them and
/// picks the best, ties broken at random.
public final class SchedulingAlgorithm: Sendable {
    /// The global `percentageOfNodesToScore` (0: adaptive).
    let percentageOfNodesToScore: Int32
    /// Where the next cycle starts filtering, so that every node gets its turn (↔ `nextStartNodeIndex`).
    private let nextStartNodeIndex = Mutex(0)
    private let random = Mutex(SplitMix64(seed: 0x5EED))

    /// The least nodes to find feasible (↔ `minFeasibleNodesToFind`).
    public static let minFeasibleNodesToFind: Int32 = 100
    /// The least adaptive percentage (↔ `minFeasibleNodesPercentageToFind`).
    public static let minFeasibleNodesPercentageToFind: Int32 = 5

    /// Makes the algorithm with the configuration's global percentage.
    public init(percentageOfNodesToScore: Int32 = 0) {
        self.percentageOfNodesToScore = percentageOfNodesToScore
    }

    /// How many feasible nodes to find before scoring (↔ `numFeasibleNodesToFind`): all of a small cluster,
    /// otherwise `percentage` of them (adaptive: 50 − nodes/125, at least 5) and at least 100.
    public static func numFeasibleNodesToFind(percentage configured: Int32, numAllNodes: Int32) -> Int32 {
        if numAllNodes < Self.minFeasibleNodesToFind { return numAllNodes }
        var percentage = configured
        if percentage == 0 {
            percentage = 50 - numAllNodes / 125
            if percentage < Self.minFeasibleNodesPercentageToFind { percentage = Self.minFeasibleNodesPercentageToFind }
        }
        let numNodes = numAllNodes * percentage / 100
        if numNodes < Self.minFeasibleNodesToFind { return Self.minFeasibleNodesToFind }
        return numNodes
    }

    /// The outcome of a failed attempt: a ``FitError`` (no node fits) or another error.
    public enum Failure: Error, Sendable {
        case fit(FitError)
        case error(PluginStatus)
        case noNodes
    }

    /// Finds the node for `pod` (↔ `schedulePod`).
    public func schedule(
        _ pod: PodInfo,
        framework: Framework,
        state: CycleState,
        snapshot: Snapshot
    ) async -> Result<ScheduleResult, Failure> {
        if snapshot.count == 0 { return .failure(.noNodes) }
        var diagnosis = Diagnosis()
        let feasible: [NodeInfo]
        switch await self.findNodesThatFitPod(pod, framework: framework, state: state, snapshot: snapshot, diagnosis: &diagnosis) {
        case .failure(let status):
            return .failure(.error(status))
        case .success(let nodes):
            feasible = nodes
        }
        if feasible.isEmpty {
            return .failure(.fit(FitError(pod: pod, numAllNodes: snapshot.count, diagnosis: diagnosis)))
        }
        let evaluated = feasible.count + diagnosis.nodeToStatus.statuses.count
        if feasible.count == 1 {
            return .success(ScheduleResult(suggestedHost: feasible[0].name, evaluatedNodes: evaluated, feasibleNodes: 1))
        }
        let scores: [NodeScore]
        switch await self.prioritizeNodes(pod, framework: framework, state: state, nodes: feasible) {
        case .failure(let status): return .failure(.error(status))
        case .success(let result): scores = result
        }
        let host = self.selectHost(scores)
        return .success(ScheduleResult(suggestedHost: host, evaluatedNodes: evaluated, feasibleNodes: feasible.count))
    }

    /// Runs PreFilter, then Filter on nodes until enough fit (↔ `findNodesThatFitPod`).
    func findNodesThatFitPod(
        _ pod: PodInfo,
        framework: Framework,
        state: CycleState,
        snapshot: Snapshot,
        diagnosis: inout Diagnosis
    ) async -> Result<[NodeInfo], PluginStatus> {
        let allNodes = snapshot.nodeInfos
        let outcome = framework.runPreFilterPlugins(pod, state: state, nodes: allNodes)
        if !outcome.status.isSuccess {
            guard outcome.status.isRejected else { return .failure(outcome.status) }
            // Every node is rejected with the PreFilter status.
            diagnosis.nodeToStatus.absentNodesStatus = outcome.status
            diagnosis.preFilterMessage = outcome.status.message
            if let plugin = outcome.status.plugin, !plugin.isEmpty {
                if outcome.status.code == .pending {
                    diagnosis.pendingPlugins.insert(plugin)
                } else {
                    diagnosis.unschedulablePlugins.insert(plugin)
                }
            }
            return .success([])
        }
        // A nominated node (set by an earlier preemption) is tried first.
        if let nominated = pod.pod.status?.nominatedNodeName, !nominated.isEmpty,
            let node = snapshot.get(nominated)
        {
            let status = framework.runFilterPluginsWithNominatedPods(pod, state: state, node: node)
            if status.isSuccess { return .success([node]) }
            if status.isError { return .failure(status) }
        }
        var nodes = allNodes
        if let names = outcome.result?.nodeNames {
            nodes = names.sorted().compactMap { snapshot.get($0) }
            diagnosis.nodeToStatus.absentNodesStatus = PluginStatus(
                .unschedulableAndUnresolvable,
                reasons: ["node(s) didn't satisfy plugin(s) [\(outcome.pluginsWithNodes.joined(separator: " "))]"]
            )
        }
        return await self.findNodesThatPassFilters(
            pod,
            framework: framework,
            state: state,
            nodes: nodes,
            totalNodes: allNodes.count,
            diagnosis: &diagnosis
        )
    }

    /// Filters `nodes` from the rotating start index until `numFeasibleNodesToFind` fit (↔
    /// `findNodesThatPassFilters`).
    func findNodesThatPassFilters(
        _ pod: PodInfo,
        framework: Framework,
        state: CycleState,
        nodes: [NodeInfo],
        totalNodes: Int,
        diagnosis: inout Diagnosis
    ) async -> Result<[NodeInfo], PluginStatus> {
        let numAllNodes = nodes.count
        if numAllNodes == 0 { return .success([]) }
        let toFind = Int(
            Self.numFeasibleNodesToFind(
                percentage: framework.percentageOfNodesToScore ?? self.percentageOfNodesToScore,
                numAllNodes: Int32(numAllNodes)
            )
        )
        let start = self.nextStartNodeIndex.withLock { $0 } % numAllNodes
        if !framework.hasFilterPlugins {
            let found = (0..<min(toFind, numAllNodes)).map { nodes[(start + $0) % numAllNodes] }
            self.nextStartNodeIndex.withLock { $0 = (start + found.count) % max(totalNodes, 1) }
            return .success(found)
        }
        let nominator = framework.nominator
        let checkNominated = (nominator as? SchedulingQueue)?.hasNominatedPods ?? (nominator != nil)
        let results = FilterResults(capacity: numAllNodes, toFind: toFind)
        defer { results.deallocate() }
        let unretained = UnretainedNodes(nodes)
        defer { unretained.deallocate() }
        await framework.parallelizer.until(numAllNodes) { index in
            let status = unretained.with((start + index) % numAllNodes) { node in
                if checkNominated {
                    return framework.runFilterPluginsWithNominatedPods(pod, state: state, node: node)
                }
                return framework.runFilterPlugins(pod, state: state, node: node)
            }
            if status.isSuccess {
                return results.addFeasible(index)
            }
            if status.isError {
                results.setError(status)
                return false
            }
            results.setStatus(status, at: index)
            return true
        }
        if let error = results.error { return .failure(error) }
        var feasible: [NodeInfo] = []
        let feasibleIndices = results.feasibleIndices
        feasible.reserveCapacity(feasibleIndices.count)
        for index in feasibleIndices { feasible.append(nodes[(start + index) % numAllNodes]) }
        var failed = 0
        results.forEachStatus { index, status in
            diagnosis.add(status, node: nodes[(start + index) % numAllNodes].name)
            failed += 1
        }
        let processed = feasible.count + failed
        self.nextStartNodeIndex.withLock { $0 = (start + processed) % max(numAllNodes, 1) }
        return .success(feasible)
    }

    /// PreScore and Score (↔ `prioritizeNodes`); without score plugins every node scores 1.
    func prioritizeNodes(_ pod: PodInfo, framework: Framework, state: CycleState, nodes: [NodeInfo]) async
        -> Result<[NodeScore], PluginStatus>
    {
        if !framework.hasScorePlugins {
            return .success(nodes.map { NodeScore(name: $0.name, score: 1) })
        }
        let preScore = framework.runPreScorePlugins(pod, state: state, nodes: nodes)
        if !preScore.isSuccess { return .failure(preScore) }
        let (scores, status) = await framework.runScorePlugins(pod, state: state, nodes: nodes)
        if !status.isSuccess { return .failure(status) }
        return .success(scores)
    }

    /// The node with the highest score; among equals one at random (reservoir sampling, ↔ `selectHost`).
    func selectHost(_ scores: [NodeScore]) -> String {
        guard var best = scores.first else { return "" }
        var ties = 1
        self.random.withLock { random in
            for score in scores.dropFirst() {
                if score.score > best.score {
                    best = score
                    ties = 1
                } else if score.score == best.score {
                    ties += 1
                    if random.next() % UInt64(ties) == 0 { best = score }
                }
            }
        }
        return best.name
    }
}

/// Per-node filter results written by parallel tasks (each index by one task; read after they are joined).
final class FilterResults: @unchecked Sendable {
    // @unchecked: `statuses[i]` is written only by the task that checks node i; the feasible list is claimed
    // slot by slot through an atomic counter; everything is read after the parallel loop returns.
    private let statuses: UnsafeMutableBufferPointer<PluginStatus>
    /// Which ``statuses`` are initialized (a byte per node, cheap to clear, unlike the statuses).
    private let written: UnsafeMutableBufferPointer<Bool>
    private let feasible: UnsafeMutableBufferPointer<Int>
    private let feasibleCount = Atomic<Int>(0)
    private let toFind: Int
    private let errorStatus = Mutex<PluginStatus?>(nil)
    private let statusCount = Atomic<Int>(0)

    init(capacity: Int, toFind: Int) {
        self.statuses = .allocate(capacity: capacity)
        self.written = .allocate(capacity: capacity)
        self.written.initialize(repeating: false)
        self.feasible = .allocate(capacity: max(toFind, 1))
        self.toFind = toFind
    }

    /// Claims a feasible slot; `false` (stop) once enough were found.
    func addFeasible(_ index: Int) -> Bool {
        let slot = self.feasibleCount.add(1, ordering: .relaxed).oldValue
        if slot >= self.toFind {
            self.feasibleCount.subtract(1, ordering: .relaxed)
            return false
        }
        self.feasible[slot] = index
        return slot + 1 < self.toFind
    }

    func setStatus(_ status: PluginStatus, at index: Int) {
        (self.statuses.baseAddress! + index).initialize(to: status)
        self.written[index] = true
        self.statusCount.add(1, ordering: .relaxed)
    }

    func setError(_ status: PluginStatus) {
        self.errorStatus.withLock { if $0 == nil { $0 = status } }
    }

    var error: PluginStatus? { self.errorStatus.withLock { $0 } }

    var feasibleIndices: [Int] {
        Array(self.feasible[0..<min(self.feasibleCount.load(ordering: .relaxed), self.toFind)])
    }

    func forEachStatus(_ body: (Int, PluginStatus) -> Void) {
        if self.statusCount.load(ordering: .relaxed) == 0 { return }
        for index in self.statuses.indices where self.written[index] {
            body(index, self.statuses[index])
        }
    }

    func deallocate() {
        if self.statusCount.load(ordering: .relaxed) > 0 {
            for index in self.statuses.indices where self.written[index] {
                (self.statuses.baseAddress! + index).deinitialize(count: 1)
            }
        }
        self.statuses.deallocate()
        self.written.deallocate()
        self.feasible.deallocate()
    }
}

/// A small, fast pseudo-random generator for tie-breaking.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
