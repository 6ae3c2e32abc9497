import Foundation
import SkiffPKI
import Testing

struct KubeconfigTests {
    static let kubectl = "/usr/bin/kubectl"

    func makeConfig(server: String = "https://127.0.0.1:6443") throws -> (ClusterPKI, String, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        let pki = try ClusterPKI.loadOrCreate(
            directory: directory.file("tls"),
            hostnames: ["localhost"],
            ipAddresses: ["127.0.0.1"]
        )
        let text = Kubeconfig.render(
            server: server,
            certificateAuthorityPEM: pki.certificateAuthority.certificatePEM,
            clientCertificatePEM: pki.admin.certificatePEM,
            clientKeyPEM: pki.admin.privateKeyPEM
        )
        return (pki, text, directory)
    }

    /// The value after `key: ` on the first line that has it.
    func value(of key: String, in text: String) -> String? {
        text.split(separator: "\n").lazy
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("\(key): ") || $0.hasPrefix("- \(key): ") }
            .map { String($0[$0.range(of: ": ")!.upperBound...]) }
    }

    @Test
    func renderedConfigEmbedsThePEMsAndNamesEverything() throws {
        let (pki, text, directory) = try self.makeConfig()
        defer { directory.remove() }
        let decode = { (key: String) -> String? in
            self.value(of: key, in: text).flatMap { Data(base64Encoded: $0) }.map {
                String(decoding: $0, as: UTF8.self)
            }
        }
        #expect(decode("certificate-authority-data") == pki.certificateAuthority.certificatePEM)
        #expect(decode("client-certificate-data") == pki.admin.certificatePEM)
        #expect(decode("client-key-data") == pki.admin.privateKeyPEM)
        #expect(self.value(of: "server", in: text) == "https://127.0.0.1:6443")
        #expect(self.value(of: "apiVersion", in: text) == "v1")
        #expect(self.value(of: "kind", in: text) == "Config")
        #expect(self.value(of: "current-context", in: text) == "default")
        #expect(self.value(of: "preferences", in: text) == "{}")
        for key in ["clusters:", "contexts:", "users:", "- cluster:", "- context:", "  user:"] {
            #expect(text.contains("\n\(key)") || text.contains(key), "\(key)")
        }
    }

    @Test(arguments: [
        ("{.clusters[0].cluster.server}", "https://127.0.0.1:6443"),
        ("{.current-context}", "default"),
        ("{.contexts[0].context.user}", "default"),
        ("{.users[0].name}", "default"),
    ])
    func kubectlReadsTheWrittenFile(jsonPath: String, expected: String) throws {
        let (_, text, directory) = try self.makeConfig()
        defer { directory.remove() }
        let path = directory.file("etc/skiff/skiff.yaml")
        try Kubeconfig.write(text, to: path)
        let output = try runTool(
            Self.kubectl,
            ["config", "view", "--kubeconfig", path, "--raw", "-o", "jsonpath=\(jsonPath)"]
        )
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput == expected)
    }

    @Test
    func kubectlSeesTheSamePEMs() throws {
        let (pki, text, directory) = try self.makeConfig()
        defer { directory.remove() }
        let path = directory.file("config")
        try Kubeconfig.write(text, to: path)
        let output = try runTool(
            Self.kubectl,
            ["config", "view", "--kubeconfig", path, "--raw", "-o", "jsonpath={.users[0].user.client-key-data}"]
        )
        #expect(output.status == 0, "\(output.standardError)")
        let key = Data(base64Encoded: output.standardOutput).map { String(decoding: $0, as: UTF8.self) }
        #expect(key == pki.admin.privateKeyPEM)
    }

    @Test
    func namesThatAreNotPlainYAMLAreQuotedAndReadBackByKubectl() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let text = Kubeconfig.render(
            server: "https://[::1]:6443",
            certificateAuthorityPEM: "ca",
            clientCertificatePEM: "cert",
            clientKeyPEM: "key",
            clusterName: "my cluster: #1",
            userName: "true",
            contextName: "\"quoted\""
        )
        let path = directory.file("config")
        try Kubeconfig.write(text, to: path)
        let jsonPath = "{.clusters[0].name}|{.users[0].name}|{.current-context}|{.clusters[0].cluster.server}"
        let output = try runTool(
            Self.kubectl,
            ["config", "view", "--kubeconfig", path, "--raw", "-o", "jsonpath=\(jsonPath)"]
        )
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput == "my cluster: #1|true|\"quoted\"|https://[::1]:6443")
    }

    @Test
    func writeIsMode0600AndReplacesAnExistingFile() throws {
        let (_, text, directory) = try self.makeConfig()
        defer { directory.remove() }
        let path = directory.file("a/b/config")
        try Kubeconfig.write("old", to: path)
        try Kubeconfig.write(text, to: path)
        #expect(try permissions(of: path) == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file("a/b")) == ["config"])
    }
}
