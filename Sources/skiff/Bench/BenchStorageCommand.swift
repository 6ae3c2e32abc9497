import ArgumentParser
import Foundation
import GRDB
import SkiffStorage
import SkiffStorageSQLite
import Synchronization

/// `skiff bench storage`: the SQLite store against raw GRDB doing the same I/O, measured in the same run.
///
/// Both sides use WAL with `synchronous=FULL` and ~1 KB values. The raw reference commits one row per
/// transaction for one client, and one transaction per 64 rows for the 64-client cases (what group commit can at
/// best achieve); the store's updates append a version, so their reference is an insert as well, and a second line
/// compares them with raw in-place `UPDATE`s of the same rows in the same batches (values stamped per round, so
/// SQLite really rewrites the pages). Each scenario
/// alternates store and raw rounds and keeps the best of each, which tames a noisy shared machine. "overhead" is
/// raw throughput divided by the store's: 1.00× means none.
struct BenchStorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "storage", abstract: "Benchmark the store.")

    @Option(help: "Writes per round for the one-client create benchmark.")
    var serialWrites: Int = 2000

    @Option(help: "Writes per round for the 64-client benchmarks.")
    var concurrentWrites: Int = 12800

    @Option(help: "Bytes per value.")
    var valueSize: Int = 1024

    @Option(help: "Rounds per scenario; store and raw SQLite alternate and the best round of each is reported.")
    var rounds: Int = 3

    @Option(help: "Directory for the databases (default: a new temporary directory, removed afterwards).")
    var dir: String?

    func validate() throws {
        guard self.rounds > 0, self.serialWrites > 0, self.concurrentWrites >= 64 else {
            throw ValidationError("--rounds and --serial-writes must be positive, --concurrent-writes at least 64")
        }
    }

    func run() async throws {
        let root =
            self.dir.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appending(path: "skiff-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { if self.dir == nil { try? FileManager.default.removeItem(at: root) } }
        let value = (0..<self.valueSize).map { _ in UInt8.random(in: 0...255) }
        let store = try SQLiteStorage(directory: root.appending(path: "store").path)
        let raw = try RawSQLite(path: root.appending(path: "raw.db").path)
        var report = BenchReport()
        print("skiff bench storage: \(self.valueSize)-byte values, SQLite WAL synchronous=FULL, best of \(self.rounds)")

        // Creates, one client: one transaction per write on both sides.
        let n1 = self.serialWrites
        try await report.measure("create, 1 client", unit: "writes/s", operations: n1, rounds: self.rounds) { round in
            for index in 0..<n1 { _ = try await store.create("/bench/serial/\(round)/\(index)", value: value) }
        } raw: { round in
            for index in 0..<n1 { try await raw.insert(["/bench/serial/\(round)/\(index)"], value: value) }
        }

        // Creates, 64 clients; the reference commits 64 rows per transaction.
        let beforeCreates = store.commitStatistics
        let perClient = self.concurrentWrites / 64
        let n64 = perClient * 64
        try await report.measure("create, 64 clients", unit: "writes/s", operations: n64, rounds: self.rounds) {
            round in
            try await withThrowingDiscardingTaskGroup { group in
                for client in 0..<64 {
                    group.addTask {
                        for index in 0..<perClient {
                            _ = try await store.create("/bench/concurrent/\(round)/\(client)/\(index)", value: value)
                        }
                    }
                }
            }
        } raw: { round in
            for index in 0..<perClient {
                try await raw.insert((0..<64).map { "/bench/concurrent/\(round)/\($0)/\(index)" }, value: value)
            }
        }

        let afterCreates = store.commitStatistics
        report.note(
            String(
                format: "  (group commit: %.1f writes per transaction)",
                Double(afterCreates.operations - beforeCreates.operations)
                    / Double(max(1, afterCreates.transactions - beforeCreates.transactions))
            )
        )

        // Updates (compare-and-swap), 64 clients, of the keys created by the first round above.
        let revisions = Locked<[[Revision]]>(Array(repeating: [], count: 64))
        for client in 0..<64 {
            var known: [Revision] = []
            for index in 0..<perClient {
                known.append(try await store.get("/bench/concurrent/0/\(client)/\(index)")?.modRevision ?? .zero)
            }
            revisions.withLock { [known] in $0[client] = known }
        }
        func updateAll() async throws {
            try await withThrowingDiscardingTaskGroup { group in
                for client in 0..<64 {
                    group.addTask {
                        var known = revisions.withLock { $0[client] }
                        for index in 0..<perClient {
                            let key = "/bench/concurrent/0/\(client)/\(index)"
                            known[index] = try await store.update(key, value: value, expected: known[index]).modRevision
                        }
                        revisions.withLock { [known] in $0[client] = known }
                    }
                }
            }
        }
        try await report.measure("update (CAS), 64 clients", unit: "writes/s", operations: n64, rounds: self.rounds) {
            _ in
            try await updateAll()
        } raw: { round in
            // The store appends a new version per update (it keeps history), so the reference is an insert too.
            for index in 0..<perClient {
                try await raw.insert((0..<64).map { "/bench/updated/\(round)/\($0)/\(index)" }, value: value)
            }
        }

        // The same updates against a reference that updates the same rows in place, in the same batches (the
        // store still appends a version and moves the key's pointer).
        try await report.measure("update (CAS) vs raw UPDATE", unit: "writes/s", operations: n64, rounds: self.rounds) {
            _ in
            try await updateAll()
        } raw: { round in
            // SQLite leaves a page clean when a row is overwritten with identical bytes: stamp each round's values.
            var stamped = value
            withUnsafeBytes(of: UInt64(round + 1)) { stamp in
                let count = min(stamp.count, stamped.count)
                stamped.replaceSubrange(0..<count, with: stamp.prefix(count))
            }
            for index in 0..<perClient {
                try await raw.update((0..<64).map { "/bench/concurrent/0/\($0)/\(index)" }, value: stamped)
            }
        }

        // Gets of random existing keys, 8 concurrent readers.
        let gets = 16_000
        try await report.measure("get, 8 readers", unit: "reads/s", operations: gets, rounds: self.rounds) { _ in
            try await withThrowingDiscardingTaskGroup { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<(gets / 8) {
                            _ = try await store.get("/bench/serial/0/\(Int.random(in: 0..<n1))")
                        }
                    }
                }
            }
        } raw: { _ in
            try await withThrowingDiscardingTaskGroup { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<(gets / 8) {
                            _ = try await raw.select("/bench/serial/0/\(Int.random(in: 0..<n1))")
                        }
                    }
                }
            }
        }

        // A list of 10k keys.
        let listed = 10_000
        try await withThrowingDiscardingTaskGroup { group in
            for client in 0..<16 {
                group.addTask {
                    for index in stride(from: client, to: listed, by: 16) {
                        _ = try await store.create("/bench/list/\(index)", value: value)
                    }
                }
            }
        }
        for start in stride(from: 0, to: listed, by: 500) {
            try await raw.insert((start..<(start + 500)).map { "/bench/list/\($0)" }, value: value)
        }
        try await report.measure("list 10k keys", unit: "lists/s", operations: 5, rounds: self.rounds) { _ in
            for _ in 0..<5 {
                let count = try await store.list(prefix: "/bench/list/").keyValues.count
                guard count == listed else { throw ValidationError("listed \(count) keys, expected \(listed)") }
            }
        } raw: { _ in
            for _ in 0..<5 {
                let count = try await raw.list(prefix: "/bench/list/")
                guard count == listed else { throw ValidationError("listed \(count) rows, expected \(listed)") }
            }
        }

        // Watch delivery with 100 watchers: from the create call to the event's arrival at each watcher.
        let watchWrites = 200
        let latencies = try await Self.watchLatencies(store, watchers: 100, writes: watchWrites, value: value)
        var rawLatencies: [Double] = []
        for index in 0..<watchWrites {
            rawLatencies.append(try await Self.time { try await raw.insert(["/bench/watch/\(index)"], value: value) })
        }
        report.addLatency("watch delivery, 100 watchers", latencies: latencies, rawWrite: rawLatencies)

        print(report.text, terminator: "")
        try store.close()
    }

    static func watchLatencies(_ store: SQLiteStorage, watchers: Int, writes: Int, value: [UInt8]) async throws
        -> [Double]
    {
        let clock = ContinuousClock()
        let started = Locked<[Revision: ContinuousClock.Instant]>([:])
        return try await withThrowingTaskGroup(of: [Double].self) { group in
            var streams: [WatchStream] = []
            for _ in 0..<watchers { streams.append(try await store.watch(prefix: "/bench/watch/")) }
            for stream in streams {
                group.addTask {
                    var received: [(Revision, ContinuousClock.Instant)] = []
                    for try await response in stream {
                        let now = clock.now
                        for event in response.events { received.append((event.revision, now)) }
                        if received.count >= writes { break }
                    }
                    return received.map { revision, instant in
                        let start = started.withLock { $0[revision] } ?? instant
                        return Self.seconds(instant - start)
                    }
                }
            }
            let base = try await store.currentRevision().rawValue
            for index in 0..<writes {
                // The create gets the next revision: record its start before calling.
                let start = clock.now
                started.withLock { $0[Revision(base + Int64(index) + 1)] = start }
                _ = try await store.create("/bench/watch/\(index)", value: value)
            }
            var all: [Double] = []
            for try await latencies in group { all += latencies }
            return all
        }
    }

    static func time(_ body: () async throws -> Void) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try await body()
        return self.seconds(clock.now - start)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// The reference: the same bytes through GRDB with the same pragmas, no store logic.
