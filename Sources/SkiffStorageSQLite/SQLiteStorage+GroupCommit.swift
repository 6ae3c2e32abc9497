import Foundation
import GRDB
import GRDBSQLite
import SkiffStorage
import Synchronization

/// One write waiting for a group commit.
enum WriteOperation: Sendable {
    case create(String, [UInt8], LeaseID?)
    case update(String, [UInt8], Revision, LeaseID?)
    case delete(String, Revision?)
    case revoke(LeaseID)
}

/// What a write produced.
enum WriteOutcome: Sendable {
    case keyValue(KeyValue)
    case deleted(DeleteResult)
    case revoked
}

/// What a queued writer is told when it resumes: its result, or that it now commits the queue.
enum WriterTurn: Sendable {
    case done(Result<WriteOutcome, StorageError>)
    case commit
}

/// How much group commit grouped: for tests and benchmarks.
package struct CommitStatistics: Sendable, Hashable {
    /// Write transactions committed by group commit.
    package var transactions = 0
    /// Operations they carried (successful or not).
    package var operations = 0
}

/// The group-commit queue.
struct WriterState {
    struct Waiter {
        var operation: WriteOperation
        var continuation: CheckedContinuation<WriterTurn, Never>
    }

    /// Whether a writer is committing (then new writers queue up).
    var isCommitting = false
    /// The size of the last batch, which the next committer waits for (briefly) before starting.
    var previousBatch = 1
    var waiting: [Waiter] = []
}

extension SQLiteStorage {
    /// How many transactions group commit used, for how many operations.
    package var commitStatistics: CommitStatistics {
        self.counters.withLock { $0 }
    }

    /// The most operations committed in one transaction.
    static let maximumBatch = 512

