public import Logging
import SkiffAPI
import SkiffAPIMachinery
public import SkiffClient
import Synchronization

/// The garbage collector (↔ `pkg/controller/garbagecollector`): deletes objects whose owners are gone, and
/// carries out the `Foreground` and `Orphan` deletion policies the API server records as finalizers.
///
/// It watches the metadata of every deletable resource discovery lists (re-read every
/// ``discoveryPeriod``, so new kinds are picked up), keeps a ``DependencyGraph`` of owners and dependents, and
/// runs two queues:
/// - *attemptToDelete*: an object whose owners may be gone. With no owner left it is deleted (with the
///   foreground policy when an owner waits for it, its own finalizers' policy otherwise); with some owners left,
///   the references to absent owners are removed. An owner being deleted in the foreground loses its
///   `foregroundDeletion` finalizer once no dependent blocks it.
/// - *attemptToOrphan*: an owner deleted with the orphan policy. Its dependents lose their references to it,
///   then it loses its `orphan` finalizer.
///
/// Owners are looked up live (metadata GETs), never trusted from the cache alone, as upstream does: a missed
/// event must not delete a dependent whose owner exists.
public final class GarbageCollector: Sendable {
    /// Resources never watched (↔ `ignoredResources`): events are many and never own anything.
    public static let ignoredResources: Set<GroupVersionResource> = [
        GroupVersionResource(group: "", version: "v1", resource: "events"),
        GroupVersionResource(group: "events.k8s.io", version: "v1", resource: "events"),
    ]

    let client: APIClient
    let informers: SharedInformerFactory
    let mapper: DiscoveryRESTMapper
    let workers: Int
    /// How often discovery is re-read for new resources to watch (upstream: 30 s).
    public let discoveryPeriod: Duration
    let logger: Logger
    /// Writes the `OwnerRefInvalidNamespace` warnings.
    let recorder: EventRecorder
    let graph = Mutex(DependencyGraph())
    let attemptToDelete: WorkQueue<String>
    let attemptToOrphan: WorkQueue<String>
    private let changes: AsyncStream<GraphChange>
    private let changesContinuation: AsyncStream<GraphChange>.Continuation
    private let monitors = Mutex<[GroupVersionResource: Informer<MetaV1.PartialObjectMetadata>]>([:])

    /// A change to apply to the graph, in the order informers report them.
    enum GraphChange: Sendable {
        case observed(ObjectIdentity, MetaV1.ObjectMeta)
        case deleted(ObjectIdentity)
        /// `attemptToDelete` found that the object does not exist (↔ a virtual delete event).
        case verifiedAbsent(ObjectIdentity)
    }

    /// - Parameters:
    ///   - workers: `--concurrent-gc-syncs` (upstream default 20), for each queue.
    public init(
        client: APIClient,
        informers: SharedInformerFactory,
        workers: Int = 20,
        discoveryPeriod: Duration = .seconds(30),
        logger: Logger
    ) {
        self.client = client
        self.informers = informers
        self.mapper = DiscoveryRESTMapper(client: client)
        self.workers = workers
        self.discoveryPeriod = discoveryPeriod
        self.logger = logger
        self.recorder = EventRecorder(client: client, reportingController: "garbage-collector-controller", logger: logger)
        self.attemptToDelete = WorkQueue(name: "garbage_collector_attempt_to_delete")
        self.attemptToOrphan = WorkQueue(name: "garbage_collector_attempt_to_orphan")
        (self.changes, self.changesContinuation) = AsyncStream.makeStream(of: GraphChange.self)
    }

    /// The resources watched so far.
    public var monitoredResources: Set<GroupVersionResource> { Set(self.monitors.withLock { $0.keys }) }

