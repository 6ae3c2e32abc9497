import ArgumentParser
import SkiffAPIMachinery

enum SkiffVersion {
    static let version = "0.1.0-dev"
    static var description: String { "skiff \(version) (Kubernetes \(KubernetesVersion.gitVersion))" }
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")
    func run() {
        print("Skiff version: \(SkiffVersion.version)")
        print("Kubernetes version: \(KubernetesVersion.gitVersion)")
    }
}
