import Foundation
import GRDB
import SkiffStorage
import SkiffStorageSQLite
import SkiffTestKit
import Testing

/// Behaviour specific to ``SQLiteStorage``: pragmas, group commit, bounded files.
@Suite(.timeLimit(.minutes(3)))
struct SQLiteStorageTests {
    /// A fresh directory, removed at the end of the test.
    final class Directory: Sendable {
        let path: String

        init() throws {
            self.path = FileManager.default.temporaryDirectory.appending(path: "skiff-sqlite-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true)
        }

        deinit {
            try? FileManager.default.removeItem(atPath: self.path)
        }

        /// The size of the database file plus its WAL.
        func databaseBytes() throws -> Int {
            let base = URL(fileURLWithPath: self.path).appending(path: SQLiteStorage.fileName).path
            var total = 0
            for path in [base, base + "-wal"] where FileManager.default.fileExists(atPath: path) {
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                total += (attributes[.size] as? Int) ?? 0
            }
            return total
        }
    }

    @Test
    func databaseIsDurableWALWithIncrementalVacuum() async throws {
        let directory = try Directory()
        let store = try SQLiteStorage(directory: directory.path)
        _ = try await store.create("/k", value: [1])
        try store.close()
        let queue = try DatabaseQueue(
            path: URL(fileURLWithPath: directory.path).appending(path: SQLiteStorage.fileName).path
        )
        let (journal, vacuum) = try await queue.read { db -> (String?, Int?) in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA auto_vacuum"))
        }
        #expect(journal == "wal")
        #expect(vacuum == 2)  // INCREMENTAL
        // synchronous is per connection: ask the store's writer.
        let reopened = try SQLiteStorage(directory: directory.path)
        #expect(try await reopened.pragma("synchronous", onWriter: true) == "2")  // FULL
        #expect(try await reopened.get("/k")?.value == [1])
    }

    @Test
    func concurrentWritersShareTransactions() async throws {
        let directory = try Directory()
        let store = try SQLiteStorage(directory: directory.path)
        try await withThrowingDiscardingTaskGroup { group in
            for client in 0..<64 {
                group.addTask {
                    for index in 0..<10 {
                        _ = try await store.create("/group/\(client)/\(index)", value: Array(repeating: 7, count: 1024))
                    }
                }
            }
        }
        let statistics = store.commitStatistics
        #expect(statistics.operations == 640)
        #expect(statistics.transactions < 640)
        #expect(try await store.count(prefix: "/group/") == 640)
        #expect(try await store.currentRevision() == 640)
    }

    @Test
    func oneFailedCompareAndSwapDoesNotFailItsBatch() async throws {
        let directory = try Directory()
        let store = try SQLiteStorage(directory: directory.path)
        let base = try await store.create("/contended", value: [0])
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<32 {
                group.addTask {
                    do {
                        _ = try await store.update("/contended", value: [UInt8(index)], expected: base.modRevision)
                        return true
                    } catch let error as StorageError where error.code == .conflict {
                        return false
                    }
                }
                group.addTask {
                    _ = try await store.create("/independent/\(index)", value: [1])
                    return true
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { !$0 }.count == 31)
        #expect(try await store.count(prefix: "/independent/") == 32)
        #expect(try await store.currentRevision() == 34)
    }

    @Test
    func compactionKeepsTheFilesBounded() async throws {
        let directory = try Directory()
        let policy = MaintenancePolicy(minRetention: nil, maxRetainedRevisions: 200)
        let store = try SQLiteStorage(directory: directory.path, policy: policy, clock: StorageTestClock().storageClock)
        let value = Array(repeating: UInt8(0xAB), count: 1024)
        var revisions: [String: Revision] = [:]
        var sizes: [Int] = []
        for round in 0..<40 {
            // 50 keys overwritten 4 times each per round: 200 KB of new values per round, 8 MB in all.
            for _ in 0..<4 {
                try await withThrowingTaskGroup(of: (String, Revision).self) { group in
                    for key in (0..<50).map({ "/bounded/\($0)" }) {
                        let expected = revisions[key]
                        group.addTask {
                            if let expected {
                                return (key, try await store.update(key, value: value, expected: expected).modRevision)
                            }
                            return (key, try await store.create(key, value: value).modRevision)
                        }
                    }
                    for try await (key, revision) in group { revisions[key] = revision }
                }
            }
            try await store.performMaintenance()
            sizes.append(try directory.databaseBytes())
            #expect(try await store.compactRevision() == Revision(Int64((round + 1) * 200 - 200)))
        }
        // Live data is 50 KB and retained history 200 KB: the files stay near that, nowhere near the 8 MB written.
        let largest = sizes.max() ?? 0
        #expect(largest < 2_000_000, "database + WAL reached \(largest) bytes: \(sizes)")
        #expect(sizes.last ?? 0 <= (sizes.dropFirst(5).first ?? 0) * 3 / 2, "still growing: \(sizes)")
        #expect(try await store.count(prefix: "/bounded/") == 50)
    }
}
