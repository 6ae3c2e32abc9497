public import SkiffStorage
import Synchronization

/// A manual wall clock for storage tests: time moves only when the test calls ``advance(by:)``.
///
/// Pass ``storageClock`` to a backend, advance the clock past a lease's TTL or the compaction retention, then call
/// ``StorageBackend/performMaintenance()``. Its `sleep` waits for the task's cancellation, never for time, so a
/// backend's `run()` loop under this clock performs maintenance once and then idles.
public final class StorageTestClock: Sendable {
    private let current: Mutex<Duration>

    /// Makes a clock at `start` (a duration since the Unix epoch; default: 2026-01-01T00:00:00Z).
    public init(start: Duration = .seconds(1_767_225_600)) {
        self.current = Mutex(start)
    }

    /// The current time.
    public var now: Duration {
        self.current.withLock { $0 }
    }

    /// Moves the time forward.
    public func advance(by duration: Duration) {
        self.current.withLock { $0 += duration }
    }

    /// The clock, as a backend takes it.
    public var storageClock: StorageClock {
        StorageClock(
            now: { self.now },
            sleep: { _ in
                // Never wakes up by itself: only cancellation ends the wait (no timing in tests).
                try await Task.sleep(for: .seconds(86_400 * 365))
                throw CancellationError()
            }
        )
    }
}
