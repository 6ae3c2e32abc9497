import Foundation
import GRDB
public import Logging
public import SkiffStorage
import Synchronization

/// The embedded default `StorageBackend`: one SQLite database file, through GRDB, as k3s uses kine on SQLite.
///
/// - Durable: WAL mode with `synchronous=FULL`, so a write is acknowledged only after its commit reached the disk.
/// - Group commit: concurrent writers are committed together in one transaction, validated one by one (a failed
///   compare-and-swap fails only its own caller), with one fsync for all of them. The first writer to find no
///   batch in flight becomes the committer; writers arriving meanwhile queue up, and when the committer is done it
///   hands the queue to the next of them. No background task is involved.
/// - Reads run on GRDB's reader connections against a WAL snapshot, so they never wait for writes.
/// - Watch events are published to an in-process fan-out after each commit, in revision order; each watcher has
///   a bounded buffer (`MaintenancePolicy.watchBufferLimit`).
/// - ``run()`` expires leases and compacts the history in small transactions, then returns the freed pages to the
///   file system (`incremental_vacuum`) and truncates the WAL, so the files stay bounded.
///
/// The layout is described in `SQLiteSchema`. Opening an existing database reads two rows: no scan.
public final class SQLiteStorage: StorageBackend {
    /// The database file's name inside the directory given to ``init(directory:policy:clock:)``.
    public static let fileName = "state.db"

    /// How this store maintains itself.
    public let policy: MaintenancePolicy
    /// The database file's path.
    public let path: String

    let pool: DatabasePool
    let hub: WatchHub
    let clock: StorageClock
    let writer = Mutex(WriterState())
    let planner: Mutex<CompactionPlanner>
    let counters = Mutex(CommitStatistics())
    let logger: Logger

    /// Opens (creating if needed) the store in `directory`.
    ///
    /// - Parameter logger: where maintenance reports (compaction, lease expiry) go, at debug level; the default
    ///   discards them.
    /// - Throws: `StorageError.Code.unavailable` when the database cannot be opened or has an unknown schema.
    public init(
        directory: String,
        policy: MaintenancePolicy = MaintenancePolicy(),
        clock: StorageClock = .system,
        logger: Logger = Logger(label: "skiff.storage", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        self.policy = policy
        self.logger = logger
        self.clock = clock
        self.planner = Mutex(CompactionPlanner(policy: policy))
        self.path = URL(fileURLWithPath: directory).appending(path: Self.fileName).path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.label = "skiff.storage"
            configuration.busyMode = .timeout(10)
            configuration.maximumReaderCount = 8
            self.pool = try DatabasePool(path: self.path, configuration: configuration)
            try self.pool.writeWithoutTransaction { db in
                // After GRDB's own WAL setup, which chooses synchronous=NORMAL: a commit must reach the disk.
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
                try SQLiteSchema.migrate(db)
            }
            let revision = try self.pool.read { db in try Self.meta(db).revision }
            self.hub = WatchHub(revision: Revision(revision), bufferLimit: policy.watchBufferLimit)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(code: .unavailable, message: "cannot open the database at \(directory)", cause: error)
        }
    }

    /// The value of a pragma on the writer or a reader connection, for tests.
    package func pragma(_ name: String, onWriter: Bool) async throws -> String? {
        let sql = "PRAGMA \(name)"
        if onWriter {
            return try await self.pool.writeWithoutTransaction { db in try String.fetchOne(db, sql: sql) }
        }
        return try await self.pool.read { db in try String.fetchOne(db, sql: sql) }
    }

    deinit {
        self.hub.close(with: StorageError(code: .unavailable, message: "the store was deallocated"))
    }

    /// Closes the database; later calls throw `StorageError.Code.unavailable` and watches end with it.
    public func close() throws {
        self.hub.close(with: StorageError(code: .unavailable, message: "the store is closed"))
        try self.pool.close()
    }

    // MARK: Reading

    public func currentRevision() async throws -> Revision {
        try await self.read { db in Revision(try Self.meta(db).revision) }
    }

    public func compactRevision() async throws -> Revision {
        try await self.read { db in Revision(try Self.meta(db).compacted) }
    }

