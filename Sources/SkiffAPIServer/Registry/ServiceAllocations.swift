import SkiffAPI
import SkiffAPIMachinery

/// A Service's allocations: its cluster IP and its node ports, on create, update (type changes) and delete
/// (↔ upstream `pkg/registry/core/service/storage/alloc.go`).
///
/// - ClusterIP, NodePort and LoadBalancer Services get a cluster IP (explicit ones honoured, `None` for headless);
///   ExternalName Services have none, and a type change to or from ExternalName releases or allocates it.
/// - NodePort Services, and LoadBalancer Services unless `allocateLoadBalancerNodePorts: false`, get a node port
///   per port (explicit ones honoured); a LoadBalancer with `externalTrafficPolicy: Local` also gets a
///   `healthCheckNodePort`. A type change away from them releases the ports.
/// - An update that leaves allocated values unset keeps the old ones (as `kubectl replace` expects); a changed
///   cluster IP is refused.
struct ServiceAllocations: ResourceAllocator {
    let addresses: ServiceIPAllocator?
    let nodePorts: NodePortAllocator

    static func needsClusterIP(_ spec: CoreV1.ServiceSpec) -> Bool { spec.type != "ExternalName" }

    static func needsNodePorts(_ spec: CoreV1.ServiceSpec) -> Bool {
        spec.type == "NodePort" || (spec.type == "LoadBalancer" && spec.allocateLoadBalancerNodePorts != false)
    }

    static func needsHealthCheckNodePort(_ spec: CoreV1.ServiceSpec) -> Bool {
        spec.type == "LoadBalancer" && spec.externalTrafficPolicy == "Local"
    }

    private static func hasAddress(_ spec: CoreV1.ServiceSpec?) -> String? {
        guard let spec, Self.needsClusterIP(spec), let address = spec.clusterIP, !address.isEmpty, address != "None"
        else { return nil }
        return address
    }

    private static func nodePorts(_ spec: CoreV1.ServiceSpec?) -> Set<Int> {
        guard let spec else { return [] }
        var ports: Set<Int> = []
        if Self.needsNodePorts(spec) {
            for port in spec.ports ?? [] where (port.nodePort ?? 0) != 0 { ports.insert(Int(port.nodePort!)) }
        }
        if Self.needsHealthCheckNodePort(spec), let port = spec.healthCheckNodePort, port != 0 { ports.insert(Int(port)) }
        return ports
    }

    // MARK: Update preparation

