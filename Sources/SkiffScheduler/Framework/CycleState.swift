/// Data a plugin keeps in a ``CycleState`` for one scheduling cycle (↔ `framework.StateData`).
///
/// Value types are cloned by copying, which is the default; a class must return a deep copy from ``clone()`` so
/// that preemption's what-if runs (which clone the state and call PreFilter extensions on the copy) cannot change
/// the original.
public protocol CycleStateData: Sendable {
    /// A copy that can be changed independently of `self`.
    func clone() -> Self

    /// `true` for data that only the scheduling cycle reads (what PreFilter keeps for Filter, PreScore for
    /// Score): it is dropped before the binding cycle (``CycleState/dropSchedulingCycleData()``), which runs
    /// alongside the next pods' scheduling cycles. Data that shares storage with the scheduler's snapshot must say
    /// so, or the snapshot's next change copies that storage whole while a binding is in flight.
    static var isSchedulingCycleOnly: Bool { get }
}

extension CycleStateData {
    /// Value types: a copy is a clone.
    public func clone() -> Self { self }

    /// Kept for the binding cycle unless the data says otherwise.
    public static var isSchedulingCycleOnly: Bool { false }
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

    /// A stored value: its type, and its box, retained by the state.
    private struct Entry {
        var key: ObjectIdentifier
        var box: Unmanaged<AnyCycleStateBox>
        /// The data's ``CycleStateData/isSchedulingCycleOnly``.
        var isSchedulingCycleOnly: Bool
    }

    /// The stored data by type: a few entries, searched linearly (cheaper than hashing for so few), each boxed so
    /// a read is a pointer comparison and an unchecked downcast instead of a dynamic cast of an existential.
    ///
    /// The entries are unmanaged, in storage of their own rather than an array, so that the per-node reads of the
    /// parallel phases retain nothing: an array or a box read from several threads at once would have its
    /// reference count bounce between their cores.
    @exclusivity(unchecked) private var entries: UnsafeMutableBufferPointer<Entry>
    @exclusivity(unchecked) private var count = 0
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
        self.entries = UnsafeMutableBufferPointer(start: nil, count: 0)
    }

    deinit {
        for index in 0..<self.count { self.entries[index].box.release() }
        self.entries.deallocate()
    }

    private func index(of key: ObjectIdentifier) -> Int? {
        for index in 0..<self.count where self.entries[index].key == key { return index }
        return nil
    }

    /// The data of type `type`, or `nil` if no plugin wrote it this cycle.
    public func read<Data: CycleStateData>(_ type: Data.Type) -> Data? {
        self.withData(type) { $0.pointee }
    }

    /// Runs `body` with a pointer to the data of type `type`, valid only during the call; `nil` if no plugin wrote
    /// it this cycle.
    ///
    /// Filter and Score read their data through this, with `data.pointee.field`: a copy of the data, even one
    /// passed as a borrowed argument, retains every collection in it, for every node, and the workers share those
    /// reference counts.
    public func withData<Data: CycleStateData, Result>(
        _ type: Data.Type,
        _ body: (UnsafePointer<Data>) -> Result
    ) -> Result? {
        guard let index = self.index(of: ObjectIdentifier(type)) else { return nil }
        // The key is the type of the boxed value (``write(_:)`` stores it so).
        return self.entries[index].box._withUnsafeGuaranteedRef { box in
            body(UnsafePointer(unsafeDowncast(box, to: CycleStateBox<Data>.self).storage))
        }
    }

    /// Stores `data`, replacing what was stored under its type.
    public func write<Data: CycleStateData>(_ data: Data) {
        self.store(
            Entry(
                key: ObjectIdentifier(Data.self),
                box: .passRetained(CycleStateBox(data)),
                isSchedulingCycleOnly: Data.isSchedulingCycleOnly
            )
        )
    }

    /// Stores `entry`, whose box is retained for the state.
    private func store(_ entry: Entry) {
        if let index = self.index(of: entry.key) {
            self.entries[index].box.release()
            self.entries[index] = entry
            return
        }
        if self.count == self.entries.count {
            let grown = UnsafeMutableBufferPointer<Entry>.allocate(capacity: max(8, self.count * 2))
            if self.count > 0 {
                _ = grown.initialize(fromContentsOf: self.entries[0..<self.count])
            }
            self.entries.deallocate()
            self.entries = grown
        }
        self.entries[self.count] = entry
        self.count += 1
    }

    /// Changes the stored data of type `type` in place; does nothing when there is none.
    public func modify<Data: CycleStateData>(_ type: Data.Type, _ body: (inout Data) -> Void) {
        guard let index = self.index(of: ObjectIdentifier(type)) else { return }
        self.entries[index].box._withUnsafeGuaranteedRef { box in
            body(&unsafeDowncast(box, to: CycleStateBox<Data>.self).storage.pointee)
        }
    }

    /// Removes the data of type `type`.
    public func delete<Data: CycleStateData>(_ type: Data.Type) {
        guard let index = self.index(of: ObjectIdentifier(type)) else { return }
        self.remove(at: index)
    }

    private func remove(at index: Int) {
        self.entries[index].box.release()
        for next in (index + 1)..<self.count { self.entries[next - 1] = self.entries[next] }
        self.count -= 1
    }

    /// Removes the data only the scheduling cycle reads (``CycleStateData/isSchedulingCycleOnly``); the scheduler
    /// calls this when a pod's scheduling cycle ends and its binding cycle begins.
    public func dropSchedulingCycleData() {
        var index = 0
        while index < self.count {
            if self.entries[index].isSchedulingCycleOnly { self.remove(at: index) } else { index += 1 }
        }
    }

    /// A deep copy: every entry is cloned.
    public func clone() -> CycleState {
        let state = CycleState()
        for index in 0..<self.count {
            var entry = self.entries[index]
            entry.box = .passRetained(entry.box._withUnsafeGuaranteedRef { $0.cloneBox() })
            state.store(entry)
        }
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
///
/// The value lives in memory of its own, so that ``CycleState/withData(_:_:)`` can lend a pointer to it.
final class CycleStateBox<Data: CycleStateData>: AnyCycleStateBox {
    let storage: UnsafeMutablePointer<Data>

    init(_ value: Data) {
        self.storage = .allocate(capacity: 1)
        self.storage.initialize(to: value)
    }

    deinit {
        self.storage.deinitialize(count: 1)
        self.storage.deallocate()
    }

    override func cloneBox() -> AnyCycleStateBox { CycleStateBox(self.storage.pointee.clone()) }
}