    /// Runs until cancelled. The informers must be run by their factory.
    public func run() async throws {
        defer {
            self.attemptToDelete.shutDown()
            self.attemptToOrphan.shutDown()
            self.changesContinuation.finish()
        }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.processGraphChanges() }
            group.addTask { try await self.recorder.run() }
            // The first discovery: retried until the API server answers.
            while true {
                do {
                    try await self.syncMonitors()
                    break
                } catch let error where !(error is CancellationError) {
                    self.logger.warning("Garbage collector discovery failed", metadata: ["error": "\(error)"])
                    try await Task.sleep(for: .seconds(1))
                }
            }
            for informer in self.monitors.withLock({ Array($0.values) }) { try await informer.waitForCacheSync() }
            self.logger.debug("Garbage collector synced", metadata: ["resources": "\(self.monitoredResources.count)"])
            group.addTask {
                while true {
                    try await Task.sleep(for: self.discoveryPeriod)
                    do {
                        try await self.syncMonitors()
                    } catch let error where !(error is CancellationError) {
                        self.logger.debug("Garbage collector discovery failed", metadata: ["error": "\(error)"])
                    }
                }
            }
            group.addTask {
                await self.attemptToDelete.runWorkers(self.workers, logger: self.logger) { uid in
                    try await self.attemptToDeleteItem(uid)
                }
            }
            group.addTask {
                await self.attemptToOrphan.runWorkers(self.workers, logger: self.logger) { uid in
                    try await self.attemptToOrphanItem(uid)
                }
            }
        }
    }

    // MARK: Monitors

    /// Watches every deletable resource discovery lists that is not watched yet (↔ `resyncMonitors`).
    func syncMonitors() async throws {
        let resources = try await self.mapper.refresh()
        for discovered in resources {
            let resource = discovered.resource
            guard Set(["list", "watch", "delete"]).isSubset(of: discovered.verbs),
                !Self.ignoredResources.contains(resource),
                self.monitors.withLock({ $0[resource] == nil })
            else { continue }
            let informer = self.informers.metadataInformer(for: resource, isNamespaced: discovered.isNamespaced)
            let apiVersion = resource.group.isEmpty ? resource.version : resource.group + "/" + resource.version
            let kind = discovered.kind
            let changes = self.changesContinuation
            informer.addEventHandler(
                ResourceEventHandler(
                    onAdd: { object, _ in
                        if let identity = Self.identity(object, apiVersion: apiVersion, kind: kind) {
                            changes.yield(.observed(identity, object.metadata))
                        }
                    },
                    onUpdate: { _, object in
                        if let identity = Self.identity(object, apiVersion: apiVersion, kind: kind) {
                            changes.yield(.observed(identity, object.metadata))
                        }
                    },
                    onDelete: { deleted in
                        if let identity = Self.identity(deleted.object, apiVersion: apiVersion, kind: kind) {
                            changes.yield(.deleted(identity))
                        }
                    }
                )
            )
            self.monitors.withLock { $0[resource] = informer }
        }
    }

    static func identity(_ object: MetaV1.PartialObjectMetadata, apiVersion: String, kind: String) -> ObjectIdentity? {
        guard let uid = object.metadata.uid, !uid.isEmpty, let name = object.metadata.name else { return nil }
        return ObjectIdentity(
            apiVersion: apiVersion,
            kind: kind,
            namespace: object.metadata.namespace ?? "",
            name: name,
            uid: uid
        )
    }

    /// Applies graph changes in order and queues what they ask for (↔ `GraphBuilder.processGraphChanges`).
    private func processGraphChanges() async {
        for await change in self.changes {
            let actions = self.graph.withLock { graph in
                switch change {
                case .observed(let identity, let metadata): graph.observe(identity, metadata: metadata)
                case .deleted(let identity): graph.remove(identity)
                case .verifiedAbsent(let identity): graph.remove(identity, virtual: true)
                }
            }
            for invalid in actions.invalidNamespaceOwnerReferences {
                self.logger.debug(
                    "Item references an owner in another namespace",
                    metadata: ["item": "\(invalid.dependent)", "owner": "\(invalid.owner.uid)"]
                )
                self.recorder.record(
                    regarding: CoreV1.ObjectReference(
                        kind: invalid.dependent.kind,
                        namespace: invalid.dependent.namespace.isEmpty ? nil : invalid.dependent.namespace,
                        name: invalid.dependent.name,
                        uid: invalid.dependent.uid,
                        apiVersion: invalid.dependent.apiVersion
                    ),
                    type: .warning,
                    reason: "OwnerRefInvalidNamespace",
                    action: "GarbageCollect",
                    note: invalid.message
                )
            }
            for uid in actions.attemptToDelete { self.attemptToDelete.add(uid) }
            for uid in actions.attemptToOrphan { self.attemptToOrphan.add(uid) }
        }
    }

    // MARK: attemptToDelete

    /// The node has not been observed through an informer yet: look again later (↔ `requeueItem` for
    /// unobserved nodes), so a virtual node for an object that came and went is not left behind.
    struct NotYetObserved: Error, CustomStringConvertible {
        var identity: ObjectIdentity
        var description: String { "\(self.identity) has not been observed yet" }
    }

    /// ↔ `attemptToDeleteItem`.
    func attemptToDeleteItem(_ uid: String) async throws -> ReconcileResult {
        guard let node = self.graph.withLock({ $0[uid] }) else { return .done }
        let identity = node.identity
        let latest: MetaV1.PartialObjectMetadata
        do {
            latest = try await self.metadataClient(for: identity).get(identity.name)
        } catch let error as APIError where error.reason == .notFound {
            self.changesContinuation.yield(.verifiedAbsent(identity))
            return .done
        } catch is RESTMappingError where node.isVirtual && node.dependents.isEmpty {
            return .done
        }
        guard latest.metadata.uid == identity.uid else {
            self.changesContinuation.yield(.verifiedAbsent(identity))
            return .done
        }
        try await self.decide(identity, latest: latest.metadata, dependents: node.dependents)
        if self.graph.withLock({ $0[uid]?.isVirtual ?? false }) { throw NotYetObserved(identity: identity) }
        return .done
    }

    /// What to do with an object that exists: the rules of `attemptToDeleteItem` after its lookups.
    private func decide(_ identity: ObjectIdentity, latest: MetaV1.ObjectMeta, dependents: Set<String>) async throws {
        let finalizers = latest.finalizers ?? []
        let beingDeleted = latest.deletionTimestamp != nil
        if beingDeleted, finalizers.contains(GarbageCollectionFinalizer.foregroundDeletion) {
            return try await self.processDeletingDependents(identity, latest: latest)
        }
        // Being deleted already: its finalizers decide what happens next.
        if beingDeleted { return }
        let owners = latest.ownerReferences ?? []
        if owners.isEmpty { return }

        var solid: [MetaV1.OwnerReference] = []
        var dangling: [MetaV1.OwnerReference] = []
        var waiting: [MetaV1.OwnerReference] = []
        for reference in owners {
            switch try await self.ownerState(reference, of: identity) {
            case .absent: dangling.append(reference)
            case .deletingDependents: waiting.append(reference)
            case .present: solid.append(reference)
            }
        }
        self.logger.trace(
            "Classified owner references",
            metadata: ["object": "\(identity)", "solid": "\(solid.count)", "dangling": "\(dangling.count)", "waiting": "\(waiting.count)"]
        )

        if !solid.isEmpty {
            // Some owner still exists: only the references to owners that are gone (or waiting on their
            // dependents, which would otherwise wait forever) are removed.
            guard !dangling.isEmpty || !waiting.isEmpty else { return }
            let removed = Set((dangling + waiting).map(\.uid))
            try await self.patchOwnerReferences(identity, latest: latest) { references in
                references.removeAll { removed.contains($0.uid) }
            }
            return
        }
        if !waiting.isEmpty, !dependents.isEmpty {
            // An owner waits for this object, which has dependents of its own: delete it in the foreground, so the
            // owner waits for the whole subtree. A dependent that is itself waiting for this object would be a
            // cycle: unblock the references first.
            let waitingDependent = self.graph.withLock { graph in
                dependents.contains { graph[$0]?.deletingDependents == true }
            }
            if waitingDependent {
                let waitingUIDs = Set(waiting.map(\.uid))
                try await self.patchOwnerReferences(identity, latest: latest) { references in
                    for index in references.indices where waitingUIDs.contains(references[index].uid) {
                        references[index].blockOwnerDeletion = false
                    }
                }
            }
            try await self.delete(identity, policy: "Foreground")
            return
        }
        // Every owner is gone: delete the object with the policy its own finalizers ask for.
        let policy =
            finalizers.contains(GarbageCollectionFinalizer.orphan)
            ? "Orphan"
            : finalizers.contains(GarbageCollectionFinalizer.foregroundDeletion) ? "Foreground" : "Background"
        try await self.delete(identity, policy: policy)
    }

    /// An owner being deleted in the foreground: once no dependent blocks it, its finalizer goes
    /// (↔ `processDeletingDependentsItem`); until then, the blocking dependents not yet being deleted are.
    private func processDeletingDependents(_ identity: ObjectIdentity, latest: MetaV1.ObjectMeta) async throws {
        let blocking = self.graph.withLock { $0.blockingDependents(of: identity.uid) }
        if blocking.isEmpty {
            try await self.removeFinalizer(GarbageCollectionFinalizer.foregroundDeletion, from: identity, latest: latest)
            return
        }
        for dependent in blocking where !dependent.beingDeleted {
            self.attemptToDelete.add(dependent.identity.uid)
        }
    }

    enum OwnerState {
        case absent
        case present
        case deletingDependents
    }

    /// Whether the owner `reference` of `dependent` exists (↔ `isDangling`): a live metadata GET, unless the owner
    /// was verified absent before.
    private func ownerState(_ reference: MetaV1.OwnerReference, of dependent: ObjectIdentity) async throws -> OwnerState {
        let mapping = try await self.mapper.mapping(apiVersion: reference.apiVersion, kind: reference.kind)
        // A namespaced owner lives in its dependent's namespace; a cluster-scoped object cannot have one.
        if mapping.isNamespaced, dependent.namespace.isEmpty { return .absent }
        let owner = ObjectIdentity(
            apiVersion: reference.apiVersion,
            kind: reference.kind,
            namespace: mapping.isNamespaced ? dependent.namespace : "",
            name: reference.name,
            uid: reference.uid
        )
        if self.graph.withLock({ $0.isKnownAbsent(owner) }) { return .absent }
        let client = self.client.metadata(
            mapping.resource,
            namespace: mapping.isNamespaced ? dependent.namespace : nil,
            isNamespaced: mapping.isNamespaced
        )
        let latest: MetaV1.PartialObjectMetadata
        do {
            latest = try await client.get(reference.name)
        } catch let error as APIError where error.reason == .notFound {
            self.graph.withLock { $0.recordAbsent(owner) }
            return .absent
        }
        guard latest.metadata.uid == reference.uid else {
            self.graph.withLock { $0.recordAbsent(owner) }
            return .absent
        }
        if latest.metadata.deletionTimestamp != nil,
            (latest.metadata.finalizers ?? []).contains(GarbageCollectionFinalizer.foregroundDeletion)
        {
            return .deletingDependents
        }
        return .present
    }

    // MARK: attemptToOrphan

    /// ↔ `attemptToOrphanWorker`: the owner's dependents lose their references to it, then it loses its orphan
    /// finalizer.
    func attemptToOrphanItem(_ uid: String) async throws -> ReconcileResult {
        guard let node = self.graph.withLock({ $0[uid] }) else { return .done }
        let dependents = self.graph.withLock { graph in node.dependents.compactMap { graph[$0]?.identity } }
        for dependent in dependents.sorted(by: { $0.uid < $1.uid }) {
            let latest: MetaV1.PartialObjectMetadata
            do {
                latest = try await self.metadataClient(for: dependent).get(dependent.name)
            } catch let error as APIError where error.reason == .notFound {
                continue
            }
            guard latest.metadata.uid == dependent.uid,
                (latest.metadata.ownerReferences ?? []).contains(where: { $0.uid == uid })
            else { continue }
            try await self.patchOwnerReferences(dependent, latest: latest.metadata) { references in
                references.removeAll { $0.uid == uid }
            }
        }
        let owner: MetaV1.PartialObjectMetadata
        do {
            owner = try await self.metadataClient(for: node.identity).get(node.identity.name)
        } catch let error as APIError where error.reason == .notFound {
            return .done
        }
        guard owner.metadata.uid == uid else { return .done }
        try await self.removeFinalizer(GarbageCollectionFinalizer.orphan, from: node.identity, latest: owner.metadata)
        return .done
    }

    // MARK: Requests

    private func metadataClient(for identity: ObjectIdentity) async throws -> MetadataResourceClient {
        let mapping = try await self.mapper.mapping(apiVersion: identity.apiVersion, kind: identity.kind)
        return self.client.metadata(
            mapping.resource,
            namespace: mapping.isNamespaced ? identity.namespace : nil,
            isNamespaced: mapping.isNamespaced
        )
    }

    /// Deletes the object, only if it is still the same one (a uid precondition).
    private func delete(_ identity: ObjectIdentity, policy: String) async throws {
        self.logger.debug("Deleting object", metadata: ["object": "\(identity)", "propagationPolicy": "\(policy)"])
        var options = MetaV1.DeleteOptions(propagationPolicy: policy)
        options.preconditions = MetaV1.Preconditions(uid: identity.uid)
        do {
            try await self.metadataClient(for: identity).delete(identity.name, options: options)
        } catch let error as APIError where error.reason == .notFound {
            // Gone already.
        }
    }

    /// Rewrites the object's owner references with a JSON merge patch that carries the resourceVersion read, so
    /// a concurrent change makes it fail (409) and the item is retried, rather than losing that change. A merge
    /// patch works for every kind, custom resources included.
    private func patchOwnerReferences(
        _ identity: ObjectIdentity,
        latest: MetaV1.ObjectMeta,
        _ change: (inout [MetaV1.OwnerReference]) -> Void
    ) async throws {
        var references = latest.ownerReferences ?? []
        change(&references)
        let encoded = references.isEmpty ? JSONValue.null : try JSONValueEncoder().encode(references)
        let body: JSONValue = [
            "metadata": [
                "ownerReferences": encoded,
                "uid": .string(identity.uid),
                "resourceVersion": .string(latest.resourceVersion ?? ""),
            ]
        ]
        self.logger.debug("Updating owner references", metadata: ["object": "\(identity)"])
        do {
            try await self.metadataClient(for: identity).patch(identity.name, type: .merge, body: body)
        } catch let error as APIError where error.reason == .notFound {
            // Gone: its owners no longer matter.
        }
    }

    /// Removes `finalizer` from the object (a merge patch of the finalizer list, conditional on the
    /// resourceVersion read).
    private func removeFinalizer(_ finalizer: String, from identity: ObjectIdentity, latest: MetaV1.ObjectMeta) async throws {
        let finalizers = latest.finalizers ?? []
        guard finalizers.contains(finalizer) else { return }
        let remaining = finalizers.filter { $0 != finalizer }
        let body: JSONValue = [
            "metadata": [
                "finalizers": remaining.isEmpty ? .null : .array(remaining.map { .string($0) }),
                "uid": .string(identity.uid),
                "resourceVersion": .string(latest.resourceVersion ?? ""),
            ]
        ]
        self.logger.debug("Removing finalizer", metadata: ["object": "\(identity)", "finalizer": "\(finalizer)"])
        do {
            try await self.metadataClient(for: identity).patch(identity.name, type: .merge, body: body)
        } catch let error as APIError where error.reason == .notFound {
        }
    }
}
