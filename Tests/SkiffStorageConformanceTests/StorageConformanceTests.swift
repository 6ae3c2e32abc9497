import Foundation
import SkiffStorage
import SkiffTestKit
import Testing

/// The behaviour every ``StorageBackend`` must have, run against each backend in ``backends``.
@Suite(.timeLimit(.minutes(2)))
struct StorageConformanceTests {
    // MARK: Reads and writes

    @Test(arguments: backends)
    func createThenGetReturnsTheStoredKey(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        #expect(try await store.currentRevision() == .zero)
        let created = try await store.create("/registry/pods/default/a", value: bytes("one"))
        #expect(created.createRevision == 1)
        #expect(created.modRevision == 1)
        #expect(created.version == 1)
        #expect(created.lease == nil)
        #expect(try await store.get("/registry/pods/default/a") == created)
        #expect(try await store.get("/registry/pods/default/missing") == nil)
        #expect(try await store.currentRevision() == 1)
    }

    @Test(arguments: backends)
    func createOfAnExistingKeyFailsWithTheCurrentKey(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let created = try await store.create("/k", value: bytes("one"))
        let error = await #expect(throws: StorageError.self) { try await store.create("/k", value: bytes("two")) }
        #expect(error?.code == .keyExists)
        #expect(error?.current == created)
        #expect(try await store.currentRevision() == 1)
    }

    @Test(arguments: backends)
    func revisionsIncreaseByOneAcrossMixedOperations(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        var revisions: [Revision] = []
        let a = try await store.create("/a", value: bytes("1"))
        revisions.append(a.modRevision)
        let b = try await store.create("/b", value: bytes("1"))
        revisions.append(b.modRevision)
        revisions.append(try await store.update("/a", value: bytes("2"), expected: a.modRevision).modRevision)
        revisions.append(try await store.delete("/b").revision)
        _ = try? await store.update("/a", value: bytes("x"), expected: a.modRevision)  // conflict: no revision
        revisions.append(try await store.create("/b", value: bytes("again")).modRevision)
        let lease = try await store.grantLease(ttlSeconds: 60)
        revisions.append(try await store.create("/c", value: bytes("1"), lease: lease).modRevision)
        try await store.revokeLease(lease)
        revisions.append(try await store.currentRevision())
        #expect(revisions == (1...7).map { Revision($0) })
    }

    @Test(arguments: backends)
    func updateIsACompareAndSwap(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let created = try await store.create("/k", value: bytes("one"))
        let updated = try await store.update("/k", value: bytes("two"), expected: created.modRevision)
        #expect(updated.value == bytes("two"))
        #expect(updated.createRevision == created.createRevision)
        #expect(updated.modRevision == 2)
        #expect(updated.version == 2)

        let stale = await #expect(throws: StorageError.self) {
            try await store.update("/k", value: bytes("three"), expected: created.modRevision)
        }
        #expect(stale?.code == .conflict)
        #expect(stale?.current == updated)

