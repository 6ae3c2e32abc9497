public import Logging
public import SkiffAPIMachinery
import Synchronization

/// A cache of one resource kept current by list+watch, with event handlers (↔ client-go's
/// `cache.SharedIndexInformer`: reflector, indexer and processor in one).
///
/// ``run()`` lists (paged; from the watch cache), fills the ``indexer``, then watches from the list's
/// resourceVersion with bookmarks, resuming after dropped connections and re-listing when the resourceVersion has
/// expired (410). A re-list diffs against the cache: changed objects are updates, missing ones are deletes with a
/// ``DeletedObject/tombstone(key:lastKnown:)``.
///
/// Handlers are called on the informer's task, in event order, after the cache has changed. A handler added
/// after objects arrived receives an add for each object already cached. Handlers must not add handlers.
///
/// An informer made with a `transform` applies it to every object it receives, page by page and event by event,
/// before the object reaches the cache or a handler (↔ client-go's `SetTransform`): a component drops what it
/// never reads, such as `metadata.managedFields` (see ``InformerTransform``).
///
/// Get informers from a ``SharedInformerFactory`` so each resource is watched once per process.
///
/// ## Topics
/// ### Cache
/// - ``indexer``
/// - ``lister``
/// - ``hasSynced``
/// - ``waitForCacheSync()``
/// ### Handlers
/// - ``addEventHandler(_:)``
/// - ``removeEventHandler(_:)``
/// ### Running
/// - ``run()``
public final class Informer<Object: APIObject>: Sendable {
    /// The cache.
    public let indexer: Indexer<Object>
    let source: any ListerWatcher<Object>
    let options: ListOptions
    let resyncPeriod: Duration?
    let clock: any ClientClock
    let logger: Logger
    let transform: (@Sendable (inout Object) -> Void)?
    let synced = AsyncFlag()
    /// The handlers; held while the cache changes and handlers run, so delivery is ordered.
    private let handlers = Mutex<(nextID: Int, byID: [(id: Int, handler: ResourceEventHandler<Object>)])>((0, []))
    private let started = Atomic<Bool>(false)
    private let lastResourceVersion = Mutex<String>("")

    /// Makes an informer of `client`'s resource and namespace, restricted by the selectors of `options`.
    ///
    /// - Parameters:
    ///   - resyncPeriod: when set, every cached object is re-delivered to the handlers as an update this often.
    ///   - clock: the clock of resync periods and retry delays.
    ///   - transform: applied to every object received, before the cache and the handlers see it.
    public convenience init(
        client: ResourceClient<Object>,
        options: ListOptions = ListOptions(),
        resyncPeriod: Duration? = nil,
        clock: any ClientClock = SystemClock(),
        transform: (@Sendable (inout Object) -> Void)? = nil,
        logger: Logger
    ) {
        self.init(
            source: client,
            options: options,
            resyncPeriod: resyncPeriod,
            clock: clock,
            transform: transform,
            logger: logger
        )
    }

    /// Makes an informer of what `source` lists and watches (a typed client, or a ``MetadataResourceClient``
    /// for a metadata-only informer of any resource), restricted by the selectors of `options`.
    public init(
        source: any ListerWatcher<Object>,
        options: ListOptions = ListOptions(),
        resyncPeriod: Duration? = nil,
        clock: any ClientClock = SystemClock(),
        transform: (@Sendable (inout Object) -> Void)? = nil,
        logger: Logger
    ) {
        self.indexer = Indexer()
        self.transform = transform
        self.source = source
        var kept = ListOptions(labelSelector: options.labelSelector, fieldSelector: options.fieldSelector)
        kept.dropsManagedFields = options.dropsManagedFields
        self.options = kept
        self.resyncPeriod = resyncPeriod
        self.clock = clock
        var logger = logger
        logger[metadataKey: "k8s.resource"] = "\(source.groupVersionResource)"
        self.logger = logger
    }

    /// Synchronous reads of the cache.
    public var lister: Lister<Object> { Lister(indexer: self.indexer) }

    /// Whether the first list has been stored in the cache.
    public var hasSynced: Bool { self.synced.isSet }

    /// The resourceVersion of the last list or event applied to the cache.
    public var lastSyncResourceVersion: String { self.lastResourceVersion.withLock { $0 } }

    /// Waits until the first list has been stored (↔ `cache.WaitForCacheSync`); throws `CancellationError` when
    /// the task is cancelled first.
    public func waitForCacheSync() async throws {
        try await self.synced.wait()
    }

    /// Adds a handler; it first receives an add for every object already cached.
    @discardableResult
    public func addEventHandler(_ handler: ResourceEventHandler<Object>) -> HandlerRegistration {
        self.handlers.withLock { handlers in
            handlers.nextID += 1
            handlers.byID.append((handlers.nextID, handler))
            for object in self.indexer.list() { handler.onAdd(object, true) }
            return HandlerRegistration(id: handlers.nextID)
        }
    }

