#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import SkiffAPI
import SkiffAPIMachinery

extension ResourcePrinter {
    /// Services: `printService`. EXTERNAL-IP per type (`<none>`, `<pending>`, the load balancer's addresses),
    /// PORT(S) as `80/TCP,443:30443/TCP`.
    static var services: ResourcePrinter {
        .typed(
            CoreV1.Service.self,
            [
                Columns.name,
                Columns.column("Type", Columns.core("ServiceSpec", "type")),
                Columns.column("Cluster-IP", Columns.core("ServiceSpec", "clusterIP")),
                Columns.column("External-IP", Columns.core("ServiceSpec", "externalIPs")),
                Columns.column("Port(s)", Columns.core("ServiceSpec", "ports")),
                Columns.age,
                Columns.column("Selector", priority: 1, Columns.core("ServiceSpec", "selector")),
            ]
        ) { service, now in
            let spec = service.spec
            // API defaults: type ClusterIP, clusterIPs from clusterIP, protocol TCP.
            let type = spec?.type ?? "ClusterIP"
            var clusterIP = spec?.clusterIPs?.first ?? spec?.clusterIP ?? ""
            if clusterIP.isEmpty { clusterIP = "<none>" }
            var ports = (spec?.ports ?? []).map { port in
                let proto = port.protocol ?? "TCP"
                if let nodePort = port.nodePort, nodePort > 0 { return "\(port.port):\(nodePort)/\(proto)" }
                return "\(port.port)/\(proto)"
            }.joined(separator: ",")
            if ports.isEmpty { ports = "<none>" }
            return Row(cells: [
                .string(service.metadata.name ?? ""),
                .string(type),
                .string(clusterIP),
                .string(Self.externalIP(service, type: type)),
                .string(ports),
                .string(Format.age(service.metadata.creationTimestamp, now: now)),
                .string(Format.labels(spec?.selector)),
            ])
        }
    }

    /// `getServiceExternalIP`, wide (the server prints wide, so load balancer addresses are not clipped).
    static func externalIP(_ service: CoreV1.Service, type: String) -> String {
        let externalIPs = service.spec?.externalIPs ?? []
        switch type {
        case "ClusterIP", "NodePort":
            return externalIPs.isEmpty ? "<none>" : externalIPs.joined(separator: ",")
        case "LoadBalancer":
            let ingress = service.status?.loadBalancer?.ingress ?? []
            let balancers = Self.sortedUnique(ingress.map { Format.firstNonEmpty($0.ip, $0.hostname) })
            if !externalIPs.isEmpty { return (balancers + externalIPs).joined(separator: ",") }
            return balancers.isEmpty ? "<pending>" : balancers.joined(separator: ",")
        case "ExternalName":
            return service.spec?.externalName ?? ""
        default:
            return "<unknown>"
        }
    }

    /// Go's `sets.NewString(…).List()` of the non-empty strings.
    static func sortedUnique(_ strings: [String]) -> [String] {
        Set(strings.filter { !$0.isEmpty }).sorted()
    }