    public func get(_ key: String, at revision: Revision?) async throws -> KeyValue? {
        try await self.read { db in
            let meta = try Self.meta(db)
            let at = try Self.resolve(revision, meta: meta)
            if at == meta.revision { return try Self.latest(key, db) }
            guard let pointer = try Self.pointer(Data(key.utf8), db) else { return nil }
            return try Self.version(at: at, from: pointer.revision, db)
        }
    }

    public func list(prefix: String, at revision: Revision?, limit: Int?, continueAfter: String?) async throws
        -> ListResult
    {
        if let limit, limit <= 0 { throw StorageError.invalidArgument("limit must be positive, not \(limit)") }
        let start = Data((continueAfter ?? prefix).utf8)
        let end = KeyOrder.prefixEnd(Array(prefix.utf8)).map { Data($0) }
        let lower = continueAfter == nil ? ">=" : ">"
        let upper = end == nil ? "" : "AND key < :end"
        return try await self.read { db in
            let meta = try Self.meta(db)
            let at = try Self.resolve(revision, meta: meta)
            var arguments: StatementArguments = ["start": start, "limit": (limit ?? -2) + 1, "at": at]
            if let end { _ = arguments.append(contentsOf: ["end": end]) }
            var keyValues: [KeyValue] = []
            if at == meta.revision {
                let sql = """
                    SELECT kv.revision, kv.key, kv.value, kv.create_revision, kv.version, kv.lease FROM current
                    JOIN kv ON kv.revision = current.revision
                    WHERE current.key \(lower) :start \(upper.replacingOccurrences(of: "key", with: "current.key"))
                    AND current.deleted = 0
                    ORDER BY current.key LIMIT :limit
                    """
                let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
                while let row = try rows.next() {
                    keyValues.append(try Self.keyValue(row))
                }
            } else {
                // Every key with history (tombstoned ones included), each walked back to its version at `at`.
                let sql = "SELECT revision FROM current WHERE key \(lower) :start \(upper) ORDER BY key"
                let wanted = (limit ?? Int.max - 1) + 1
                var range: StatementArguments = ["start": start]
                if let end { _ = range.append(contentsOf: ["end": end]) }
                let pointers = try Int64.fetchCursor(db.cachedStatement(sql: sql), arguments: range)
                while keyValues.count < wanted, let revision = try pointers.next() {
                    if let keyValue = try Self.version(at: at, from: revision, db) { keyValues.append(keyValue) }
                }
            }
            var hasMore = false
            if let limit, keyValues.count > limit {
                keyValues.removeLast(keyValues.count - limit)
                hasMore = true
            }
            return ListResult(keyValues: keyValues, revision: Revision(at), hasMore: hasMore)
        }
    }

