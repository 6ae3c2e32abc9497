public import Logging
import SkiffAPIMachinery
import Synchronization

/// What a framework needs from the scheduler that owns it.
public struct FrameworkDependencies: Sendable {
    /// The snapshot the cache updates before each cycle.
    public var snapshot: Snapshot
    /// API calls.
    public var client: any SchedulerAPIClient
    /// Listers of other objects.
    public var listers: any ClusterListers
    /// Per-node work spreading.
    public var parallelizer: Parallelizer
    /// Time.
    public var clock: SchedulerClock
    /// Logs.
    public var logger: Logger

    /// Makes the dependencies.
    public init(
        snapshot: Snapshot,
        client: any SchedulerAPIClient,
        listers: any ClusterListers = EmptyClusterListers(),
        parallelizer: Parallelizer = Parallelizer(parallelism: 2),
        clock: SchedulerClock,
        logger: Logger
    ) {
        self.snapshot = snapshot
        self.client = client
        self.listers = listers
        self.parallelizer = parallelizer
        self.clock = clock
        self.logger = logger
    }
}

/// The queue's side of a framework: set once the queue exists.
public struct FrameworkQueueHooks: Sendable {
    /// Pods nominated to nodes.
    public var nominator: (any PodNominator)?
    /// Moves pods to the active queue.
    public var activate: @Sendable ([PodInfo]) -> Void

    public init(nominator: (any PodNominator)?, activate: @escaping @Sendable ([PodInfo]) -> Void) {
        self.nominator = nominator
        self.activate = activate
    }
}

/// One profile's plugins, ordered per extension point, and the functions that run them (↔ `frameworkImpl`).
///
/// Built from a defaulted ``KubeSchedulerProfile`` and a ``Registry``: multiPoint plugins are expanded to every
/// extension point they implement, specific extension points override them, score weights default to 1.
public final class Framework: FrameworkHandle, @unchecked Sendable {
    // @unchecked: the plugin lists are assigned once in init (plugins need `self` as their handle, so they are
    // made after the stored properties); the hooks live in a Mutex.

    public let profileName: String
    public let snapshot: Snapshot
    public let client: any SchedulerAPIClient
    public let listers: any ClusterListers
    public let parallelizer: Parallelizer
    public let clock: SchedulerClock
    public let logger: Logger
    /// The profile's `percentageOfNodesToScore`, if set.
    public let percentageOfNodesToScore: Int32?

    public private(set) var queueSortPlugin: (any QueueSortPlugin)?
    public private(set) var preEnqueuePlugins: [any PreEnqueuePlugin] = []
    public private(set) var enqueueExtensions: [any EnqueueExtensions] = []
    public private(set) var preFilterPlugins: [any PreFilterPlugin] = []
    public private(set) var filterPlugins: [any FilterPlugin] = []
    public private(set) var postFilterPlugins: [any PostFilterPlugin] = []
    public private(set) var preScorePlugins: [any PreScorePlugin] = []
    public private(set) var scorePlugins: [(plugin: any ScorePlugin, weight: Int64)] = []
    public private(set) var reservePlugins: [any ReservePlugin] = []
    public private(set) var permitPlugins: [any PermitPlugin] = []
    public private(set) var preBindPlugins: [any PreBindPlugin] = []
    public private(set) var bindPlugins: [any BindPlugin] = []
    public private(set) var postBindPlugins: [any PostBindPlugin] = []
    /// Every plugin instance by name.
    public private(set) var plugins: [String: any SchedulerPlugin] = [:]
    /// ``filterPlugins`` and ``scorePlugins`` (without weights), in order, for the per-node loops. Set once in init;
    /// read without exclusivity checks, which would cost more than the calls they guard.
    @exclusivity(unchecked) private var filterCalls = UnmanagedCalls<PluginCall>([])
    @exclusivity(unchecked) private var scoreCalls = UnmanagedCalls<PluginCall>([])
    /// For each PreFilter plugin, the position of the Filter plugin of the same name (skipped with it).
    private var filterIndexOfPreFilter: [Int?] = []
    /// For each PreScore plugin, the position of the Score plugin of the same name (skipped with it).
    private var scoreIndexOfPreScore: [Int?] = []

    private let hooks = Mutex<FrameworkQueueHooks?>(nil)
    private let waitingPods = Mutex<[String: WaitingPod]>([:])

