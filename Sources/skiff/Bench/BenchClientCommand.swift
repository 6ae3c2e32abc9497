import ArgumentParser
import Foundation
import Logging
import SkiffAPI
import SkiffAPIMachinery
import SkiffAPIServer
import SkiffClient
import SkiffPKI
import SkiffStorageSQLite

/// `skiff bench client`: the client library against a real API server on SQLite, in-process and over HTTPS, each
/// figure beside a reference measured in the same run on the same bytes (a raw `JSONValue.parse`).
///
/// Cases: creating Pods through the typed client; an informer's initial sync of `--pods` Pods (list + decode +
/// index); a watch replaying 90 % of those creations from the watch cache (decode of each event). The references
/// parse the very list and watch bytes the server returned, without decoding into `CoreV1.Pod`.
struct BenchClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Benchmark the client library: informer sync and watch throughput, in-process and over HTTPS."
    )

    @Flag(help: "A small run (1,000 Pods).")
    var quick = false

    @Option(help: "Pods to create and sync (default 10000; --quick 1000).")
    var pods: Int?

    @Option(help: "Runs of each measured case; the best is kept.")
    var rounds: Int = 3

    func validate() throws {
        if let pods = self.pods, pods < 10 { throw ValidationError("--pods must be at least 10") }
        guard self.rounds > 0 else { throw ValidationError("--rounds must be positive") }
    }

    func run() async throws {
        let root = FileManager.default.temporaryDirectory.appending(path: "skiff-bench-client-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await ClientBench(pods: self.pods ?? (self.quick ? 1000 : 10_000), rounds: self.rounds, root: root).run()
    }
}
