import SkiffStorage
import Testing

@Suite(.timeLimit(.minutes(1)))
struct CacherTests {
    typealias F = CacherFixture

    // MARK: Reading

    @Test
    func isReadyAfterTheFirstListAndServesItsObjectsInKeyOrder() async throws {
        let storage = InMemoryStorage()
        let b = try await storage.create("/registry/pods/default/b", value: F.bytes("b"))
        let a = try await storage.create("/registry/pods/default/a", value: F.bytes("a"))
        _ = try await storage.create("/registry/nodes/n", value: F.bytes("n"))
        let cacher = F.makeCacher(storage)
        #expect(cacher.revision == .zero)
        #expect(!cacher.isReady)
        try await F.running(cacher) { cacher in
            #expect(cacher.isReady)
            #expect(cacher.revision == 3)
            let (objects, revision) = try await cacher.list(prefix: F.prefix, notOlderThan: nil)
            #expect(revision == 3)
            #expect(objects == [F.object(a), F.object(b)])
            #expect(objects.map(\.attributes) == ["a", "b"])
            let (object, _) = try await cacher.get(key: "/registry/pods/default/b", notOlderThan: nil)
            #expect(object == F.object(b))
            let (missing, _) = try await cacher.get(key: "/registry/pods/default/z", notOlderThan: nil)
            #expect(missing == nil)
        }
    }

    @Test
    func listsBySubPrefix() async throws {
        let storage = InMemoryStorage()
        for key in ["/registry/pods/a/1", "/registry/pods/ab/2", "/registry/pods/b/3", "/registry/pods/a/4"] {
            _ = try await storage.create(key, value: F.bytes(key))
        }
        try await F.running(F.makeCacher(storage)) { cacher in
            let inA = try await cacher.list(prefix: "/registry/pods/a/", notOlderThan: nil).objects.map(\.key)
            #expect(inA == ["/registry/pods/a/1", "/registry/pods/a/4"])
            let inB = try await cacher.list(prefix: "/registry/pods/b/", notOlderThan: nil).objects.map(\.key)
            #expect(inB == ["/registry/pods/b/3"])
            let none = try await cacher.list(prefix: "/registry/pods/c/", notOlderThan: nil).objects
            #expect(none.isEmpty)
            let error = await #expect(throws: CacherError.self) {
                try await cacher.list(prefix: "/registry/", notOlderThan: nil)
            }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test
    func aListAtAFutureRevisionWaitsForTheCacheToCatchUp() async throws {
        let storage = InMemoryStorage()
        _ = try await storage.create("/registry/pods/a", value: F.bytes("1"))
        try await F.running(F.makeCacher(storage)) { cacher in
            async let listed = cacher.list(prefix: F.prefix, notOlderThan: 3, timeout: .seconds(30))
            _ = try await storage.create("/registry/pods/b", value: F.bytes("2"))
            _ = try await storage.create("/registry/pods/c", value: F.bytes("3"))
            let (objects, revision) = try await listed
            #expect(revision >= 3)
            #expect(objects.map(\.key) == ["/registry/pods/a", "/registry/pods/b", "/registry/pods/c"])
        }
    }

    @Test
    func aReadAtTheRevisionOfAnotherPrefixAsksTheStoreForProgress() async throws {
        let storage = InMemoryStorage()
        let clock = ManualSleepClock()  // the periodic progress request never fires
        _ = try await storage.create("/registry/pods/a", value: F.bytes("1"))
        try await F.running(F.makeCacher(storage, clock: clock.storageClock)) { cacher in
            let node = try await storage.create("/registry/nodes/n", value: F.bytes("n"))
            let (object, revision) = try await cacher.get(
                key: "/registry/pods/a",
                notOlderThan: node.modRevision,
                timeout: .seconds(30)
            )
            #expect(revision == node.modRevision)
            #expect(object?.attributes == "1")
        }
    }

    @Test
    func aListAtAFutureRevisionTimesOutWithTooLargeResourceVersion() async throws {
        let storage = InMemoryStorage()
        let clock = ManualSleepClock()
        _ = try await storage.create("/registry/pods/a", value: F.bytes("1"))
        try await F.running(F.makeCacher(storage, clock: clock.storageClock)) { cacher in
            async let listed = F.error { try await cacher.list(prefix: F.prefix, notOlderThan: 100) }
            await clock.waitForSleepers(2)  // the progress loop and the list's timeout
            clock.tick()
            let error = await listed as? CacherError
            #expect(error?.code == .tooLargeResourceVersion)
            #expect(error?.requested == 100)
            #expect(error?.current == 1)
            #expect(error?.message == "Too large resource version: 100, current: 1")
        }
    }

    @Test
    func aListBeforeTheFirstListTimesOutWithNotReady() async throws {
        let clock = ManualSleepClock()
        let cacher = F.makeCacher(InMemoryStorage(), clock: clock.storageClock)
        async let listed = F.error { try await cacher.list(prefix: F.prefix, notOlderThan: nil) }
        await clock.waitForSleepers(1)
        clock.tick()
        let error = await listed as? CacherError
        #expect(error?.code == .notReady)
    }

    // MARK: Watching

    @Test
    func aWatchFromNowDeliversCreatesModificationsAndDeletesWithPreviousObjects() async throws {
        let storage = InMemoryStorage()
        let old = try await storage.create("/registry/pods/old", value: F.bytes("old"))
        try await F.running(F.makeCacher(storage)) { cacher in
            var events = try await cacher.watch(prefix: F.prefix, from: .now).makeAsyncIterator()
            let created = try await storage.create("/registry/pods/x", value: F.bytes("x1"))
            _ = try await storage.create("/registry/nodes/ignored", value: F.bytes("n"))
            let modified = try await storage.update(
                "/registry/pods/x",
                value: F.bytes("x2"),
                expected: created.modRevision
            )
            let deleted = try await storage.delete("/registry/pods/old")
            let received = try await F.next(3, from: &events)
            #expect(
                received == [
                    .added(F.object(created)),
                    .modified(F.object(modified), previous: F.object(created)),
                    .deleted(previous: F.object(old), revision: deleted.revision),
                ]
            )
            #expect(received.map(\.revision) == [2, 4, 5])
        }
    }

