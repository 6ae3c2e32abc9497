import GRDB
import Logging
public import SkiffStorage
import Synchronization

extension SQLiteStorage {
    /// How many revisions one compaction transaction covers, so writers are never held up for long.
    static let compactionChunk: Int64 = 2000
    /// How many free pages one `incremental_vacuum` step returns to the file system.
    static let vacuumChunk = 2000

    public func compact(through revision: Revision) async throws {
        let meta = try await self.read { db in try Self.meta(db) }
        guard revision.rawValue <= meta.revision else {
            throw StorageError.futureRevision(revision, current: Revision(meta.revision))
        }
        guard revision.rawValue > meta.compacted else { return }
        var done = meta.compacted
        while done < revision.rawValue {
            let low = done
            let high = min(revision.rawValue, low + Self.compactionChunk)
            try await self.write { db in
                // Rows superseded by a row of this chunk, then the chunk's tombstones (in that order: a tombstone
                // names the row it superseded).
                try db.cachedStatement(
                    sql: """
                        DELETE FROM kv WHERE revision IN
                            (SELECT prev_revision FROM kv WHERE revision > ? AND revision <= ? AND prev_revision > 0)
                        """
                ).execute(arguments: [low, high])
                try db.cachedStatement(sql: "DELETE FROM kv WHERE revision > ? AND revision <= ? AND deleted = 1")
                    .execute(arguments: [low, high])
                try db.cachedStatement(
                    sql: "DELETE FROM current WHERE deleted = 1 AND revision > ? AND revision <= ?"
                )
                .execute(arguments: [low, high])
                // Never backwards, should two compactions overlap (each chunk is idempotent).
                try db.cachedStatement(
                    sql: "UPDATE meta SET value = max(value, ?) WHERE name = 'compact_revision'"
                )
                .execute(arguments: [high])
            }
            done = high
        }
        try await self.reclaimSpace()
    }

    /// Returns free pages to the file system in small steps, then empties the WAL.
    func reclaimSpace() async throws {
        var previous = Int.max
        while true {
            let remaining = try await self.pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA incremental_vacuum(\(Self.vacuumChunk))")
                return try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            }
            if remaining == 0 || remaining >= previous { break }  // done, or vacuum unavailable
            previous = remaining
        }
        try await self.pool.writeWithoutTransaction { db in
            // A reader still on an old snapshot makes this a partial checkpoint; the next maintenance retries.
            _ = try? db.checkpoint(.truncate)
        }
    }

    public func performMaintenance() async throws {
        let now = Self.milliseconds(self.clock.now())
        let expired = try await self.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM lease WHERE expires_at <= ? ORDER BY id", arguments: [now])
        }
        for id in expired {
            do {
                _ = try await self.submit(.revoke(LeaseID(rawValue: id)))
                self.logger.debug("Expired lease", metadata: ["skiff.lease": "\(id)"])
            } catch let error as StorageError where error.code == .leaseNotFound {
                continue  // revoked meanwhile
            }
        }
        let meta = try await self.read { db in try Self.meta(db) }
        let target = self.planner.withLock {
            $0.step(now: self.clock.now(), current: Revision(meta.revision), compacted: Revision(meta.compacted))
        }
        if let target {
            try await self.compact(through: target)
            self.logger.debug(
                "Compacted history",
                metadata: ["skiff.compact_revision": "\(target.rawValue)", "skiff.revision": "\(meta.revision)"]
            )
        }
    }

    public func run() async throws {
        try await self.runMaintenanceLoop(every: self.policy.interval, clock: self.clock)
    }
}
