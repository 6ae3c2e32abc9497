import Synchronization

/// Runs per-node work on a few tasks at once (↔ `parallelize.Parallelizer`), inline when it would not pay.
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

    private final class Progress: Sendable {
        let next = Atomic<Int>(0)
        let stopped = Atomic<Bool>(false)
    }

    /// Calls `body` for each index in `0..<count`, in chunks spread over the tasks; `body` returns `false` to stop
    /// the remaining work (indices already handed out may still run).
    public func until(_ count: Int, _ body: @Sendable (Int) -> Bool) async {
        if count <= 0 { return }
        let workers = min(self.parallelism, (count + self.minimumParallelItems - 1) / max(self.minimumParallelItems, 1))
        if workers <= 1 {
            for index in 0..<count where !body(index) {
                return
            }
            return
        }
        let chunk = max(1, min(64, count / (workers * 4)))
        let progress = Progress()
        await withoutActuallyEscaping(body) { body in
            await withTaskGroup(of: Void.self) { group in
                for _ in 1..<workers {
                    group.addTask {
                        Self.work(count: count, chunk: chunk, progress: progress, body: body)
                    }
                }
                // The calling task is a worker too, rather than waiting for one more task to be scheduled.
                Self.work(count: count, chunk: chunk, progress: progress, body: body)
            }
        }
    }

    private static func work(count: Int, chunk: Int, progress: Progress, body: @Sendable (Int) -> Bool) {
        while !progress.stopped.load(ordering: .relaxed) {
            let start = progress.next.add(chunk, ordering: .relaxed).oldValue
            if start >= count { return }
            for index in start..<min(start + chunk, count) where !body(index) {
                progress.stopped.store(true, ordering: .relaxed)
                return
            }
        }
    }
}
