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
    // Filter/Score phases only read. For the same reason the properties those phases read, per node, go without
    // dynamic exclusivity checks.

    /// The stored data by type: a few entries, searched linearly (cheaper than hashing for so few), each boxed so
    /// a read is a pointer comparison and an unchecked downcast instead of a dynamic cast of an existential.
    @exclusivity(unchecked) private var entries: [(key: ObjectIdentifier, box: AnyCycleStateBox)]
    /// Positions in the framework's PreFilter plugins whose PreFilter returned Skip (↔ `SkipFilterPlugins`, which
    /// upstream keys by name): their PreFilter extensions are not run.
    @exclusivity(unchecked) public var skipPreFilterPlugins = PluginIndexSet()
    /// Positions in the framework's Filter plugins skipped for this pod (their PreFilter returned Skip).
    @exclusivity(unchecked) public var skipFilterPlugins = PluginIndexSet()
    /// Positions in the framework's Score plugins skipped for this pod (their PreScore returned Skip).
    @exclusivity(unchecked) public var skipScorePlugins = PluginIndexSet()
    /// `true` when metrics of this cycle are recorded (upstream samples 10% of cycles).
    public var recordPluginMetrics = false

    /// An empty state.
    public init() {
        self.entries = []
    }

    /// The data of type `type`, or `nil` if no plugin wrote it this cycle.
    public func read<Data: CycleStateData>(_ type: Data.Type) -> Data? {
        let key = ObjectIdentifier(type)
        for entry in self.entries where entry.key == key {
            // The key is the type of the boxed value (``write(_:)`` stores it so).
            return unsafeDowncast(entry.box, to: CycleStateBox<Data>.self).value
        }
        return nil
    }

    /// Stores `data`, replacing what was stored under its type.
    public func write<Data: CycleStateData>(_ data: Data) {
        let key = ObjectIdentifier(Data.self)
        let box = CycleStateBox(data)
        if let index = self.entries.firstIndex(where: { $0.key == key }) {
            self.entries[index].box = box
        } else {
            self.entries.append((key, box))
        }
    }

    /// Changes the stored data of type `type` in place; does nothing when there is none.
    public func modify<Data: CycleStateData>(_ type: Data.Type, _ body: (inout Data) -> Void) {
        let key = ObjectIdentifier(type)
        guard let index = self.entries.firstIndex(where: { $0.key == key }) else { return }
        let box = unsafeDowncast(self.entries[index].box, to: CycleStateBox<Data>.self)
        body(&box.value)
    }

    /// Removes the data of type `type`.
    public func delete<Data: CycleStateData>(_ type: Data.Type) {
        let key = ObjectIdentifier(type)
        self.entries.removeAll { $0.key == key }
    }

    /// A deep copy: every entry is cloned.
    public func clone() -> CycleState {
        let state = CycleState()
        state.entries = self.entries.map { ($0.key, $0.box.cloneBox()) }
        state.skipPreFilterPlugins = self.skipPreFilterPlugins
        state.skipFilterPlugins = self.skipFilterPlugins
        state.skipScorePlugins = self.skipScorePlugins
        state.recordPluginMetrics = self.recordPluginMetrics
        return state
    }
}

/// A boxed ``CycleStateData`` value of a ``CycleState``.
class AnyCycleStateBox {
    func cloneBox() -> AnyCycleStateBox { fatalError("subclasses clone") }
}

/// The box of one data type; each cycle state owns its boxes (clones copy them).
final class CycleStateBox<Data: CycleStateData>: AnyCycleStateBox {
    var value: Data

    init(_ value: Data) { self.value = value }

    override func cloneBox() -> AnyCycleStateBox { CycleStateBox(self.value.clone()) }
}
