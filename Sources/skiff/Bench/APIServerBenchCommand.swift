import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SkiffAPIServer
import SkiffPKI
import SkiffStorage
import SkiffStorageSQLite

/// `skiff bench apiserver`: the HTTPS API server (TLS, client certificates, HTTP/2 and HTTP/1.1) driven by
/// AsyncHTTPClient over 127.0.0.1, each figure beside the bare SQLite store doing the same work in the same run.
///
/// The in-process part runs ``APIServer`` on a temporary SQLite store (WAL, `synchronous=FULL`, as `skiff server`
/// opens it) with a CA and an admin client certificate generated for the run; the reference is a second
/// `SQLiteStorage` fed the bytes the server stored for the same Pod, at the same concurrency. "ratio" is the bare
/// store's throughput divided by the server's (latencies: the server's divided by the store's); 1.00× means no
/// overhead. Client and server share the machine, so throughput figures include the client's CPU. The create and get
/// rows also give the process's CPU time per operation (clients included), which the machine's other load moves
/// less than throughput.
///
/// The "HTTPS floor" rows are the transport's own cost in the same run: the same client, connection and concurrency
/// sending the same request (the Pod's body for creates) to `/healthz`, which the server answers without
/// authentication, decoding, storage or encoding. No API server reached over this transport can beat them, so they
/// bound what the ratios beside the bare store can reach; the note under each says how far above its floor the API
/// work puts a request.
///
/// The memory and start-up part runs `skiff server` (this executable) as a child process on a fresh data directory,
/// reads its `/proc/<pid>/status`, fills it with `--pods` Pods, then restarts it on the existing directory.
struct BenchAPIServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apiserver",
        abstract: "Benchmark the HTTPS API server against the bare store."
    )

    @Flag(help: "A small run: fewer creates, gets, Pods and watchers, one round.")
    var quick = false

    @Option(help: "Pods the child `skiff server` holds for the memory figure (default 10000; --quick 1000).")
    var pods: Int?

    @Option(help: "Watchers of the fan-out case (default 1000; --quick 100).")
    var watchers: Int?

    @Option(help: "Creates per round of each create case (default 3200; --quick 640).")
    var creates: Int?

    @Option(help: "Gets per round of the get case (default 16000; --quick 3200).")
    var gets: Int?

    @Option(help: "Offered rate of the create latency case, in creates per second.")
    var rate: Int = 200

    @Option(help: "Rounds per throughput case; server and store alternate and the best of each is kept (default 2; --quick 1).")
    var rounds: Int?

    @Option(help: "Directory for data (default: a new temporary directory, removed afterwards).")
    var dir: String?

    func validate() throws {
        for (name, value) in [("--pods", self.pods), ("--watchers", self.watchers), ("--creates", self.creates), ("--gets", self.gets)] {
            if let value, value < 1 { throw ValidationError("\(name) must be positive") }
        }
        if let rounds = self.rounds, rounds < 1 { throw ValidationError("--rounds must be positive") }
        guard self.rate > 0 else { throw ValidationError("--rate must be positive") }
    }

    var settings: APIServerBench.Settings {
        APIServerBench.Settings(
            pods: self.pods ?? (self.quick ? 1000 : 10_000),
            watchers: self.watchers ?? (self.quick ? 100 : 1000),
            creates: max(64, self.creates ?? (self.quick ? 640 : 3200)),
            rate: self.rate,
            latencySeconds: self.quick ? 2 : 10,
            gets: max(64, self.gets ?? (self.quick ? 3200 : 16_000)),
            listedPods: 1000,
            lists: self.quick ? 10 : 30,
            watchWrites: self.quick ? 3 : 5,
            rounds: self.rounds ?? (self.quick ? 1 : 2)
        )
    }

    func run() async throws {
        let root =
            self.dir.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appending(path: "skiff-bench-apiserver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { if self.dir == nil { try? FileManager.default.removeItem(at: root) } }
        let bench = APIServerBench(settings: self.settings, root: root.path)
        try await bench.run()
    }
}
