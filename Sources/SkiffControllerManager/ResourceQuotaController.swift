public import Logging
import SkiffAPI
import SkiffAPIMachinery
public import SkiffClient
import SkiffQuota
import Synchronization

/// The resource quota controller: keeps every ResourceQuota's `status.hard` equal to its `spec.hard` and its
/// `status.used` equal to what the namespace really holds (↔ `pkg/controller/resourcequota`). The ResourceQuota
/// admission plugin charges usage as objects are created; this controller gives usage back when they go (pods that
/// finish or are deleted, Services, claims, ConfigMaps) and recounts everything every sync period.
///
/// Pods, Services, PersistentVolumeClaims and ConfigMaps are read from typed informers; every other namespaced
/// resource discovery lists is watched by a metadata-only informer (shared with the garbage collector), whose
/// deletions give back object counts (`count/deployments.apps`, `secrets`, ...) at once and whose cache the counts
/// are read from (↔ upstream's `QuotaMonitor`). Discovery is re-read every ``discoveryPeriod``.
public final class ResourceQuotaController: Sendable {
    let client: APIClient
    let quotas: Informer<CoreV1.ResourceQuota>
    let pods: Informer<CoreV1.Pod>
    let services: Informer<CoreV1.Service>
    let claims: Informer<CoreV1.PersistentVolumeClaim>
    let configMaps: Informer<CoreV1.ConfigMap>
    let informers: SharedInformerFactory
    /// Metadata informers of the other namespaced resources, by group and resource.
    let monitors = Mutex<[String: (resource: GroupVersionResource, informer: Informer<MetaV1.PartialObjectMetadata>)]>([:])
    /// How often discovery is re-read for resources to watch (upstream: 30 s).
    let discoveryPeriod: Duration
    let queue: WorkQueue<String>
    let workers: Int
    /// How often every quota is recounted (`--resource-quota-sync-period`, upstream 5 minutes).
    let syncPeriod: Duration
    let logger: Logger

    public init(
        client: APIClient,
        informers: SharedInformerFactory,
        workers: Int = 5,
        syncPeriod: Duration = .seconds(300),
        discoveryPeriod: Duration = .seconds(30),
        logger: Logger
    ) {
        self.client = client
        self.informers = informers
        self.discoveryPeriod = discoveryPeriod
        self.quotas = informers.informer(CoreV1.ResourceQuota.self)
        self.pods = informers.informer(CoreV1.Pod.self)
        self.services = informers.informer(CoreV1.Service.self)
        self.claims = informers.informer(CoreV1.PersistentVolumeClaim.self)
        self.configMaps = informers.informer(CoreV1.ConfigMap.self)
        self.queue = WorkQueue(name: "resourcequota_primary")
        self.workers = workers
        self.syncPeriod = syncPeriod
        self.logger = logger
    }