    /// Builds the framework of `profile` (already defaulted) from `registry`.
    public init(profile: KubeSchedulerProfile, registry: Registry, dependencies: FrameworkDependencies) throws {
        self.profileName = profile.schedulerName ?? defaultSchedulerName
        self.snapshot = dependencies.snapshot
        self.client = dependencies.client
        self.listers = dependencies.listers
        self.parallelizer = dependencies.parallelizer
        self.clock = dependencies.clock
        self.logger = dependencies.logger
        self.percentageOfNodesToScore = profile.percentageOfNodesToScore

        let plugins = profile.plugins ?? Plugins()
        var args: [String: JSONValue] = [:]
        for config in profile.pluginConfig ?? [] {
            if args[config.name] != nil {
                throw SchedulerError("repeated config for plugin \(config.name)")
            }
            args[config.name] = config.args
        }
        // Instantiate every plugin named anywhere enabled.
        var names: [String] = []
        for (_, path) in Plugins.extensionPoints {
            for plugin in plugins[keyPath: path]?.enabled ?? [] where !names.contains(plugin.name) {
                names.append(plugin.name)
            }
        }
        var instances: [String: any SchedulerPlugin] = [:]
        for name in names {
            guard let factory = registry[name] else {
                throw SchedulerError("\(goQuotedName(name)) does not exist")
            }
            instances[name] = try factory(args[name], self)
        }
        self.plugins = instances

        let resolved = try Self.resolve(plugins: plugins, instances: instances)
        self.queueSortPlugin = resolved.queueSort
        self.preEnqueuePlugins = resolved.preEnqueue
        self.preFilterPlugins = resolved.preFilter
        self.filterPlugins = resolved.filter
        self.postFilterPlugins = resolved.postFilter
        self.preScorePlugins = resolved.preScore
        self.scorePlugins = resolved.score
        self.reservePlugins = resolved.reserve
        self.permitPlugins = resolved.permit
        self.preBindPlugins = resolved.preBind
        self.bindPlugins = resolved.bind
        self.postBindPlugins = resolved.postBind
        self.filterCalls.release()  // the empty tables the properties start with
        self.scoreCalls.release()
        self.filterCalls = UnmanagedCalls(self.filterPlugins.map { PluginCall.filter($0) })
        self.scoreCalls = UnmanagedCalls(self.scorePlugins.map { (plugin: any ScorePlugin, _) in PluginCall.score(plugin) })
        let filterNames = self.filterPlugins.map(\.name)
        self.filterIndexOfPreFilter = self.preFilterPlugins.map { filterNames.firstIndex(of: $0.name) }
        let scoreNames = self.scorePlugins.map(\.plugin.name)
        self.scoreIndexOfPreScore = self.preScorePlugins.map { scoreNames.firstIndex(of: $0.name) }
        var seen = Set<String>()
        self.enqueueExtensions = names.compactMap { name in
            guard !seen.contains(name), let plugin = instances[name] as? any EnqueueExtensions else { return nil }
            seen.insert(name)
            return plugin
        }
        if self.queueSortPlugin == nil {
            throw SchedulerError("no queue sort plugin is enabled")
        }
        if self.bindPlugins.isEmpty {
            throw SchedulerError("at least one bind plugin is needed")
        }
    }

    deinit {
        self.filterCalls.release()
        self.scoreCalls.release()
    }

    struct Resolved {
        var queueSort: (any QueueSortPlugin)?
        var preEnqueue: [any PreEnqueuePlugin] = []
        var preFilter: [any PreFilterPlugin] = []
        var filter: [any FilterPlugin] = []
        var postFilter: [any PostFilterPlugin] = []
        var preScore: [any PreScorePlugin] = []
        var score: [(plugin: any ScorePlugin, weight: Int64)] = []
        var reserve: [any ReservePlugin] = []
        var permit: [any PermitPlugin] = []
        var preBind: [any PreBindPlugin] = []
        var bind: [any BindPlugin] = []
        var postBind: [any PostBindPlugin] = []
    }

