import ArgumentParser

/// `skiff scheduler`: placeholder registered so the command list stays stable while the scheduler is written.
struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scheduler", abstract: "Run the scheduler (being built; issue #5).")

    func run() async throws {
        throw ValidationError("skiff scheduler is not implemented yet")
    }
}
