import SkiffStorage
import Synchronization
import Testing

/// The buffer between the watch cache and one watcher: the cache never waits, the consumer takes everything queued.
@Suite(.timeLimit(.minutes(1)))
struct WatchBufferTests {
    static func elements(_ taken: WatchBuffer<Int>.Taken) -> [Int]? {
        if case .elements(let elements) = taken { return elements }
        return nil
    }

    @Test func theConsumerTakesEverythingQueuedAndAFullBufferRefuses() async throws {
        let buffer = WatchBuffer<Int>(capacity: 3)
        #expect(buffer.yield(1) == .enqueued)
        #expect(buffer.yield(2) == .enqueued)
        #expect(buffer.yield(3) == .enqueued)
        #expect(buffer.yield(4) == .dropped, "a full buffer refuses without waiting")
        #expect(Self.elements(try await buffer.take()) == [1, 2, 3])
        // A consumer waiting for changes gets the next one as soon as it comes.
        let consumer = Task { try await buffer.take() }
        try await Task.sleep(for: .milliseconds(20))
        #expect(buffer.yield(5) == .enqueued)
        #expect(Self.elements(try await consumer.value) == [5])
        // Finished: the rest, then the end; nothing more is queued.
        #expect(buffer.yield(6) == .enqueued)
        buffer.finish()
        #expect(buffer.yield(7) == .terminated)
        #expect(Self.elements(try await buffer.take()) == [6])
        guard case .finished = try await buffer.take() else {
            Issue.record("a finished, empty buffer ends")
            return
        }
    }

    @Test func aFinishingErrorComesAfterTheQueuedChanges() async throws {
        struct TooSlow: Error {}
        let buffer = WatchBuffer<Int>(capacity: 2)
        #expect(buffer.yield(1) == .enqueued)
        buffer.finish(throwing: TooSlow())
        #expect(Self.elements(try await buffer.take()) == [1])
        await #expect(throws: TooSlow.self) { try await buffer.take() }
    }

    @Test func wakingReturnsAWaitingConsumerEmptyHanded() async throws {
        let buffer = WatchBuffer<Int>(capacity: 2)
        let consumer = Task { try await buffer.take() }
        try await Task.sleep(for: .milliseconds(20))
        buffer.wake()
        #expect(Self.elements(try await consumer.value) == [])
        // A wake before the take is kept for it, and changes taken with it clear it.
        buffer.wake()
        #expect(buffer.yield(1) == .enqueued)
        #expect(Self.elements(try await buffer.take()) == [1])
        #expect(buffer.yield(2) == .enqueued)
        #expect(Self.elements(try await buffer.take()) == [2])
    }

    @Test func aCancelledOrTerminatedConsumerEndsTheBufferOnce() async throws {
        let terminations = Atomic<Int>(0)
        let buffer = WatchBuffer<Int>(capacity: 2)
        buffer.onTermination { terminations.add(1, ordering: .sequentiallyConsistent) }
        let consumer = Task { try await buffer.take() }
        try await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        await #expect(throws: CancellationError.self) { try await consumer.value }
        #expect(buffer.yield(1) == .terminated, "a cancelled consumer terminates its buffer")
        buffer.terminate()
        #expect(terminations.load(ordering: .sequentiallyConsistent) == 1)
        await #expect(throws: CancellationError.self) { try await buffer.take() }
    }

    @Test func droppingAWatchStreamRemovesItsWatcher() async throws {
        let storage = InMemoryStorage()
        try await CacherFixture.running(CacherFixture.makeCacher(storage, watcherBufferSize: 4)) { cacher in
            var stream: Cacher<String>.EventStream? = try await cacher.watch(prefix: CacherFixture.prefix, from: .now)
            #expect(cacher.watcherCount == 1)
            let live = stream!.live
            stream = nil
            #expect(live.yield(.progress(1)) == .terminated, "the last copy of the stream terminates its buffer")
            // The cache removes the watcher from a task of its own.
            for _ in 0..<200 where cacher.watcherCount > 0 { try await Task.sleep(for: .milliseconds(5)) }
            #expect(cacher.watcherCount == 0)
        }
    }
}
