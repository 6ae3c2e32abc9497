/// How a backend maintains itself: compaction of history, lease expiry, watch buffers.
///
/// The API server upstream compacts every 5 minutes to the revision it saw 5 minutes earlier; the default does
/// the same. ``maxRetainedRevisions`` additionally bounds the history by size, and wins over
/// ``minRetention`` when both apply, so the database cannot grow without bound under a write storm.
public struct MaintenancePolicy: Sendable, Hashable {
    /// How often ``StorageBackend/run()`` performs maintenance (default: 1 second).
    public var interval: Duration
    /// How much history to keep at least, by time (default: 5 minutes; `nil`: no time-based compaction).
    public var minRetention: Duration?
    /// How many revisions of history to keep at most (default: `nil`, no bound).
    public var maxRetainedRevisions: Int64?
    /// How many undelivered watch responses a watcher may accumulate (default: 10,000).
    ///
    /// Past that, it is terminated with ``StorageError/Code/watcherTooSlow``.
    public var watchBufferLimit: Int

    /// Makes a policy.
    public init(
        interval: Duration = .seconds(1),
        minRetention: Duration? = .seconds(300),
        maxRetainedRevisions: Int64? = nil,
        watchBufferLimit: Int = 10_000
    ) {
        self.interval = interval
        self.minRetention = minRetention
        self.maxRetainedRevisions = maxRetainedRevisions
        self.watchBufferLimit = watchBufferLimit
    }
}

/// Decides when to compact and how far; pure, so every backend shares it (STYLE rule 6).
///
/// Each maintenance step records `(now, current revision)`; the target is the newest recorded revision that is at
/// least ``MaintenancePolicy/minRetention`` old, raised to `current - maxRetainedRevisions` when that is higher.
package struct CompactionPlanner: Sendable {
    private var samples: [(time: Duration, revision: Revision)] = []
    package let policy: MaintenancePolicy

    package init(policy: MaintenancePolicy) {
        self.policy = policy
    }

    /// Records a sample and returns the revision to compact through, if it is above `compacted`.
    package mutating func step(now: Duration, current: Revision, compacted: Revision) -> Revision? {
        self.samples.append((now, current))
        var target = Revision.zero
        if let retention = self.policy.minRetention {
            let cutoff = now - retention
            if let index = self.samples.lastIndex(where: { $0.time <= cutoff }) {
                target = self.samples[index].revision
                self.samples.removeFirst(index)  // keep the chosen one: it stays the floor until a newer one ages
            }
        } else {
            self.samples.removeAll()
        }
        if let maximum = self.policy.maxRetainedRevisions {
            target = max(target, Revision(current.rawValue - maximum))
        }
        return target > compacted ? min(target, current) : nil
    }
}