    /// Endpoints: `printEndpoints` / `formatEndpoints`, at most three `ip:port`s and `+ N more...`.
    static var endpoints: ResourcePrinter {
        .typed(
            CoreV1.Endpoints.self,
            [Columns.name, Columns.column("Endpoints", Columns.core("Endpoints", "subsets")), Columns.age]
        ) { endpoints, now in
            Row(cells: [
                .string(endpoints.metadata.name ?? ""),
                .string(Self.formatEndpoints(endpoints.subsets ?? [])),
                .string(Format.age(endpoints.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    static func formatEndpoints(_ subsets: [CoreV1.EndpointSubset]) -> String {
        if subsets.isEmpty { return "<none>" }
        let max = 3
        var list: [String] = []
        var more = false
        var count = 0
        for subset in subsets {
            let addresses = subset.addresses ?? []
            let ports = subset.ports ?? []
            if ports.isEmpty {
                // Headless services may have no ports.
                count += addresses.count
                for address in addresses {
                    if list.count == max {
                        more = true
                        break
                    }
                    list.append(address.ip)
                }
                continue
            }
            for port in ports {
                count += addresses.count
                for address in addresses {
                    if list.count == max {
                        more = true
                        break
                    }
                    list.append(Format.joinHostPort(address.ip, port.port))
                }
            }
        }
        let joined = list.joined(separator: ",")
        return more ? "\(joined) + \(count - max) more..." : joined
    }

    /// Nodes: `printNode`. STATUS from the Ready condition plus `SchedulingDisabled`, ROLES from the
    /// `node-role.kubernetes.io/<role>` and `kubernetes.io/role` labels.
    static var nodes: ResourcePrinter {
        .typed(
            CoreV1.Node.self,
            [
                Columns.name,
                Columns.column("Status", "The status of the node"),
                Columns.column("Roles", "The roles of the node"),
                Columns.age,
                Columns.column("Version", Columns.core("NodeSystemInfo", "kubeletVersion")),
                Columns.column("Internal-IP", priority: 1, Columns.core("NodeStatus", "addresses")),
                Columns.column("External-IP", priority: 1, Columns.core("NodeStatus", "addresses")),
                Columns.column("OS-Image", priority: 1, Columns.core("NodeSystemInfo", "osImage")),
                Columns.column("Kernel-Version", priority: 1, Columns.core("NodeSystemInfo", "kernelVersion")),
                Columns.column(
                    "Container-Runtime",
                    priority: 1,
                    Columns.core("NodeSystemInfo", "containerRuntimeVersion")
                ),
            ]
        ) { node, now in
            var status: [String] = []
            // The last condition of a type wins, as upstream's map does.
            if let ready = node.status?.conditions?.last(where: { $0.type == "Ready" }) {
                status.append(ready.status == "True" ? "Ready" : "NotReady")
            }
            if status.isEmpty { status.append("Unknown") }
            if node.spec?.unschedulable == true { status.append("SchedulingDisabled") }
            let roles = Self.nodeRoles(node.metadata.labels ?? [:]).joined(separator: ",")
            let info = node.status?.nodeInfo
            let addresses = node.status?.addresses ?? []
            func address(_ type: String) -> String { addresses.first { $0.type == type }?.address ?? "<none>" }
            func known(_ value: String?) -> String { (value ?? "").isEmpty ? "<unknown>" : value ?? "" }
            return Row(cells: [
                .string(node.metadata.name ?? ""),
                .string(status.joined(separator: ",")),
                .string(roles.isEmpty ? "<none>" : roles),
                .string(Format.age(node.metadata.creationTimestamp, now: now)),
                .string(info?.kubeletVersion ?? ""),
                .string(address("InternalIP")),
                .string(address("ExternalIP")),
                .string(known(info?.osImage)),
                .string(known(info?.kernelVersion)),
                .string(known(info?.containerRuntimeVersion)),
            ])
        }
    }

    /// `findNodeRoles`: sorted, each once.
    static func nodeRoles(_ labels: [String: String]) -> [String] {
        var roles = Set<String>()
        for (key, value) in labels {
            if key.hasPrefix("node-role.kubernetes.io/") {
                let role = key.dropFirst("node-role.kubernetes.io/".count)
                if !role.isEmpty { roles.insert(String(role)) }
            } else if key == "kubernetes.io/role", !value.isEmpty {
                roles.insert(value)
            }
        }
        return roles.sorted()
    }

    static var namespaces: ResourcePrinter {
        .typed(
            CoreV1.Namespace.self,
            [Columns.name, Columns.column("Status", "The status of the namespace"), Columns.age]
        ) { namespace, now in
            Row(cells: [
                .string(namespace.metadata.name ?? ""),
                .string(namespace.status?.phase ?? ""),
                .string(Format.age(namespace.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    /// ConfigMaps: DATA counts `data` and `binaryData` keys.
    static var configMaps: ResourcePrinter {
        .typed(
            CoreV1.ConfigMap.self,
            [Columns.name, Columns.column("Data", Columns.core("ConfigMap", "data")), Columns.age]
        ) { configMap, now in
            Row(cells: [
                .string(configMap.metadata.name ?? ""),
                .int(Int64((configMap.data?.count ?? 0) + (configMap.binaryData?.count ?? 0))),
                .string(Format.age(configMap.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    /// Secrets: DATA counts the keys of `data` merged with `stringData` (as the conversion to the internal type
    /// merges them); TYPE defaults to `Opaque`.
    static var secrets: ResourcePrinter {
        .typed(
            CoreV1.Secret.self,
            [
                Columns.name,
                Columns.column("Type", Columns.core("Secret", "type")),
                Columns.column("Data", Columns.core("Secret", "data")),
                Columns.age,
            ]
        ) { secret, now in
            let keys = Set((secret.data ?? [:]).keys).union((secret.stringData ?? [:]).keys)
            return Row(cells: [
                .string(secret.metadata.name ?? ""),
                .string(secret.type ?? "Opaque"),
                .int(Int64(keys.count)),
                .string(Format.age(secret.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    static var serviceAccounts: ResourcePrinter {
        .typed(
            CoreV1.ServiceAccount.self,
            [Columns.name, Columns.column("Secrets", Columns.core("ServiceAccount", "secrets")), Columns.age]
        ) { account, now in
            Row(cells: [
                .string(account.metadata.name ?? ""),
                .int(Int64(account.secrets?.count ?? 0)),
                .string(Format.age(account.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    /// PersistentVolumes: `printPersistentVolume`; every cell, VolumeMode included, is always present.
    static var persistentVolumes: ResourcePrinter {
        .typed(
            CoreV1.PersistentVolume.self,
            [
                Columns.name,
                Columns.column("Capacity", Columns.core("PersistentVolumeSpec", "capacity")),
                Columns.column("Access Modes", Columns.core("PersistentVolumeSpec", "accessModes")),
                Columns.column(
                    "Reclaim Policy",
                    Columns.core("PersistentVolumeSpec", "persistentVolumeReclaimPolicy")
                ),
                Columns.column("Status", Columns.core("PersistentVolumeStatus", "phase")),
                Columns.column("Claim", Columns.core("PersistentVolumeSpec", "claimRef")),
                Columns.column("StorageClass", "StorageClass of the pv"),
                Columns.column("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
                Columns.column("Reason", Columns.core("PersistentVolumeStatus", "reason")),
                Columns.age,
                Columns.column("VolumeMode", priority: 1, Columns.core("PersistentVolumeSpec", "volumeMode")),
            ]
        ) { volume, now in
            let spec = volume.spec
            var claim = ""
            if let ref = spec?.claimRef { claim = (ref.namespace ?? "") + "/" + (ref.name ?? "") }
            var phase = volume.status?.phase ?? ""
            if volume.metadata.deletionTimestamp != nil { phase = "Terminating" }
            // helper.GetPersistentVolumeClass: the beta annotation wins over the field.
            let storageClass =
                volume.metadata.annotations?["volume.beta.kubernetes.io/storage-class"]
                ?? spec?.storageClassName ?? ""
            return Row(cells: [
                .string(volume.metadata.name ?? ""),
                .string(Format.quantity(spec?.capacity?["storage"])),
                .string(Format.accessModes(spec?.accessModes)),
                .string(spec?.persistentVolumeReclaimPolicy ?? ""),
                .string(phase),
                .string(claim),
                .string(storageClass),
                .string(spec?.volumeAttributesClassName ?? "<unset>"),
                .string(volume.status?.reason ?? ""),
                .string(Format.age(volume.metadata.creationTimestamp, now: now)),
                .string(spec?.volumeMode ?? "<unset>"),
            ])
        }
    }

    /// PersistentVolumeClaims: `printPersistentVolumeClaim`; capacity and access modes only once bound.
    static var persistentVolumeClaims: ResourcePrinter {
        .typed(
            CoreV1.PersistentVolumeClaim.self,
            [
                Columns.name,
                Columns.column("Status", Columns.core("PersistentVolumeClaimStatus", "phase")),
                Columns.column("Volume", Columns.core("PersistentVolumeClaimSpec", "volumeName")),
                Columns.column("Capacity", Columns.core("PersistentVolumeClaimStatus", "capacity")),
                Columns.column("Access Modes", Columns.core("PersistentVolumeClaimStatus", "accessModes")),
                Columns.column("StorageClass", "StorageClass of the pvc"),
                Columns.column("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
                Columns.age,
                Columns.column("VolumeMode", priority: 1, Columns.core("PersistentVolumeClaimSpec", "volumeMode")),
            ]
        ) { claim, now in
            let spec = claim.spec
            var phase = claim.status?.phase ?? ""
            if claim.metadata.deletionTimestamp != nil { phase = "Terminating" }
            var capacity = ""
            var accessModes = ""
            if let volumeName = spec?.volumeName, !volumeName.isEmpty {
                accessModes = Format.accessModes(claim.status?.accessModes)
                capacity = Format.quantity(claim.status?.capacity?["storage"])
            }
            let storageClass =
                claim.metadata.annotations?["volume.beta.kubernetes.io/storage-class"]
                ?? spec?.storageClassName ?? ""
            return Row(cells: [
                .string(claim.metadata.name ?? ""),
                .string(phase),
                .string(spec?.volumeName ?? ""),
                .string(capacity),
                .string(accessModes),
                .string(storageClass),
                .string(spec?.volumeAttributesClassName ?? "<unset>"),
                .string(Format.age(claim.metadata.creationTimestamp, now: now)),
                .string(spec?.volumeMode ?? "<unset>"),
            ])
        }
    }

    /// ResourceQuotas: `printResourceQuota`, `used/hard` per resource, `limits.*` in their own column.
    static var resourceQuotas: ResourcePrinter {
        .typed(
            CoreV1.ResourceQuota.self,
            [
                Columns.name,
                Columns.column(
                    "Request",
                    "Request represents a minimum amount of cpu/memory that a container may consume."
                ),
                Columns.column(
                    "Limit",
                    "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."
                ),
                Columns.age,
            ]
        ) { quota, now in
            let hard = quota.status?.hard ?? [:]
            let used = quota.status?.used ?? [:]
            var requests: [String] = []
            var limits: [String] = []
            for resource in hard.keys.sorted() {
                let entry = "\(resource): \(Format.quantity(used[resource]))/\(Format.quantity(hard[resource]))"
                let pieces = resource.split(separator: ".", omittingEmptySubsequences: false)
                if pieces.count > 1, pieces[0] == "limits" { limits.append(entry) } else { requests.append(entry) }
            }
            return Row(cells: [
                .string(quota.metadata.name ?? ""),
                .string(requests.joined(separator: ", ")),
                .string(limits.joined(separator: ", ")),
                .string(Format.age(quota.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    /// ComponentStatuses: `printComponentStatus`, from the `Healthy` condition.
    static var componentStatuses: ResourcePrinter {
        .typed(
            CoreV1.ComponentStatus.self,
            [
                Columns.name,
                Columns.column("Status", "Status of the component conditions"),
                Columns.column("Message", "Message of the component conditions"),
                Columns.column("Error", "Error of the component conditions"),
            ]
        ) { component, _ in
            var status = "Unknown"
            var message = ""
            var error = ""
            if let healthy = component.conditions?.first(where: { $0.type == "Healthy" }) {
                status = healthy.status == "True" ? "Healthy" : "Unhealthy"
                message = healthy.message ?? ""
                error = healthy.error ?? ""
            }
            return Row(cells: [
                .string(component.metadata.name ?? ""), .string(status), .string(message), .string(error),
            ])
        }
    }
}
