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

    @Option(help: "The number of garbage collector workers that are allowed to sync concurrently.")
    var concurrentGcSyncs: Int = 20

    @Option(help: "If set, this root certificate authority will be included in every namespace's kube-root-ca.crt ConfigMap.")
    var rootCaFile: String?

    @OptionGroup var leaderElection: LeaderElectionOptions
    @OptionGroup var serving: SecureServingOptions

    @Option(help: "QPS to use while talking with the API server.")
    var kubeApiQps: Double = 20

    @Option(help: "Burst to use while talking with the API server.")
    var kubeApiBurst: Int = 30

    /// `--secure-port`, kube-controller-manager's 10257 unless given.
    var securePort: Int { self.serving.securePort ?? 10257 }

    func validate() throws {
        guard self.concurrentNamespaceSyncs > 0 else {
            throw ValidationError("--concurrent-namespace-syncs must be greater than 0")
        }
        guard self.concurrentGcSyncs > 0 else {
            throw ValidationError("--concurrent-gc-syncs must be greater than 0")
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
            rootCA: try self.rootCaFile.map { try String(contentsOfFile: $0, encoding: .utf8) },
            leaderElection: self.leaderElection.configuration(defaultLeaseName: "kube-controller-manager")
        )
        configuration.concurrentGCSyncs = self.concurrentGcSyncs
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
                    host: self.options.serving.bindAddress,
                    port: self.options.securePort,
                    certificate: try self.options.serving.servingCertificate(),
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
        let group = ServiceGroup.component(services, logger: logger)
        try await group.run()
    }
}
