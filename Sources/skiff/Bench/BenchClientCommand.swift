import ArgumentParser

/// `skiff bench client`: placeholder registered so the command list stays stable while it is written.
struct BenchClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client", abstract: "Benchmark the client library (being built; issue #5).")

    func run() async throws {
        throw ValidationError("skiff bench client is not implemented yet")
    }
}
