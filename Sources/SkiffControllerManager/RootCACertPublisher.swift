public import Logging
import SkiffAPI
import SkiffAPIMachinery
public import SkiffClient

/// Publishes the cluster CA as the `kube-root-ca.crt` ConfigMap (key `ca.crt`) in every namespace, and restores
/// it when it is changed or deleted (↔ `pkg/controller/certificates/rootcacertpublisher`). Pods read it through
/// the projected `kube-api-access-*` volume that the ServiceAccount admission plugin adds.
public final class RootCACertPublisher: Sendable {
    /// The ConfigMap's name in every namespace.
    public static let configMapName = "kube-root-ca.crt"
    /// The `kubernetes.io/description` annotation it carries, with upstream's wording.
    public static let description =
        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as "
        + "the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of "
        + "Kubernetes clusters."
    static let descriptionAnnotation = "kubernetes.io/description"

    let rootCA: String
    let client: APIClient
    let namespaces: Informer<CoreV1.Namespace>
    let configMaps: Informer<CoreV1.ConfigMap>
    let queue: WorkQueue<String>
    let workers: Int
    let logger: Logger

    /// - Parameter rootCA: the PEM bundle to publish (`--root-ca-file`).
    public init(client: APIClient, informers: SharedInformerFactory, rootCA: String, workers: Int = 1, logger: Logger) {
        self.rootCA = rootCA
        self.client = client
        self.namespaces = informers.informer(CoreV1.Namespace.self)
        self.configMaps = informers.informer(CoreV1.ConfigMap.self)
        self.queue = WorkQueue(name: "root_ca_cert_publisher")
        self.workers = workers
        self.logger = logger
    }

    /// Runs the workers until cancelled. The informers must be run by their factory.
    public func run() async throws {
        let name = Self.configMapName
        let namespaceHandler = self.namespaces.addEventHandler(
            ResourceEventHandler(
                onAdd: { namespace, _ in self.enqueue(namespace.metadata.name) },
                onUpdate: { _, namespace in
                    guard (namespace.status?.phase ?? "Active") == "Active" else { return }
                    self.enqueue(namespace.metadata.name)
                }
            )
        )
        let configMapHandler = self.configMaps.addEventHandler(
            ResourceEventHandler(
                onUpdate: { _, configMap in
                    if configMap.metadata.name == name { self.enqueue(configMap.metadata.namespace) }
                },
                onDelete: { deleted in
                    if deleted.object.metadata.name == name { self.enqueue(deleted.object.metadata.namespace) }
                }
            )
        )
        defer {
            self.namespaces.removeEventHandler(namespaceHandler)
            self.configMaps.removeEventHandler(configMapHandler)
            self.queue.shutDown()
        }
        try await self.namespaces.waitForCacheSync()
        try await self.configMaps.waitForCacheSync()
        await self.queue.runWorkers(self.workers, logger: self.logger) { try await self.reconcile($0) }
        try Task.checkCancellation()
    }

    private func enqueue(_ namespace: String?) {
        if let namespace, !namespace.isEmpty { self.queue.add(namespace) }
    }

    /// Creates or corrects the ConfigMap in namespace `namespace` (↔ `syncNamespace`).
    public func reconcile(_ namespace: String) async throws -> ReconcileResult {
        let data = ["ca.crt": self.rootCA]
        guard var configMap = self.configMaps.lister.get(namespace: namespace, name: Self.configMapName) else {
            do {
                _ = try await self.client.configMaps(namespace).create(
                    CoreV1.ConfigMap(
                        metadata: MetaV1.ObjectMeta(
                            name: Self.configMapName,
                            namespace: namespace,
                            annotations: [Self.descriptionAnnotation: Self.description]
                        ),
                        data: data
                    )
                )
            } catch let error as APIError where error.isNamespaceGoneOrTerminating {
                return .done
            }
            return .done
        }
        if configMap.data == data, !(configMap.metadata.annotations?[Self.descriptionAnnotation] ?? "").isEmpty {
            return .done
        }
        configMap.data = data
        configMap.binaryData = nil
        configMap.metadata.annotations = (configMap.metadata.annotations ?? [:])
            .merging([Self.descriptionAnnotation: Self.description]) { _, new in new }
        _ = try await self.client.configMaps(namespace).update(configMap)
        return .done
    }
}
