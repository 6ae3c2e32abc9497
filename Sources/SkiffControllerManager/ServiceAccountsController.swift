public import Logging
import SkiffAPI
import SkiffAPIMachinery
public import SkiffClient

/// The service accounts controller: every active namespace has the `default` ServiceAccount, re-created when
/// deleted (↔ `pkg/controller/serviceaccount` `ServiceAccountsController`). The ServiceAccount admission plugin
/// rejects pods whose account does not exist, so new namespaces need this before their first pod.
///
/// Level-triggered: namespace adds and updates, and ServiceAccount deletions, enqueue the namespace; a worker
/// re-reads the listers and creates what is missing.
public final class ServiceAccountsController: Sendable {
    /// The accounts ensured in every namespace (upstream's default: `default`).
    public let accounts: [String]
    let client: APIClient
    let namespaces: Informer<CoreV1.Namespace>
    let serviceAccounts: Informer<CoreV1.ServiceAccount>
    let queue: WorkQueue<String>
    let workers: Int
    let logger: Logger

    public init(
        client: APIClient,
        informers: SharedInformerFactory,
        accounts: [String] = ["default"],
        workers: Int = 1,
        logger: Logger
    ) {
        self.accounts = accounts
        self.client = client
        self.namespaces = informers.informer(CoreV1.Namespace.self)
        self.serviceAccounts = informers.informer(CoreV1.ServiceAccount.self)
        self.queue = WorkQueue(name: "serviceaccount")
        self.workers = workers
        self.logger = logger
    }

    /// Runs the workers until cancelled. The informers must be run by their factory.
    public func run() async throws {
        let accounts = self.accounts
        let namespaceHandler = self.namespaces.addEventHandler(
            ResourceEventHandler(
                onAdd: { namespace, _ in self.enqueue(namespace.metadata.name) },
                onUpdate: { _, namespace in self.enqueue(namespace.metadata.name) }
            )
        )
        let accountHandler = self.serviceAccounts.addEventHandler(
            ResourceEventHandler(
                onDelete: { deleted in
                    guard let name = deleted.object.metadata.name, accounts.contains(name) else { return }
                    self.enqueue(deleted.object.metadata.namespace)
                }
            )
        )
        defer {
            self.namespaces.removeEventHandler(namespaceHandler)
            self.serviceAccounts.removeEventHandler(accountHandler)
            self.queue.shutDown()
        }
        try await self.namespaces.waitForCacheSync()
        try await self.serviceAccounts.waitForCacheSync()
        await self.queue.runWorkers(self.workers, logger: self.logger) { try await self.reconcile($0) }
        try Task.checkCancellation()
    }

    private func enqueue(_ namespace: String?) {
        if let namespace, !namespace.isEmpty { self.queue.add(namespace) }
    }

    /// Creates the missing accounts of namespace `name` if it is active (↔ `syncNamespace`).
    public func reconcile(_ name: String) async throws -> ReconcileResult {
        guard let namespace = self.namespaces.lister.get(namespace: nil, name: name),
            namespace.metadata.deletionTimestamp == nil, (namespace.status?.phase ?? "Active") == "Active"
        else { return .done }
        for account in self.accounts where self.serviceAccounts.lister.get(namespace: name, name: account) == nil {
            do {
                _ = try await self.client.resource(CoreV1.ServiceAccount.self, namespace: name).create(
                    CoreV1.ServiceAccount(metadata: MetaV1.ObjectMeta(name: account, namespace: name))
                )
                self.logger.debug("Created service account", metadata: ["k8s.namespace.name": "\(name)", "name": "\(account)"])
            } catch let error as APIError where error.reason == .alreadyExists || error.isNamespaceGoneOrTerminating {
                continue
            }
        }
        return .done
    }
}
