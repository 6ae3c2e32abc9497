import ArgumentParser
import Crypto
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import SkiffAPIServer
import SkiffAPIMachinery
import SkiffClient
import SkiffControllerManager
import SkiffPKI
import SkiffScheduler
import SkiffStorageSQLite

/// Flags shared by `skiff server` and `skiff apiserver`, named as k3s names them.
struct ServerOptions: ParsableArguments {
    @Option(help: "Folder to hold state (default: /var/lib/skiff/server as root, ~/.skiff/server otherwise).")
    var dataDir: String?

    @Option(help: "HTTPS listen port.")
    var httpsListenPort: Int = 6443

    @Option(help: "The address to listen on.")
    var bindAddress: String = "0.0.0.0"

    @Option(help: "IPv4 network CIDR to use for service IPs.")
    var serviceCIDR: String = "10.43.0.0/16"

    @Option(help: "IPv4 network CIDR to use for pod IPs.")
    var clusterCIDR: String = "10.42.0.0/16"

    @Option(help: "Write the admin kubeconfig to this file (default: <data-dir>/kubeconfig.yaml).")
    var writeKubeconfig: String?

    @Option(help: "The IP address the API server advertises to the cluster (default: the first host address).")
    var advertiseAddress: String?

    func validate() throws {
        guard (0...65535).contains(self.httpsListenPort) else {
            throw ValidationError("--https-listen-port must be between 0 and 65535")
        }
        guard APIServerConfiguration(serviceCIDR: self.serviceCIDR).firstServiceIP != nil else {
            throw ValidationError("--service-cidr must be an IPv4 CIDR such as 10.43.0.0/16, not \(self.serviceCIDR)")
        }
    }

    var resolvedDataDir: String {
        if let dataDir = self.dataDir { return dataDir }
        if getuid() == 0 { return "/var/lib/skiff/server" }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".skiff/server").path
    }

    /// Builds the API server: PKI, store, handler, HTTPS endpoint; writes the kubeconfig.
    func makeAPIServer(logger: Logger, requireDefaultServiceAccount: Bool = false) throws -> APIServer {
        let dataDir = self.resolvedDataDir
        let hostName = ProcessInfo.processInfo.hostName
        let addresses = HostAddresses.ipv4()
        let advertiseIP = self.advertiseAddress ?? addresses.first ?? "127.0.0.1"
        var configuration = APIServerConfiguration(
            advertiseAddress: "\(advertiseIP):\(self.httpsListenPort)",
            advertiseIP: advertiseIP,
            securePort: self.httpsListenPort,
            serviceCIDR: self.serviceCIDR,
            clusterCIDR: self.clusterCIDR
        )
        configuration.buildCommit = SkiffVersion.version
        configuration.releasesStartupPagesWhenReady = true
        configuration.requireDefaultServiceAccount = requireDefaultServiceAccount
        let names = ClusterPKI.defaultServingNames(
            hostName: hostName,
            hostAddresses: addresses,
            serviceIP: configuration.firstServiceIP ?? "10.43.0.1"
        )
        let pki = try ClusterPKI.loadOrCreate(
            directory: dataDir + "/tls",
            hostnames: names.dnsNames,
            ipAddresses: names.ipAddresses
        )
        let storage = try SQLiteStorage(
            directory: dataDir + "/db",
            logger: logger
        )
        let handler = APIHandler(
            configuration: configuration,
            storage: storage,
            serviceAccountTokens: ServiceAccountTokens(key: try Self.serviceAccountKey(path: dataDir + "/tls/service.key")),
            logger: logger
        )
        let server = APIServer(
            handler: handler,
            host: self.bindAddress,
            port: self.httpsListenPort,
            tls: APIServerTLS(
                certificateChainPEM: pki.serving.chainPEM,
                privateKeyPEM: pki.serving.privateKeyPEM,
                clientCAPEM: pki.certificateAuthority.certificatePEM
            ),
            logger: logger
        )
        let kubeconfig = Kubeconfig.render(
            server: "https://127.0.0.1:\(self.httpsListenPort)",
            certificateAuthorityPEM: pki.certificateAuthority.certificatePEM,
            clientCertificatePEM: pki.admin.certificatePEM,
            clientKeyPEM: pki.admin.privateKeyPEM
        )
        try Kubeconfig.write(kubeconfig, to: self.writeKubeconfig ?? dataDir + "/kubeconfig.yaml")
        return server
    }
}