    /// Orders each extension point as upstream's `expandMultiPointPlugins`: the plugins configured at the point
    /// itself that override multiPoint ones, then multiPoint plugins, then the point's other plugins.
    static func resolve(plugins: Plugins, instances: [String: any SchedulerPlugin]) throws -> Resolved {
        let multiPoint = plugins.multiPoint?.enabled ?? []
        func order(_ set: PluginSet?, implements: (any SchedulerPlugin) -> Bool) -> [Plugin] {
            let specific = set?.enabled ?? []
            let disabled = Set((set?.disabled ?? []).map(\.name))
            let specificNames = Set(specific.map(\.name))
            var overrides: [Plugin] = []
            var multi: [Plugin] = []
            var seen = Set<String>()
            for plugin in multiPoint {
                guard let instance = instances[plugin.name], implements(instance) else { continue }
                if disabled.contains(plugin.name) || disabled.contains("*") { continue }
                if specificNames.contains(plugin.name) { continue }
                if seen.insert(plugin.name).inserted { multi.append(plugin) }
            }
            var rest: [Plugin] = []
            let multiNames = Set(multiPoint.map(\.name))
            for plugin in specific where seen.insert(plugin.name).inserted {
                if multiNames.contains(plugin.name) { overrides.append(plugin) } else { rest.append(plugin) }
            }
            return overrides + multi + rest
        }
        var resolved = Resolved()
        for plugin in order(plugins.queueSort, implements: { $0 is any QueueSortPlugin }) {
            if resolved.queueSort != nil {
                throw SchedulerError("only one queue sort plugin can be enabled")
            }
            resolved.queueSort = instances[plugin.name] as? any QueueSortPlugin
        }
        func list<P>(_ set: PluginSet?, _ type: P.Type) throws -> [P] {
            try order(set, implements: { $0 is P }).map { plugin in
                guard let instance = instances[plugin.name] as? P else {
                    throw SchedulerError(
                        "plugin \(goQuotedName(plugin.name)) does not extend \(String(describing: type)) plugin"
                    )
                }
                return instance
            }
        }
        resolved.preEnqueue = try list(plugins.preEnqueue, (any PreEnqueuePlugin).self)
        resolved.preFilter = try list(plugins.preFilter, (any PreFilterPlugin).self)
        resolved.filter = try list(plugins.filter, (any FilterPlugin).self)
        resolved.postFilter = try list(plugins.postFilter, (any PostFilterPlugin).self)
        resolved.preScore = try list(plugins.preScore, (any PreScorePlugin).self)
        resolved.reserve = try list(plugins.reserve, (any ReservePlugin).self)
        resolved.permit = try list(plugins.permit, (any PermitPlugin).self)
        resolved.preBind = try list(plugins.preBind, (any PreBindPlugin).self)
        resolved.bind = try list(plugins.bind, (any BindPlugin).self)
        resolved.postBind = try list(plugins.postBind, (any PostBindPlugin).self)
        let weights = Dictionary(
            (multiPoint + (plugins.score?.enabled ?? [])).map { ($0.name, Int64($0.weight ?? 0)) },
            uniquingKeysWith: { _, specific in specific }
        )
        resolved.score = try order(plugins.score, implements: { $0 is any ScorePlugin }).map { plugin in
            guard let instance = instances[plugin.name] as? any ScorePlugin else {
                throw SchedulerError("plugin \(goQuotedName(plugin.name)) does not extend score plugin")
            }
            let weight = plugin.weight.map(Int64.init) ?? weights[plugin.name] ?? 0
            return (instance, weight == 0 ? 1 : weight)
        }
        return resolved
    }

    // MARK: - Queue hooks

    /// Connects the queue (nominated pods, activation); called once by the scheduler.
    public func attach(_ hooks: FrameworkQueueHooks) {
        self.hooks.withLock { $0 = hooks }
    }

    public var nominator: (any PodNominator)? { self.hooks.withLock { $0?.nominator } }

    public func activate(_ pods: [PodInfo]) {
        let hooks = self.hooks.withLock { $0 }
        hooks?.activate(pods)
    }

    // MARK: - Extension points

    /// QueueSort's order.
    public func less(_ lhs: QueuedPodInfo, _ rhs: QueuedPodInfo) -> Bool {
        self.queueSortPlugin?.less(lhs, rhs) ?? (lhs.timestamp < rhs.timestamp)
    }

    /// Runs PreEnqueue plugins; the first non-success status, attributed to its plugin.
    public func runPreEnqueuePlugins(_ pod: PodInfo) -> PluginStatus {
        for plugin in self.preEnqueuePlugins {
            let status = plugin.preEnqueue(pod)
            if !status.isSuccess { return status.with(plugin: plugin.name) }
        }
        return .success
    }

