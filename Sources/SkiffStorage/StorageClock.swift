import FoundationEssentials

/// The time source of a backend: wall-clock time for lease expiry and compaction, and a way to wait.
///
/// Backends never read the time directly, so tests inject a manual clock (`SkiffTestKit.StorageTestClock`), move
/// it, and call ``StorageBackend/performMaintenance()``.
public struct StorageClock: Sendable {
    /// The current time, as a duration since the Unix epoch (persisted for leases, so it must be wall time).
    public var now: @Sendable () -> Duration
    /// Waits for the given duration; throws `CancellationError` when cancelled.
    public var sleep: @Sendable (Duration) async throws -> Void

    /// Makes a clock from its two operations.
    public init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    /// The system's wall clock and `Task.sleep`.
    public static let system = StorageClock(
        now: {
            let seconds = Date().timeIntervalSince1970
            return .milliseconds(Int64(seconds * 1000))
        },
        sleep: { duration in try await Task.sleep(for: duration) }
    )
}

extension StorageBackend {
    /// The body of an embedded backend's ``StorageBackend/run()``: ``StorageBackend/performMaintenance()`` every
    /// `interval` on `clock`, until the task is cancelled.
    package func runMaintenanceLoop(every interval: Duration, clock: StorageClock) async throws {
        while !Task.isCancelled {
            try await self.performMaintenance()
            do {
                try await clock.sleep(interval)
            } catch is CancellationError {
                return
            }
        }
    }
}
