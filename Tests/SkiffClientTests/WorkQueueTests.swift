import Foundation
import SkiffClient
import Testing

/// The work queue's upstream semantics, with a manual clock (no sleeping).
struct WorkQueueTests {
    /// One step of a scripted scenario.
    enum Step: Sendable, CustomStringConvertible {
        case add(String)
        case get(String?)  // expects this item next (nil: the queue is shut down and empty)
        case done(String)
        case count(Int)
        case shutDown

        var description: String {
            switch self {
            case .add(let item): "add(\(item))"
            case .get(let item): "get→\(item ?? "nil")"
            case .done(let item): "done(\(item))"
            case .count(let count): "count=\(count)"
            case .shutDown: "shutDown"
            }
        }
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [Step]
        var testDescription: String { self.name }
    }

    @Test(arguments: [
        Scenario(name: "FIFO order", steps: [.add("a"), .add("b"), .add("c"), .get("a"), .get("b"), .get("c")]),
        Scenario(name: "duplicates collapse while queued", steps: [.add("a"), .add("b"), .add("a"), .count(2), .get("a"), .get("b"), .count(0)]),
        Scenario(
            name: "re-added while processing is queued after done",
            steps: [.add("a"), .get("a"), .add("a"), .count(0), .add("b"), .get("b"), .done("a"), .count(1), .get("a")]
        ),
        Scenario(name: "done without a re-add does not requeue", steps: [.add("a"), .get("a"), .done("a"), .count(0)]),
        Scenario(
            name: "shut down drains what is queued, then ends",
            steps: [.add("a"), .add("b"), .shutDown, .add("c"), .get("a"), .get("b"), .get(nil)]
        ),
    ])
    func followsUpstreamSemantics(_ scenario: Scenario) async {
        let queue = WorkQueue<String>(clock: ManualClock())
        for step in scenario.steps {
            switch step {
            case .add(let item): queue.add(item)
            case .get(let expected): #expect(await queue.get() == expected, "\(step)")
            case .done(let item): queue.done(item)
            case .count(let expected): #expect(queue.count == expected, "\(step)")
            case .shutDown: queue.shutDown()
            }
        }
    }

    @Test func anItemIsNeverProcessedByTwoWorkersAtOnce() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        queue.add("a")
        let first = await queue.get()
        #expect(first == "a")
        queue.add("a")
        async let second = queue.get()
        // The second worker waits: "a" is being processed.
        while queue.idleWorkerCount == 0 { await Task.yield() }
        #expect(queue.count == 0)
        queue.done("a")
        #expect(await second == "a")
    }

    @Test func addAfterQueuesOnceTheDelayHasPassed() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        queue.addAfter("later", .seconds(10))
        queue.addAfter("sooner", .seconds(5))
        #expect(queue.count == 0)
        #expect(queue.waitingCount == 2)
        async let first = queue.get()
        await clock.waitForSleepers()
        clock.advance(by: .seconds(4))
        #expect(queue.count == 0)
        clock.advance(by: .seconds(1))
        #expect(await first == "sooner")
        async let second = queue.get()
        await clock.waitForSleepers()
        clock.advance(by: .seconds(5))
        #expect(await second == "later")
    }

    @Test func anEarlierAddAfterRearmsAWaitingWorker() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        queue.addAfter("slow", .seconds(100))
        async let item = queue.get()
        await clock.waitForSleepers()
        queue.addAfter("fast", .seconds(1))
        // The worker re-arms for the earlier deadline.
        while clock.nextDeadline.map({ $0.timeIntervalSince(clock.now()) > 1 }) ?? true { await Task.yield() }
        clock.advance(by: .seconds(1))
        #expect(await item == "fast")
    }

    struct BackoffCase: Sendable, CustomTestStringConvertible {
        var failures: Int
        var expected: Duration
        var testDescription: String { "after \(self.failures) failures: \(self.expected)" }
    }

    @Test(arguments: [
        BackoffCase(failures: 0, expected: .milliseconds(5)),
        BackoffCase(failures: 1, expected: .milliseconds(10)),
        BackoffCase(failures: 4, expected: .milliseconds(80)),
        BackoffCase(failures: 10, expected: .milliseconds(5120)),
        BackoffCase(failures: 17, expected: .milliseconds(655_360)),
        BackoffCase(failures: 18, expected: .seconds(1000)),
        BackoffCase(failures: 100, expected: .seconds(1000)),
    ])
    func itemBackoffIsExponentialAndCapped(_ c: BackoffCase) {
        let limiter = ItemExponentialFailureRateLimiter<String>(base: .milliseconds(5), maximum: .seconds(1000))
        for _ in 0..<c.failures { _ = limiter.when("x") }
        #expect(limiter.when("x") == c.expected)
        #expect(limiter.numRequeues("x") == c.failures + 1)
        limiter.forget("x")
        #expect(limiter.numRequeues("x") == 0)
        #expect(limiter.when("x") == .milliseconds(5))
    }

    @Test func defaultControllerLimiterAddsTheBucketAfterTheBurst() {
        let clock = ManualClock()
        let limiter = MaxOfRateLimiter<Int>.defaultController(clock: clock)
        // 100 distinct items pass the bucket's burst with only their per-item 5 ms.
        for item in 0..<100 { #expect(limiter.when(item) == .milliseconds(5)) }
        // The 101st waits for a token at 10 QPS.
        #expect(limiter.when(100) == .milliseconds(100))
        #expect(limiter.when(101) == .milliseconds(200))
        clock.advance(by: .seconds(1))
        #expect(limiter.when(102) == .milliseconds(5))  // ten tokens refilled
    }

    @Test func addRateLimitedBacksOffAndForgetResets() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(
            rateLimiter: ItemExponentialFailureRateLimiter(base: .seconds(1), maximum: .seconds(60)),
            clock: clock
        )
        queue.addRateLimited("x")
        queue.addRateLimited("x")  // still waiting: keeps the earlier time
        #expect(queue.numRequeues("x") == 2)
        async let first = queue.get()
        await clock.waitForSleepers()
        clock.advance(by: .seconds(1))
        #expect(await first == "x")
        queue.done("x")
        queue.forget("x")
        #expect(queue.numRequeues("x") == 0)
    }

    @Test func shutDownWithDrainWaitsForItemsInProcessing() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        queue.add("busy")
        let item = await queue.get()
        #expect(item == "busy")
        async let drained: Void = queue.shutDownWithDrain()
        while !queue.isShuttingDown { await Task.yield() }
        #expect(await queue.get() == nil)
        queue.done("busy")
        await drained
    }

    @Test func cancellingAWaitingWorkerReturnsNil() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        let worker = Task { await queue.get() }
        while queue.idleWorkerCount == 0 { await Task.yield() }
        worker.cancel()
        #expect(await worker.value == nil)
    }
}
