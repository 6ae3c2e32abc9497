/// A Filter or Score plugin behind a class, for the per-node loops.
///
/// Calling a plugin held as an existential (`any FilterPlugin`) copies the plugin on every call, retaining what it
/// holds; the loops make that call for every node and plugin, from every worker at once, on the same reference
/// counts. The loops instead call through an ``UnmanagedCalls`` table, which costs no reference counting at all.
class PluginCall: @unchecked Sendable {
    // @unchecked: the subclasses hold an immutable, Sendable plugin.

    /// The plugin's name.
    let name: String

    fileprivate init(name: String) { self.name = name }

    /// Calls the plugin's ``FilterPlugin/filter(_:on:state:)``; only for a call made by ``filter(_:)``.
    func filter(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> PluginStatus {
        preconditionFailure("\(self.name) is not called as a Filter plugin")
    }

    /// Calls the plugin's ``ScorePlugin/score(_:on:state:)``; only for a call made by ``score(_:)``.
    func score(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> (Int64, PluginStatus) {
        preconditionFailure("\(self.name) is not called as a Score plugin")
    }

    /// The Filter call of `plugin`.
    static func filter(_ plugin: some FilterPlugin) -> PluginCall { FilterCall(plugin) }

    /// The Score call of `plugin`.
    static func score(_ plugin: some ScorePlugin) -> PluginCall { ScoreCall(plugin) }
}

private final class FilterCall<Plugin: FilterPlugin>: PluginCall, @unchecked Sendable {
    let plugin: Plugin

    init(_ plugin: Plugin) {
        self.plugin = plugin
        super.init(name: plugin.name)
    }

    override func filter(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> PluginStatus {
        self.plugin.filter(pod, on: node, state: state)
    }
}

private final class ScoreCall<Plugin: ScorePlugin>: PluginCall, @unchecked Sendable {
    let plugin: Plugin

    init(_ plugin: Plugin) {
        self.plugin = plugin
        super.init(name: plugin.name)
    }

    override func score(_ pod: PodInfo, on node: NodeInfo, state: CycleState) -> (Int64, PluginStatus) {
        self.plugin.score(pod, on: node, state: state)
    }
}

/// A fixed table of calls, retained until ``release()``, whose entries are used without reference counting.
struct UnmanagedCalls<Call: AnyObject & Sendable>: @unchecked Sendable {
    // @unchecked: the table is written once, when made, and only read afterwards; its calls are Sendable.
    private let buffer: UnsafeMutableBufferPointer<Unmanaged<Call>>

    /// Retains `calls`.
    init(_ calls: [Call]) {
        self.buffer = .allocate(capacity: calls.count)
        _ = self.buffer.initialize(from: calls.map { Unmanaged.passRetained($0) })
    }

    var count: Int { self.buffer.count }

    /// Runs `body` with the `index`th call, which the table keeps alive meanwhile.
    @inline(__always)
    func with<Result>(_ index: Int, _ body: (Call) -> Result) -> Result {
        self.buffer[index]._withUnsafeGuaranteedRef(body)
    }

    /// Releases the calls; the table must not be used afterwards.
    func release() {
        for call in self.buffer { call.release() }
        self.buffer.deallocate()
    }
}

/// Unretained references to nodes that something else keeps alive (the snapshot, or the caller's array), for the
/// per-node loops: reading a node out of an array retains it, and the retain is the first write to a cache line
/// that the plugins then only read.
struct UnretainedNodes: @unchecked Sendable {
    // @unchecked: written once when made; the nodes are kept alive by the array they were read from, which the
    // caller holds until it calls ``deallocate()``.
    private let buffer: UnsafeMutableBufferPointer<Unmanaged<NodeInfo>>

    /// References to `nodes`, which must outlive this.
    init(_ nodes: [NodeInfo]) {
        self.buffer = .allocate(capacity: nodes.count)
        // A bitwise copy: an `Unmanaged` reference is laid out as the reference itself, and copying the array's
        // elements one by one would retain (and release) every node, most of which the loop never reaches.
        nodes.withUnsafeBytes { source in
            if let base = source.baseAddress {
                UnsafeMutableRawPointer(self.buffer.baseAddress!).copyMemory(from: base, byteCount: source.count)
            }
        }
    }

    /// Runs `body` with the `index`th node.
    @inline(__always)
    func with<Result>(_ index: Int, _ body: (NodeInfo) -> Result) -> Result {
        self.buffer[index]._withUnsafeGuaranteedRef(body)
    }

    func deallocate() { self.buffer.deallocate() }
}
