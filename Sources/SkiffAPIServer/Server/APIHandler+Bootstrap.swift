import SkiffAPI
import SkiffAPIMachinery
import SkiffStorage

extension APIHandler {
    /// Creates what every cluster has from the start, as upstream's bootstrap controllers do: the system
    /// namespaces, the system PriorityClasses, and the `kubernetes` Service in `default` with the endpoints of this
    /// API server. Existing objects are kept (a restart changes nothing unless the address moved).
    func bootstrap() async throws {
        guard let namespaces = self.store(group: "", version: "v1", resource: "namespaces") else { return }
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            try await Self.createIfMissing(namespaces, namespace: nil, object: CoreV1.Namespace(metadata: MetaV1.ObjectMeta(name: name)))
        }
        if let classes = self.store(group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses") {
            for priorityClass in Self.systemPriorityClasses {
                try await Self.createIfMissing(classes, namespace: nil, object: priorityClass)
            }
        }
        guard let serviceIP = self.configuration.firstServiceIP else { return }
        let port = Int32(self.configuration.securePort)
        if let services = self.store(group: "", version: "v1", resource: "services") {
            let service = CoreV1.Service(
                metadata: MetaV1.ObjectMeta(
                    name: "kubernetes",
                    labels: ["component": "apiserver", "provider": "kubernetes"]
                ),
                spec: CoreV1.ServiceSpec(
                    ports: [
                        CoreV1.ServicePort(name: "https", protocol: "TCP", port: 443, targetPort: .int(port))
                    ],
                    clusterIP: serviceIP,
                    clusterIPs: [serviceIP],
                    type: "ClusterIP",
                    sessionAffinity: "None",
                    ipFamilies: ["IPv4"],
                    ipFamilyPolicy: "SingleStack",
                    internalTrafficPolicy: "Cluster"
                )
            )
            try await Self.createIfMissing(services, namespace: "default", object: service)
        }
        let address = self.configuration.advertiseIP
        if let endpoints = self.store(group: "", version: "v1", resource: "endpoints") {
            let object = CoreV1.Endpoints(
                metadata: MetaV1.ObjectMeta(
                    name: "kubernetes",
                    labels: ["endpointslice.kubernetes.io/skip-mirror": "true"]
                ),
                subsets: [
                    CoreV1.EndpointSubset(
                        addresses: [CoreV1.EndpointAddress(ip: address)],
                        ports: [CoreV1.EndpointPort(name: "https", port: port, protocol: "TCP")]
                    )
                ]
            )
            try await Self.createOrReplace(endpoints, namespace: "default", object: object)
        }
        if let slices = self.store(group: "discovery.k8s.io", version: "v1", resource: "endpointslices") {
            let object = DiscoveryV1.EndpointSlice(
                metadata: MetaV1.ObjectMeta(
                    name: "kubernetes",
                    labels: ["kubernetes.io/service-name": "kubernetes"]
                ),
                addressType: "IPv4",
                endpoints: [
                    DiscoveryV1.Endpoint(addresses: [address], conditions: DiscoveryV1.EndpointConditions(ready: true))
                ],
                ports: [DiscoveryV1.EndpointPort(name: "https", protocol: "TCP", port: port)]
            )
            try await Self.createOrReplace(slices, namespace: "default", object: object)
        }
    }

    /// The PriorityClasses upstream's scheduling bootstrap creates (`SystemPriorityClasses`).
    static let systemPriorityClasses: [SchedulingV1.PriorityClass] = [
        SchedulingV1.PriorityClass(
            metadata: MetaV1.ObjectMeta(name: "system-node-critical"),
            value: 2_000_001_000,
            description: "Used for system critical pods that must not be moved from their current node.",
            preemptionPolicy: "PreemptLowerPriority"
        ),
        SchedulingV1.PriorityClass(
            metadata: MetaV1.ObjectMeta(name: "system-cluster-critical"),
            value: 2_000_000_000,
            description:
                "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
            preemptionPolicy: "PreemptLowerPriority"
        ),
    ]

    private static func createIfMissing(_ store: ResourceStore, namespace: String?, object: any APIObject) async throws {
        let name = object.metadata.name ?? ""
        if try await store.current(namespace: namespace, name: name) != nil { return }
        do {
            _ = try await store.create(object, namespace: namespace, dryRun: false)
        } catch let error as APIError where error.reason == .alreadyExists {
            return
        }
    }

    /// Creates the object, or rewrites its spec-like content when it differs (the advertised address moved).
    private static func createOrReplace(_ store: ResourceStore, namespace: String?, object: any APIObject) async throws {
        let name = object.metadata.name ?? ""
        if try await store.current(namespace: namespace, name: name) == nil {
            try await Self.createIfMissing(store, namespace: namespace, object: object)
            return
        }
        _ = try await store.update(namespace: namespace, name: name, subresource: nil, allowCreate: false, dryRun: false) { current in
            var replacement = object
            if let current {
                let existing = try ObjectCodec.decode(current.object, as: store.resource).object
                replacement.metadata = existing.metadata
                replacement.metadata.resourceVersion = nil
            }
            return replacement
        }
    }
}