    func prepareForUpdate(_ object: inout any APIObject, old: any APIObject) {
        guard var service = object as? CoreV1.Service, let oldSpec = (old as? CoreV1.Service)?.spec else { return }
        var spec = service.spec ?? CoreV1.ServiceSpec()
        // Allocated values the request left unset stay (upstream's patchAllocatedValues).
        if Self.needsClusterIP(oldSpec), Self.needsClusterIP(spec) {
            if (spec.clusterIP ?? "").isEmpty { spec.clusterIP = oldSpec.clusterIP }
            if (spec.clusterIPs ?? []).isEmpty, spec.clusterIP == oldSpec.clusterIP { spec.clusterIPs = oldSpec.clusterIPs }
        }
        if Self.needsNodePorts(oldSpec), Self.needsNodePorts(spec), var ports = spec.ports {
            for index in ports.indices where (ports[index].nodePort ?? 0) == 0 {
                let protocolName = ports[index].protocol ?? "TCP"
                if let match = oldSpec.ports?.first(where: {
                    $0.port == ports[index].port && ($0.protocol ?? "TCP") == protocolName
                }) {
                    ports[index].nodePort = match.nodePort
                }
            }
            spec.ports = ports
        }
        if Self.needsHealthCheckNodePort(oldSpec), Self.needsHealthCheckNodePort(spec), (spec.healthCheckNodePort ?? 0) == 0 {
            spec.healthCheckNodePort = oldSpec.healthCheckNodePort
        }
        // Values the new type does not use go, when the request did not change them (dropTypeDependentFields).
        if spec.type != oldSpec.type {
            if Self.needsClusterIP(oldSpec), !Self.needsClusterIP(spec),
                spec.clusterIP == oldSpec.clusterIP, spec.clusterIPs == oldSpec.clusterIPs
            {
                spec.clusterIP = nil
                spec.clusterIPs = nil
                if spec.ipFamilies == oldSpec.ipFamilies { spec.ipFamilies = nil }
                if spec.ipFamilyPolicy == oldSpec.ipFamilyPolicy { spec.ipFamilyPolicy = nil }
            }
            if Self.needsNodePorts(oldSpec), !Self.needsNodePorts(spec), var ports = spec.ports {
                let unchanged = ports.allSatisfy { port in
                    oldSpec.ports?.contains { $0.port == port.port && $0.nodePort == port.nodePort } ?? false
                }
                if unchanged {
                    for index in ports.indices { ports[index].nodePort = nil }
                    spec.ports = ports
                }
            }
            if Self.needsHealthCheckNodePort(oldSpec), !Self.needsHealthCheckNodePort(spec),
                spec.healthCheckNodePort == oldSpec.healthCheckNodePort
            {
                spec.healthCheckNodePort = nil
            }
            // Only externally reachable Services (NodePort, LoadBalancer) have a traffic policy.
            let external: Set<String> = ["NodePort", "LoadBalancer"]
            if external.contains(oldSpec.type ?? ""), !external.contains(spec.type ?? ""),
                spec.externalTrafficPolicy == oldSpec.externalTrafficPolicy
            {
                spec.externalTrafficPolicy = nil
            }
            if oldSpec.type == "LoadBalancer", spec.type != "LoadBalancer" {
                if spec.allocateLoadBalancerNodePorts == oldSpec.allocateLoadBalancerNodePorts {
                    spec.allocateLoadBalancerNodePorts = nil
                }
                if spec.loadBalancerClass == oldSpec.loadBalancerClass { spec.loadBalancerClass = nil }
            }
        }
        service.spec = spec
        object = service
    }

    // MARK: Allocation

    func allocate(_ object: inout any APIObject, old: (any APIObject)?, dryRun: Bool) async throws
        -> AllocationTransaction
    {
        guard var service = object as? CoreV1.Service else { return .none }
        var spec = service.spec ?? CoreV1.ServiceSpec()
        let oldSpec = (old as? CoreV1.Service)?.spec
        let namespace = service.metadata.namespace ?? ""
        let name = service.metadata.name ?? ""
        let owner = NodePortAllocator.Owner(namespace: namespace, name: name, uid: service.metadata.uid ?? "")
        var reservedAddress: String? = nil
        var reservedPorts: [Int] = []
        let revert: @Sendable (String?, [Int]) async -> Void = { address, ports in
            if let address { await self.addresses?.release(address) }
            for port in ports { await self.nodePorts.release(port, uid: owner.uid) }
        }
        do {
            // Cluster IP.
            let oldAddress = Self.hasAddress(oldSpec)
            if Self.needsClusterIP(spec) {
                if let oldSpec, Self.needsClusterIP(oldSpec), !(oldSpec.clusterIP ?? "").isEmpty {
                    if (spec.clusterIP ?? "") != (oldSpec.clusterIP ?? "") {
                        throw Self.immutableClusterIP(name, spec.clusterIPs ?? [spec.clusterIP ?? ""])
                    }
                } else if let addresses = self.addresses {
                    reservedAddress = try await addresses.allocate(&spec, namespace: namespace, service: name, dryRun: dryRun)
                }
            }
            // Node ports: keep the old ones, honour explicit ones, allocate the rest.
            let oldPorts = Self.nodePorts(oldSpec)
            var held = Set<Int>()
            if Self.needsNodePorts(spec), var ports = spec.ports {
                var byPortNumber: [Int32: Int32] = [:]
                for index in ports.indices {
                    let requested = Int(ports[index].nodePort ?? 0)
                    if requested != 0 {
                        try await self.claim(
                            requested,
                            field: "spec.ports[\(index)].nodePort",
                            name: name,
                            owner: owner,
                            oldPorts: oldPorts,
                            held: &held,
                            reserved: &reservedPorts,
                            dryRun: dryRun
                        )
                    } else if let same = byPortNumber[ports[index].port] {
                        // The same port number over another protocol shares the node port, as upstream.
                        ports[index].nodePort = same
                    } else {
                        let port = try await self.next(owner: owner, dryRun: dryRun)
                        if !dryRun { reservedPorts.append(port) }
                        held.insert(port)
                        ports[index].nodePort = Int32(port)
                    }
                    byPortNumber[ports[index].port] = ports[index].nodePort
                }
                spec.ports = ports
            }
            if Self.needsHealthCheckNodePort(spec) {
                let requested = Int(spec.healthCheckNodePort ?? 0)
                if requested != 0 {
                    try await self.claim(
                        requested,
                        field: "spec.healthCheckNodePort",
                        name: name,
                        owner: owner,
                        oldPorts: oldPorts,
                        held: &held,
                        reserved: &reservedPorts,
                        dryRun: dryRun
                    )
                } else {
                    let port = try await self.next(owner: owner, dryRun: dryRun)
                    if !dryRun { reservedPorts.append(port) }
                    spec.healthCheckNodePort = Int32(port)
                }
            }
            service.spec = spec
            object = service
            let newPorts = Self.nodePorts(spec)
            let releasedPorts = oldPorts.subtracting(newPorts)
            let releasedAddress = Self.needsClusterIP(spec) ? nil : oldAddress
            let keptAddress = reservedAddress
            let keptPorts = reservedPorts
            return AllocationTransaction(
                commit: {
                    if let releasedAddress { await self.addresses?.release(releasedAddress) }
                    for port in releasedPorts { await self.nodePorts.release(port, uid: owner.uid) }
                },
                revert: { await revert(keptAddress, keptPorts) }
            )
        } catch {
            await revert(reservedAddress, reservedPorts)
            throw error
        }
    }