    @Test
    func aWatchAfterARevisionReplaysExactlyTheLaterChangesThenGoesLive() async throws {
        let storage = InMemoryStorage()
        try await F.running(F.makeCacher(storage)) { cacher in
            let a1 = try await storage.create("/registry/pods/ns/a", value: F.bytes("a1"))
            let b1 = try await storage.create("/registry/pods/ns/b", value: F.bytes("b1"))
            let a2 = try await storage.update("/registry/pods/ns/a", value: F.bytes("a2"), expected: a1.modRevision)
            _ = try await storage.create("/registry/pods/other/z", value: F.bytes("z"))
            let deleteB = try await storage.delete("/registry/pods/ns/b")
            let c1 = try await storage.create("/registry/pods/ns/c", value: F.bytes("c1"))
            _ = try await cacher.list(prefix: F.prefix, notOlderThan: c1.modRevision)

            var events = try await cacher.watch(prefix: "/registry/pods/ns/", from: .after(b1.modRevision))
                .makeAsyncIterator()
            #expect(
                try await F.next(3, from: &events) == [
                    .modified(F.object(a2), previous: F.object(a1)),
                    .deleted(previous: F.object(b1), revision: deleteB.revision),
                    .added(F.object(c1)),
                ]
            )
            let c2 = try await storage.update("/registry/pods/ns/c", value: F.bytes("c2"), expected: c1.modRevision)
            #expect(try await F.next(1, from: &events) == [.modified(F.object(c2), previous: F.object(c1))])

            // Resuming after the newest revision replays nothing.
            var fromNewest = try await cacher.watch(prefix: F.prefix, from: .after(c2.modRevision))
                .makeAsyncIterator()
            let d = try await storage.create("/registry/pods/ns/d", value: F.bytes("d"))
            #expect(try await F.next(1, from: &fromNewest) == [.added(F.object(d))])
        }
    }

    @Test
    func aWatchFromTheInitialStateSendsTheObjectsThenInitialEventsEndThenChanges() async throws {
        let storage = InMemoryStorage()
        let b = try await storage.create("/registry/pods/ns/b", value: F.bytes("b"))
        let a = try await storage.create("/registry/pods/ns/a", value: F.bytes("a"))
        _ = try await storage.create("/registry/pods/other/c", value: F.bytes("c"))
        try await F.running(F.makeCacher(storage)) { cacher in
            var events = try await cacher.watch(prefix: "/registry/pods/ns/", from: .initialState(notOlderThan: 2))
                .makeAsyncIterator()
            #expect(
                try await F.next(3, from: &events) == [.added(F.object(a)), .added(F.object(b)), .initialEventsEnd(3)]
            )
            let a2 = try await storage.update("/registry/pods/ns/a", value: F.bytes("a2"), expected: a.modRevision)
            #expect(try await F.next(1, from: &events) == [.modified(F.object(a2), previous: F.object(a))])
        }
    }

    @Test
    func aWatchAfterARevisionTheHistoryNoLongerCoversIsTooOld() async throws {
        let storage = InMemoryStorage()
        try await F.running(F.makeCacher(storage, historyCapacity: 3)) { cacher in
            for index in 1...5 {
                _ = try await storage.create("/registry/pods/p\(index)", value: F.bytes("\(index)"))
            }
            _ = try await cacher.list(prefix: F.prefix, notOlderThan: 5)
            let error = await #expect(throws: CacherError.self) {
                try await cacher.watch(prefix: F.prefix, from: .after(1))
            }
            #expect(error?.code == .tooOld)
            #expect(error?.requested == 1)
            #expect(error?.oldest == 2)
            #expect(error?.message == "too old resource version: 1 (2)")
            var events = try await cacher.watch(prefix: F.prefix, from: .after(2)).makeAsyncIterator()
            #expect(try await F.next(3, from: &events).map(\.revision) == [3, 4, 5])
        }
    }

    @Test
    func aSlowWatcherEndsTooSlowWhileAFastOneGetsEverything() async throws {
        let storage = InMemoryStorage()
        try await F.running(F.makeCacher(storage, watcherBufferSize: 5)) { cacher in
            let slow = try await cacher.watch(prefix: F.prefix, from: .now)
            var fast = try await cacher.watch(prefix: F.prefix, from: .now).makeAsyncIterator()
            var revisions: [Revision] = []
            for index in 1...20 {
                let created = try await storage.create("/registry/pods/p\(index)", value: F.bytes("\(index)"))
                let received = try await F.next(1, from: &fast)
                #expect(received == [.added(F.object(created))])
                revisions += received.map(\.revision)
            }
            #expect(revisions == (1...20).map { Revision(Int64($0)) })
            #expect(cacher.watcherCount == 1)
            var slowRevisions: [Revision] = []
            let error = await #expect(throws: StorageError.self) {
                for try await event in slow { slowRevisions.append(event.revision) }
            }
            #expect(error?.code == .watcherTooSlow)
            #expect(slowRevisions == [1, 2, 3, 4, 5])  // what fitted in the buffer, without a gap
        }
    }

    @Test
    func aThousandWatchersAllReceiveOneWrite() async throws {
        let storage = InMemoryStorage()
        try await F.running(F.makeCacher(storage)) { cacher in
            var streams: [Cacher<String>.EventStream] = []
            for index in 0..<1_000 {
                let prefix = index.isMultiple(of: 2) ? F.prefix : "/registry/pods/ns/"
                streams.append(try await cacher.watch(prefix: prefix, from: .now))
            }
            #expect(cacher.watcherCount == 1_000)
            let start = ContinuousClock.now
            let created = try await storage.create("/registry/pods/ns/x", value: F.bytes("x"))
            var delivered = 0
            for stream in streams {
                var iterator = stream.makeAsyncIterator()
                if try await iterator.next(isolation: #isolation) == .added(F.object(created)) { delivered += 1 }
            }
            let elapsed = ContinuousClock.now - start
            #expect(delivered == 1_000)
            print("Cacher: one write delivered to 1,000 watchers in \(elapsed)")
        }
    }

    @Test
    func progressNotificationsAdvanceTheCacheWithoutWritesToItsPrefix() async throws {
        let storage = InMemoryStorage()
        let clock = ManualSleepClock()
        _ = try await storage.create("/registry/pods/a", value: F.bytes("1"))
        try await F.running(F.makeCacher(storage, clock: clock.storageClock)) { cacher in
            var events = try await cacher.watch(prefix: F.prefix, from: .now).makeAsyncIterator()
            let node = try await storage.create("/registry/nodes/n", value: F.bytes("n"))
            #expect(cacher.revision == 1)
            await clock.waitForSleepers(1)  // the progress loop
            clock.tick()
            #expect(try await F.next(1, from: &events) == [.progress(node.modRevision)])
            #expect(cacher.revision == node.modRevision)
        }
    }

    @Test
    func aProgressNotificationThatAdvancesNothingSendsNoBookmark() async throws {
        let storage = InMemoryStorage()
        let clock = ManualSleepClock()
        try await F.running(F.makeCacher(storage, clock: clock.storageClock)) { cacher in
            var events = try await cacher.watch(prefix: F.prefix, from: .now).makeAsyncIterator()
            try await storage.requestProgress()
            try await storage.requestProgress()
            let a = try await storage.create("/registry/pods/a", value: F.bytes("a"))
            try await storage.requestProgress()
            let node = try await storage.create("/registry/nodes/n", value: F.bytes("n"))
            try await storage.requestProgress()
            try await storage.requestProgress()
            let b = try await storage.create("/registry/pods/b", value: F.bytes("b"))
            #expect(
                try await F.next(3, from: &events) == [
                    .added(F.object(a)), .progress(node.modRevision), .added(F.object(b)),
                ]
            )
        }
    }

    @Test
    func theAttributesClosureRunsOncePerStoredChange() async throws {
        let storage = InMemoryStorage()
        let calls = CallCounter()
        _ = try await storage.create("/registry/pods/a", value: F.bytes("1"))
        let cacher = Cacher<Int>(storage: storage, prefix: F.prefix) { keyValue in
            calls.increment()
            return keyValue.value.count
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await cacher.run() }
            defer { group.cancelAll() }
            try await cacher.waitUntilReady()
            var streams: [Cacher<Int>.EventStream.AsyncIterator] = []
            for _ in 0..<10 {
                streams.append(try await cacher.watch(prefix: F.prefix, from: .now).makeAsyncIterator())
            }
            let b = try await storage.create("/registry/pods/b", value: F.bytes("22"))
            _ = try await storage.update("/registry/pods/b", value: F.bytes("333"), expected: b.modRevision)
            _ = try await cacher.list(prefix: F.prefix, notOlderThan: 3)
            _ = try await cacher.list(prefix: F.prefix, notOlderThan: 3)
            for index in streams.indices {
                _ = try await streams[index].next(isolation: #isolation)
                _ = try await streams[index].next(isolation: #isolation)
            }
            #expect(calls.count == 3)
        }
    }

    // MARK: Recovery and lifecycle

    @Test
    func compactingTheStoreDoesNotDisturbTheCache() async throws {
        let storage = InMemoryStorage()
        try await F.running(F.makeCacher(storage)) { cacher in
            let a = try await storage.create("/registry/pods/a", value: F.bytes("1"))
            let b = try await storage.create("/registry/pods/b", value: F.bytes("2"))
            try await storage.compact(through: b.modRevision)
            let c = try await storage.create("/registry/pods/c", value: F.bytes("3"))
            // The cache's own history still covers revisions the store compacted.
            var events = try await cacher.watch(prefix: F.prefix, from: .after(a.modRevision)).makeAsyncIterator()
            #expect(try await F.next(2, from: &events) == [.added(F.object(b)), .added(F.object(c))])
        }
    }

    @Test
    func aBrokenStorageWatchMakesTheCacheListAgainAndKeepServing() async throws {
        let base = InMemoryStorage()
        let storage = BreakableStorage(base)
        try await F.running(F.makeCacher(storage)) { cacher in
            let a = try await storage.create("/registry/pods/a", value: F.bytes("1"))
            _ = try await cacher.list(prefix: F.prefix, notOlderThan: a.modRevision)
            let watcher = try await cacher.watch(prefix: F.prefix, from: .now)
            #expect(storage.watchCalls == 1)

            storage.breakWatches(with: StorageError.compacted(compactRevision: a.modRevision))
            let b = try await storage.create("/registry/pods/b", value: F.bytes("2"))
            _ = try await storage.delete("/registry/pods/a")
            try await storage.compact(through: try await storage.currentRevision())

            let (objects, revision) = try await cacher.list(prefix: F.prefix, notOlderThan: 3, timeout: .seconds(30))
            #expect(revision == 3)
            #expect(objects == [F.object(b)])
            #expect(storage.watchCalls >= 2)
            // The old watcher lost its position and is told so.
            let error = await #expect(throws: CacherError.self) {
                for try await _ in watcher {}
            }
            #expect(error?.code == .tooOld)
            // New watchers are served.
            var events = try await cacher.watch(prefix: F.prefix, from: .after(3)).makeAsyncIterator()
            let c = try await storage.create("/registry/pods/c", value: F.bytes("3"))
            #expect(try await F.next(1, from: &events) == [.added(F.object(c))])
        }
    }

    @Test
    func cancellingRunEndsEveryWatchAndRead() async throws {
        let storage = InMemoryStorage()
        let cacher = F.makeCacher(storage)
        let watcher = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await cacher.run() }
            try await cacher.waitUntilReady()
            let watcher = try await cacher.watch(prefix: F.prefix, from: .now)
            group.cancelAll()
            return watcher
        }
        let error = await #expect(throws: CacherError.self) {
            for try await _ in watcher {}
        }
        #expect(error?.code == .unavailable)
        #expect(!cacher.isReady)
        #expect(cacher.watcherCount == 0)
        let listError = await #expect(throws: CacherError.self) {
            try await cacher.list(prefix: F.prefix, notOlderThan: nil)
        }
        #expect(listError?.code == .unavailable)
    }

    @Test
    func cancellingTheConsumerRemovesTheWatcher() async throws {
        let storage = InMemoryStorage()
        try await F.running(F.makeCacher(storage)) { cacher in
            let stream = try await cacher.watch(prefix: F.prefix, from: .now)
            #expect(cacher.watcherCount == 1)
            let consumer = Task {
                for try await _ in stream {}
            }
            consumer.cancel()
            _ = await consumer.result
            try await eventually { cacher.watcherCount == 0 }
            #expect(cacher.watcherCount == 0)
        }
    }
}

/// A watch cancelled while a write fans out to it must not deadlock the cacher (see WatchHubCancellationTests).
@Suite(.timeLimit(.minutes(1)))
struct CacherCancellationTests {
    typealias F = CacherFixture

    @Test func cancellingWatchesWhileWritingNeverDeadlocks() async throws {
        let storage = InMemoryStorage()
        try await F.running(F.makeCacher(storage)) { cacher in
            let writer = Task.detached {
                var index = 0
                while !Task.isCancelled {
                    index += 1
                    // Creates and deletes, so that the store does not grow for the length of the test.
                    let key = "/registry/pods/ns/p\(index)"
                    _ = try? await storage.create(key, value: F.bytes("\(index)"))
                    _ = try? await storage.delete(key)
                }
            }
            try await cancelWatchConsumers(rounds: 300) {
                try await cacher.watch(prefix: F.prefix, from: .now)
            }
            writer.cancel()
            _ = await writer.value
            try await eventually { cacher.watcherCount == 0 }
            #expect(cacher.watcherCount == 0)
        }
    }
}