    /// Removes a handler.
    public func removeEventHandler(_ registration: HandlerRegistration) {
        self.handlers.withLock { handlers in handlers.byID.removeAll { $0.id == registration.id } }
    }

    /// Lists and watches until the task is cancelled (then throws `CancellationError`). A second call while the
    /// first runs returns at once.
    public func run() async throws {
        guard !self.started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        defer { self.started.store(false, ordering: .releasing) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let resyncPeriod = self.resyncPeriod {
                group.addTask {
                    while true {
                        try await self.clock.sleep(for: resyncPeriod)
                        self.resync()
                    }
                }
            }
            defer { group.cancelAll() }
            try await self.reflect()
        }
    }

    /// The reflector: list, then watch; re-list on expiry; back off on failures.
    private func reflect() async throws {
        var fresh = false
        var failures = 0
        while true {
            try Task.checkCancellation()
            do {
                var listOptions = self.options
                listOptions.limit = 500
                // The first list reads the watch cache ("0"); after an expiry, a consistent read.
                listOptions.resourceVersion = fresh ? nil : "0"
                let resourceVersion = try await self.listAndReplace(listOptions)
                self.synced.set()
                failures = 0
                fresh = false
                let watcher = RetryWatcher(source: self.source, options: self.options, clock: self.clock)
                try await watcher.run(from: resourceVersion) { event in
                    self.apply(self.transformed(event))
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as APIError where error.isResourceExpired {
                self.logger.debug("Watch expired; re-listing", metadata: ["error": "\(error)"])
                fresh = true
            } catch {
                try Task.checkCancellation()
                failures += 1
                self.logger.debug("List and watch failed", metadata: ["error": "\(error)", "failures": "\(failures)"])
                let delay = Duration.milliseconds(min(800 * (1 << min(failures - 1, 6)), 30_000))
                try await self.clock.sleep(for: delay)
            }
        }
    }

    /// Lists and replaces the cache's content; returns the list's resourceVersion. The listed objects are
    /// released on return, not held (beside the cache's copies) for as long as the watch that follows runs.
    private func listAndReplace(_ options: ListOptions) async throws -> String {
        let list = try await self.list(options)
        self.replace(list.items, resourceVersion: list.resourceVersion)
        return list.resourceVersion
    }

    /// Every page of the list, each transformed as it arrives, so untransformed objects never pile up.
    private func list(_ options: ListOptions) async throws -> ObjectList<Object> {
        guard let transform = self.transform else { return try await self.source.listAll(options) }
        return try await listAllPages(options) { options in
            var page = try await self.source.list(options)
            for index in page.items.indices { transform(&page.items[index]) }
            return page
        }
    }

    private func transformed(_ event: WatchEvent<Object>) -> WatchEvent<Object> {
        guard let transform = self.transform else { return event }
        switch event {
        case .added(var object):
            transform(&object)
            return .added(object)
        case .modified(var object):
            transform(&object)
            return .modified(object)
        case .deleted(var object):
            transform(&object)
            return .deleted(object)
        case .bookmark:
            return event
        }
    }

    func replace(_ objects: [Object], resourceVersion: String) {
        self.handlers.withLock { handlers in
            let (previous, removed) = self.indexer.replace(objects)
            self.lastResourceVersion.withLock { $0 = resourceVersion }
            for object in objects {
                if let old = previous[object.key] {
                    for entry in handlers.byID { entry.handler.onUpdate(old, object) }
                } else {
                    for entry in handlers.byID { entry.handler.onAdd(object, true) }
                }
            }
            for object in removed {
                let tombstone = DeletedObject.tombstone(key: object.key, lastKnown: object)
                for entry in handlers.byID { entry.handler.onDelete(tombstone) }
            }
        }
    }

    func apply(_ event: WatchEvent<Object>) {
        self.handlers.withLock { handlers in
            switch event {
            case .added(let object), .modified(let object):
                self.lastResourceVersion.withLock { $0 = object.metadata.resourceVersion ?? $0 }
                if let old = self.indexer.upsert(object) {
                    for entry in handlers.byID { entry.handler.onUpdate(old, object) }
                } else {
                    for entry in handlers.byID { entry.handler.onAdd(object, false) }
                }
            case .deleted(let object):
                self.lastResourceVersion.withLock { $0 = object.metadata.resourceVersion ?? $0 }
                // A deletion of an object the cache never held is not news (↔ DeltaFIFO's Delete).
                guard self.indexer.remove(object.key) != nil else { return }
                for entry in handlers.byID { entry.handler.onDelete(.object(object)) }
            case .bookmark(let bookmark):
                self.lastResourceVersion.withLock { $0 = bookmark.resourceVersion }
            }
        }
    }

    func resync() {
        self.handlers.withLock { handlers in
            for object in self.indexer.list() {
                for entry in handlers.byID { entry.handler.onUpdate(object, object) }
            }
        }
    }
}