    /// Commits `operation`, grouped with whatever other writers are waiting, and returns its own outcome.
    func submit(_ operation: WriteOperation) async throws -> WriteOutcome {
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<WriterTurn, Never>) in
            let commits = self.writer.withLock { state in
                if state.isCommitting {
                    state.waiting.append(WriterState.Waiter(operation: operation, continuation: continuation))
                    return false
                }
                state.isCommitting = true
                return true
            }
            if commits { continuation.resume(returning: .commit) }
        }
        switch turn {
        case .done(let result):
            return try result.get()
        case .commit:
            return try await self.commitBatch(leading: operation).get()
        }
    }

    /// Commits `own` with up to ``maximumBatch`` waiting operations in one transaction, publishes the events,
    /// resumes the waiters, then hands the commit turn to the next waiter, if any.
    private func commitBatch(leading own: WriteOperation) async -> Result<WriteOutcome, StorageError> {
        // Writers resumed by the previous batch are usually about to submit again: while the queue keeps growing
        // towards the previous batch's size, let them run and queue up first, so batches stay large instead of
        // alternating between large and tiny. A lone writer (previous batch of one) never waits.
        var seen = -1
        for _ in 0..<32 {
            let (waiting, previous) = self.writer.withLock { ($0.waiting.count, $0.previousBatch) }
            if waiting + 1 >= min(previous, Self.maximumBatch) || waiting == seen { break }
            seen = waiting
            await Task.yield()
        }
        let followers = self.writer.withLock { state in
            let count = min(state.waiting.count, Self.maximumBatch - 1)
            let taken = Array(state.waiting.prefix(count))
            state.waiting.removeFirst(count)
            state.previousBatch = count + 1
            return taken
        }
        let operations = [own] + followers.map(\.operation)
        let results = await self.commit(operations)
        for (follower, result) in zip(followers, results.dropFirst()) {
            follower.continuation.resume(returning: .done(result))
        }
        let next = self.writer.withLock { state -> WriterState.Waiter? in
            if state.waiting.isEmpty {
                state.isCommitting = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.continuation.resume(returning: .commit)
        return results[0]
    }

    /// Runs `operations` in one transaction (each validated on its own), commits once and publishes the events.
    private func commit(_ operations: [WriteOperation]) async -> [Result<WriteOutcome, StorageError>] {
        typealias Applied = (results: [Result<WriteOutcome, StorageError>], events: [StorageEvent])
        let applied: Result<Applied, any Error> = await withCheckedContinuation { continuation in
            self.pool.asyncWriteWithoutTransaction { db in
                continuation.resume(
                    returning: Result {
                        var applied: Applied = ([], [])
                        try db.inTransaction(.immediate) {
                            applied = try Self.apply(operations, db)
                            return .commit
                        }
                        return applied
                    }
                )
            }
        }
        switch applied {
        case .success(let applied):
            self.counters.withLock {
                $0.transactions += 1
                $0.operations += operations.count
            }
            self.hub.publish(applied.events)
            return applied.results
        case .failure(let error):
            let failure = StorageError(code: .unavailable, message: "database write failed", cause: error)
            return Array(repeating: .failure(failure), count: operations.count)
        }
    }

    /// Applies the operations inside the open transaction.
    private static func apply(_ operations: [WriteOperation], _ db: Database) throws -> (
        results: [Result<WriteOutcome, StorageError>], events: [StorageEvent]
    ) {
        var writer = BatchWriter(db: db, revision: try Self.meta(db).revision)
        var results: [Result<WriteOutcome, StorageError>] = []
        results.reserveCapacity(operations.count)
        for operation in operations {
            do {
                results.append(.success(try writer.apply(operation)))
            } catch let error as StorageError {
                results.append(.failure(error))
            }
        }
        if !writer.events.isEmpty {
            try db.cachedStatement(sql: "UPDATE meta SET value = ? WHERE name = 'revision'")
                .execute(arguments: [writer.revision])
        }
        return (results, writer.events)
    }
}

/// Applies operations one by one within a write transaction, assigning revisions.
private struct BatchWriter {
    let db: Database
    var revision: Int64
    var events: [StorageEvent] = []

    mutating func apply(_ operation: WriteOperation) throws -> WriteOutcome {
        switch operation {
        case .create(let key, let value, let lease):
            let keyBytes = Array(key.utf8)
            let pointer = try self.pointer(keyBytes)
            if let pointer, !pointer.deleted, let current = try SQLiteStorage.latest(key, self.db) {
                throw StorageError.keyExists(current)
            }
            let tombstone = pointer?.revision ?? 0
            let keyValue = try self.put(
                key,
                keyBytes,
                value: value,
                lease: lease,
                previous: nil,
                tombstone: tombstone,
                isNew: pointer == nil
            )
            return .keyValue(keyValue)
        case .update(let key, let value, let expected, let lease):
            let keyBytes = Array(key.utf8)
            guard let current = try self.live(key, keyBytes) else { throw StorageError.notFound(key) }
            guard current.modRevision == expected else { throw StorageError.conflict(current, expected: expected) }
            let keyValue = try self.put(
                key,
                keyBytes,
                value: value,
                lease: lease,
                previous: current,
                tombstone: 0,
                isNew: false
            )
            return .keyValue(keyValue)
        case .delete(let key, let expected):
            guard let current = try self.live(key, Array(key.utf8)) else { throw StorageError.notFound(key) }
            if let expected, current.modRevision != expected {
                throw StorageError.conflict(current, expected: expected)
            }
            return .deleted(try self.remove(current))
        case .revoke(let lease):
            guard try self.leaseExists(lease) else { throw StorageError.leaseNotFound(lease) }
            let keys = try Data.fetchAll(
                self.db.cachedStatement(sql: "SELECT key FROM current WHERE lease = ? ORDER BY key"),
                arguments: [lease.rawValue]
            )
            for key in keys {
                if let current = try SQLiteStorage.latest(String(decoding: key, as: UTF8.self), self.db) {
                    _ = try self.remove(current)
                }
            }
            try self.db.cachedStatement(sql: "DELETE FROM lease WHERE id = ?").execute(arguments: [lease.rawValue])
            return .revoked
        }
    }

    private func leaseExists(_ lease: LeaseID) throws -> Bool {
        try Bool.fetchOne(
            self.db.cachedStatement(sql: "SELECT count(*) > 0 FROM lease WHERE id = ?"),
            arguments: [lease.rawValue]
        ) ?? false
    }

    /// Appends a new version; `tombstone` is the revision of the key's delete when a create follows one, and
    /// `isNew` tells that the key has no row in `current` yet (otherwise its row is updated in place).
    private mutating func put(
        _ key: String,
        _ keyBytes: [UInt8],
        value: [UInt8],
        lease: LeaseID?,
        previous: KeyValue?,
        tombstone: Int64,
        isNew: Bool
    ) throws -> KeyValue {
        if let lease, try !self.leaseExists(lease) { throw StorageError.leaseNotFound(lease) }
        self.revision += 1
        let keyValue = KeyValue(
            key: key,
            value: value,
            createRevision: previous?.createRevision ?? Revision(self.revision),
            modRevision: Revision(self.revision),
            version: (previous?.version ?? 0) + 1,
            lease: lease
        )
        let insert = try self.db.cachedStatement(
            sql: """
                INSERT INTO kv (revision, key, value, create_revision, prev_revision, version, lease, deleted)
                VALUES (?, ?, ?, ?, ?, ?, ?, 0)
                """
        ).sqliteStatement
        sqlite3_bind_int64(insert, 1, self.revision)
        try keyBytes.withUnsafeBytes { keyBuffer in
            try value.withUnsafeBytes { valueBuffer in
                Self.bindBlob(insert, 2, keyBuffer)
                Self.bindBlob(insert, 3, valueBuffer)
                sqlite3_bind_int64(insert, 4, keyValue.createRevision.rawValue)
                sqlite3_bind_int64(insert, 5, previous?.modRevision.rawValue ?? tombstone)
                sqlite3_bind_int64(insert, 6, keyValue.version)
                sqlite3_bind_int64(insert, 7, lease?.rawValue ?? 0)
                try self.run(insert)
            }
        }
        // In place when the key has a row: `INSERT OR REPLACE` would delete and re-insert it in both b-trees.
        let pointer = try self.db.cachedStatement(
            sql: isNew
                ? "INSERT INTO current (revision, lease, deleted, key) VALUES (?, ?, 0, ?)"
                : "UPDATE current SET revision = ?, lease = ?, deleted = 0 WHERE key = ?"
        ).sqliteStatement
        sqlite3_bind_int64(pointer, 1, self.revision)
        sqlite3_bind_int64(pointer, 2, lease?.rawValue ?? 0)
        try keyBytes.withUnsafeBytes { keyBuffer in
            Self.bindBlob(pointer, 3, keyBuffer)
            try self.run(pointer)
        }
        self.events.append(StorageEvent(kind: .put, keyValue: keyValue, previous: previous))
        return keyValue
    }

    /// Binds a blob that stays valid until the statement is reset and its bindings cleared (no copy).
    private static func bindBlob(_ statement: SQLiteStatement, _ index: CInt, _ bytes: UnsafeRawBufferPointer) {
        // A zero-length blob needs a non-null pointer, else SQLite binds NULL.
        let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        sqlite3_bind_blob(statement, index, base, CInt(bytes.count), nil)
    }

    /// Steps a write statement to completion, then resets it and clears its (unowned) bindings.
    private func run(_ statement: SQLiteStatement) throws {
        let code = sqlite3_step(statement)
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        guard code == SQLITE_DONE else { throw self.error(code, statement) }
    }

    private func error(_ code: CInt, _ statement: SQLiteStatement) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code),
            message: String(cString: sqlite3_errmsg(self.db.sqliteConnection)),
            sql: sqlite3_sql(statement).map { String(cString: $0) }
        )
    }

    /// The key's latest log row, live or tombstone, while its history is kept (see `SQLiteStorage.pointer`).
    private func pointer(_ key: [UInt8]) throws -> (revision: Int64, deleted: Bool)? {
        let statement = try self.db.cachedStatement(sql: "SELECT revision, deleted FROM current WHERE key = ?")
            .sqliteStatement
        return try key.withUnsafeBytes { keyBuffer in
            Self.bindBlob(statement, 1, keyBuffer)
            defer {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            }
            switch sqlite3_step(statement) {
            case SQLITE_ROW:
                return (sqlite3_column_int64(statement, 0), sqlite3_column_int64(statement, 1) != 0)
            case SQLITE_DONE:
                return nil
            case let code:
                throw self.error(code, statement)
            }
        }
    }

    /// The live key (as `SQLiteStorage.latest`), taking the key from the caller rather than decoding it.
    private func live(_ key: String, _ keyBytes: [UInt8]) throws -> KeyValue? {
        let statement = try self.db.cachedStatement(
            sql: """
                SELECT kv.revision, kv.value, kv.create_revision, kv.version, kv.lease FROM current
                JOIN kv ON kv.revision = current.revision WHERE current.key = ? AND current.deleted = 0
                """
        ).sqliteStatement
        return try keyBytes.withUnsafeBytes { keyBuffer in
            Self.bindBlob(statement, 1, keyBuffer)
            defer {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            }
            switch sqlite3_step(statement) {
            case SQLITE_ROW:
                let count = Int(sqlite3_column_bytes(statement, 1))
                let value: [UInt8]
                if count > 0, let blob = sqlite3_column_blob(statement, 1) {
                    value = [UInt8](UnsafeRawBufferPointer(start: blob, count: count))
                } else {
                    value = []
                }
                return KeyValue(
                    key: key,
                    value: value,
                    createRevision: Revision(sqlite3_column_int64(statement, 2)),
                    modRevision: Revision(sqlite3_column_int64(statement, 0)),
                    version: sqlite3_column_int64(statement, 3),
                    lease: SQLiteStorage.lease(sqlite3_column_int64(statement, 4))
                )
            case SQLITE_DONE:
                return nil
            case let code:
                throw self.error(code, statement)
            }
        }
    }

    private mutating func remove(_ current: KeyValue) throws -> DeleteResult {
        self.revision += 1
        let keyData = Data(current.key.utf8)
        try self.db.cachedStatement(
            sql: """
                INSERT INTO kv (revision, key, value, create_revision, prev_revision, version, lease, deleted)
                VALUES (?, ?, x'', ?, ?, 0, 0, 1)
                """
        ).execute(arguments: [self.revision, keyData, current.createRevision.rawValue, current.modRevision.rawValue])
        try self.db.cachedStatement(sql: "UPDATE current SET revision = ?, lease = 0, deleted = 1 WHERE key = ?")
            .execute(arguments: [self.revision, keyData])
        let tombstone = KeyValue(
            key: current.key,
            value: [],
            createRevision: .zero,
            modRevision: Revision(self.revision),
            version: 0
        )
        self.events.append(StorageEvent(kind: .delete, keyValue: tombstone, previous: current))
        return DeleteResult(previous: current, revision: Revision(self.revision))
    }
}
