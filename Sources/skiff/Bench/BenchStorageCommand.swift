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
/// best achieve). "overhead" is raw throughput divided by the store's: 1.0× means no overhead.
struct BenchStorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "storage", abstract: "Benchmark the store.")

    @Option(help: "Writes for the one-client create benchmark.")
    var serialWrites: Int = 2000

    @Option(help: "Writes for the 64-client benchmarks.")
    var concurrentWrites: Int = 20000

    @Option(help: "Bytes per value.")
    var valueSize: Int = 1024

    @Option(help: "Directory for the databases (default: a new temporary directory, removed afterwards).")
    var dir: String?

    func run() async throws {
        let root = self.dir.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appending(path: "skiff-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { if self.dir == nil { try? FileManager.default.removeItem(at: root) } }
        let value = (0..<self.valueSize).map { _ in UInt8.random(in: 0...255) }
        let store = try SQLiteStorage(directory: root.appending(path: "store").path)
        let raw = try RawSQLite(path: root.appending(path: "raw.db").path)
        var report = BenchReport()
        print("skiff bench storage: \(self.valueSize)-byte values, SQLite WAL synchronous=FULL, in \(root.path)")

        // Creates, one client.
        let n1 = self.serialWrites
        let storeCreate1 = try await Self.time {
            for index in 0..<n1 { _ = try await store.create("/bench/serial/\(index)", value: value) }
        }
        let rawCreate1 = try await Self.time {
            for index in 0..<n1 { try await raw.insert(["/bench/serial/\(index)"], value: value) }
        }
        report.add("create, 1 client", store: Double(n1) / storeCreate1, raw: Double(n1) / rawCreate1, unit: "writes/s")

        // Creates, 64 clients.
        let n64 = self.concurrentWrites
        let perClient = n64 / 64
        let created = Locked<[[Revision]]>(Array(repeating: [], count: 64))
        let storeCreate64 = try await Self.time {
            try await withThrowingDiscardingTaskGroup { group in
                for client in 0..<64 {
                    group.addTask {
                        var revisions: [Revision] = []
                        for index in 0..<perClient {
                            let key = "/bench/concurrent/\(client)/\(index)"
                            revisions.append(try await store.create(key, value: value).modRevision)
                        }
                        created.withLock { [revisions] in $0[client] = revisions }
                    }
                }
            }
        }
        let rawCreate64 = try await Self.time {
            for index in 0..<perClient {
                try await raw.insert((0..<64).map { "/bench/concurrent/\($0)/\(index)" }, value: value)
            }
        }
        report.add(
            "create, 64 clients",
            store: Double(perClient * 64) / storeCreate64,
            raw: Double(perClient * 64) / rawCreate64,
            unit: "writes/s"
        )

        // Updates (compare-and-swap), 64 clients, each on its own keys.
        let revisions = created.withLock { $0 }
        let storeUpdate64 = try await Self.time {
            try await withThrowingDiscardingTaskGroup { group in
                for client in 0..<64 {
                    group.addTask {
                        for index in 0..<perClient {
                            let key = "/bench/concurrent/\(client)/\(index)"
                            _ = try await store.update(key, value: value, expected: revisions[client][index])
                        }
                    }
                }
            }
        }
        let rawUpdate64 = try await Self.time {
            for index in 0..<perClient {
                try await raw.update((0..<64).map { "/bench/concurrent/\($0)/\(index)" }, value: value)
            }
        }
        report.add(
            "update (CAS), 64 clients",
            store: Double(perClient * 64) / storeUpdate64,
            raw: Double(perClient * 64) / rawUpdate64,
            unit: "writes/s"
        )

        // Gets, 8 concurrent readers of random keys.
        let gets = 20000
        let storeGets = try await Self.time {
            try await withThrowingDiscardingTaskGroup { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<(gets / 8) { _ = try await store.get("/bench/serial/\(Int.random(in: 0..<n1))") }
                    }
                }
            }
        }
        let rawGets = try await Self.time {
            try await withThrowingDiscardingTaskGroup { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<(gets / 8) { _ = try await raw.select("/bench/serial/\(Int.random(in: 0..<n1))") }
                    }
                }
            }
        }
        report.add("get, 8 readers", store: Double(gets) / storeGets, raw: Double(gets) / rawGets, unit: "reads/s")

        // List of 10k keys.
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
        let lists = 10
        var count = 0
        let storeList = try await Self.time {
            for _ in 0..<lists { count = try await store.list(prefix: "/bench/list/").keyValues.count }
        }
        guard count == listed else { throw ValidationError("listed \(count) keys, expected \(listed)") }
        let rawList = try await Self.time {
            for _ in 0..<lists { count = try await raw.list(prefix: "/bench/list/") }
        }
        guard count == listed else { throw ValidationError("raw listed \(count) rows, expected \(listed)") }
        report.add(
            "list 10k keys",
            store: Double(lists) / storeList,
            raw: Double(lists) / rawList,
            unit: "lists/s"
        )

        // Watch delivery with 100 watchers: time from the create call to the event's arrival at each watcher.
        let watchWrites = 200
        let latencies = try await Self.watchLatencies(store, watchers: 100, writes: watchWrites, value: value)
        let rawLatency = try await Self.time {
            for index in 0..<watchWrites { try await raw.insert(["/bench/watch/\(index)"], value: value) }
        } / Double(watchWrites)
        report.addLatency("watch delivery, 100 watchers", latencies: latencies, rawWrite: rawLatency)

        print(report.text)
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
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        self.pool = try DatabasePool(path: path, configuration: configuration)
        try self.pool.write { db in
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

    /// Updates the keys in one transaction.
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
            var count = 0
            while let row = try rows.next() {
                _ = [UInt8](row[1] as Data)
                count += 1
            }
            return count
        }
    }
}

/// The printed table.
private struct BenchReport {
    var text = String(
        format: "%-32@ %16@ %16@ %10@\n",
        "scenario" as NSString,
        "store" as NSString,
        "raw SQLite" as NSString,
        "overhead" as NSString
    )

    mutating func add(_ name: String, store: Double, raw: Double, unit: String) {
        self.text += "\(name.padding(toLength: 32, withPad: " ", startingAt: 0)) "
            + "\(Self.format(store, unit)) \(Self.format(raw, unit)) "
            + String(format: "%9.2f×", raw / store) + "\n"
    }

    mutating func addLatency(_ name: String, latencies: [Double], rawWrite: Double) {
        let sorted = latencies.sorted()
        let p50 = sorted[sorted.count / 2]
        let p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
        self.text += "\(name.padding(toLength: 32, withPad: " ", startingAt: 0)) "
            + String(format: "p50 %6.2f ms p99 %6.2f ms; raw insert %6.2f ms", p50 * 1000, p99 * 1000, rawWrite * 1000)
            + String(format: " %9.2f×", p50 / rawWrite) + "\n"
    }

    static func format(_ value: Double, _ unit: String) -> String {
        String(format: "%7.0f", value).padding(toLength: 8, withPad: " ", startingAt: 0) + " " + unit.padding(
            toLength: 7,
            withPad: " ",
            startingAt: 0
        )
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
