public import Logging
public import SkiffAPIMachinery
import Synchronization

/// Anything a ``SharedInformerFactory`` runs.
protocol RunnableInformer: Sendable {
    func run() async throws
    var hasSynced: Bool { get }
    func waitForCacheSync() async throws
}

extension Informer: RunnableInformer {}

/// Hands out one ``Informer`` per resource (and namespace and selectors) per process, so every consumer shares
/// one watch and one cache (↔ client-go's `informers.SharedInformerFactory`).
///
/// ```swift
/// let factory = SharedInformerFactory(client: client, logger: logger)
/// let pods = factory.informer(CoreV1.Pod.self)
/// pods.indexer.addIndex("nodeName") { [$0.spec?.nodeName ?? ""] }
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { try await factory.run() }
///     try await factory.waitForCacheSync()
///     …
/// }
/// ```
///
/// ``run()`` runs every informer asked for, including those asked for after it started, until cancelled.
public final class SharedInformerFactory: Sendable {
    let client: APIClient
    let namespace: String?
    let resyncPeriod: Duration?
    let clock: any ClientClock
    let transform: InformerTransform?
    let logger: Logger

    private struct State {
        var informers: [String: any RunnableInformer] = [:]
        var order: [String] = []
        var running: AsyncStream<any RunnableInformer>.Continuation?
    }

    private let state = Mutex(State())

    /// - Parameters:
    ///   - namespace: restricts every informer to one namespace (`nil`: all).
    ///   - resyncPeriod: the default resync period of the informers.
    ///   - transform: applied by every informer to each object it receives, before caching it (for example
    ///     ``InformerTransform/trimManagedFields``).
    public init(
        client: APIClient,
        namespace: String? = nil,
        resyncPeriod: Duration? = nil,
        clock: any ClientClock = SystemClock(),
        transform: InformerTransform? = nil,
        logger: Logger
    ) {
        self.client = client
        self.namespace = namespace
        self.resyncPeriod = resyncPeriod
        self.clock = clock
        self.transform = transform
        self.logger = logger
    }

    /// The factory's transform as one informer applies it.
    private func objectTransform<Object: APIObject>(for _: Object.Type) -> (@Sendable (inout Object) -> Void)? {
        guard let transform = self.transform else { return nil }
        return { transform(&$0) }
    }

    /// The shared informer of `Object`'s resource, restricted by the selectors of `options` (informers with
    /// different selectors are different informers).
    public func informer<Object: APIObject>(_ type: Object.Type, options: ListOptions = ListOptions()) -> Informer<Object> {
        let key = "\(Object.groupVersionKind)|\(options.labelSelector ?? "")|\(options.fieldSelector ?? "")"
        var options = options
        options.dropsManagedFields = self.transform?.dropsManagedFields ?? false
        return self.shared(key) {
            Informer<Object>(
                client: self.client.resource(Object.self, namespace: self.namespace),
                options: options,
                resyncPeriod: self.resyncPeriod,
                clock: self.clock,
                transform: self.objectTransform(for: Object.self),
                logger: self.logger
            )
        }
    }

    /// The informer registered under `key`, made (and started, if the factory runs) on first use.
    private func shared<Object: APIObject>(_ key: String, make: () -> Informer<Object>) -> Informer<Object> {
        self.state.withLock { state in
            if let existing = state.informers[key] as? Informer<Object> { return existing }
            let informer = make()
            state.informers[key] = informer
            state.order.append(key)
            state.running?.yield(informer)
            return informer
        }
    }

    /// The shared metadata-only informer of `resource` (↔ client-go's `metadatainformer.SharedInformerFactory`):
    /// its cache holds each object's `PartialObjectMetadata`. `isNamespaced` gives the scope of resources the
    /// compiled-in schema does not know.
    public func metadataInformer(
        for resource: GroupVersionResource,
        isNamespaced: Bool? = nil
    ) -> Informer<MetaV1.PartialObjectMetadata> {
        var options = ListOptions()
        options.dropsManagedFields = self.transform?.dropsManagedFields ?? false
        return self.shared("metadata|\(resource)") {
            Informer<MetaV1.PartialObjectMetadata>(
                source: self.client.metadata(resource, namespace: self.namespace, isNamespaced: isNamespaced),
                options: options,
                resyncPeriod: self.resyncPeriod,
                clock: self.clock,
                transform: self.objectTransform(for: MetaV1.PartialObjectMetadata.self),
                logger: self.logger
            )
        }
    }

    /// The lister of `Object`'s shared informer.
    public func lister<Object: APIObject>(_ type: Object.Type) -> Lister<Object> {
        self.informer(type).lister
    }

    /// Whether every informer asked for so far has synced.
    public var hasSynced: Bool {
        self.state.withLock { state in state.informers.values.allSatisfy(\.hasSynced) }
    }

    /// Waits until every informer asked for so far has synced.
    public func waitForCacheSync() async throws {
        let informers = self.state.withLock { state in state.order.compactMap { state.informers[$0] } }
        for informer in informers { try await informer.waitForCacheSync() }
    }

    /// Runs every informer (those asked for later too) until the task is cancelled.
    public func run() async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: (any RunnableInformer).self)
        self.state.withLock { state in
            precondition(state.running == nil, "SharedInformerFactory.run() is already running")
            state.running = continuation
            for key in state.order { if let informer = state.informers[key] { continuation.yield(informer) } }
        }
        defer { self.state.withLock { $0.running = nil } }
        try await withThrowingDiscardingTaskGroup { group in
            for await informer in stream {
                group.addTask { try await informer.run() }
            }
            group.cancelAll()
        }
        throw CancellationError()
    }
}
