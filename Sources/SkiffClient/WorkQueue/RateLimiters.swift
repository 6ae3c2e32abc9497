#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Synchronization

/// Decides how long an item waits before it is re-queued (↔ client-go's `workqueue.TypedRateLimiter`).
public protocol WorkQueueRateLimiter<Item>: Sendable {
    associatedtype Item: Hashable & Sendable
    /// How long `item` must wait now; records a failure.
    func when(_ item: Item) -> Duration
    /// Stops tracking `item` (it succeeded).
    func forget(_ item: Item)
    /// How many times `item` has been re-queued since it was last forgotten.
    func numRequeues(_ item: Item) -> Int
}

/// Per-item exponential back-off: `base * 2^failures`, capped at `maximum` (↔
/// `ItemExponentialFailureRateLimiter`).
public final class ItemExponentialFailureRateLimiter<Item: Hashable & Sendable>: WorkQueueRateLimiter {
    public let base: Duration
    public let maximum: Duration
    private let failures = Mutex<[Item: Int]>([:])

    public init(base: Duration, maximum: Duration) {
        self.base = base
        self.maximum = maximum
    }

    public func when(_ item: Item) -> Duration {
        let exponent = self.failures.withLock { failures in
            let count = failures[item, default: 0]
            failures[item] = count + 1
            return count
        }
        // Beyond 2^62 the product overflows; the cap applies long before.
        guard exponent < 62 else { return self.maximum }
        let seconds = self.base.timeInterval * Double(1 << exponent)
        guard seconds < self.maximum.timeInterval else { return self.maximum }
        return .nanoseconds(Int64(seconds * 1e9))
    }

    public func forget(_ item: Item) {
        _ = self.failures.withLock { $0.removeValue(forKey: item) }
    }

    public func numRequeues(_ item: Item) -> Int {
        self.failures.withLock { $0[item, default: 0] }
    }
}

/// An overall token bucket shared by every item (↔ `BucketRateLimiter`): items wait for a token of `qps`
/// per second with `burst` stored.
public final class BucketRateLimiter<Item: Hashable & Sendable>: WorkQueueRateLimiter {
    let bucket: TokenBucket

    public init(qps: Double, burst: Int, clock: any ClientClock = SystemClock()) {
        self.bucket = TokenBucket(qps: qps, burst: burst, clock: clock)
    }

    public func when(_ item: Item) -> Duration { self.bucket.reserve() }
    public func forget(_ item: Item) {}
    public func numRequeues(_ item: Item) -> Int { 0 }
}

/// The longest wait of several limiters (↔ `MaxOfRateLimiter`).
public struct MaxOfRateLimiter<Item: Hashable & Sendable>: WorkQueueRateLimiter {
    let limiters: [any WorkQueueRateLimiter<Item>]

    public init(_ limiters: [any WorkQueueRateLimiter<Item>]) {
        self.limiters = limiters
    }

    public func when(_ item: Item) -> Duration {
        self.limiters.map { $0.when(item) }.max() ?? .zero
    }

    public func forget(_ item: Item) {
        for limiter in self.limiters { limiter.forget(item) }
    }

    public func numRequeues(_ item: Item) -> Int {
        self.limiters.map { $0.numRequeues(item) }.max() ?? 0
    }
}

extension MaxOfRateLimiter {
    /// Upstream's default controller rate limiter: per-item exponential back-off from 5 ms to 1000 s, and an overall
    /// bucket of 10 QPS with a burst of 100 (↔ `DefaultTypedControllerRateLimiter`).
    public static func defaultController(clock: any ClientClock = SystemClock()) -> MaxOfRateLimiter<Item> {
        MaxOfRateLimiter([
            ItemExponentialFailureRateLimiter<Item>(base: .milliseconds(5), maximum: .seconds(1000)),
            BucketRateLimiter<Item>(qps: 10, burst: 100, clock: clock),
        ])
    }
}
