import ArgumentParser

/// Hidden helpers used by Skiff's own tests (for example the crash-safety test of the store).
struct DebugCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug",
        abstract: "Internal tools for Skiff's tests.",
        shouldDisplay: false,
        subcommands: [StorageWriterCommand.self]
    )
}
