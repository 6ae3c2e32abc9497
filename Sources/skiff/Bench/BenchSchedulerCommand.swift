import ArgumentParser

/// `skiff bench scheduler`: placeholder registered so the command list stays stable while it is written.
struct BenchSchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scheduler", abstract: "Benchmark the scheduler (being built; issue #5).")

    func run() async throws {
        throw ValidationError("skiff bench scheduler is not implemented yet")
    }
}
