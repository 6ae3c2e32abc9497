import ArgumentParser

@main
struct Skiff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skiff",
        abstract: "Kubernetes, written in Swift, in one binary.",
        version: SkiffVersion.description,
        subcommands: [
            ServerCommand.self, APIServerCommand.self, SchedulerCommand.self, ControllerManagerCommand.self, VersionCommand.self, BenchCommand.self,
            DebugCommand.self,
        ]
    )
}