    /// Takes an explicitly requested port (already held by this Service, or free).
    private func claim(
        _ port: Int,
        field: String,
        name: String,
        owner: NodePortAllocator.Owner,
        oldPorts: Set<Int>,
        held: inout Set<Int>,
        reserved: inout [Int],
        dryRun: Bool
    ) async throws {
        if oldPorts.contains(port) || held.contains(port) {
            held.insert(port)
            return
        }
        guard self.nodePorts.range.contains(port) else {
            let range = self.nodePorts.rangeDescription
            throw Self.invalidPort(
                name,
                field,
                port,
                "provided port is not in the valid range. The range of valid ports is \(range)"
            )
        }
        let available = try await self.nodePorts.take(port, owner: owner, dryRun: dryRun)
        guard available else {
            throw Self.invalidPort(name, field, port, "provided port is already allocated")
        }
        held.insert(port)
        if !dryRun { reserved.append(port) }
    }

    private func next(owner: NodePortAllocator.Owner, dryRun: Bool) async throws -> Int {
        guard let port = try await self.nodePorts.allocateNext(owner: owner, dryRun: dryRun) else {
            throw APIError.internalError("failed to allocate a nodePort: range is full")
        }
        return port
    }

    func release(_ object: any APIObject) async {
        guard let service = object as? CoreV1.Service else { return }
        if let address = Self.hasAddress(service.spec) { await self.addresses?.release(address) }
        for port in Self.nodePorts(service.spec) { await self.nodePorts.release(port, uid: service.metadata.uid ?? "") }
    }

    // MARK: Errors

    static func invalidPort(_ name: String, _ field: String, _ port: Int, _ detail: String) -> APIError {
        APIError.invalid(
            group: "",
            kind: "Service",
            name: name,
            causes: [
                APIError.Cause(field: field, reason: "FieldValueInvalid", message: "\(field): Invalid value: \(port): \(detail)")
            ]
        )
    }

    static func immutableClusterIP(_ name: String, _ addresses: [String]) -> APIError {
        let value = "[]string{" + addresses.map { "\"\($0)\"" }.joined(separator: ", ") + "}"
        return APIError.invalid(
            group: "",
            kind: "Service",
            name: name,
            causes: [
                APIError.Cause(
                    field: "spec.clusterIPs[0]",
                    reason: "FieldValueInvalid",
                    message: "spec.clusterIPs[0]: Invalid value: \(value): may not change once set"
                )
            ]
        )
    }
}
