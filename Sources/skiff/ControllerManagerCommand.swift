import ArgumentParser
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import SkiffClient
import SkiffComponentBase
import SkiffControllerManager
import UnixSignals

/// Flags of `skiff controller-manager`, named exactly as `kube-controller-manager` names them.
struct ControllerManagerOptions: ParsableArguments {
    @Option(help: "Path to kubeconfig file with authorization and master location information.")
    var kubeconfig: String?

    @Option(help: "The address of the Kubernetes API server (overrides any value in kubeconfig).")
    var master: String?

    @Option(
        help: ArgumentHelp(
            "A list of controllers to enable. '*' enables all on-by-default controllers, 'foo' enables the controller named 'foo', '-foo' disables the controller named 'foo'.",
            valueName: "strings"
        ),
        transform: { $0.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) } }
    )
    var controllers: [String] = ["*"]

    @Option(help: "The number of namespace objects that are allowed to sync concurrently.")
    var concurrentNamespaceSyncs: Int = 10

    @Option(help: "If set, this root certificate authority will be included in every namespace's kube-root-ca.crt ConfigMap.")
    var rootCaFile: String?

    @Option(
        name: .customLong("leader-elect"),
        help: "Start a leader election client and gain leadership before executing the main loop."
    )
    var leaderElect: Bool = true

    @Option(help: "The duration non-leader candidates wait before trying to acquire leadership.")
    var leaderElectLeaseDuration: String = "15s"

    @Option(help: "The interval the acting master retries refreshing leadership before it stops leading.")
    var leaderElectRenewDeadline: String = "10s"

    @Option(help: "The duration clients wait between tries of acquisition and renewal of a leadership.")
    var leaderElectRetryPeriod: String = "2s"

    @Option(help: "The name of the resource object that is used for locking during leader election.")
    var leaderElectResourceName: String = "kube-controller-manager"

    @Option(help: "The namespace of the resource object that is used for locking during leader election.")
    var leaderElectResourceNamespace: String = "kube-system"

    @Option(help: "QPS to use while talking with the API server.")
    var kubeApiQps: Double = 20

    @Option(help: "Burst to use while talking with the API server.")
    var kubeApiBurst: Int = 30

    @Option(help: "The port on which to serve HTTPS with authentication and authorization. 0 disables HTTPS.")
    var securePort: Int = 10257

    @Option(help: "The IP address on which to listen for the --secure-port port.")
    var bindAddress: String = "0.0.0.0"

    @Option(help: "File containing the default x509 certificate for HTTPS (without it, a self-signed one is made at start).")
    var tlsCertFile: String?

    @Option(help: "File containing the default x509 private key matching --tls-cert-file.")
    var tlsPrivateKeyFile: String?

    func validate() throws {
        guard (0...65535).contains(self.securePort) else {
            throw ValidationError("--secure-port must be between 0 and 65535")
        }
        guard (self.tlsCertFile == nil) == (self.tlsPrivateKeyFile == nil) else {
            throw ValidationError("--tls-cert-file and --tls-private-key-file must be given together")
        }
        guard self.concurrentNamespaceSyncs > 0 else {
            throw ValidationError("--concurrent-namespace-syncs must be greater than 0")
        }
        for (flag, value) in [
            ("--leader-elect-lease-duration", self.leaderElectLeaseDuration),
            ("--leader-elect-renew-deadline", self.leaderElectRenewDeadline),
            ("--leader-elect-retry-period", self.leaderElectRetryPeriod),
        ] where GoDuration.parse(value) == nil {
            throw ValidationError("invalid argument \"\(value)\" for \"\(flag)\" flag: time: invalid duration \"\(value)\"")
        }
        do {
            try ControllerManagerConfiguration(controllers: self.controllers).validate()
        } catch {
            throw ValidationError("--controllers: \(error)")
        }
    }

    /// The configuration the flags describe; reads `--root-ca-file`.
    func configuration() throws -> ControllerManagerConfiguration {
        var configuration = ControllerManagerConfiguration(
            controllers: self.controllers,
            concurrentNamespaceSyncs: self.concurrentNamespaceSyncs,
            rootCA: try self.rootCaFile.map { try String(contentsOfFile: $0, encoding: .utf8) }
        )
        if self.leaderElect {
            configuration.leaderElection = LeaderElectionConfiguration(
                leaseNamespace: self.leaderElectResourceNamespace,
                leaseName: self.leaderElectResourceName,
                identity: ProcessInfo.processInfo.hostName + "_" + UUID().uuidString.lowercased(),
                leaseDuration: GoDuration.parse(self.leaderElectLeaseDuration) ?? .seconds(15),
                renewDeadline: GoDuration.parse(self.leaderElectRenewDeadline) ?? .seconds(10),
                retryPeriod: GoDuration.parse(self.leaderElectRetryPeriod) ?? .seconds(2)
            )
        }
        return configuration
    }

    /// The API client of `--kubeconfig`, with `--kube-api-qps` and `--kube-api-burst`.
    func makeClient() throws -> APIClient {
        guard let path = self.kubeconfig, !path.isEmpty else {
            throw ValidationError("--kubeconfig is required (in-cluster configuration is not supported)")
        }
        var clientConfiguration = try KubeconfigFile(contentsOf: path).clientConfiguration()
        if let master = self.master { clientConfiguration.server = master }
        clientConfiguration.rateLimit = RateLimit(qps: self.kubeApiQps, burst: self.kubeApiBurst)
        return APIClient(
            transport: try HTTPSTransport(configuration: clientConfiguration),
            rateLimit: clientConfiguration.rateLimit
        )
    }

    /// `--tls-cert-file`/`--tls-private-key-file`, or a self-signed certificate made now.
    func servingCertificate() throws -> ServingCertificate {
        if let certificate = self.tlsCertFile, let key = self.tlsPrivateKeyFile {
            return try ServingCertificate.load(certificateFile: certificate, privateKeyFile: key)
        }
        return try ServingCertificate.selfSigned(bindAddress: self.bindAddress)
    }
}

/// `skiff controller-manager`: runs the controllers against an API server reached through a kubeconfig.
struct ControllerManagerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller-manager",
        abstract: "Run the controller manager."
    )

    @OptionGroup var options: ControllerManagerOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        self.logging.bootstrap()
        let registry = PrometheusCollectorRegistry()
        ComponentMetrics.bootstrap(registry: registry)
        let logger = Logger(label: "skiff.controller-manager")
        let manager = try ControllerManager(
            client: try self.options.makeClient(),
            configuration: try self.options.configuration(),
            logger: logger
        )
        var services: [any Service] = []
        if self.options.securePort != 0 {
            var checks: [HealthCheck] = [.ping]
            if let elector = manager.leaderElector {
                checks.append(HealthCheck("leaderElection") { try elector.check(maxTolerableExpiredLease: .seconds(20)) })
            }
            services.append(
                ComponentServer(
                    host: self.options.bindAddress,
                    port: self.options.securePort,
                    certificate: try self.options.servingCertificate(),
                    healthz: checks,
                    registry: registry,
                    logger: logger
                )
            )
        }
        services.append(
            ComponentService {
                try await manager.run()
                if manager.leaderElector != nil, !Task.isShuttingDownGracefully {
                    logger.critical("leaderelection lost")
                    throw ExitCode.failure
                }
            }
        )
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
