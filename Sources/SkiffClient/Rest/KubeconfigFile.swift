import Foundation
import Yams

/// A kubeconfig file (`apiVersion: v1`, `kind: Config`): clusters, users, contexts and the current context
/// (↔ client-go's `clientcmd/api.Config` and its loader).
///
/// ```swift
/// let kubeconfig = try KubeconfigFile(contentsOf: "/etc/skiff/skiff.yaml")
/// let transport = try HTTPSTransport(configuration: try kubeconfig.clientConfiguration())
/// ```
///
/// File references (`certificate-authority`, `client-certificate`, `client-key`, `tokenFile`) are resolved
/// relative to the kubeconfig's directory and read when the configuration is made, as kubectl does.
///
/// ## Topics
/// - ``init(contentsOf:)``
/// - ``init(yaml:directory:)``
/// - ``clientConfiguration(context:)``
public struct KubeconfigFile: Sendable, Hashable {
    /// A `clusters[].cluster` entry.
    public struct Cluster: Sendable, Hashable, Decodable {
        public var server: String?
        public var certificateAuthority: String?
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify: Bool?
        public var tlsServerName: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }

    /// A `users[].user` entry (`AuthInfo` upstream).
    public struct User: Sendable, Hashable, Decodable {
        public var clientCertificate: String?
        public var clientCertificateData: String?
        public var clientKey: String?
        public var clientKeyData: String?
        public var token: String?
        public var tokenFile: String?

        enum CodingKeys: String, CodingKey {
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case token
            case tokenFile
        }
    }

    /// A `contexts[].context` entry.
    public struct Context: Sendable, Hashable, Decodable {
        public var cluster: String
        public var user: String?
        public var namespace: String?
    }

    private struct Named<Value: Decodable>: Decodable {
        var name: String
        var value: Value?
        enum CodingKeys: String, CodingKey { case name, cluster, user, context }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.name = try container.decode(String.self, forKey: .name)
            for key in [CodingKeys.cluster, .user, .context] where container.contains(key) {
                self.value = try container.decodeIfPresent(Value.self, forKey: key)
            }
        }
    }

    private struct Document: Decodable {
        var clusters: [Named<Cluster>]?
        var users: [Named<User>]?
        var contexts: [Named<Context>]?
        var currentContext: String?
        enum CodingKeys: String, CodingKey {
            case clusters, users, contexts
            case currentContext = "current-context"
        }
    }

    public var clusters: [String: Cluster]
    public var users: [String: User]
    public var contexts: [String: Context]
    /// `current-context`.
    public var currentContext: String?
    /// The directory relative file references are resolved against.
    public var directory: String

    /// Parses a kubeconfig's YAML text.
    public init(yaml: String, directory: String = ".") throws {
        let document: Document
        do {
            document = try YAMLDecoder().decode(Document.self, from: yaml)
        } catch {
            throw KubeconfigError("error loading config: \(error)")
        }
        self.clusters = Dictionary((document.clusters ?? []).map { ($0.name, $0.value ?? Cluster()) }) { $1 }
        self.users = Dictionary((document.users ?? []).map { ($0.name, $0.value ?? User()) }) { $1 }
        self.contexts = Dictionary((document.contexts ?? []).compactMap { entry in entry.value.map { (entry.name, $0) } }) { $1 }
        self.currentContext = document.currentContext.flatMap { $0.isEmpty ? nil : $0 }
        self.directory = directory
    }

    /// Reads and parses the kubeconfig at `path`.
    public init(contentsOf path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw KubeconfigError("error loading config file \"\(path)\": \(error)")
        }
        try self.init(yaml: text, directory: (path as NSString).deletingLastPathComponent)
    }

    /// The client configuration of `context` (default: the current context), with every referenced file read.
    public func clientConfiguration(context: String? = nil) throws -> ClientConfiguration {
        guard let contextName = context ?? self.currentContext else {
            throw KubeconfigError("invalid configuration: no configuration has been provided")
        }
        guard let context = self.contexts[contextName] else {
            throw KubeconfigError("context was not found for specified context: \(contextName)")
        }
        guard let cluster = self.clusters[context.cluster] else {
            throw KubeconfigError("cluster has no server defined")
        }
        guard let server = cluster.server, !server.isEmpty else {
            throw KubeconfigError("invalid configuration: no server found for cluster \"\(context.cluster)\"")
        }
        let user = context.user.flatMap { self.users[$0] } ?? User()
        var token = user.token
        if token == nil, let tokenFile = user.tokenFile {
            token = try self.readFile(tokenFile).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return ClientConfiguration(
            server: server,
            certificateAuthorityPEM: try self.pem(data: cluster.certificateAuthorityData, file: cluster.certificateAuthority),
            clientCertificatePEM: try self.pem(data: user.clientCertificateData, file: user.clientCertificate),
            clientKeyPEM: try self.pem(data: user.clientKeyData, file: user.clientKey),
            bearerToken: token,
            insecureSkipTLSVerify: cluster.insecureSkipTLSVerify ?? false,
            tlsServerName: cluster.tlsServerName
        )
    }

    /// The namespace of `context` (default: the current context), `default` when unset, as kubectl picks it.
    public func namespace(context: String? = nil) -> String {
        (context ?? self.currentContext).flatMap { self.contexts[$0]?.namespace } ?? "default"
    }

    private func pem(data: String?, file: String?) throws -> String? {
        if let data, !data.isEmpty {
            guard let decoded = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else {
                throw KubeconfigError("illegal base64 data in kubeconfig")
            }
            return String(decoding: decoded, as: UTF8.self)
        }
        if let file, !file.isEmpty { return try self.readFile(file) }
        return nil
    }

    private func readFile(_ path: String) throws -> String {
        let resolved = path.hasPrefix("/") ? path : self.directory + "/" + path
        do {
            return try String(contentsOfFile: resolved, encoding: .utf8)
        } catch {
            throw KubeconfigError("unable to read \(resolved): \(error)")
        }
    }
}

/// A kubeconfig that cannot be loaded or lacks what a connection needs; the message reads as kubectl's.
public struct KubeconfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { self.message }
}
