import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs per-node work on a few tasks at once (↔ `parallelize.Parallelizer`), inline when it would not pay.
///
/// The calling task always works; helper tasks join in if they start while work is left. The caller never waits
/// for a helper that has not started: on a busy machine (the API server shares the cores) a helper may start long
/// after the caller has done everything alone, and waiting for it would stall the scheduling cycle on a thread
/// hand-over for nothing. A helper that starts late finds the loop closed and returns without touching it.
public struct Parallelizer: Sendable {
    /// The number of tasks work is spread over (upstream's `parallelism`, default 16; here the core count).
    public var parallelism: Int
    /// Below this many items the work runs inline on the calling task.
    public var minimumParallelItems: Int

    /// Makes a parallelizer.
    public init(parallelism: Int, minimumParallelItems: Int = 256) {
        self.parallelism = max(1, parallelism)
        self.minimumParallelItems = minimumParallelItems
    }

    /// Calls `body` for each index in `0..<count`, in chunks spread over the tasks; `body` returns `false` to stop
    /// the remaining work (indices already handed out may still run). `body` is never called after this returns.
    public func until(_ count: Int, _ body: @Sendable (Int) -> Bool) async {
        if count <= 0 { return }
        let workers = min(self.parallelism, (count + self.minimumParallelItems - 1) / max(self.minimumParallelItems, 1))
        if workers <= 1 {
            for index in 0..<count where !body(index) {
                return
            }
            return
        }
        let loop = SharedLoop(count: count, chunk: max(1, min(64, count / (workers * 4))))
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { pointer in
                loop.body = UnsafeRawPointer(pointer)
                for _ in 1..<workers {
                    Task.detached { loop.help() }
                }
                loop.work(body)
                loop.close()
            }
        }
    }
}

/// One parallel loop: the chunks handed out so far, and which helpers are inside it.
private final class SharedLoop: @unchecked Sendable {
    // @unchecked: `body` is written once, before any helper is created, and read by a helper only after it has
    // counted itself in (``help()``) and before it counts itself out, while the caller (which owns what it points
    // to) waits in ``close()`` for the count to drop to zero.

    let count: Int
    let chunk: Int
    private let next = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    /// The helpers inside the loop, and ``closedFlag`` once the caller has finished.
    private let state = Atomic<Int>(0)
    private static let closedFlag = 1 << 40
    /// The caller's `body`, on its stack.
    var body: UnsafeRawPointer?

    init(count: Int, chunk: Int) {
        self.count = count
        self.chunk = chunk
    }

    /// Takes chunks until none is left or the body asks to stop.
    func work(_ body: @Sendable (Int) -> Bool) {
        while !self.stopped.load(ordering: .relaxed) {
            let start = self.next.add(self.chunk, ordering: .relaxed).oldValue
            if start >= self.count { return }
            for index in start..<min(start + self.chunk, self.count) where !body(index) {
                self.stopped.store(true, ordering: .relaxed)
                return
            }
        }
    }

    /// A helper task's part: the remaining chunks, if the loop is still open.
    func help() {
        var state = self.state.load(ordering: .acquiring)
        while true {
            if state & Self.closedFlag != 0 { return }
            let (exchanged, original) = self.state.compareExchange(
                expected: state,
                desired: state + 1,
                ordering: .acquiringAndReleasing
            )
            if exchanged { break }
            state = original
        }
        do {
            let body = self.body!.assumingMemoryBound(to: (@Sendable (Int) -> Bool).self).pointee
            self.work(body)
        }
        self.state.subtract(1, ordering: .releasing)
    }

    /// Closes the loop to helpers that have not started, then waits for those inside to finish their chunk.
    func close() {
        var state = self.state.add(Self.closedFlag, ordering: .acquiringAndReleasing).newValue
        var spins = 0
        while state != Self.closedFlag {
            spins += 1
            if spins > 64 { sched_yield() }
            state = self.state.load(ordering: .acquiring)
        }
    }
}
