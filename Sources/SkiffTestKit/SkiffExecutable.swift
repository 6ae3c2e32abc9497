public import Foundation

/// The `skiff` executable built beside the running tests, for tests that drive it as a child process.
public enum SkiffExecutable {
    /// Where `swift build` put `skiff`: the build products directory that holds the running test bundle.
    public static func url() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle.main.bundleURL,
        ]
        for directory in candidates {
            // The test binary may sit inside `<products>/skiffPackageTests.xctest/...` or next to it.
            var current = directory
            for _ in 0..<4 {
                let executable = current.appending(path: "skiff")
                if FileManager.default.isExecutableFile(atPath: executable.path) { return executable }
                current = current.deletingLastPathComponent()
            }
        }
        throw SkiffExecutableError(
            message: "the skiff executable was not found next to the test bundle (\(CommandLine.arguments[0])); "
                + "run `swift build` before `swift test`, as scripts/test.sh does"
        )
    }

    /// Runs `skiff` with `arguments` to completion and returns its exit status and standard output.
    public static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try self.url()
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

public struct SkiffExecutableError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { self.message }
}
