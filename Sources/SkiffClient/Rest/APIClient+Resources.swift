public import SkiffAPI
public import SkiffAPIMachinery

extension APIClient {
    /// Pods in `namespace` (`nil`: all namespaces).
    public func pods(_ namespace: String? = nil) -> ResourceClient<CoreV1.Pod> { self.resource(CoreV1.Pod.self, namespace: namespace) }
    /// Nodes.
    public var nodes: ResourceClient<CoreV1.Node> { self.resource(CoreV1.Node.self) }
    /// Namespaces.
    public var namespaces: ResourceClient<CoreV1.Namespace> { self.resource(CoreV1.Namespace.self) }
    /// Services in `namespace`.
    public func services(_ namespace: String? = nil) -> ResourceClient<CoreV1.Service> { self.resource(CoreV1.Service.self, namespace: namespace) }
    /// ConfigMaps in `namespace`.
    public func configMaps(_ namespace: String? = nil) -> ResourceClient<CoreV1.ConfigMap> { self.resource(CoreV1.ConfigMap.self, namespace: namespace) }
    /// Secrets in `namespace`.
    public func secrets(_ namespace: String? = nil) -> ResourceClient<CoreV1.Secret> { self.resource(CoreV1.Secret.self, namespace: namespace) }
    /// Deployments in `namespace`.
    public func deployments(_ namespace: String? = nil) -> ResourceClient<AppsV1.Deployment> { self.resource(AppsV1.Deployment.self, namespace: namespace) }
    /// ReplicaSets in `namespace`.
    public func replicaSets(_ namespace: String? = nil) -> ResourceClient<AppsV1.ReplicaSet> { self.resource(AppsV1.ReplicaSet.self, namespace: namespace) }
    /// Leases (`coordination.k8s.io/v1`) in `namespace`.
    public func leases(_ namespace: String? = nil) -> ResourceClient<CoordinationV1.Lease> { self.resource(CoordinationV1.Lease.self, namespace: namespace) }
    /// Events (`events.k8s.io/v1`) in `namespace`.
    public func events(_ namespace: String? = nil) -> ResourceClient<EventsV1.Event> { self.resource(EventsV1.Event.self, namespace: namespace) }
}

extension ResourceClient where Object == CoreV1.Pod {
    /// Binds the pod named `name` to `node` through `pods/binding`, as the scheduler does (↔ `Pods.Bind`).
    ///
    /// - Parameter uid: when set, the binding applies only to the pod with that uid (a recreated pod fails with
    ///   a conflict).
    public func bind(_ name: String, to node: String, uid: String? = nil) async throws {
        let binding = CoreV1.Binding(
            kind: "Binding",
            apiVersion: "v1",
            metadata: MetaV1.ObjectMeta(name: name, namespace: self.namespace, uid: uid),
            target: CoreV1.ObjectReference(kind: "Node", name: node, apiVersion: "v1")
        )
        _ = try await self.createSubresource(name, subresource: "binding", body: binding, as: JSONValue.self)
    }

    /// Evicts the pod named `name` through `pods/eviction` (honouring PodDisruptionBudgets; a 429 says the budget
    /// does not allow it now).
    public func evict(_ name: String, deleteOptions: MetaV1.DeleteOptions? = nil) async throws {
        let eviction = PolicyV1.Eviction(
            kind: "Eviction",
            apiVersion: "policy/v1",
            metadata: MetaV1.ObjectMeta(name: name, namespace: self.namespace),
            deleteOptions: deleteOptions
        )
        _ = try await self.createSubresource(name, subresource: "eviction", body: eviction, as: JSONValue.self)
    }
}
