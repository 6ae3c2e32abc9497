/// Data a plugin keeps in a ``CycleState`` for one scheduling cycle (↔ `framework.StateData`).
///
/// Value types are cloned by copying, which is the default; a class must return a deep copy from ``clone()`` so
/// that preemption's what-if runs (which clone the state and call PreFilter extensions on the copy) cannot change
/// the original.
public protocol CycleStateData: Sendable {
    /// A copy that can be changed independently of `self`.
    func clone() -> Self
}

extension CycleStateData {
    /// Value types: a copy is a clone.
    public func clone() -> Self { self }
}

/// Per-cycle, per-plugin typed storage (↔ `framework.CycleState`), created for each pod's scheduling cycle.
///
/// Plugins write their data in PreFilter / PreScore / Reserve and read it in Filter / Score, keyed by the data's
/// type: `state.write(FitState(...))`, `state.read(FitState.self)`. ``clone()`` copies every entry.
///
/// Concurrency: a state is written only during the serial extension points of a cycle (PreFilter, PreScore,
/// Reserve, and by preemption on its own clones), and only read while Filter and Score run in parallel; this is the
/// framework's contract with plugins, as upstream's.
public final class CycleState: @unchecked Sendable {
    // @unchecked: writes happen only in the serial phases of a cycle (see the type's documentation); the parallel
    // Filter/Score phases only read.
    private var storage: [ObjectIdentifier: any CycleStateData]
    /// Pods the cycle skips at Filter (a PreFilter returned Skip for these plugins).
    public var skipFilterPlugins: Set<String> = []
    /// Plugins whose Score is skipped (their PreScore returned Skip).
    public var skipScorePlugins: Set<String> = []
    /// `true` when metrics of this cycle are recorded (upstream samples 10% of cycles).
    public var recordPluginMetrics = false

    /// An empty state.
    public init() {
        self.storage = [:]
    }

    private init(storage: [ObjectIdentifier: any CycleStateData], skipFilter: Set<String>, skipScore: Set<String>) {
        self.storage = storage
        self.skipFilterPlugins = skipFilter
        self.skipScorePlugins = skipScore
    }

    /// The data of type `type`, or `nil` if no plugin wrote it this cycle.
    @inlinable
    public func read<Data: CycleStateData>(_ type: Data.Type) -> Data? {
        self.readAny(ObjectIdentifier(type)) as? Data
    }

    @usableFromInline
    func readAny(_ key: ObjectIdentifier) -> (any CycleStateData)? {
        self.storage[key]
    }

    /// Stores `data`, replacing what was stored under its type.
    public func write<Data: CycleStateData>(_ data: Data) {
        self.storage[ObjectIdentifier(Data.self)] = data
    }

    /// Changes the stored data of type `type` in place; does nothing when there is none.
    public func modify<Data: CycleStateData>(_ type: Data.Type, _ body: (inout Data) -> Void) {
        let key = ObjectIdentifier(type)
        guard var data = self.storage[key] as? Data else { return }
        self.storage[key] = nil  // keep the value uniquely referenced while it changes
        body(&data)
        self.storage[key] = data
    }

    /// Removes the data of type `type`.
    public func delete<Data: CycleStateData>(_ type: Data.Type) {
        self.storage[ObjectIdentifier(type)] = nil
    }

    /// A deep copy: every entry is cloned.
    public func clone() -> CycleState {
        var copy: [ObjectIdentifier: any CycleStateData] = [:]
        copy.reserveCapacity(self.storage.count)
        for (key, value) in self.storage {
            copy[key] = value.clone()
        }
        let state = CycleState(storage: copy, skipFilter: self.skipFilterPlugins, skipScore: self.skipScorePlugins)
        state.recordPluginMetrics = self.recordPluginMetrics
        return state
    }
}