    /// Runs the workers and the periodic recount until cancelled. The informers must be run by their factory.
    public func run() async throws {
        var registrations: [() -> Void] = []
        let quotaHandler = self.quotas.addEventHandler(
            ResourceEventHandler(
                onAdd: { quota, _ in self.enqueue(quota) },
                onUpdate: { old, new in
                    // Usage writes by admission change only status.used: resync when the limits change or differ.
                    if old.spec?.hard != new.spec?.hard || new.status?.hard != new.spec?.hard { self.enqueue(new) }
                }
            )
        )
        registrations.append { self.quotas.removeEventHandler(quotaHandler) }
        // Replenishment: usage that goes away (↔ upstream's replenishment controllers).
        let podHandler = self.pods.addEventHandler(
            ResourceEventHandler(
                onUpdate: { old, new in
                    if !Self.isTerminal(old), Self.isTerminal(new) { self.enqueueNamespace(new.metadata.namespace) }
                },
                onDelete: { deleted in self.enqueueNamespace(deleted.object.metadata.namespace) }
            )
        )
        registrations.append { self.pods.removeEventHandler(podHandler) }
        let serviceHandler = self.services.addEventHandler(
            ResourceEventHandler(
                onUpdate: { old, new in
                    if old.spec?.type != new.spec?.type || old.spec?.ports?.count != new.spec?.ports?.count {
                        self.enqueueNamespace(new.metadata.namespace)
                    }
                },
                onDelete: { deleted in self.enqueueNamespace(deleted.object.metadata.namespace) }
            )
        )
        registrations.append { self.services.removeEventHandler(serviceHandler) }
        let claimHandler = self.claims.addEventHandler(
            ResourceEventHandler(onDelete: { deleted in self.enqueueNamespace(deleted.object.metadata.namespace) })
        )
        registrations.append { self.claims.removeEventHandler(claimHandler) }
        let configMapHandler = self.configMaps.addEventHandler(
            ResourceEventHandler(onDelete: { deleted in self.enqueueNamespace(deleted.object.metadata.namespace) })
        )
        registrations.append { self.configMaps.removeEventHandler(configMapHandler) }
        defer {
            for remove in registrations { remove() }
            self.queue.shutDown()
        }
        for informer in [self.quotas.waitForCacheSync, self.pods.waitForCacheSync, self.services.waitForCacheSync,
                         self.claims.waitForCacheSync, self.configMaps.waitForCacheSync] {
            try await informer()
        }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                while true {
                    try await Task.sleep(for: self.syncPeriod)
                    for quota in self.quotas.lister.list() { self.enqueue(quota) }
                }
            }
            group.addTask {
                while true {
                    do {
                        try await self.syncMonitors()
                    } catch let error where !(error is CancellationError) {
                        self.logger.debug("Quota discovery failed", metadata: ["error": "\(error)"])
                    }
                    try await Task.sleep(for: self.discoveryPeriod)
                }
            }
            group.addTask {
                await self.queue.runWorkers(self.workers, logger: self.logger) { try await self.reconcile($0) }
                try Task.checkCancellation()
            }
        }
    }

    /// Resources with typed informers here, or that quota never counts (↔ upstream's ignored resources).
    static let unmonitored: Set<String> = [
        "/pods", "/services", "/persistentvolumeclaims", "/configmaps", "/events", "events.k8s.io/events",
        "/bindings", "authorization.k8s.io/localsubjectaccessreviews",
    ]

    /// Watches the metadata of every namespaced resource that can be listed, watched and deleted, and is not
    /// watched yet; deletions give back the quotas that count the resource.
    func syncMonitors() async throws {
        for discovered in try await self.client.serverPreferredResources() {
            let key = discovered.resource.group + "/" + discovered.resource.resource
            guard discovered.isNamespaced, Set(["list", "watch", "delete"]).isSubset(of: discovered.verbs),
                !Self.unmonitored.contains(key), self.monitors.withLock({ $0[key] == nil })
            else { continue }
            let group = discovered.resource.group
            let resource = discovered.resource.resource
            let informer = self.informers.metadataInformer(for: discovered.resource, isNamespaced: true)
            informer.addEventHandler(
                ResourceEventHandler(onDelete: { deleted in
                    self.enqueueNamespace(deleted.object.metadata.namespace, counting: (group, resource))
                })
            )
            self.monitors.withLock { $0[key] = (discovered.resource, informer) }
        }
    }

    /// Enqueues the namespace's quotas that count `counted` (group, resource).
    private func enqueueNamespace(_ namespace: String?, counting counted: (group: String, resource: String)) {
        guard let namespace else { return }
        for quota in self.quotas.lister.list(namespace: namespace) {
            let hard = quota.spec?.hard ?? [:]
            if QuotaEvaluator.resources(tracking: hard.keys).contains(where: { $0 == counted }) { self.enqueue(quota) }
        }
    }

    private func enqueue(_ quota: CoreV1.ResourceQuota) {
        guard let namespace = quota.metadata.namespace, let name = quota.metadata.name else { return }
        self.queue.add(namespace + "/" + name)
    }

    private func enqueueNamespace(_ namespace: String?) {
        guard let namespace else { return }
        for quota in self.quotas.lister.list(namespace: namespace) { self.enqueue(quota) }
    }

    static func isTerminal(_ pod: CoreV1.Pod) -> Bool {
        let phase = pod.status?.phase ?? ""
        return phase == "Succeeded" || phase == "Failed"
    }

    /// Recounts the quota `namespace/name` and writes its status if it changed (↔ `syncResourceQuota`).
    public func reconcile(_ key: String) async throws -> ReconcileResult {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, var quota = self.quotas.lister.get(namespace: parts[0], name: parts[1]) else {
            return .done
        }
        let namespace = parts[0]
        let hard = quota.spec?.hard ?? [:]
        let used = try await self.usage(of: quota, namespace: namespace, hard: hard)
        var status = quota.status ?? CoreV1.ResourceQuotaStatus()
        if status.hard == hard, status.used == used { return .done }
        status.hard = hard
        status.used = used
        quota.status = status
        _ = try await self.client.resource(CoreV1.ResourceQuota.self, namespace: namespace).updateStatus(quota)
        self.logger.debug("Updated quota usage", metadata: ["quota": "\(key)"])
        return .done
    }

    /// What the namespace uses of each resource the quota limits (zero where nothing is used).
    func usage(of quota: CoreV1.ResourceQuota, namespace: String, hard: [String: Quantity]) async throws
        -> [String: Quantity]
    {
        var used = hard.mapValues { _ in Quantity() }
        var discovered: [DiscoveredResource]? = nil  // read once per sync, only if a generic count needs it
        func charge(_ evaluator: QuotaEvaluator, _ objects: [any APIObject]) {
            for object in objects where evaluator.matches(quota, object) {
                for (name, value) in evaluator.usage(object) where hard[name] != nil && evaluator.tracks(name) {
                    used[name, default: Quantity()] += value
                }
            }
        }
        for (group, resource) in QuotaEvaluator.resources(tracking: hard.keys) {
            let evaluator = QuotaEvaluator(group: group, resource: resource)
            switch (group, resource) {
            case ("", "pods"): charge(evaluator, self.pods.lister.list(namespace: namespace))
            case ("", "services"): charge(evaluator, self.services.lister.list(namespace: namespace))
            case ("", "persistentvolumeclaims"): charge(evaluator, self.claims.lister.list(namespace: namespace))
            case ("", "configmaps"): charge(evaluator, self.configMaps.lister.list(namespace: namespace))
            default:
                // Scoped quotas apply to pods only; counts of anything else are the number of objects.
                guard (quota.spec?.scopes ?? []).isEmpty, quota.spec?.scopeSelector == nil else { continue }
                let monitored = self.monitors.withLock { $0[group + "/" + resource]?.informer.hasSynced ?? false }
                if discovered == nil, !monitored { discovered = try await self.client.serverPreferredResources() }
                let count = try await self.count(group: group, resource: resource, namespace: namespace, in: discovered ?? [])
                for name in [evaluator.objectCountName, resource] where hard[name] != nil && evaluator.tracks(name) {
                    used[name] = Quantity(Int64(count), format: .decimalSI)
                }
            }
        }
        return used
    }

    /// The number of `resource` objects in the namespace: from its metadata informer once that has synced,
    /// otherwise listed through the group's preferred version.
    func count(group: String, resource: String, namespace: String, in discovered: [DiscoveredResource]) async throws
        -> Int
    {
        if let monitor = self.monitors.withLock({ $0[group + "/" + resource] }), monitor.informer.hasSynced {
            return monitor.informer.lister.list(namespace: namespace).count
        }
        guard let match = discovered.first(where: { $0.resource.group == group && $0.resource.resource == resource }),
            match.isNamespaced
        else { return 0 }
        let objects = self.client.dynamic(match.resource, namespace: namespace, isNamespaced: true)
        return try await objects.list(ListOptions()).items.count
    }
}
