import ArgumentParser
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import SkiffClient
import SkiffComponentBase
import SkiffScheduler
import UnixSignals

/// Flags of `skiff scheduler`, named exactly as `kube-scheduler` names them.
struct SchedulerOptions: ParsableArguments {
    @Option(help: "The path to the configuration file (a KubeSchedulerConfiguration, kubescheduler.config.k8s.io/v1).")
    var config: String?

    @Option(help: "Path to kubeconfig file with authorization and master location information.")
    var kubeconfig: String?

    @Option(help: "The address of the Kubernetes API server (overrides any value in kubeconfig).")
    var master: String?

    @OptionGroup var leaderElection: LeaderElectionOptions
    @OptionGroup var serving: SecureServingOptions

    /// `--secure-port`, kube-scheduler's 10259 unless given.
    var securePort: Int { self.serving.securePort ?? 10259 }

    /// The configuration file (or the defaults) with the flags applied, as kube-scheduler's `Options.Config`.
    func completedConfiguration() throws -> KubeSchedulerConfiguration {
        var configuration = KubeSchedulerConfiguration()
        if let path = self.config {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            configuration = try KubeSchedulerConfiguration.load(yaml: text)
        }
        var election = configuration.leaderElection ?? .init()
        let flags = self.leaderElection
        election.leaderElect = flags.leaderElect
        election.leaseDuration = flags.leaderElectLeaseDuration
        election.renewDeadline = flags.leaderElectRenewDeadline
        election.retryPeriod = flags.leaderElectRetryPeriod
        election.resourceName = flags.leaderElectResourceName ?? "kube-scheduler"
        election.resourceNamespace = flags.leaderElectResourceNamespace
        configuration.leaderElection = election
        if let kubeconfig = self.kubeconfig {
            var connection = configuration.clientConnection ?? .init()
            connection.kubeconfig = kubeconfig
            configuration.clientConnection = connection
        }
        try configuration.validate()
        return configuration.defaulted()
    }
}

extension SchedulerOptions {
    /// The API client of `--kubeconfig` (or the configuration's `clientConnection.kubeconfig`), with its rate limits.
    func makeClient(_ configuration: KubeSchedulerConfiguration) throws -> APIClient {
        guard let path = self.kubeconfig ?? configuration.clientConnection?.kubeconfig, !path.isEmpty else {
            throw ValidationError("--kubeconfig is required (in-cluster configuration is not supported)")
        }
        var clientConfiguration = try KubeconfigFile(contentsOf: path).clientConfiguration()
        if let master = self.master { clientConfiguration.server = master }
        let connection = configuration.clientConnection
        clientConfiguration.rateLimit = RateLimit(
            qps: connection?.qps ?? 50,
            burst: Int(connection?.burst ?? 100)
        )
        return APIClient(transport: try HTTPSTransport(configuration: clientConfiguration), rateLimit: clientConfiguration.rateLimit)
    }
}

/// Go's `time.ParseDuration` for the simple forms flags use (`15s`, `1m30s`, `500ms`).
enum GoDuration {
    static func parse(_ text: String) -> Duration? {
        var rest = Substring(text)
        var total = Duration.zero
        guard !rest.isEmpty else { return nil }
        let units: [(String, Duration)] = [
            ("ns", .nanoseconds(1)), ("us", .microseconds(1)), ("µs", .microseconds(1)), ("ms", .milliseconds(1)),
            ("s", .seconds(1)), ("m", .seconds(60)), ("h", .seconds(3600)),
        ]
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) })
            else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += unit.1 * value
        }
        return total
    }
}

/// `skiff scheduler`: runs the scheduler against an API server reached through a kubeconfig.
struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scheduler", abstract: "Run the scheduler.")

    @OptionGroup var options: SchedulerOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        self.logging.bootstrap()
        let configuration = try self.options.completedConfiguration()
        let registry = PrometheusCollectorRegistry()
        ComponentMetrics.bootstrap(registry: registry)
        let logger = Logger(label: "skiff.scheduler")
        let client = try self.options.makeClient(configuration)
        let scheduler = try Scheduler(client: client, configuration: configuration, logger: logger)
        let elector = scheduler.leaderElector

        var services: [any Service] = []
        if self.options.securePort != 0 {
            // Health and readiness as kube-scheduler reports them: the leader's renewals, then its caches.
            var checks: [HealthCheck] = [.ping]
            if let elector {
                checks.append(HealthCheck("leaderElection") { try elector.check(maxTolerableExpiredLease: .seconds(20)) })
            }
            let handlerSync = HealthCheck("sched-handler-sync") {
                if !scheduler.isReady { throw HealthCheckFailure("waiting for handlers to sync") }
            }
            services.append(
                ComponentServer(
                    host: self.options.serving.bindAddress,
                    port: self.options.securePort,
                    certificate: try self.options.serving.servingCertificate(),
                    healthz: checks,
                    readyz: checks + [handlerSync],
                    registry: registry,
                    logger: logger
                )
            )
        }
        services.append(
            ComponentService {
                try await scheduler.run()
                // The scheduler returns only when it lost its Lease: upstream exits so that a restarted process
                // campaigns afresh with empty caches.
                if elector != nil, !Task.isShuttingDownGracefully {
                    logger.critical("leaderelection lost")
                    throw ExitCode.failure
                }
            }
        )
        let group = ServiceGroup.component(services, logger: logger)
        try await group.run()
    }
}
