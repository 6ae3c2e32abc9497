import SkiffTestKit
import Testing

struct VersionCommandTests {
    @Test func printsTheKubernetesVersionItSpeaks() throws {
        let (status, output) = try SkiffExecutable.run(["version"])
        #expect(status == 0)
        #expect(output.contains("Kubernetes version: v1.32."))
        #expect(output.hasPrefix("Skiff version: "))
    }

    @Test func listsTheSubcommandsInHelp() throws {
        let (status, output) = try SkiffExecutable.run(["--help"])
        #expect(status == 0)
        #expect(output.contains("USAGE: skiff <subcommand>"))
        #expect(output.contains("version"))
        #expect(output.contains("bench"))
        #expect(!output.contains("debug"))  // hidden: only Skiff's own tests use it
    }

    @Test func rejectsAnUnknownSubcommand() throws {
        let (status, _) = try SkiffExecutable.run(["no-such-command"])
        #expect(status != 0)
    }
}
