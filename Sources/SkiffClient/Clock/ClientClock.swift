#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif
import Synchronization

/// The time source of the client library: wall-clock time and a way to wait.
///
/// Work queues, rate limiters, leader election and the event recorder never read the time directly, so tests pass
/// a ``ManualClock`` and move it, instead of sleeping (↔ `k8s.io/utils/clock`).
///
/// ## Topics
/// - ``SystemClock``
/// - ``ManualClock``
public protocol ClientClock: Sendable {
    /// The current wall-clock time.
    func now() -> Date
    /// Waits for `duration`; throws `CancellationError` when the task is cancelled first.
    func sleep(for duration: Duration) async throws
}

/// The system's wall clock and `Task.sleep`.
public struct SystemClock: ClientClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(for duration: Duration) async throws {
        guard duration > .zero else {
            try Task.checkCancellation()
            return
        }
        try await Task.sleep(for: duration)
    }
}

extension ClientClock where Self == SystemClock {
    /// The system clock.
    public static var system: SystemClock { SystemClock() }
}

extension Date {
    /// This date moved by a `Duration` (which `Date` lacks an operator for).
    func adding(_ duration: Duration) -> Date {
        self.addingTimeInterval(duration.timeInterval)
    }

    /// The time from `earlier` to this date, as a `Duration`.
    func duration(since earlier: Date) -> Duration {
        .nanoseconds(Int64((self.timeIntervalSince(earlier) * 1e9).rounded()))
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = self.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}

/// A clock for tests: time moves only when the test calls ``advance(by:)``; sleepers wake when their deadline
/// has been reached (↔ `k8s.io/utils/clock/testing.FakeClock`).
///
/// Tests that need a sleeper to be waiting before they move time call ``waitForSleepers(atLeast:)``, which yields
/// until enough tasks sleep on the clock (no wall-clock waiting).
public final class ManualClock: ClientClock {
    private struct Sleeper {
        var id: Int
        var deadline: Date
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var nextID = 0
        var sleepers: [Sleeper] = []
    }

    private let state: Mutex<State>

    /// Makes a clock at `start` (default 2026-01-01T00:00:00Z).
    public init(start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {
        self.state = Mutex(State(now: start))
    }

    public func now() -> Date {
        self.state.withLock { $0.now }
    }

    /// How many tasks are sleeping on the clock.
    public var sleeperCount: Int {
        self.state.withLock { $0.sleepers.count }
    }

    /// The earliest deadline of a sleeping task.
    public var nextDeadline: Date? {
        self.state.withLock { $0.sleepers.map(\.deadline).min() }
    }

    public func sleep(for duration: Duration) async throws {
        let id = self.state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = self.state.withLock { state in
                    if Task.isCancelled { return true }
                    let deadline = state.now.adding(duration)
                    if deadline <= state.now { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let sleeper: Sleeper? = self.state.withLock { state in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Moves time forward and wakes the sleepers whose deadline has come, earliest first.
    public func advance(by duration: Duration) {
        let woken: [Sleeper] = self.state.withLock { state in
            state.now = state.now.adding(duration)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    /// Moves time to the earliest sleeper's deadline (if any) and wakes it.
    public func advanceToNextDeadline() {
        guard let deadline = self.nextDeadline else { return }
        self.advance(by: deadline.duration(since: self.now()))
    }

    /// Yields until at least `count` tasks sleep on the clock.
    public func waitForSleepers(atLeast count: Int = 1) async {
        while self.sleeperCount < count {
            await Task.yield()
        }
    }
}
