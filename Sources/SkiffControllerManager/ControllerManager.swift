#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
public import Logging
public import SkiffClient

/// The settings of a controller manager (↔ kube-controller-manager's `KubeControllerManagerConfiguration`, the
/// parts Skiff has).
public struct ControllerManagerConfiguration: Sendable {
    /// `--controllers`: `*` for every controller on by default, `name` to enable one, `-name` to disable one.
    public var controllers: [String]
    /// `--concurrent-namespace-syncs` (upstream default 10).
    public var concurrentNamespaceSyncs: Int
    /// `--concurrent-resource-quota-syncs` (upstream default 5).
    public var concurrentResourceQuotaSyncs: Int = 5
    /// `--concurrent-gc-syncs` (upstream default 20).
    public var concurrentGCSyncs: Int = 20
    /// `--resource-quota-sync-period` (upstream default 5 minutes).
    public var resourceQuotaSyncPeriod: Duration = .seconds(300)
    /// The cluster CA bundle the root CA publisher writes into every namespace (`--root-ca-file`); without it that
    /// controller does not run, as upstream.
    public var rootCA: String?
    /// Leader election on the `kube-system/kube-controller-manager` Lease; `nil` runs without it.
    public var leaderElection: LeaderElectionConfiguration?

    public init(
        controllers: [String] = ["*"],
        concurrentNamespaceSyncs: Int = 10,
        rootCA: String? = nil,
        leaderElection: LeaderElectionConfiguration? = nil
    ) {
        self.controllers = controllers
        self.concurrentNamespaceSyncs = concurrentNamespaceSyncs
        self.rootCA = rootCA
        self.leaderElection = leaderElection
    }

    /// The controllers Skiff has, by upstream's name (`kube-controller-manager --controllers` accepts both the
    /// name and its alias).
    public static let knownControllers: [(name: String, alias: String)] = [
        ("namespace-controller", "namespace"),
        ("serviceaccount-controller", "serviceaccount"),
        ("root-ca-certificate-publisher-controller", "root-ca-cert-publisher"),
        ("resourcequota-controller", "resourcequota"),
        ("garbage-collector-controller", "garbagecollector"),
    ]

    /// Whether `name` (a known controller's name) runs under ``controllers``: named (or its alias) enables it,
    /// `-name` disables it, `*` enables every controller that is on by default (all of Skiff's are).
    public func isEnabled(_ name: String) -> Bool {
        guard let known = Self.knownControllers.first(where: { $0.name == name }) else { return false }
        let names = [known.name, known.alias]
        if self.controllers.contains(where: { $0.hasPrefix("-") && names.contains(String($0.dropFirst())) }) {
            return false
        }
        return self.controllers.contains("*") || self.controllers.contains { names.contains($0) }
    }

    /// Checks `--controllers` names, with upstream's message for an unknown one.
    public func validate() throws {
        let all = Self.knownControllers.flatMap { [$0.name, $0.alias] }
        for entry in self.controllers where entry != "*" {
            let name = entry.hasPrefix("-") ? String(entry.dropFirst()) : entry
            if !all.contains(name) {
                throw ControllerManagerError(
                    message: "\"\(name)\" is not in the list of known controllers"
                )
            }
        }
    }
}

/// An invalid controller manager configuration.
public struct ControllerManagerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { self.message }
}

/// The controller manager: the enabled controllers over one shared informer factory (↔ `cmd/kube-controller-manager`
/// `Run`): informers start and sync, then (as leader, when leader election is on) the controllers run until the
/// task is cancelled or leadership is lost.
public final class ControllerManager: Sendable {
    public let configuration: ControllerManagerConfiguration
    public let informers: SharedInformerFactory
    /// The elector when leader election is configured (its health check backs `/healthz`).
    public let leaderElector: LeaderElector?
    let controllers: [(name: String, run: @Sendable () async throws -> Void)]
    let logger: Logger

    public init(client: APIClient, configuration: ControllerManagerConfiguration, logger: Logger) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        // No controller reads managedFields: every informer drops them before caching, as
        // kube-controller-manager's do (its garbage collector holds the metadata of every object).
        let informers = SharedInformerFactory(client: client, transform: .trimManagedFields, logger: logger)
        self.informers = informers
        var controllers: [(name: String, run: @Sendable () async throws -> Void)] = []
        if configuration.isEnabled("namespace-controller") {
            let controller = NamespaceController(
                client: client,
                informers: informers,
                workers: configuration.concurrentNamespaceSyncs,
                logger: logger
            )
            controllers.append(("namespace-controller", { try await controller.run() }))
        }
        if configuration.isEnabled("serviceaccount-controller") {
            let controller = ServiceAccountsController(client: client, informers: informers, logger: logger)
            controllers.append(("serviceaccount-controller", { try await controller.run() }))
        }
        if configuration.isEnabled("root-ca-certificate-publisher-controller"), let rootCA = configuration.rootCA {
            let controller = RootCACertPublisher(client: client, informers: informers, rootCA: rootCA, logger: logger)
            controllers.append(("root-ca-certificate-publisher-controller", { try await controller.run() }))
        }
        if configuration.isEnabled("resourcequota-controller") {
            let controller = ResourceQuotaController(
                client: client,
                informers: informers,
                workers: configuration.concurrentResourceQuotaSyncs,
                syncPeriod: configuration.resourceQuotaSyncPeriod,
                logger: logger
            )
            controllers.append(("resourcequota-controller", { try await controller.run() }))
        }
        if configuration.isEnabled("garbage-collector-controller") {
            let controller = GarbageCollector(
                client: client,
                informers: informers,
                workers: configuration.concurrentGCSyncs,
                logger: logger
            )
            controllers.append(("garbage-collector-controller", { try await controller.run() }))
        }
        self.controllers = controllers
        self.leaderElector = configuration.leaderElection.map {
            LeaderElector(client: client, configuration: $0, logger: logger)
        }
    }

    /// The names of the controllers that run.
    public var enabledControllers: [String] { self.controllers.map(\.name) }

    /// `true` once the informers have synced.
    public var isReady: Bool { self.informers.hasSynced }

    /// Runs until cancelled (throws `CancellationError`) or until leadership is lost (returns, so that the caller
    /// can exit as upstream does).
    public func run() async throws {
        do {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await self.informers.run() }
                if let elector = self.leaderElector {
                    try await elector.run { try await self.runControllers() }
                } else {
                    try await self.runControllers()
                }
                group.cancelAll()
            }
        } catch is CancellationError where !Task.isCancelled {
            // Leadership was lost and the informers were cancelled with the controllers.
        }
    }

    private func runControllers() async throws {
        try await self.informers.waitForCacheSync()
        self.logger.info("Controllers starting", metadata: ["controllers": "\(self.enabledControllers)"])
        try await withThrowingDiscardingTaskGroup { group in
            for controller in self.controllers {
                group.addTask { try await controller.run() }
            }
        }
    }
}
