import Foundation
import SkiffAPI
import SkiffAPIMachinery
import SkiffClient
import Testing

/// The client over real HTTPS (TLS, client certificates, HTTP/2) to a real `APIServer`, configured from the
/// kubeconfig SkiffPKI writes.
struct HTTPSTransportTests {
    @Test func crudWatchAndErrorsOverHTTPSFromAKubeconfig() async throws {
        try await TestHTTPSServer.with { server in
            let kubeconfig = try KubeconfigFile(contentsOf: server.kubeconfigPath)
            #expect(kubeconfig.currentContext == "default")
            let configuration = try kubeconfig.clientConfiguration()
            #expect(configuration.server == "https://127.0.0.1:\(server.port)")
            #expect(configuration.clientCertificatePEM?.hasPrefix("-----BEGIN CERTIFICATE-----") == true)
            let transport = try HTTPSTransport(configuration: configuration)
            do {
                let client = APIClient(transport: transport, rateLimit: .unlimited)
                let configMaps = client.configMaps("default")
                let created = try await configMaps.create(.named("over-tls", data: ["k": "v"]))
                #expect(try await configMaps.get("over-tls").data == ["k": "v"])
                let patched = try await configMaps.patch("over-tls", type: .merge, body: ["data": ["k": "w"]])
                #expect(patched.data == ["k": "w"])
                do {
                    _ = try await configMaps.get("absent")
                    Issue.record("expected NotFound")
                } catch let error as APIError {
                    #expect(error.reason == .notFound)
                    #expect(error.message == #"configmaps "absent" not found"#)
                }

                let seen = Collected<String>()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            try await configMaps.watch(ListOptions(resourceVersion: created.metadata.resourceVersion)) { event in
                                if let name = event.object?.metadata.name { seen.append("\(event.type) \(name)") }
                                if seen.count == 2 { throw StopWatching() }
                            }
                        } catch is StopWatching {}
                    }
                    try await configMaps.delete("over-tls")
                    try await group.waitForAll()
                }
                #expect(seen.values == ["MODIFIED over-tls", "DELETED over-tls"])

                // An informer over HTTPS.
                let factory = SharedInformerFactory(client: client, namespace: "default", logger: TestAPI.quietLogger)
                let informer = factory.informer(CoreV1.ConfigMap.self)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await factory.run() }
                    try await factory.waitForCacheSync()
                    _ = try await configMaps.create(.named("cached"))
                    try await eventually { informer.lister.get(namespace: "default", name: "cached") != nil }
                    group.cancelAll()
                }
            } catch {
                try? await transport.shutdown()
                throw error
            }
            try await transport.shutdown()
        }
    }

    @Test func aBearerTokenWithoutCertificateIsUnauthorized() async throws {
        try await TestHTTPSServer.with { server in
            var configuration = try KubeconfigFile(contentsOf: server.kubeconfigPath).clientConfiguration()
            configuration.clientCertificatePEM = nil
            configuration.clientKeyPEM = nil
            configuration.bearerToken = "not-a-token"
            let transport = try HTTPSTransport(configuration: configuration)
            let client = APIClient(transport: transport, rateLimit: .unlimited)
            do {
                _ = try await client.namespaces.list()
                Issue.record("expected 401")
            } catch let error as APIError {
                #expect(error.code == 401)
                #expect(error.reason == .unauthorized)
            }
            try await transport.shutdown()
        }
    }
}

/// Parsing kubeconfigs: the fields, files relative to the kubeconfig, tokens, contexts.
struct KubeconfigFileTests {
    @Test func readsDataFilesTokensAndContexts() throws {
        let directory = TestAPI.makeDirectory()
        try "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n".write(toFile: directory + "/ca.crt", atomically: true, encoding: .utf8)
        try "secret-token\n".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        let yaml = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: prod
              cluster:
                server: https://prod.example:6443
                certificate-authority: ca.crt
            - name: dev
              cluster:
                server: https://dev.example:6443
                insecure-skip-tls-verify: true
            users:
            - name: robot
              user:
                tokenFile: token
            - name: admin
              user:
                client-certificate-data: \(Data("CERT".utf8).base64EncodedString())
                client-key-data: \(Data("KEY".utf8).base64EncodedString())
            contexts:
            - name: prod-robot
              context: {cluster: prod, user: robot, namespace: apps}
            - name: dev-admin
              context: {cluster: dev, user: admin}
            current-context: prod-robot
            """
        let file = try KubeconfigFile(yaml: yaml, directory: directory)
        let prod = try file.clientConfiguration()
        #expect(prod.server == "https://prod.example:6443")
        #expect(prod.certificateAuthorityPEM?.contains("CA") == true)
        #expect(prod.bearerToken == "secret-token")
        #expect(!prod.insecureSkipTLSVerify)
        #expect(file.namespace() == "apps")

        let dev = try file.clientConfiguration(context: "dev-admin")
        #expect(dev.insecureSkipTLSVerify)
        #expect(dev.clientCertificatePEM == "CERT")
        #expect(dev.clientKeyPEM == "KEY")
        #expect(file.namespace(context: "dev-admin") == "default")

        #expect(throws: KubeconfigError.self) { try file.clientConfiguration(context: "missing") }
    }
}
