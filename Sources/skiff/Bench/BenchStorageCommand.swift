import ArgumentParser

struct BenchStorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "storage", abstract: "Benchmark the store.")
    func run() async throws { throw ValidationError("not written yet") }
}
