import SkiffAPI
import SkiffAPIMachinery
import Synchronization

/// Refuses new content in namespaces that do not exist or are being deleted, and the deletion of the system
/// namespaces (↔ apiserver `plugin/namespace/lifecycle`, on by default).
///
/// - A create or update of a namespaced object in a missing namespace fails with the namespace's 404
///   (`namespaces "x" not found`).
/// - A create in a `Terminating` namespace fails with 403 `unable to create new content in namespace x because it
///   is being terminated` and a `NamespaceTerminating` cause.
/// - Deleting `default`, `kube-system` or `kube-public` fails with 403 `this namespace may not be deleted`.
/// - Deletes of other objects, and every operation on namespaces themselves, pass.
final class NamespaceLifecycle: MutatingAdmissionPlugin {
    static let pluginName = "NamespaceLifecycle"
    var name: String { Self.pluginName }

    /// Namespaces that can never be deleted (upstream's `immortalNamespaces`).
    static let immortalNamespaces: Set<String> = ["default", "kube-system", "kube-public"]

    let objects: any AdmissionObjectSource
    /// Namespaces deleted in the last ``liveLookupWindow``, which are looked up in the store rather than the cache
    /// (upstream's `forceLiveLookupCache`).
    private let deletions = Mutex<[String: ContinuousClock.Instant]>([:])
    static let liveLookupWindow = Duration.seconds(30)

    init(objects: any AdmissionObjectSource) {
        self.objects = objects
    }

    private func recentlyDeleted(_ namespace: String) -> Bool {
        self.deletions.withLock { deletions in
            let now = ContinuousClock.now
            deletions = deletions.filter { now - $0.value < Self.liveLookupWindow }
            return deletions[namespace] != nil
        }
    }

    func admit(_ attributes: inout AdmissionAttributes) async throws {
        let isNamespace = attributes.resource == .namespaces
        if attributes.operation == .delete, isNamespace, Self.immortalNamespaces.contains(attributes.name) {
            throw APIError.forbidden(
                group: "",
                resource: "namespaces",
                name: attributes.name,
                reason: "this namespace may not be deleted"
            )
        }
        // Cluster-scoped objects, namespaces themselves and deletes always pass; so do access reviews.
        if attributes.operation == .delete, isNamespace {
            self.deletions.withLock { $0[attributes.name] = ContinuousClock.now }
        }
        if attributes.namespace.isEmpty || isNamespace || attributes.operation == .delete { return }
        if attributes.resource.group == "authorization.k8s.io" { return }

        // The watch cache answers for a namespace it holds; a miss, or a namespace deleted moments ago that the
        // cache may still show active, is looked up in the store (upstream's live lookup).
        var namespace = try await self.objects.get(.namespaces, namespace: nil, name: attributes.namespace, cached: true)
        if namespace == nil || (Self.phase(namespace) != "Terminating" && self.recentlyDeleted(attributes.namespace)) {
            namespace = try await self.objects.get(.namespaces, namespace: nil, name: attributes.namespace, cached: false)
        }
        guard let namespace else {
            throw APIError.notFound(group: "", resource: "namespaces", name: attributes.namespace)
        }
        guard attributes.operation == .create, Self.phase(namespace) == "Terminating" else { return }
        var error = attributes.forbidden(
            "unable to create new content in namespace \(attributes.namespace) because it is being terminated"
        )
        var details = error.details ?? MetaV1.StatusDetails()
        details.causes = (details.causes ?? []) + [
            MetaV1.StatusCause(
                reason: "NamespaceTerminating",
                message: "namespace \(attributes.namespace) is being terminated",
                field: "metadata.namespace"
            )
        ]
        error.details = details
        throw error
    }

    private static func phase(_ namespace: AdmissionStoredObject?) -> String? {
        guard let namespace else { return nil }
        if namespace.object["metadata"]?["deletionTimestamp"] != nil { return "Terminating" }
        return namespace.object["status"]?["phase"]?.stringValue
    }
}