    /// What the PreFilter plugins concluded (↔ the three results of `RunPreFilterPlugins`).
    public struct PreFilterOutcome: Sendable {
        /// The nodes worth filtering (`nil`: all).
        public var result: PreFilterResult?
        /// Success, or why the pod cannot be scheduled at all.
        public var status: PluginStatus
        /// The plugins that narrowed the nodes, sorted as upstream's `sets.List`.
        public var pluginsWithNodes: [String]
    }

    public func runPreFilterPlugins(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) -> PreFilterOutcome {
        var result: PreFilterResult?
        var skippedPreFilter = PluginIndexSet()
        var skippedFilter = PluginIndexSet()
        var pluginsWithNodes: [String] = []
        defer {
            state.skipPreFilterPlugins = skippedPreFilter
            state.skipFilterPlugins = skippedFilter
        }
        for (index, plugin) in self.preFilterPlugins.enumerated() {
            let (pluginResult, status) = plugin.preFilter(pod, state: state, nodes: nodes)
            if status.isSkip {
                skippedPreFilter.insert(index)
                if let filterIndex = self.filterIndexOfPreFilter[index] { skippedFilter.insert(filterIndex) }
                continue
            }
            if !status.isSuccess {
                if status.isError {
                    var error = status.with(plugin: plugin.name)
                    error.reasons = ["running PreFilter plugin \(goQuotedName(plugin.name)): \(status.message)"]
                    return PreFilterOutcome(result: nil, status: error, pluginsWithNodes: pluginsWithNodes)
                }
                return PreFilterOutcome(
                    result: nil,
                    status: status.with(plugin: plugin.name),
                    pluginsWithNodes: pluginsWithNodes
                )
            }
            if let pluginResult, !pluginResult.allNodes {
                pluginsWithNodes.append(plugin.name)
                result = (result ?? .all).merged(with: pluginResult)
                if let names = result?.nodeNames, names.isEmpty {
                    let message =
                        pluginsWithNodes.count == 1
                        ? "node(s) didn't satisfy plugin \(pluginsWithNodes[0])"
                        : "node(s) didn't satisfy plugin(s) [\(pluginsWithNodes.joined(separator: " "))] simultaneously"
                    return PreFilterOutcome(
                        result: result,
                        status: PluginStatus(.unschedulableAndUnresolvable, reasons: [message], plugin: plugin.name),
                        pluginsWithNodes: pluginsWithNodes
                    )
                }
            }
        }
        return PreFilterOutcome(result: result, status: .success, pluginsWithNodes: pluginsWithNodes.sorted())
    }

    public func runFilterPlugins(_ pod: PodInfo, state: CycleState, node: NodeInfo) -> PluginStatus {
        let skip = state.skipFilterPlugins
        let calls = self.filterCalls
        for index in 0..<calls.count {
            if skip.contains(index) { continue }
            let status = calls.with(index) { $0.filter(pod, on: node, state: state) }
            if !status.isSuccess {
                let name = calls.with(index) { $0.name }
                if status.isError {
                    var error = status.with(plugin: name)
                    error.reasons = ["running \(goQuotedName(name)) filter plugin: \(status.message)"]
                    return error
                }
                return status.with(plugin: name)
            }
        }
        return .success
    }

    public func runFilterPluginsWithNominatedPods(_ pod: PodInfo, state: CycleState, node: NodeInfo) -> PluginStatus {
        let nominated = self.nominator?.nominatedPods(forNode: node.name) ?? []
        return self.runFilterPluginsWithNominatedPods(pod, state: state, node: node, nominated: nominated)
    }

    /// The same with the nominated pods of the node already looked up.
    public func runFilterPluginsWithNominatedPods(
        _ pod: PodInfo,
        state: CycleState,
        node: NodeInfo,
        nominated: [PodInfo]
    ) -> PluginStatus {
        // Pods nominated here with at least this pod's priority count as if present: first with them (a pod that
        // fits only without them would steal their room), then without (affinity to them must not help).
        let relevant = nominated.filter { $0.uid != pod.uid && $0.priority >= pod.priority }
        if relevant.isEmpty {
            return self.runFilterPlugins(pod, state: state, node: node)
        }
        let stateWith = state.clone()
        let nodeWith = node.clone()
        for other in relevant {
            nodeWith.addPod(other)
            let status = self.runPreFilterExtensionAddPod(pod, adding: other, to: nodeWith, state: stateWith)
            if !status.isSuccess { return status }
        }
        let status = self.runFilterPlugins(pod, state: stateWith, node: nodeWith)
        if !status.isSuccess { return status }
        return self.runFilterPlugins(pod, state: state, node: node)
    }

