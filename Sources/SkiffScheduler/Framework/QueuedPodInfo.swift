/// A pod in the scheduling queue with its queueing history (↔ `framework.QueuedPodInfo`).
public struct QueuedPodInfo: Sendable {
    /// The pod.
    public var podInfo: PodInfo
    /// When the pod was last added to the queue (or moved back to activeQ); QueueSort breaks priority ties on it.
    public var timestamp: Duration
    /// How many scheduling attempts the pod had.
    public var attempts: Int
    /// When the pod first entered the queue, for the attempt latency metrics.
    public var initialAttemptTimestamp: Duration?
    /// Plugins that rejected the pod in its last attempt; only their events move it back.
    public var unschedulablePlugins: Set<String>
    /// Plugins that returned Pending for the pod in its last attempt.
    public var pendingPlugins: Set<String>
    /// The PreEnqueue plugin that keeps the pod out of activeQ, if any.
    public var gatingPlugin: String?
    /// How many times the last attempt's failure was an error rather than a rejection (no plugin to blame).
    public var consecutiveErrors: Int

    /// Makes an entry for a pod seen at `timestamp`.
    public init(podInfo: PodInfo, timestamp: Duration) {
        self.podInfo = podInfo
        self.timestamp = timestamp
        self.attempts = 0
        self.initialAttemptTimestamp = nil
        self.unschedulablePlugins = []
        self.pendingPlugins = []
        self.gatingPlugin = nil
        self.consecutiveErrors = 0
    }

    /// `true` while a PreEnqueue plugin holds the pod back.
    public var isGated: Bool { self.gatingPlugin != nil }
}

/// Time for the scheduler: the current time and a way to wait, injected so tests move time by hand.
///
/// Times are durations since the Unix epoch, as ``SchedulerClock/system`` reads them from the wall clock.
public struct SchedulerClock: Sendable {
    /// The current time, since the Unix epoch.
    public var now: @Sendable () -> Duration
    /// Waits for a duration (the real clock sleeps; a test clock may wait for its own advance).
    public var sleep: @Sendable (Duration) async throws -> Void

    /// Makes a clock.
    public init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }
}
