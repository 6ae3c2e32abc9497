import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SkiffClient
import SkiffComponentBase
import UnixSignals

/// The `--leader-elect*` flags kube-scheduler and kube-controller-manager share (component-base's
/// `LeaderElectionConfiguration` flags).
struct LeaderElectionOptions: ParsableArguments {
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

    @Option(
        help: "The name of the resource object that is used for locking during leader election (default: the component's name)."
    )
    var leaderElectResourceName: String?

    @Option(help: "The namespace of the resource object that is used for locking during leader election.")
    var leaderElectResourceNamespace: String = "kube-system"

    func validate() throws {
        for (flag, value) in [
            ("--leader-elect-lease-duration", self.leaderElectLeaseDuration),
            ("--leader-elect-renew-deadline", self.leaderElectRenewDeadline),
            ("--leader-elect-retry-period", self.leaderElectRetryPeriod),
        ] where GoDuration.parse(value) == nil {
            throw ValidationError("invalid argument \"\(value)\" for \"\(flag)\" flag: time: invalid duration \"\(value)\"")
        }
    }

    /// The elector's settings, identity `<hostname>_<uuid>` as upstream; `nil` with `--leader-elect=false`.
    func configuration(defaultLeaseName: String) -> LeaderElectionConfiguration? {
        guard self.leaderElect else { return nil }
        return LeaderElectionConfiguration(
            leaseNamespace: self.leaderElectResourceNamespace,
            leaseName: self.leaderElectResourceName ?? defaultLeaseName,
            identity: ProcessInfo.processInfo.hostName + "_" + UUID().uuidString.lowercased(),
            leaseDuration: GoDuration.parse(self.leaderElectLeaseDuration) ?? .seconds(15),
            renewDeadline: GoDuration.parse(self.leaderElectRenewDeadline) ?? .seconds(10),
            retryPeriod: GoDuration.parse(self.leaderElectRetryPeriod) ?? .seconds(2)
        )
    }
}

/// The secure-serving flags of components other than the API server (`--secure-port`, `--bind-address`,
/// `--tls-cert-file`, `--tls-private-key-file`).
struct SecureServingOptions: ParsableArguments {
    @Option(
        help: "The port on which to serve HTTPS (health and metrics); 0 disables it (default: 10259 for the scheduler, 10257 for the controller manager)."
    )
    var securePort: Int?

    @Option(help: "The IP address on which to listen for the --secure-port port.")
    var bindAddress: String = "0.0.0.0"

    @Option(help: "File containing the default x509 certificate for HTTPS (without it, a self-signed one is made at start).")
    var tlsCertFile: String?

    @Option(help: "File containing the default x509 private key matching --tls-cert-file.")
    var tlsPrivateKeyFile: String?

    func validate() throws {
        if let port = self.securePort, !(0...65535).contains(port) {
            throw ValidationError("--secure-port must be between 0 and 65535")
        }
        guard (self.tlsCertFile == nil) == (self.tlsPrivateKeyFile == nil) else {
            throw ValidationError("--tls-cert-file and --tls-private-key-file must be given together")
        }
    }

    /// `--tls-cert-file`/`--tls-private-key-file`, or a self-signed certificate made now.
    func servingCertificate() throws -> ServingCertificate {
        if let certificate = self.tlsCertFile, let key = self.tlsPrivateKeyFile {
            return try ServingCertificate.load(certificateFile: certificate, privateKeyFile: key)
        }
        return try ServingCertificate.selfSigned(bindAddress: self.bindAddress)
    }
}

extension ServiceGroup {
    /// The group every `skiff` command runs its services in: SIGTERM and SIGINT begin a graceful shutdown, and
    /// the shutdown is bounded so that the process always exits: a graceful shutdown that takes longer than 8 s
    /// becomes cancellation, and cancellation that takes longer than 2 s more stops the process with a fatal
    /// error in the log, rather than hanging until a SIGKILL.
    static func component(_ services: [any Service], logger: Logger) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = .seconds(8)
        configuration.maximumCancellationDuration = .seconds(2)
        return ServiceGroup(configuration: configuration)
    }
}