    public func runPreFilterExtensionAddPod(_ pod: PodInfo, adding: PodInfo, to node: NodeInfo, state: CycleState)
        -> PluginStatus
    {
        for (index, plugin) in self.preFilterPlugins.enumerated() {
            guard !state.skipPreFilterPlugins.contains(index), let extensions = plugin.preFilterExtensions else {
                continue
            }
            let status = extensions.addPod(pod, adding: adding, to: node, state: state)
            if !status.isSuccess {
                return PluginStatus(
                    .error,
                    reasons: ["running AddPod on PreFilter plugin \(goQuotedName(plugin.name)): \(status.message)"],
                    plugin: plugin.name,
                    error: status.error
                )
            }
        }
        return .success
    }

    public func runPreFilterExtensionRemovePod(
        _ pod: PodInfo,
        removing: PodInfo,
        from node: NodeInfo,
        state: CycleState
    ) -> PluginStatus {
        for (index, plugin) in self.preFilterPlugins.enumerated() {
            guard !state.skipPreFilterPlugins.contains(index), let extensions = plugin.preFilterExtensions else {
                continue
            }
            let status = extensions.removePod(pod, removing: removing, from: node, state: state)
            if !status.isSuccess {
                return PluginStatus(
                    .error,
                    reasons: ["running RemovePod on PreFilter plugin \(goQuotedName(plugin.name)): \(status.message)"],
                    plugin: plugin.name,
                    error: status.error
                )
            }
        }
        return .success
    }

    /// Runs PostFilter plugins until one succeeds or one says preemption cannot help.
    public func runPostFilterPlugins(_ pod: PodInfo, state: CycleState, statuses: NodeToStatus) async
        -> (PostFilterResult?, PluginStatus)
    {
        var reasons: [String] = []
        var lastResult: PostFilterResult?
        for plugin in self.postFilterPlugins {
            let (result, status) = await plugin.postFilter(pod, state: state, filteredNodeStatuses: statuses)
            if status.isSuccess { return (result, status.with(plugin: plugin.name)) }
            if status.code == .unschedulableAndUnresolvable { return (result, status.with(plugin: plugin.name)) }
            if status.isError { return (nil, status.with(plugin: plugin.name)) }
            reasons.append(contentsOf: status.reasons)
            if result != nil { lastResult = result }
        }
        return (lastResult, PluginStatus(.unschedulable, reasons: reasons))
    }

    public func runPreScorePlugins(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) -> PluginStatus {
        var skipped = PluginIndexSet()
        for (index, plugin) in self.preScorePlugins.enumerated() {
            let status = plugin.preScore(pod, state: state, nodes: nodes)
            if status.isSkip {
                if let scoreIndex = self.scoreIndexOfPreScore[index] { skipped.insert(scoreIndex) }
                continue
            }
            if !status.isSuccess {
                return PluginStatus(
                    .error,
                    reasons: ["running PreScore plugin \(goQuotedName(plugin.name)): \(status.message)"],
                    plugin: plugin.name,
                    error: status.error
                )
            }
        }
        state.skipScorePlugins = skipped
        return .success
    }

