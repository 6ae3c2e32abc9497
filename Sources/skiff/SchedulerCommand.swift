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
    var leaderElectResourceName: String = "kube-scheduler"

    @Option(help: "The namespace of the resource object that is used for locking during leader election.")
    var leaderElectResourceNamespace: String = "kube-system"

    @Option(help: "The port on which to serve HTTPS with authentication and authorization. 0 disables HTTPS.")
    var securePort: Int = 10259

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
        for (flag, value) in [
            ("--leader-elect-lease-duration", self.leaderElectLeaseDuration),
            ("--leader-elect-renew-deadline", self.leaderElectRenewDeadline),
            ("--leader-elect-retry-period", self.leaderElectRetryPeriod),
        ] where GoDuration.parse(value) == nil {
            throw ValidationError("invalid argument \"\(value)\" for \"\(flag)\" flag: time: invalid duration \"\(value)\"")
        }
    }

    /// The configuration file (or the defaults) with the flags applied, as kube-scheduler's `Options.Config`.
    func completedConfiguration() throws -> KubeSchedulerConfiguration {
        var configuration = KubeSchedulerConfiguration()
        if let path = self.config {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            configuration = try KubeSchedulerConfiguration.load(yaml: text)
        }
        var election = configuration.leaderElection ?? .init()
        election.leaderElect = self.leaderElect
        election.leaseDuration = self.leaderElectLeaseDuration
        election.renewDeadline = self.leaderElectRenewDeadline
        election.retryPeriod = self.leaderElectRetryPeriod
        election.resourceName = self.leaderElectResourceName
        election.resourceNamespace = self.leaderElectResourceNamespace
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
                    host: self.options.bindAddress,
                    port: self.options.securePort,
                    certificate: try self.options.servingCertificate(),
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
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

extension SchedulerOptions {
    /// `--tls-cert-file`/`--tls-private-key-file`, or a self-signed certificate made now.
    func servingCertificate() throws -> ServingCertificate {
        if let certificate = self.tlsCertFile, let key = self.tlsPrivateKeyFile {
            return try ServingCertificate.load(certificateFile: certificate, privateKeyFile: key)
        }
        return try ServingCertificate.selfSigned(bindAddress: self.bindAddress)
    }
}