extension ServerOptions {
    /// The service-account signing key, created on first start (`--service-account-key-file` upstream).
    static func serviceAccountKey(path: String) throws -> P256.Signing.PrivateKey {
        if let pem = try? String(contentsOfFile: path, encoding: .utf8) {
            return try P256.Signing.PrivateKey(pemRepresentation: pem)
        }
        let key = P256.Signing.PrivateKey()
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(key.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600])
        else { throw ValidationError("cannot write the service account key to \(path)") }
        guard rename(temporary, path) == 0 else {
            throw ValidationError("cannot move the service account key into place at \(path): errno \(errno)")
        }
        return key
    }
}

/// `skiff server`: the control plane: API server, scheduler and controllers (the local node follows).
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the control plane: API server, scheduler and controllers (a local node to come)."
    )
    @OptionGroup var options: ServerOptions
    @OptionGroup var logging: LoggingOptions
    @Flag(help: "Do not run the local agent (accepted now; the local node arrives with the kubelet).")
    var disableAgent = false

    func run() async throws {
        ProcessMemory.limitMallocArenas(2)
        self.logging.bootstrap()
        let logger = Logger(label: "skiff.server")
        // The service accounts controller below creates every namespace's `default` account.
        let server = try self.options.makeAPIServer(logger: logger, requireDefaultServiceAccount: true)
        // The scheduler and the controllers share the process but reach the API only through the handler's
        // request path, as clients with their own identities (k3s gives each its own kubeconfig). What they share
        // is the decoding of the object versions both watch (the scheduler's and the quota controller's pods), so
        // each version is held once in the two informers' caches.
        let handler = server.handler
        let decodedObjects = DecodedObjectCache()
        func client(_ user: String) -> APIClient {
            APIClient(
                transport: InProcessTransport(user: UserInfo(name: user, groups: ["system:authenticated"])) {
                    await handler.handle($0)
                },
                rateLimit: .unlimited,
                decodedObjects: decodedObjects
            )
        }
        let scheduler = try Scheduler(client: client("system:kube-scheduler"), logger: Logger(label: "skiff.scheduler"))
        // The cluster CA, as k3s passes kube-controller-manager `--root-ca-file`.
        let rootCA = try String(contentsOfFile: self.options.resolvedDataDir + "/tls/ca.crt", encoding: .utf8)
        let controllers = try ControllerManager(
            client: client("system:kube-controller-manager"),
            configuration: ControllerManagerConfiguration(rootCA: rootCA),
            logger: Logger(label: "skiff.controller-manager")
        )
        // The components start once the API server is ready, as k3s starts them after its readyz: their
        // informers' first lists then do not compete with the server's own start.
        @Sendable func whenReady(_ body: @Sendable () async throws -> Void) async throws {
            while !handler.isReady { try await Task.sleep(for: .milliseconds(10)) }
            try await body()
        }
        let group = ServiceGroup.component(
            [
                server,
                ComponentService { try await whenReady { try await scheduler.run() } },
                ComponentService { try await whenReady { try await controllers.run() } },
                // Informer lists and large responses free hundreds of MB inside malloc's heaps (ProcessMemory).
                ComponentService { try await ProcessMemory.releaseFreeMemoryPeriodically(every: .seconds(10)) },
            ],
            logger: logger
        )
        try await group.run()
    }
}

/// Runs a component until shutdown begins.
struct ComponentService: Service {
    let body: @Sendable () async throws -> Void

    init(_ body: @escaping @Sendable () async throws -> Void) {
        self.body = body
    }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.body() }
        } catch is CancellationError where Task.isShuttingDownGracefully {
            // Stopped by the shutdown itself: a clean exit, not a failure of the group.
        }
    }
}

/// `skiff apiserver`: the API server alone.
struct APIServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apiserver", abstract: "Run the API server alone.")
    @OptionGroup var options: ServerOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        self.logging.bootstrap()
        let logger = Logger(label: "skiff.apiserver")
        let server = try self.options.makeAPIServer(logger: logger)
        let group = ServiceGroup.component([server], logger: logger)
        try await group.run()
    }
}

/// The host's IPv4 addresses other than loopback, from getifaddrs.
enum HostAddresses {
    static func ipv4() -> [String] {
        var result: [String] = []
        var head: UnsafeMutablePointer<ifaddrs>? = nil
        guard getifaddrs(&head) == 0, let first = head else { return [] }
        defer { freeifaddrs(head) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let length = socklen_t(MemoryLayout<sockaddr_in>.size)
            if getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !text.hasPrefix("127.") { result.append(text) }
            }
        }
        return result
    }
}