private struct RawSQLite: Sendable {
    let pool: DatabasePool

    init(path: String) throws {
        self.pool = try DatabasePool(path: path)
        try self.pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")  // after GRDB's WAL setup, as the store does
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS raw (key BLOB PRIMARY KEY, value BLOB NOT NULL)")
        }
    }

    /// Inserts the keys in one transaction.
    func insert(_ keys: [String], value: [UInt8]) async throws {
        let data = Data(value)
        try await self.pool.write { db in
            let statement = try db.cachedStatement(sql: "INSERT INTO raw (key, value) VALUES (?, ?)")
            for key in keys { try statement.execute(arguments: [Data(key.utf8), data]) }
        }
    }

    /// Updates the keys' rows in place in one transaction.
    func update(_ keys: [String], value: [UInt8]) async throws {
        let data = Data(value)
        try await self.pool.write { db in
            let statement = try db.cachedStatement(sql: "UPDATE raw SET value = ? WHERE key = ?")
            for key in keys { try statement.execute(arguments: [data, Data(key.utf8)]) }
        }
    }

    func select(_ key: String) async throws -> Data? {
        try await self.pool.read { db in
            try Data.fetchOne(
                db.cachedStatement(sql: "SELECT value FROM raw WHERE key = ?"),
                arguments: [Data(key.utf8)]
            )
        }
    }

    func list(prefix: String) async throws -> Int {
        try await self.pool.read { db in
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT key, value FROM raw WHERE key >= ? AND key < ? ORDER BY key"),
                arguments: [Data(prefix.utf8), Data((prefix + "\u{7F}").utf8)]
            )
            // The same decoding work as the store: the key as a string, the value copied out as bytes, kept.
            var items: [(key: String, value: [UInt8])] = []
            while let row = try rows.next() {
                let key = try row.withUnsafeData(atIndex: 0) { String(decoding: $0 ?? Data(), as: UTF8.self) }
                let value = try row.withUnsafeData(atIndex: 1) { $0.map { [UInt8]($0) } ?? [] }
                items.append((key, value))
            }
            return items.count
        }
    }
}

