import ArgumentParser
import Foundation
import Logging
import SkiffStorage
import SkiffStorageSQLite
import Synchronization

/// `skiff debug storage-writer`: writes through ``SQLiteStorage`` with many concurrent clients and prints every
/// acknowledged write, one line each, for the crash-safety test that kills it with SIGKILL.
///
/// Each client creates `<prefix>/<client>/<n>` (value: ``expectedValue(for:size:)``) and, every few writes, bumps
/// `<prefix>/counter-<client>` with a compare-and-swap. Lines are `create <key> <revision>` and
/// `update <key> <revision> <value>`, written with one `write(2)` each, after the store returned.
struct StorageWriterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage-writer",
        abstract: "Write through the SQLite store and print each acknowledged write (for crash tests).",
        shouldDisplay: false
    )

    @OptionGroup var logging: LoggingOptions

    @Option(help: "The directory of the SQLite store.")
    var dir: String

    @Option(help: "Concurrent clients.")
    var clients: Int = 16

    @Option(help: "Key prefix, unique per run.")
    var prefix: String = "/crash"

    @Option(help: "Bytes per value.")
    var valueSize: Int = 512

    @Option(help: "Writes per client before exiting (0: until killed).")
    var count: Int = 0

    func validate() throws {
        guard self.clients > 0 else { throw ValidationError("--clients must be positive") }
        guard self.valueSize > 0 else { throw ValidationError("--value-size must be positive") }
    }

    func run() async throws {
        self.logging.bootstrap()
        let store = try SQLiteStorage(directory: self.dir, logger: Logger(label: "skiff.storage"))
        let output = LineOutput()
        try await withThrowingDiscardingTaskGroup { group in
            for client in 0..<self.clients {
                group.addTask {
                    var counter: KeyValue?
                    var index = 0
                    while self.count == 0 || index < self.count {
                        let key = "\(self.prefix)/\(client)/\(index)"
                        let created = try await store.create(
                            key,
                            value: Self.expectedValue(for: key, size: self.valueSize)
                        )
                        var line = "create \(key) \(created.modRevision)\n"
                        if index % 4 == 0 {
                            let counterKey = "\(self.prefix)/counter-\(client)"
                            let value = Array("\(index)".utf8)
                            if let current = counter {
                                counter = try await store.update(
                                    counterKey,
                                    value: value,
                                    expected: current.modRevision
                                )
                            } else {
                                counter = try await store.create(counterKey, value: value)
                            }
                            line += "update \(counterKey) \(counter?.modRevision ?? .zero) \(index)\n"
                        }
                        let data = Data(line.utf8)
                        output.write(data)
                        index += 1
                    }
                }
            }
        }
        try store.close()
    }

    /// The value written under `key`: its bytes repeated to `size` bytes.
    static func expectedValue(for key: String, size: Int) -> [UInt8] {
        let pattern = Array(key.utf8) + [0x0A]
        return (0..<size).map { pattern[$0 % pattern.count] }
    }
}

/// Standard output shared by the clients: one write per acknowledged line, never interleaved.
private final class LineOutput: Sendable {
    private let lock = Mutex(())

    func write(_ data: Data) {
        self.lock.withLock { _ in FileHandle.standardOutput.write(data) }
    }
}
