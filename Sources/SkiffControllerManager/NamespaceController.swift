public import Logging
import SkiffAPI
import SkiffAPIMachinery
public import SkiffClient

/// The namespace controller: when a namespace is being deleted, deletes everything in it through the API, then
/// removes the `kubernetes` finalizer with `namespaces/finalize` so the namespace goes
/// (↔ `pkg/controller/namespace`).
///
/// Level-triggered, as upstream's controllers are: a namespaces informer enqueues the names of namespaces being
/// deleted; workers ``reconcile(_:)`` a name by re-reading the lister, emptying the namespace of every namespaced
/// resource the server lists in discovery, and finalizing it once nothing is left. Content still present (pods
/// in their grace period, objects with finalizers) requeues the name after a delay.
///
/// It sees the cluster only through an ``APIClient``: in-process inside `skiff server`, over HTTPS from a
/// kubeconfig when run alone.
public final class NamespaceController: Sendable {
    let client: APIClient
    let namespaces: Informer<CoreV1.Namespace>
    let queue: WorkQueue<String>
    let logger: Logger
    let workers: Int
    /// How long to wait before checking again a namespace whose content is still going.
    let contentRequeueDelay: Duration

    public init(
        client: APIClient,
        informers: SharedInformerFactory,
        workers: Int = 2,
        contentRequeueDelay: Duration = .seconds(1),
        logger: Logger
    ) {
        self.client = client
        self.namespaces = informers.informer(CoreV1.Namespace.self)
        self.queue = WorkQueue(name: "namespace")
        self.workers = max(workers, 1)
        self.contentRequeueDelay = contentRequeueDelay
        self.logger = logger
    }

    /// Enqueues terminating namespaces and runs the workers until cancelled. The informer must be run by its
    /// factory.
    public func run() async throws {
        let registration = self.namespaces.addEventHandler(
            ResourceEventHandler(
                onAdd: { namespace, _ in self.enqueueIfTerminating(namespace) },
                onUpdate: { _, namespace in self.enqueueIfTerminating(namespace) }
            )
        )
        defer {
            self.namespaces.removeEventHandler(registration)
            self.queue.shutDown()
        }
        try await self.namespaces.waitForCacheSync()
        await self.queue.runWorkers(self.workers, logger: self.logger) { try await self.reconcile($0) }
        try Task.checkCancellation()
    }

    private func enqueueIfTerminating(_ namespace: CoreV1.Namespace) {
        guard namespace.metadata.deletionTimestamp != nil, let name = namespace.metadata.name else { return }
        self.queue.add(name)
    }

    /// Converges the namespace `name`: a namespace being deleted is emptied, then finalized.
    public func reconcile(_ name: String) async throws -> ReconcileResult {
        guard let namespace = self.namespaces.lister.get(namespace: nil, name: name),
            namespace.metadata.deletionTimestamp != nil,
            namespace.spec?.finalizers?.contains("kubernetes") ?? false
        else { return .done }
        var remaining = 0
        for resource in try await self.client.serverPreferredResources() where resource.isNamespaced {
            guard resource.verbs.contains("list") else { continue }
            let content = self.client.dynamic(resource.resource, namespace: name, isNamespaced: true)
            if resource.verbs.contains("deletecollection") {
                try await content.deleteCollection(MetaV1.DeleteOptions(propagationPolicy: "Background"))
            }
            remaining += try await content.list(ListOptions(limit: 1)).items.count
        }
        if remaining > 0 {
            self.logger.debug("Namespace still has content", metadata: ["k8s.namespace.name": "\(name)"])
            return .requeueAfter(self.contentRequeueDelay)
        }
        var finalized = try await self.client.namespaces.get(name)
        finalized.spec?.finalizers?.removeAll { $0 == "kubernetes" }
        _ = try await self.client.namespaces.update(finalized, subresource: "finalize")
        self.logger.debug("Finalized namespace", metadata: ["k8s.namespace.name": "\(name)"])
        return .done
    }
}
