import ArgumentParser

struct BenchCodecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "codec", abstract: "Benchmark API object codecs.")
    func run() async throws { throw ValidationError("not written yet") }
}