    /// Runs Score plugins on `nodes` (in parallel when many), normalizes and weights them; the total per node,
    /// in `nodes`' order.
    public func runScorePlugins(_ pod: PodInfo, state: CycleState, nodes: [NodeInfo]) async
        -> ([NodeScore], PluginStatus)
    {
        let skip = state.skipScorePlugins
        // Positions in scorePlugins (and scoreCalls) of the plugins that score this pod.
        let positions = self.scorePlugins.indices.filter { !skip.contains($0) }
        let active = positions.map { self.scorePlugins[$0] }
        let nodeCount = nodes.count
        var totals = nodes.map { NodeScore(name: $0.name, score: 0) }
        if active.isEmpty || nodeCount == 0 { return (totals, .success) }
        let pluginCount = active.count
        // scores[p * nodeCount + n]
        let matrix = ScoreMatrix(count: pluginCount * nodeCount)
        defer { matrix.deallocate() }
        let failure = Mutex<PluginStatus?>(nil)
        let calls = self.scoreCalls
        let unretained = UnretainedNodes(nodes)
        defer { unretained.deallocate() }
        await self.parallelizer.until(nodeCount) { index in
            for p in 0..<pluginCount {
                let position = positions[p]
                let (score, status) = unretained.with(index) { node in
                    calls.with(position) { $0.score(pod, on: node, state: state) }
                }
                if !status.isSuccess {
                    let name = calls.with(position) { $0.name }
                    failure.withLock { failure in
                        if failure == nil {
                            failure = PluginStatus(
                                .error,
                                reasons: ["running Score plugins: plugin \(goQuotedName(name)): " + status.message],
                                plugin: name
                            )
                        }
                    }
                    return false
                }
                matrix.store(score, at: p * nodeCount + index)
            }
            return true
        }
        if let failed = failure.withLock({ $0 }) { return (totals, failed) }
        for (p, entry) in active.enumerated() {
            guard let extensions = entry.plugin.scoreExtensions else {
                // Nothing to normalize: check and weight the raw scores in place.
                for n in 0..<nodeCount {
                    let score = matrix.load(p * nodeCount + n)
                    if score > maxNodeScore || score < minNodeScore {
                        return (totals, Self.invalidScore(score, plugin: entry.plugin.name))
                    }
                    totals[n].score += score * entry.weight
                }
                continue
            }
            var scores = [NodeScore]()
            scores.reserveCapacity(nodeCount)
            for n in 0..<nodeCount {
                scores.append(NodeScore(name: nodes[n].name, score: matrix.load(p * nodeCount + n)))
            }
            let status = extensions.normalizeScore(pod, state: state, scores: &scores)
            if !status.isSuccess {
                return (
                    totals,
                    PluginStatus(
                        .error,
                        reasons: ["running Normalize on Score plugins: \(status.message)"],
                        plugin: entry.plugin.name
                    )
                )
            }
            for n in 0..<nodeCount {
                let score = scores[n].score
                if score > maxNodeScore || score < minNodeScore {
                    return (totals, Self.invalidScore(score, plugin: entry.plugin.name))
                }
                totals[n].score += score * entry.weight
            }
        }
        return (totals, .success)
    }

    private static func invalidScore(_ score: Int64, plugin: String) -> PluginStatus {
        PluginStatus(
            .error,
            reasons: [
                "applying score defaultWeights on Score plugins: plugin \(goQuotedName(plugin)) "
                    + "returns an invalid score \(score), it should in the range of "
                    + "[\(minNodeScore), \(maxNodeScore)] after normalizing"
            ],
            plugin: plugin
        )
    }

    public func runReservePluginsReserve(_ pod: PodInfo, state: CycleState, nodeName: String) -> PluginStatus {
        for plugin in self.reservePlugins {
            let status = plugin.reserve(pod, state: state, nodeName: nodeName)
            if !status.isSuccess {
                if status.isRejected { return status.with(plugin: plugin.name) }
                return PluginStatus(
                    .error,
                    reasons: ["running Reserve plugin \(goQuotedName(plugin.name)): \(status.message)"],
                    plugin: plugin.name,
                    error: status.error
                )
            }
        }
        return .success
    }

    /// Runs Unreserve of every Reserve plugin, in reverse order.
    public func runReservePluginsUnreserve(_ pod: PodInfo, state: CycleState, nodeName: String) {
        for plugin in self.reservePlugins.reversed() {
            plugin.unreserve(pod, state: state, nodeName: nodeName)
        }
    }

    /// Runs Permit plugins; a Wait parks the pod as a ``WaitingPod`` and returns ``PluginStatus/wait``.
    public func runPermitPlugins(_ pod: PodInfo, state: CycleState, nodeName: String) -> PluginStatus {
        var waiting: [String: Duration] = [:]
        for plugin in self.permitPlugins {
            let (status, timeout) = plugin.permit(pod, state: state, nodeName: nodeName)
            if status.isWait {
                waiting[plugin.name] = min(timeout, .seconds(15 * 60))
                continue
            }
            if !status.isSuccess {
                if status.isRejected { return status.with(plugin: plugin.name) }
                return PluginStatus(
                    .error,
                    reasons: ["running Permit plugin \(goQuotedName(plugin.name)): \(status.message)"],
                    plugin: plugin.name,
                    error: status.error
                )
            }
        }
        guard !waiting.isEmpty else { return .success }
        let waitingPod = WaitingPod(pod: pod, plugins: Set(waiting.keys))
        self.waitingPods.withLock { $0[pod.uid] = waitingPod }
        let timeout = waiting.values.min() ?? .seconds(0)
        let plugin = waiting.first { $0.value == timeout }?.key ?? ""
        self.waitingPodTimeouts.withLock { $0[pod.uid] = (timeout, plugin) }
        return .wait
    }

