import GRDB

/// The on-disk layout of ``SQLiteStorage`` (schema version 1), after kine's log-structured tables.
///
/// - `kv` is the log: one row per write, keyed by its revision (`INTEGER PRIMARY KEY`, so the revision is the
///   rowid and appends go to the end of the b-tree). `prev_revision` links a row to the previous row of the same
///   key (`0` for a key's first write; a create after a delete links to the tombstone). `deleted = 1` marks a
///   tombstone. The links give watch events their previous value, let compaction find superseded rows without a
///   scan, and let a read at an older revision walk back from the key's latest row: there is no `(key, revision)`
///   index to maintain on every write.
/// - `current` maps every key with kept history to its latest row (and lease): latest get, list and count are
///   index lookups that never touch old versions. A delete marks the key `deleted` rather than removing it, so a
///   read at an older revision still finds it; compaction removes it with its tombstone.
/// - `lease` holds granted leases with their absolute expiry (milliseconds since the Unix epoch); `current.lease`
///   (indexed where non-zero) finds a lease's keys.
/// - `meta` holds the current `revision` (so it survives compaction of the newest rows and restarts) and the
///   `compact_revision`.
///
/// The database runs with `journal_mode=WAL`, `synchronous=FULL` and `auto_vacuum=INCREMENTAL`: compaction frees
/// pages, `incremental_vacuum` returns them to the file system and a `TRUNCATE` checkpoint empties the WAL.
enum SQLiteSchema {
    static let version: Int64 = 1

    static let statements = [
        """
        CREATE TABLE IF NOT EXISTS kv (
            revision INTEGER PRIMARY KEY,
            key BLOB NOT NULL,
            value BLOB NOT NULL,
            create_revision INTEGER NOT NULL,
            prev_revision INTEGER NOT NULL,
            version INTEGER NOT NULL,
            lease INTEGER NOT NULL,
            deleted INTEGER NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS current (
            key BLOB PRIMARY KEY,
            revision INTEGER NOT NULL,
            lease INTEGER NOT NULL,
            deleted INTEGER NOT NULL
        ) WITHOUT ROWID
        """,
        "CREATE INDEX IF NOT EXISTS current_lease ON current (lease) WHERE lease != 0",
        "CREATE INDEX IF NOT EXISTS current_tombstone ON current (revision) WHERE deleted = 1",
        """
        CREATE TABLE IF NOT EXISTS lease (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            ttl INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        )
        """,
        "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
        "INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0), ('compact_revision', 0)",
        "INSERT OR IGNORE INTO meta (name, value) VALUES ('schema_version', \(version))",
    ]

    /// Creates the schema if needed; `auto_vacuum` must be chosen before the first table exists.
    ///
    /// Runs on the writer connection, outside a transaction.
    static func migrate(_ db: Database) throws {
        let hasTables = try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'kv'") ?? false
        if !hasTables {
            // GRDB already wrote the first page when it enabled WAL: a VACUUM applies the new auto_vacuum mode.
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            try db.execute(sql: "VACUUM")
        }
        try db.inTransaction(.immediate) {
            for statement in self.statements {
                try db.execute(sql: statement)
            }
            return .commit
        }
        let found = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE name = 'schema_version'")
        guard found == self.version else {
            throw DatabaseError(message: "unsupported skiff storage schema version \(found ?? -1)")
        }
    }
}
