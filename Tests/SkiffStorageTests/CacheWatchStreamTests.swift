import SkiffStorage
import Testing

/// Watch-lists share one snapshot of the cache; writers may offer a change's attributes beforehand.
@Suite(.timeLimit(.minutes(1)))
struct CacheWatchStreamTests {
    typealias F = CacherFixture

    @Test
    func watchListsAtTheSameRevisionShareOneSnapshot() async throws {
        let storage = InMemoryStorage()
        for index in 0..<100 {
            _ = try await storage.create("/registry/pods/ns/p\(index)", value: F.bytes("\(index)"))
        }
        try await F.running(F.makeCacher(storage)) { cacher in
            _ = try await cacher.list(prefix: F.prefix, notOlderThan: 100)
            var streams: [Cacher<String>.EventStream] = []
            for _ in 0..<50 {
                streams.append(try await cacher.watch(prefix: F.prefix, from: .initialState(notOlderThan: nil)))
            }
            let first = streams[0]._snapshotStorage
            #expect(first != nil)
            #expect(streams.allSatisfy { $0._snapshotStorage == first })
            #expect(streams.allSatisfy { $0.initialEventCount == 101 })
            // A sub-prefix is a slice of the same buffer too.
            let namespaced = try await cacher.watch(
                prefix: "/registry/pods/ns/",
                from: .initialState(notOlderThan: nil)
            )
            #expect(namespaced._snapshot?.count == 100)
            #expect(namespaced._snapshotStorage == first)
            // Each watcher walks the snapshot on its own.
            for stream in streams.prefix(3) {
                var iterator = stream.makeAsyncIterator()
                let events = try await F.next(101, from: &iterator)
                #expect(events.count == 101)
                #expect(events.last == .initialEventsEnd(100))
                #expect(events.dropLast().map(\.key) == (0..<100).map { "/registry/pods/ns/p\($0)" }.sorted())
            }
        }
    }

    @Test
    func aSnapshotIsImmutableAndLiveChangesFollowItWithoutGapsOrDuplicates() async throws {
        let storage = InMemoryStorage()
        let a = try await storage.create("/registry/pods/a", value: F.bytes("a"))
        let b = try await storage.create("/registry/pods/b", value: F.bytes("b"))
        try await F.running(F.makeCacher(storage)) { cacher in
            _ = try await cacher.list(prefix: F.prefix, notOlderThan: 2)
            var early = try await cacher.watch(prefix: F.prefix, from: .initialState(notOlderThan: 2))
                .makeAsyncIterator()
            // Writes after the snapshot: the early watcher sees them as live changes, never in its snapshot.
            let a2 = try await storage.update("/registry/pods/a", value: F.bytes("a2"), expected: a.modRevision)
            let c = try await storage.create("/registry/pods/c", value: F.bytes("c"))
            _ = try await cacher.list(prefix: F.prefix, notOlderThan: c.modRevision)
            var late = try await cacher.watch(prefix: F.prefix, from: .initialState(notOlderThan: nil))
                .makeAsyncIterator()
            #expect(
                try await F.next(5, from: &early) == [
                    .added(F.object(a)), .added(F.object(b)), .initialEventsEnd(2),
                    .modified(F.object(a2), previous: F.object(a)), .added(F.object(c)),
                ]
            )
            #expect(
                try await F.next(4, from: &late) == [
                    .added(F.object(a2)), .added(F.object(b)), .added(F.object(c)), .initialEventsEnd(4),
                ]
            )
            let d = try await storage.create("/registry/pods/d", value: F.bytes("d"))
            #expect(try await F.next(1, from: &early) == [.added(F.object(d))])
            #expect(try await F.next(1, from: &late) == [.added(F.object(d))])
        }
    }

    @Test
    func aSnapshotLargerThanTheBufferIsNotFallingBehind() async throws {
        let storage = InMemoryStorage()
        for index in 0..<50 {
            _ = try await storage.create("/registry/pods/p\(index)", value: F.bytes("\(index)"))
        }
        try await F.running(F.makeCacher(storage, watcherBufferSize: 5)) { cacher in
            _ = try await cacher.list(prefix: F.prefix, notOlderThan: 50)
            var events = try await cacher.watch(prefix: F.prefix, from: .initialState(notOlderThan: nil))
                .makeAsyncIterator()
            // Five live changes fit in the buffer while the snapshot is still unread.
            for index in 0..<5 {
                _ = try await storage.create("/registry/pods/q\(index)", value: F.bytes("q"))
            }
            _ = try await cacher.list(prefix: F.prefix, notOlderThan: 55)
            let received = try await F.next(56, from: &events)
            #expect(received.count == 56)
            #expect(received[50] == .initialEventsEnd(50))
            #expect(received.suffix(5).map(\.revision) == [51, 52, 53, 54, 55])
            #expect(cacher.watcherCount == 1)
        }
    }

    @Test
    func droppingAWatchListBeforeItsSnapshotIsReadRemovesTheWatcher() async throws {
        let storage = InMemoryStorage()
        _ = try await storage.create("/registry/pods/a", value: F.bytes("a"))
        try await F.running(F.makeCacher(storage)) { cacher in
            _ = try await cacher.list(prefix: F.prefix, notOlderThan: 1)
            do {
                let stream = try await cacher.watch(prefix: F.prefix, from: .initialState(notOlderThan: nil))
                #expect(stream.initialEventCount == 2)
                #expect(cacher.watcherCount == 1)
            }
            // The dropped stream's termination forgets the watcher from a task of its own (see Cacher.watch).
            try await eventually { cacher.watcherCount == 0 }
            #expect(cacher.watcherCount == 0)
        }
    }

    // MARK: Offered attributes

    @Test
    func offeredAttributesReplaceTheClosureForThatExactChange() async throws {
        let storage = InMemoryStorage()
        let calls = CallCounter()
        let cacher = Cacher<String>(storage: storage, prefix: F.prefix) { keyValue in
            calls.increment()
            return "derived:" + String(decoding: keyValue.value, as: UTF8.self)
        }
        try await F.running(cacher) { cacher in
            var events = try await cacher.watch(prefix: F.prefix, from: .now).makeAsyncIterator()
            // Offered for the bytes written: used, and the closure does not run.
            let value = F.bytes("one")
            cacher.expect(value, at: "/registry/pods/a", attributes: "offered")
            let a = try await storage.create("/registry/pods/a", value: value)
            guard case .added(let object)? = try await F.next(1, from: &events).first else {
                Issue.record("no ADDED event")
                return
            }
            #expect(object.attributes == "offered")
            #expect(calls.count == 0)
            // Offered for other bytes than those written: ignored.
            cacher.expect(F.bytes("something else"), at: "/registry/pods/a", attributes: "stale")
            _ = try await storage.update("/registry/pods/a", value: F.bytes("two"), expected: a.modRevision)
            guard case .modified(let modified, _)? = try await F.next(1, from: &events).first else {
                Issue.record("no MODIFIED event")
                return
            }
            #expect(modified.attributes == "derived:two")
            #expect(calls.count == 1)
            // Withdrawn: the next change derives its attributes again.
            cacher.expect(F.bytes("three"), at: "/registry/pods/b", attributes: "withdrawn")
            cacher.withdrawExpectation(at: "/registry/pods/b")
            _ = try await storage.create("/registry/pods/b", value: F.bytes("three"))
            guard case .added(let b)? = try await F.next(1, from: &events).first else {
                Issue.record("no ADDED event")
                return
            }
            #expect(b.attributes == "derived:three")
        }
    }
}
