import ArgumentParser

/// `skiff bench …`: release-mode benchmarks of the hot paths, each reported beside a reference measured in the
/// same run (raw SQLite, plain JSONEncoder, …) so figures stay comparable on a noisy shared machine.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark (build with -c release).",
        subcommands: [
            BenchStorageCommand.self, BenchCodecCommand.self, BenchAPIServerCommand.self, BenchPatchCommand.self,
            BenchClientCommand.self, BenchSchedulerCommand.self,
        ]
    )
}