/// The printed table.
private struct BenchReport {
    var text = Self.row("scenario", "store", "raw SQLite", "overhead")

    /// Runs store and raw rounds alternately and records the best throughput of each.
    mutating func measure(
        _ name: String,
        unit: String,
        operations: Int,
        rounds: Int,
        store: (_ round: Int) async throws -> Void,
        raw: (_ round: Int) async throws -> Void
    ) async throws {
        var bestStore = 0.0
        var bestRaw = 0.0
        for round in 0..<rounds {
            bestStore = max(
                bestStore,
                Double(operations) / (try await BenchStorageCommand.time { try await store(round) })
            )
            bestRaw = max(bestRaw, Double(operations) / (try await BenchStorageCommand.time { try await raw(round) }))
        }
        self.text += Self.row(
            name,
            String(format: "%.0f ", bestStore) + unit,
            String(format: "%.0f ", bestRaw) + unit,
            String(format: "%.2f×", bestRaw / bestStore)
        )
    }

    mutating func note(_ line: String) {
        self.text += line + "\n"
    }

    mutating func addLatency(_ name: String, latencies: [Double], rawWrite: [Double]) {
        let p50 = Self.percentile(latencies, 50)
        let p99 = Self.percentile(latencies, 99)
        let raw50 = Self.percentile(rawWrite, 50)
        self.text += Self.row(
            name,
            String(format: "p50 %.2f ms, p99 %.2f ms", p50 * 1000, p99 * 1000),
            String(format: "insert p50 %.2f ms", raw50 * 1000),
            String(format: "%.2f×", p50 / raw50)
        )
    }

    static func percentile(_ values: [Double], _ percent: Int) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, sorted.count * percent / 100)]
    }

    static func row(_ name: String, _ store: String, _ raw: String, _ overhead: String) -> String {
        Self.pad(name, 30) + Self.pad(store, 28) + Self.pad(raw, 22) + overhead + "\n"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}

/// A `Mutex` that closures can capture.
private final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        self.mutex = Mutex(value)
    }

    func withLock<Result: Sendable>(_ body: (inout sending Value) -> Result) -> Result {
        self.mutex.withLock { body(&$0) }
    }
}