        let missing = await #expect(throws: StorageError.self) {
            try await store.update("/missing", value: bytes("x"), expected: 1)
        }
        #expect(missing?.code == .notFound)
        #expect(try await store.get("/k") == updated)
    }

    @Test(arguments: backends)
    func deleteIsGuardedByTheExpectedRevision(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let created = try await store.create("/k", value: bytes("one"))
        let updated = try await store.update("/k", value: bytes("two"), expected: created.modRevision)
        let stale = await #expect(throws: StorageError.self) {
            try await store.delete("/k", expected: created.modRevision)
        }
        #expect(stale?.code == .conflict)
        #expect(stale?.current == updated)

        let deleted = try await store.delete("/k", expected: updated.modRevision)
        #expect(deleted.previous == updated)
        #expect(deleted.revision == 3)
        #expect(try await store.get("/k") == nil)

        let missing = await #expect(throws: StorageError.self) { try await store.delete("/k") }
        #expect(missing?.code == .notFound)

        let recreated = try await store.create("/k", value: bytes("new"))
        #expect(recreated.createRevision == 4)
        #expect(recreated.version == 1)
        let unconditional = try await store.delete("/k")
        #expect(unconditional.previous == recreated)
    }

    @Test(arguments: backends)
    func invalidArgumentsThrow(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let emptyKey = await #expect(throws: StorageError.self) { try await store.create("", value: []) }
        #expect(emptyKey?.code == .invalidArgument)
        let zeroLimit = await #expect(throws: StorageError.self) {
            try await store.list(prefix: "/", at: nil, limit: 0, continueAfter: nil)
        }
        #expect(zeroLimit?.code == .invalidArgument)
        let ttl = await #expect(throws: StorageError.self) { try await store.grantLease(ttlSeconds: 0) }
        #expect(ttl?.code == .invalidArgument)
    }

    @Test(arguments: backends)
    func valuesRoundTripByteForByte(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let value = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        _ = try await store.create("/binary", value: value)
        _ = try await store.create("/empty", value: [])
        #expect(try await store.get("/binary")?.value == value)
        #expect(try await store.get("/empty")?.value == [])
    }

    // MARK: Lists

    @Test(arguments: backends)
    func listReturnsThePrefixRangeInByteOrder(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let keys = [
            "/registry/pods/b/x", "/registry/pods/a/y", "/registry/pods/a/x", "/registry/podsx/a",
            "/registry/pod", "/registry/pods/\u{e9}", "/registry/pods/Z", "/registry/services/a",
        ]
        for key in keys {
            _ = try await store.create(key, value: bytes(key))
        }
        let list = try await store.list(prefix: "/registry/pods/")
        #expect(
            list.keyValues.map(\.key) == [
                "/registry/pods/Z", "/registry/pods/a/x", "/registry/pods/a/y", "/registry/pods/b/x",
                "/registry/pods/\u{e9}",
            ]
        )
        #expect(list.revision == Revision(Int64(keys.count)))
        #expect(list.hasMore == false)
        #expect(try await store.count(prefix: "/registry/pods/") == 5)
        #expect(try await store.count(prefix: "/registry/") == 8)
        #expect(try await store.count(prefix: "/nothing/") == 0)
        _ = try await store.delete("/registry/pods/a/x")
        #expect(try await store.count(prefix: "/registry/pods/") == 4)
        #expect(try await store.list(prefix: "/registry/pods/").keyValues.count == 4)
    }

    @Test(arguments: backends)
    func paginatedListStaysOnItsSnapshotWhileWritesContinue(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        for index in 0..<25 {
            _ = try await store.create("/items/\(String(format: "%03d", index))", value: bytes("v\(index)"))
        }
        let first = try await store.list(prefix: "/items/", at: nil, limit: 10, continueAfter: nil)
        #expect(first.keyValues.count == 10)
        #expect(first.hasMore)
        #expect(first.revision == 25)

        // Writes after the first page: none of them may show up in later pages of the same list.
        _ = try await store.delete("/items/015")
        _ = try await store.create("/items/0125", value: bytes("new"))
        let old = try #require(try await store.get("/items/020"))
        _ = try await store.update("/items/020", value: bytes("changed"), expected: old.modRevision)
        _ = try await store.create("/items/999", value: bytes("new"))

        var keyValues = first.keyValues
        var page = first
        while page.hasMore {
            page = try await store.list(
                prefix: "/items/",
                at: first.revision,
                limit: 10,
                continueAfter: page.keyValues.last?.key
            )
            #expect(page.revision == first.revision)
            keyValues += page.keyValues
        }
        #expect(keyValues.map(\.key) == (0..<25).map { "/items/\(String(format: "%03d", $0))" })
        #expect(keyValues.first { $0.key == "/items/020" }?.value == bytes("v20"))

        let latest = try await store.list(prefix: "/items/")
        #expect(latest.keyValues.count == 26)
        #expect(latest.revision == 29)
    }

    @Test(arguments: backends)
    func getAndListReadOldRevisions(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let a1 = try await store.create("/p/a", value: bytes("a1"))
        let b1 = try await store.create("/p/b", value: bytes("b1"))
        let a2 = try await store.update("/p/a", value: bytes("a2"), expected: a1.modRevision)
        _ = try await store.delete("/p/b")
        _ = try await store.create("/p/c", value: bytes("c1"))

        #expect(try await store.get("/p/a", at: 1) == a1)
        #expect(try await store.get("/p/a", at: 2) == a1)
        #expect(try await store.get("/p/a", at: 3) == a2)
        #expect(try await store.get("/p/b", at: 3) == b1)
        #expect(try await store.get("/p/b", at: 4) == nil)
        #expect(try await store.get("/p/c", at: 4) == nil)

        let atTwo = try await store.list(prefix: "/p/", at: 2, limit: nil, continueAfter: nil)
        #expect(atTwo.keyValues == [a1, b1])
        #expect(atTwo.revision == 2)
        let atFour = try await store.list(prefix: "/p/", at: 4, limit: nil, continueAfter: nil)
        #expect(atFour.keyValues == [a2])

        let future = await #expect(throws: StorageError.self) { try await store.get("/p/a", at: 99) }
        #expect(future?.code == .futureRevision)
    }

    @Test(arguments: backends)
    func oldRevisionsOfADeletedAndRecreatedKeyStayReadable(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let v1 = try await store.create("/life/k", value: bytes("1"))  // 1
        let v2 = try await store.update("/life/k", value: bytes("2"), expected: v1.modRevision)  // 2
        _ = try await store.delete("/life/k")  // 3
        _ = try await store.create("/life/other", value: bytes("o"))  // 4
        let v3 = try await store.create("/life/k", value: bytes("3"))  // 5
        let v4 = try await store.update("/life/k", value: bytes("4"), expected: v3.modRevision)  // 6
        _ = try await store.delete("/life/other")  // 7
        let expected: [Int64: KeyValue?] = [1: v1, 2: v2, 3: nil, 4: nil, 5: v3, 6: v4, 7: v4]
        for (revision, keyValue) in expected {
            #expect(try await store.get("/life/k", at: Revision(revision)) == keyValue, "at \(revision)")
            let listed = try await store.list(prefix: "/life/", at: Revision(revision), limit: nil, continueAfter: nil)
            #expect(listed.keyValues.first { $0.key == "/life/k" } == keyValue, "list at \(revision)")
        }
        #expect(
            try await store.list(prefix: "/life/", at: 4, limit: nil, continueAfter: nil).keyValues.map(\.key) == [
                "/life/other"
            ]
        )
        #expect(v3.createRevision == 5)
        #expect(v4.version == 2)

        // Compacting through the delete keeps every later revision readable and the history after it watchable.
        try await store.compact(through: 4)
        #expect(try await store.get("/life/k", at: 4) == nil)
        #expect(try await store.get("/life/k", at: 5) == v3)
        #expect(
            try await store.list(prefix: "/life/", at: 6, limit: nil, continueAfter: nil).keyValues.map(\.key) == [
                "/life/k", "/life/other",
            ]
        )
        let events = try await collectEvents(try await store.watch(prefix: "/life/", from: 5), through: 7)
        #expect(events.map(\.revision) == [5, 6, 7])
        #expect(events[0].isCreate)
        #expect(events[1].previous == v3)
        #expect(events[2].previous?.value == bytes("o"))
        try await store.compact(through: 7)
        #expect(try await store.list(prefix: "/life/").keyValues == [v4])
        #expect(try await store.count(prefix: "/life/") == 1)
    }

    // MARK: Compaction

    @Test(arguments: backends)
    func readsAndWatchesBelowTheCompactionPointFail(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        var last = try await store.create("/c/k", value: bytes("0"))
        for index in 1...9 {
            last = try await store.update("/c/k", value: bytes("\(index)"), expected: last.modRevision)
        }
        _ = try await store.create("/c/gone", value: bytes("x"))
        _ = try await store.delete("/c/gone")  // revision 12
        try await store.compact(through: 6)
        #expect(try await store.compactRevision() == 6)

        let read = await #expect(throws: StorageError.self) { try await store.get("/c/k", at: 5) }
        #expect(read?.code == .compacted)
        #expect(read?.compactRevision == 6)
        let list = await #expect(throws: StorageError.self) {
            try await store.list(prefix: "/c/", at: 3, limit: nil, continueAfter: nil)
        }
        #expect(list?.code == .compacted)
        let watch = await #expect(throws: StorageError.self) { try await store.watch(prefix: "/c/", from: 6) }
        #expect(watch?.code == .compacted)
        #expect(watch?.compactRevision == 6)

        #expect(try await store.get("/c/k", at: 6)?.value == bytes("5"))
        #expect(try await store.get("/c/k", at: 8)?.value == bytes("7"))
        #expect(try await store.get("/c/k")?.value == bytes("9"))

        // Watching from just above the compaction point replays everything after it, with previous values.
        let events = try await collectEvents(try await store.watch(prefix: "/c/", from: 7), through: 12)
        #expect(events.map(\.revision) == (7...12).map { Revision($0) })
        #expect(events.first?.previous?.value == bytes("5"))

        try await store.compact(through: 12)
        #expect(try await store.get("/c/gone", at: 12) == nil)
        #expect(try await store.list(prefix: "/c/").keyValues.map(\.value) == [bytes("9")])
        try await store.compact(through: 3)  // below the compaction point: nothing happens
        #expect(try await store.compactRevision() == 12)
        let future = await #expect(throws: StorageError.self) { try await store.compact(through: 13) }
        #expect(future?.code == .futureRevision)
        #expect(try await store.create("/c/after", value: bytes("x")).modRevision == 13)
    }

    @Test(arguments: backends)
    func maintenanceCompactsByRevisionCount(_ factory: BackendFactory) async throws {
        let policy = MaintenancePolicy(minRetention: nil, maxRetainedRevisions: 10)
        let store = try BackendHarness(factory, policy: policy).backend
        var last = try await store.create("/k", value: bytes("0"))
        for index in 1..<30 {
            last = try await store.update("/k", value: bytes("\(index)"), expected: last.modRevision)
        }
        try await store.performMaintenance()
        #expect(try await store.compactRevision() == 20)
        #expect(try await store.get("/k", at: 20)?.value == bytes("19"))
    }

    @Test(arguments: backends)
    func maintenanceKeepsTheRetentionWindowOfHistory(_ factory: BackendFactory) async throws {
        let harness = try BackendHarness(factory, policy: MaintenancePolicy(minRetention: .seconds(300)))
        let store = harness.backend
        _ = try await store.create("/a", value: bytes("1"))
        try await store.performMaintenance()  // records (t0, 1)
        _ = try await store.create("/b", value: bytes("1"))
        harness.clock.advance(by: .seconds(200))
        try await store.performMaintenance()  // records (t0+200, 2): nothing is 300 s old yet
        #expect(try await store.compactRevision() == 0)
        _ = try await store.create("/c", value: bytes("1"))
        harness.clock.advance(by: .seconds(150))
        try await store.performMaintenance()  // t0+350: the sample at t0 is old enough
        #expect(try await store.compactRevision() == 1)
        harness.clock.advance(by: .seconds(200))
        try await store.performMaintenance()  // t0+550: the sample at t0+200 is old enough
        #expect(try await store.compactRevision() == 2)
    }

    // MARK: Watch

    @Test(arguments: backends)
    func watchDeliversChangesWithPreviousValues(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let stream = try await store.watch(prefix: "/w/")
        let created = try await store.create("/w/a", value: bytes("1"))
        _ = try await store.create("/other", value: bytes("1"))
        let updated = try await store.update("/w/a", value: bytes("2"), expected: created.modRevision)
        let deleted = try await store.delete("/w/a")
        let events = try await collectEvents(stream, through: deleted.revision)
        #expect(events.map(\.kind) == [.put, .put, .delete])
        #expect(events.map(\.revision) == [1, 3, 4])
        #expect(events[0].isCreate)
        #expect(events[0].keyValue == created)
        #expect(events[0].previous == nil)
        #expect(events[1].keyValue == updated)
        #expect(events[1].previous == created)
        #expect(events[2].keyValue.key == "/w/a")
        #expect(events[2].keyValue.modRevision == 4)
        #expect(events[2].previous == updated)
    }

    @Test(arguments: backends)
    func watchFromAPastRevisionReplaysHistoryThenLiveWithoutGaps(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let writers = 4
        let writesPerWriter = 60
        let total = Int64(writers * writesPerWriter)
        for index in 0..<20 {
            _ = try await store.create("/gap/seed-\(index)", value: bytes("\(index)"))
        }
        try await withThrowingTaskGroup(of: [StorageEvent].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var last: KeyValue?
                    for index in 0..<writesPerWriter {
                        let key = "/gap/writer-\(writer)"
                        if let current = last, index % 7 == 6 {
                            _ = try await store.delete(key, expected: current.modRevision)
                            last = nil
                        } else if let current = last {
                            last = try await store.update(key, value: bytes("\(index)"), expected: current.modRevision)
                        } else {
                            last = try await store.create(key, value: bytes("\(index)"))
                        }
                    }
                    return []
                }
            }
            // Watchers start while the writers run, from the beginning and from the middle of history.
            for from: Revision in [1, 10, 21] {
                group.addTask {
                    let stream = try await store.watch(prefix: "/gap/", from: from)
                    return try await collectEvents(stream, through: Revision(20 + total))
                }
            }
            var histories: [[StorageEvent]] = []
            for try await events in group where !events.isEmpty {
                histories.append(events)
            }
            #expect(histories.count == 3)
            for events in histories {
                let first = events.first?.revision.rawValue ?? 0
                #expect(events.map(\.revision.rawValue) == Array(first...(20 + total)))
                #expect([1, 10, 21].contains(first))
            }
        }
        // Every event agrees with a fresh replay from the start.
        let replay = try await collectEvents(
            try await store.watch(prefix: "/gap/", from: 1),
            through: Revision(20 + total)
        )
        #expect(replay.count == Int(20 + total))
        for event in replay where event.kind == .put && !event.isCreate {
            #expect(event.previous?.modRevision ?? 0 < event.revision)
            #expect(event.previous?.key == event.keyValue.key)
        }
    }

    @Test(arguments: backends)
    func listThenWatchFromTheNextRevisionMissesNothing(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        for index in 0..<10 {
            _ = try await store.create("/informer/\(index)", value: bytes("v"))
        }
        // The informer pattern: list at some revision R while writes go on, then watch from R + 1.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for index in 10..<60 {
                    _ = try await store.create("/informer/\(index)", value: bytes("v"))
                }
            }
            let list = try await store.list(prefix: "/informer/")
            let stream = try await store.watch(prefix: "/informer/", from: Revision(list.revision.rawValue + 1))
            try await group.waitForAll()
            let events = try await collectEvents(stream, through: 60)
            var keys = Set(list.keyValues.map(\.key))
            for event in events {
                #expect(keys.insert(event.keyValue.key).inserted, "\(event.keyValue.key) seen twice")
            }
            #expect(keys.count == 60)
            #expect(events.map(\.revision.rawValue) == Array((list.revision.rawValue + 1)...60))
        }
    }

    @Test(arguments: backends)
    func concurrentCompareAndSwapsHaveExactlyOneWinner(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let base = try await store.create("/contended", value: bytes("0"))
        let winners = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<16 {
                group.addTask {
                    do {
                        _ = try await store.update("/contended", value: bytes("\(index)"), expected: base.modRevision)
                        return 1
                    } catch let error as StorageError where error.code == .conflict {
                        #expect(error.current?.modRevision == 2)
                        return 0
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(winners == 1)
        #expect(try await store.currentRevision() == 2)
    }

    @Test(arguments: backends)
    func watchOnlySeesItsPrefixAndStartsAtTheRequestedRevision(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        _ = try await store.create("/x/1", value: bytes("1"))
        _ = try await store.create("/y/1", value: bytes("1"))
        _ = try await store.create("/x/2", value: bytes("1"))
        let fromTwo = try await store.watch(prefix: "/x/", from: 2)
        let fromOne = try await store.watch(prefix: "/x/", from: 1)
        _ = try await store.create("/x/3", value: bytes("1"))
        #expect(try await collectEvents(fromTwo, through: 4).map(\.keyValue.key) == ["/x/2", "/x/3"])
        #expect(try await collectEvents(fromOne, through: 4).map(\.keyValue.key) == ["/x/1", "/x/2", "/x/3"])
    }

    @Test(arguments: backends)
    func progressNotificationCarriesTheCurrentRevision(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let stream = try await store.watch(prefix: "/quiet/")
        _ = try await store.create("/busy/a", value: bytes("1"))
        _ = try await store.create("/busy/b", value: bytes("1"))
        try await store.requestProgress()
        var iterator = stream.makeAsyncIterator()
        let response = try await iterator.next()
        #expect(response?.isProgressNotification == true)
        #expect(response?.revision == 2)
    }

    @Test(arguments: backends)
    func manyWatchersEachReceiveEveryChange(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        var streams: [WatchStream] = []
        for _ in 0..<100 {
            streams.append(try await store.watch(prefix: "/many/"))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<5 {
                group.addTask {
                    for index in 0..<10 {
                        _ = try await store.create("/many/\(writer)-\(index)", value: bytes("v"))
                    }
                }
            }
            try await group.waitForAll()
        }
        try await withThrowingTaskGroup(of: [Int64].self) { group in
            for stream in streams {
                group.addTask { try await collectEvents(stream, through: 50).map(\.revision.rawValue) }
            }
            for try await revisions in group {
                #expect(revisions == Array(1...50))
            }
        }
    }

    @Test(arguments: backends)
    func aWatcherThatFallsBehindIsTerminatedWithoutBlockingWriters(_ factory: BackendFactory) async throws {
        let policy = MaintenancePolicy(watchBufferLimit: 8)
        let store = try BackendHarness(factory, policy: policy).backend
        let slow = try await store.watch(prefix: "/slow/")
        let fast = try await store.watch(prefix: "/slow/")
        var fastIterator = fast.makeAsyncIterator()
        for index in 0..<40 {
            _ = try await store.create("/slow/\(index)", value: bytes("v"))
            let response = try await fastIterator.next()  // the fast watcher keeps up
            #expect(response?.events.last?.keyValue.key == "/slow/\(index)")
        }
        var received = 0
        let error = await #expect(throws: StorageError.self) {
            for try await response in slow {
                received += response.events.count
            }
        }
        #expect(error?.code == .watcherTooSlow)
        #expect(received < 40)
        #expect(try await store.count(prefix: "/slow/") == 40)
    }

    @Test(arguments: backends)
    func endingIterationCancelsTheWatch(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory, policy: MaintenancePolicy(watchBufferLimit: 2)).backend
        do {
            let stream = try await store.watch(prefix: "/cancel/")
            _ = try await store.create("/cancel/a", value: bytes("1"))
            for try await _ in stream { break }
        }
        // Writes go on after the consumer left; the abandoned watcher neither blocks nor fails them.
        for index in 0..<20 {
            _ = try await store.create("/cancel/\(index)", value: bytes("1"))
        }
        #expect(try await store.count(prefix: "/cancel/") == 21)
    }

    // MARK: Leases

    @Test(arguments: backends)
    func keysAttachedToAnExpiredLeaseAreDeletedWithEvents(_ factory: BackendFactory) async throws {
        let harness = try BackendHarness(factory)
        let store = harness.backend
        let lease = try await store.grantLease(ttlSeconds: 10)
        let stream = try await store.watch(prefix: "/lease/")
        let a = try await store.create("/lease/a", value: bytes("a"), lease: lease)
        #expect(a.lease == lease)
        let b = try await store.create("/lease/b", value: bytes("b"), lease: lease)
        _ = try await store.create("/lease/keep", value: bytes("k"))
        // Updating without the lease detaches the key from it.
        let c = try await store.create("/lease/c", value: bytes("c"), lease: lease)
        _ = try await store.update("/lease/c", value: bytes("c2"), expected: c.modRevision, lease: nil)

        harness.clock.advance(by: .seconds(9))
        try await store.performMaintenance()
        #expect(try await store.count(prefix: "/lease/") == 4)

        harness.clock.advance(by: .seconds(2))
        try await store.performMaintenance()
        #expect(try await store.get("/lease/a") == nil)
        #expect(try await store.get("/lease/b") == nil)
        #expect(try await store.get("/lease/keep") != nil)
        #expect(try await store.get("/lease/c")?.value == bytes("c2"))

        let events = try await collectEvents(stream, through: 7)
        let deletes = events.filter { $0.kind == .delete }
        #expect(Set(deletes.map(\.previous)) == [a, b])
        #expect(deletes.map(\.revision) == [6, 7])

        let gone = await #expect(throws: StorageError.self) { try await store.revokeLease(lease) }
        #expect(gone?.code == .leaseNotFound)
        let attach = await #expect(throws: StorageError.self) {
            try await store.create("/lease/late", value: [], lease: lease)
        }
        #expect(attach?.code == .leaseNotFound)
    }

    @Test(arguments: backends)
    func revokingALeaseDeletesItsKeys(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let lease = try await store.grantLease(ttlSeconds: 3600)
        let other = try await store.grantLease(ttlSeconds: 3600)
        #expect(lease != other)
        _ = try await store.create("/r/a", value: bytes("a"), lease: lease)
        _ = try await store.create("/r/b", value: bytes("b"), lease: other)
        try await store.revokeLease(lease)
        #expect(try await store.get("/r/a") == nil)
        #expect(try await store.get("/r/b")?.lease == other)
        let unknown = await #expect(throws: StorageError.self) {
            try await store.revokeLease(LeaseID(rawValue: 987_654))
        }
        #expect(unknown?.code == .leaseNotFound)
    }

    // MARK: guaranteedUpdate

    @Test(arguments: backends)
    func guaranteedUpdateRetriesConflictsUntilEveryIncrementLands(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let start = try await store.create("/counter", value: bytes("0"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<10 {
                        // A stale cached value forces at least one conflict-driven retry.
                        _ = try await store.guaranteedUpdate("/counter", cached: start) { current in
                            let value = Int(String(decoding: current?.value ?? [], as: UTF8.self)) ?? 0
                            return bytes("\(value + 1)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.get("/counter")?.value == bytes("80"))
    }

    @Test(arguments: backends)
    func guaranteedUpdateHandlesMissingAndUnchangedKeys(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let missing = await #expect(throws: StorageError.self) {
            try await store.guaranteedUpdate("/g") { _ in bytes("x") }
        }
        #expect(missing?.code == .notFound)
        let created = try await store.guaranteedUpdate("/g", ignoreNotFound: true) { current in
            #expect(current == nil)
            return bytes("x")
        }
        #expect(created.version == 1)
        let unchanged = try await store.guaranteedUpdate("/g") { $0?.value ?? [] }
        #expect(unchanged == created)
        #expect(try await store.currentRevision() == created.modRevision)
    }

    // MARK: Lifecycle

    @Test(arguments: backends)
    func runReturnsWhenCancelled(_ factory: BackendFactory) async throws {
        let store = try BackendHarness(factory).backend
        let task = Task { try await store.run() }
        task.cancel()
        try await task.value
    }

    @Test(arguments: backends.filter(\.isDurable))
    func reopeningKeepsEverythingAndTheRevisionContinues(_ factory: BackendFactory) async throws {
        let harness = try BackendHarness(factory)
        var expected: [KeyValue] = []
        do {
            let store = try harness.reopen()
            let lease = try await store.grantLease(ttlSeconds: 30)
            var last = try await store.create("/durable/a", value: bytes("a1"))
            last = try await store.update("/durable/a", value: bytes("a2"), expected: last.modRevision)
            expected.append(last)
            expected.append(try await store.create("/durable/b", value: bytes("b"), lease: lease))
            _ = try await store.create("/durable/c", value: bytes("c"))
            _ = try await store.delete("/durable/c")
            try await store.compact(through: 2)
        }
        let store = try harness.reopen()
        #expect(try await store.currentRevision() == 5)
        #expect(try await store.compactRevision() == 2)
        #expect(try await store.list(prefix: "/durable/").keyValues == expected)
        #expect(try await store.create("/durable/d", value: bytes("d")).modRevision == 6)
        let history = try await collectEvents(try await store.watch(prefix: "/durable/", from: 3), through: 6)
        #expect(history.map(\.revision) == [3, 4, 5, 6])
        // The lease survived the restart and still expires.
        harness.clock.advance(by: .seconds(31))
        try await store.performMaintenance()
        #expect(try await store.get("/durable/b") == nil)
    }
}