    private let waitingPodTimeouts = Mutex<[String: (Duration, String)]>([:])

    /// Waits for a pod parked at Permit (↔ `WaitOnPermit`); returns at once when it is not waiting.
    public func waitOnPermit(_ pod: PodInfo) async -> PluginStatus {
        guard let waitingPod = self.waitingPods.withLock({ $0[pod.uid] }) else { return .success }
        let (timeout, plugin) = self.waitingPodTimeouts.withLock { $0.removeValue(forKey: pod.uid) } ?? (.zero, "")
        let clock = self.clock
        let status = await withTaskGroup(of: PluginStatus?.self) { group in
            group.addTask { await waitingPod.wait() }
            group.addTask {
                do {
                    try await clock.sleep(timeout)
                } catch {
                    return nil
                }
                waitingPod.reject(plugin, message: "rejected due to timeout after waiting \(timeout) at plugin \(plugin)")
                return nil
            }
            var result = PluginStatus.success
            for await status in group {
                if let status {
                    result = status
                    group.cancelAll()
                    break
                }
            }
            return result
        }
        self.waitingPods.withLock { _ = $0.removeValue(forKey: pod.uid) }
        return status
    }

    public func waitingPod(uid: String) -> WaitingPod? {
        self.waitingPods.withLock { $0[uid] }
    }

    public func rejectWaitingPod(uid: String) -> Bool {
        guard let pod = self.waitingPod(uid: uid) else { return false }
        pod.reject("", message: "removed")
        return true
    }

    public func runPreBindPlugins(_ pod: PodInfo, state: CycleState, nodeName: String) async -> PluginStatus {
        for plugin in self.preBindPlugins {
            let status = await plugin.preBind(pod, state: state, nodeName: nodeName)
            if !status.isSuccess && !status.isSkip {
                if status.isRejected { return status.with(plugin: plugin.name) }
                return PluginStatus(
                    .error,
                    reasons: ["running PreBind plugin \(goQuotedName(plugin.name)): \(status.message)"],
                    plugin: plugin.name,
                    error: status.error
                )
            }
        }
        return .success
    }

    public func runBindPlugins(_ pod: PodInfo, state: CycleState, nodeName: String) async -> PluginStatus {
        for plugin in self.bindPlugins {
            let status = await plugin.bind(pod, state: state, nodeName: nodeName)
            if status.isSkip { continue }
            if !status.isSuccess {
                if status.isRejected { return status.with(plugin: plugin.name) }
                return PluginStatus(
                    .error,
                    reasons: ["running Bind plugin \(goQuotedName(plugin.name)): \(status.message)"],
                    plugin: plugin.name,
                    error: status.error
                )
            }
            return status
        }
        return PluginStatus(.skip)
    }

    public func runPostBindPlugins(_ pod: PodInfo, state: CycleState, nodeName: String) async {
        for plugin in self.postBindPlugins {
            await plugin.postBind(pod, state: state, nodeName: nodeName)
        }
    }

    /// `true` when the profile has Filter plugins.
    public var hasFilterPlugins: Bool { !self.filterPlugins.isEmpty }
    /// `true` when the profile has Score plugins.
    public var hasScorePlugins: Bool { !self.scorePlugins.isEmpty }
}

/// The default scheduler name (↔ `v1.DefaultSchedulerName`).
public let defaultSchedulerName = "default-scheduler"

/// A Go `%q` of a plugin name (names are plain ASCII).
func goQuotedName(_ name: String) -> String { "\"" + name + "\"" }

/// A plugins × nodes score buffer written by parallel tasks at distinct indices.
final class ScoreMatrix: @unchecked Sendable {
    // @unchecked: each index is written by exactly one task, and read only after the tasks are joined.
    private let buffer: UnsafeMutableBufferPointer<Int64>

    init(count: Int) {
        self.buffer = .allocate(capacity: count)
        self.buffer.initialize(repeating: 0)
    }

    func store(_ value: Int64, at index: Int) { self.buffer[index] = value }
    func load(_ index: Int) -> Int64 { self.buffer[index] }
    func deallocate() { self.buffer.deallocate() }
}
