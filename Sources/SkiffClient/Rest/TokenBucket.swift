#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Synchronization

/// A token bucket: `qps` tokens a second, at most `burst` stored (↔ `golang.org/x/time/rate.Limiter`).
///
/// ``reserve()`` takes a token now or reserves a future one and says how long to wait for it, as upstream's
/// `Reserve().Delay()` does; the client's throttle and the work queue's overall limiter are built on it.
public final class TokenBucket: Sendable {
    private struct State {
        var tokens: Double
        var last: Date
    }

    /// Tokens added per second.
    public let qps: Double
    /// The bucket's size.
    public let burst: Int
    let clock: any ClientClock
    private let state: Mutex<State>

    /// Makes a full bucket.
    public init(qps: Double, burst: Int, clock: any ClientClock = SystemClock()) {
        precondition(qps > 0, "TokenBucket: qps must be positive")
        self.qps = qps
        self.burst = max(burst, 1)
        self.clock = clock
        self.state = Mutex(State(tokens: Double(max(burst, 1)), last: clock.now()))
    }

    /// Takes a token, possibly one not yet earned, and returns how long the caller must wait before using it.
    public func reserve() -> Duration {
        let now = self.clock.now()
        return self.state.withLock { state in
            let elapsed = max(now.timeIntervalSince(state.last), 0)
            state.tokens = min(Double(self.burst), state.tokens + elapsed * self.qps)
            state.last = max(now, state.last)
            state.tokens -= 1
            guard state.tokens < 0 else { return .zero }
            return .nanoseconds(Int64((-state.tokens / self.qps * 1e9).rounded(.up)))
        }
    }

    /// Takes a token only if one is available now.
    public func tryAccept() -> Bool {
        let now = self.clock.now()
        return self.state.withLock { state in
            let elapsed = max(now.timeIntervalSince(state.last), 0)
            state.tokens = min(Double(self.burst), state.tokens + elapsed * self.qps)
            state.last = max(now, state.last)
            guard state.tokens >= 1 else { return false }
            state.tokens -= 1
            return true
        }
    }

    /// Waits for a token (↔ `rate.Limiter.Wait`).
    public func wait() async throws {
        let delay = self.reserve()
        if delay > .zero { try await self.clock.sleep(for: delay) }
    }
}