    public func count(prefix: String) async throws -> Int {
        let start = Data(prefix.utf8)
        let end = KeyOrder.prefixEnd(Array(prefix.utf8)).map { Data($0) }
        return try await self.read { db in
            if let end {
                return try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM current WHERE key >= ? AND key < ? AND deleted = 0"),
                    arguments: [start, end]
                ) ?? 0
            }
            return try Int.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) FROM current WHERE key >= ? AND deleted = 0"),
                arguments: [start]
            ) ?? 0
        }
    }

    // MARK: Writing

    public func create(_ key: String, value: [UInt8], lease: LeaseID?) async throws -> KeyValue {
        try Self.validate(key)
        guard case .keyValue(let keyValue) = try await self.submit(.create(key, value, lease)) else {
            throw Self.unexpected
        }
        return keyValue
    }

    public func update(_ key: String, value: [UInt8], expected: Revision, lease: LeaseID?) async throws -> KeyValue {
        try Self.validate(key)
        guard case .keyValue(let keyValue) = try await self.submit(.update(key, value, expected, lease)) else {
            throw Self.unexpected
        }
        return keyValue
    }

    public func delete(_ key: String, expected: Revision?) async throws -> DeleteResult {
        try Self.validate(key)
        guard case .deleted(let result) = try await self.submit(.delete(key, expected)) else { throw Self.unexpected }
        return result
    }

    // MARK: Leases

    public func grantLease(ttlSeconds: Int64) async throws -> LeaseID {
        guard ttlSeconds > 0 else { throw StorageError.invalidArgument("a lease TTL must be positive") }
        let expiresAt = Self.milliseconds(self.clock.now() + .seconds(ttlSeconds))
        let id = try await self.write { db in
            try db.execute(
                sql: "INSERT INTO lease (ttl, expires_at) VALUES (?, ?)",
                arguments: [ttlSeconds, expiresAt]
            )
            return db.lastInsertedRowID
        }
        return LeaseID(rawValue: id)
    }

    public func revokeLease(_ lease: LeaseID) async throws {
        _ = try await self.submit(.revoke(lease))
    }

    // MARK: Watching

    public func watch(prefix: String, from revision: Revision?) async throws -> WatchStream {
        try await self.hub.watch(prefix: prefix, from: revision) { from, through in
            try await self.history(prefix: prefix, from: from, through: through)
        }
    }

    public func requestProgress() async throws {
        // The hub's revision only moves after a commit is published, so it never runs ahead of delivered events.
        self.hub.progress()
    }

    /// The stored changes to keys under `prefix` with revisions in `from...through`, with previous values.
    func history(prefix: String, from: Revision, through: Revision) async throws -> [StorageEvent] {
        let start = Data(prefix.utf8)
        let end = KeyOrder.prefixEnd(Array(prefix.utf8)).map { Data($0) }
        return try await self.read { db in
            let meta = try Self.meta(db)
            guard from.rawValue > meta.compacted else {
                throw StorageError.compacted(compactRevision: Revision(meta.compacted), requested: from)
            }
            let upper = end == nil ? "" : "AND kv.key < :end"
            var arguments: StatementArguments = ["from": from.rawValue, "through": through.rawValue, "start": start]
            if let end { _ = arguments.append(contentsOf: ["end": end]) }
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT kv.revision, kv.key, kv.value, kv.create_revision, kv.version, kv.lease, kv.deleted,
                               p.revision, p.value, p.create_revision, p.version, p.lease, p.deleted
                        FROM kv LEFT JOIN kv AS p ON p.revision = kv.prev_revision
                        WHERE kv.revision >= :from AND kv.revision <= :through AND kv.key >= :start \(upper)
                        ORDER BY kv.revision
                        """
                ),
                arguments: arguments
            )
            var events: [StorageEvent] = []
            while let row = try rows.next() {
                let key = try Self.string(row, 1)
                var previous: KeyValue?
                if let previousRevision = row[7] as Int64?, row[12] as Int64 == 0 {
                    previous = KeyValue(
                        key: key,
                        value: try Self.bytes(row, 8),
                        createRevision: Revision(row[9] as Int64),
                        modRevision: Revision(previousRevision),
                        version: row[10],
                        lease: Self.lease(row[11])
                    )
                }
                if row[6] as Int64 == 0 {
                    events.append(StorageEvent(kind: .put, keyValue: try Self.keyValue(row), previous: previous))
                } else {
                    let tombstone = KeyValue(
                        key: key,
                        value: [],
                        createRevision: .zero,
                        modRevision: Revision(row[0] as Int64),
                        version: 0
                    )
                    events.append(StorageEvent(kind: .delete, keyValue: tombstone, previous: previous))
                }
            }
            return events
        }
    }

    // MARK: Helpers

    struct Meta {
        var revision: Int64
        var compacted: Int64
    }

    static func meta(_ db: Database) throws -> Meta {
        var meta = Meta(revision: 0, compacted: 0)
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT name, value FROM meta"))
        while let row = try rows.next() {
            switch row[0] as String {
            case "revision": meta.revision = row[1]
            case "compact_revision": meta.compacted = row[1]
            default: break
            }
        }
        return meta
    }

    static func resolve(_ revision: Revision?, meta: Meta) throws -> Int64 {
        guard let revision else { return meta.revision }
        if revision.rawValue > meta.revision {
            throw StorageError.futureRevision(revision, current: Revision(meta.revision))
        }
        if revision.rawValue < meta.compacted || revision.rawValue < 0 {
            throw StorageError.compacted(compactRevision: Revision(meta.compacted), requested: revision)
        }
        return revision.rawValue
    }

    /// The live key, from the `current` table.
    static func latest(_ key: String, _ db: Database) throws -> KeyValue? {
        try Self.fetchKeyValue(
            db.cachedStatement(
                sql: """
                    SELECT kv.revision, kv.key, kv.value, kv.create_revision, kv.version, kv.lease FROM current
                    JOIN kv ON kv.revision = current.revision WHERE current.key = ? AND current.deleted = 0
                    """
            ),
            arguments: [Data(key.utf8)]
        )
    }

    /// The first row of `statement` as a key-value, decoded straight from SQLite's buffers (no row copy).
    static func fetchKeyValue(_ statement: Statement, arguments: StatementArguments) throws -> KeyValue? {
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        guard let row = try rows.next() else { return nil }
        return try Self.keyValue(row)
    }

    /// The key's latest log row, live or tombstone, while its history is kept.
    static func pointer(_ key: Data, _ db: Database) throws -> (revision: Int64, deleted: Bool)? {
        // Read from the statement, without copying the row.
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT revision, deleted FROM current WHERE key = ?"),
            arguments: [key]
        )
        guard let row = try rows.next() else { return nil }
        return (row[0], row[1])
    }

    /// The key as of revision `at`, walking its log back from the row at `revision` through `prev_revision`.
    ///
    /// Every row on the way is newer than `at`, hence newer than the compaction point, so the walk only meets a
    /// missing row where compaction removed a tombstone: the key did not exist at `at`.
    static func version(at: Int64, from revision: Int64, _ db: Database) throws -> KeyValue? {
        var revision = revision
        while revision > at {
            guard
                let previous = try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT prev_revision FROM kv WHERE revision = ?"),
                    arguments: [revision]
                ), previous > 0
            else { return nil }
            revision = previous
        }
        return try Self.fetchKeyValue(
            db.cachedStatement(
                sql: """
                    SELECT revision, key, value, create_revision, version, lease FROM kv
                    WHERE revision = ? AND deleted = 0
                    """
            ),
            arguments: [revision]
        )
    }

    /// A key-value from the columns `revision, key, value, create_revision, version, lease`.
    static func keyValue(_ row: Row) throws -> KeyValue {
        KeyValue(
            key: try Self.string(row, 1),
            value: try Self.bytes(row, 2),
            createRevision: Revision(row[3] as Int64),
            modRevision: Revision(row[0] as Int64),
            version: row[4],
            lease: Self.lease(row[5])
        )
    }

    /// A blob column as a string, copied once straight from SQLite's buffer.
    static func string(_ row: Row, _ index: Int) throws -> String {
        try row.withUnsafeData(atIndex: index) { data in
            guard let data else { return "" }
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// A blob column as bytes, copied once straight from SQLite's buffer.
    static func bytes(_ row: Row, _ index: Int) throws -> [UInt8] {
        try row.withUnsafeData(atIndex: index) { data in data.map { [UInt8]($0) } ?? [] }
    }

    static func lease(_ id: Int64) -> LeaseID? {
        id == 0 ? nil : LeaseID(rawValue: id)
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    static func validate(_ key: String) throws {
        if key.isEmpty { throw StorageError.invalidArgument("the key must not be empty") }
    }

    static let unexpected = StorageError(code: .internalError, message: "unexpected write result")

    /// Runs a read on a reader connection (a WAL snapshot), mapping database errors to `StorageError`.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await self.pool.read(body)
        } catch let error as StorageError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw StorageError(code: .unavailable, message: "database read failed", cause: error)
        }
    }

    /// Runs one write transaction outside group commit (lease grants, compaction), not interrupted by
    /// cancellation, mapping database errors to `StorageError`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            self.pool.asyncWriteWithoutTransaction { db in
                continuation.resume(
                    returning: Result {
                        var value: T?
                        try db.inTransaction(.immediate) {
                            value = try body(db)
                            return .commit
                        }
                        guard let value else { throw Self.unexpected }
                        return value
                    }
                )
            }
        }
        do {
            return try result.get()
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(code: .unavailable, message: "database write failed", cause: error)
        }
    }
}
