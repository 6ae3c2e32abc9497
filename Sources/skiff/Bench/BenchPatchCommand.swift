import ArgumentParser

/// `skiff bench patch`: placeholder registered so the command list stays stable while it is written.
struct BenchPatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "patch", abstract: "Benchmark patches and server-side apply (being built; issue #4).")

    func run() async throws {
        throw ValidationError("skiff bench patch is not implemented yet")
    }
}
