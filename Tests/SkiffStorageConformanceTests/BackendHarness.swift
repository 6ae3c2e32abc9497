import Foundation
import SkiffStorage
import SkiffStorageSQLite
import SkiffTestKit
import Testing

/// One backend under test: how to open it (and, for durable ones, reopen it) with a policy and a manual clock.
///
/// The conformance suite knows backends only through this factory, so a new backend (etcd) joins by adding one.
struct BackendFactory: Sendable, CustomTestStringConvertible {
    var name: String
    /// Opens a backend; `location` is a fresh temporary directory the harness deletes afterwards.
    var open:
        @Sendable (_ location: String, _ policy: MaintenancePolicy, _ clock: StorageClock) throws
            -> any StorageBackend
    /// Whether opening again on the same location finds the same data.
    var isDurable: Bool

    var testDescription: String { self.name }
}

let backends: [BackendFactory] = [
    BackendFactory(
        name: "memory",
        open: { _, policy, clock in InMemoryStorage(policy: policy, clock: clock) },
        isDurable: false
    ),
    BackendFactory(
        name: "sqlite",
        open: { location, policy, clock in try SQLiteStorage(directory: location, policy: policy, clock: clock) },
        isDurable: true
    ),
]

/// A backend opened in a temporary directory, with a manual clock.
final class BackendHarness: Sendable {
    let factory: BackendFactory
    let clock = StorageTestClock()
    let location: String
    let policy: MaintenancePolicy
    let backend: any StorageBackend

    init(_ factory: BackendFactory, policy: MaintenancePolicy = MaintenancePolicy()) throws {
        self.factory = factory
        self.policy = policy
        self.location = temporaryRoot.appending(path: UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: self.location, withIntermediateDirectories: true)
        self.backend = try factory.open(self.location, policy, self.clock.storageClock)
    }

    /// Opens the same location again (durable backends only).
    func reopen() throws -> any StorageBackend {
        try self.factory.open(self.location, self.policy, self.clock.storageClock)
    }
}

/// This process's directory for backends' files, removed when the process exits (not when a harness goes away:
/// a test may keep using the backend after its last use of the harness).
let temporaryRoot: URL = {
    let root = FileManager.default.temporaryDirectory.appending(path: "skiff-conformance-\(getpid())")
    atexit { try? FileManager.default.removeItem(at: temporaryRoot) }
    return root
}()

/// Bytes of a string, for short test values.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Reads `stream` until an event at or after `revision` arrived; returns every event seen.
func collectEvents(_ stream: WatchStream, through revision: Revision) async throws -> [StorageEvent] {
    var events: [StorageEvent] = []
    if revision == .zero { return events }
    for try await response in stream {
        events += response.events
        if let last = events.last, last.revision >= revision { break }
    }
    return events
}
