#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import SkiffAPI
import SkiffAPIMachinery

extension ResourcePrinter {
    /// Ingresses: `printIngress`; hosts (`*` for none), load balancer addresses, `80` or `80, 443`.
    static var ingresses: ResourcePrinter {
        .typed(
            NetworkingV1.Ingress.self,
            [
                Columns.name,
                Columns.column(
                    "Class",
                    "The name of the IngressClass resource that should be used for additional configuration"
                ),
                Columns.column("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
                Columns.column("Address", "Address is a list containing ingress points for the load-balancer"),
                Columns.column("Ports", "Ports of TLS configurations that open"),
                Columns.age,
            ]
        ) { ingress, now in
            let rules = ingress.spec?.rules ?? []
            let max = 3
            var hosts: [String] = []
            var more = false
            for rule in rules {
                if hosts.count == max { more = true }
                if !more, let host = rule.host, !host.isEmpty { hosts.append(host) }
            }
            var hostsCell = hosts.isEmpty ? "*" : hosts.joined(separator: ",")
            if !hosts.isEmpty, more { hostsCell += " + \(rules.count - max) more..." }
            let balancers = Self.sortedUnique(
                (ingress.status?.loadBalancer?.ingress ?? []).map { Format.firstNonEmpty($0.ip, $0.hostname) }
            )
            return Row(cells: [
                .string(ingress.metadata.name ?? ""),
                .string(ingress.spec?.ingressClassName ?? "<none>"),
                .string(hostsCell),
                .string(balancers.joined(separator: ",")),
                .string((ingress.spec?.tls ?? []).isEmpty ? "80" : "80, 443"),
                .string(Format.age(ingress.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    static var ingressClasses: ResourcePrinter {
        .typed(
            NetworkingV1.IngressClass.self,
            [
                Columns.name,
                Columns.column("Controller", "Controller that is responsible for handling this class"),
                Columns.column("Parameters", "A reference to a resource with additional parameters"),
                Columns.age,
            ]
        ) { ingressClass, now in
            var parameters = "<none>"
            if let reference = ingressClass.spec?.parameters {
                parameters = reference.kind
                if let group = reference.apiGroup { parameters += "." + group }
                parameters += "/" + reference.name
            }
            return Row(cells: [
                .string(ingressClass.metadata.name ?? ""),
                .string(ingressClass.spec?.controller ?? ""),
                .string(parameters),
                .string(Format.age(ingressClass.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    static var networkPolicies: ResourcePrinter {
        .typed(
            NetworkingV1.NetworkPolicy.self,
            [
                Columns.name,
                Columns.column(
                    "Pod-Selector",
                    Columns.doc("io.k8s.api.networking.v1.NetworkPolicySpec", "podSelector")
                ),
                Columns.age,
            ]
        ) { policy, now in
            // The internal pod selector is a value: a missing one is the empty selector.
            Row(cells: [
                .string(policy.metadata.name ?? ""),
                .string(Format.labelSelector(policy.spec?.podSelector ?? MetaV1.LabelSelector())),
                .string(Format.age(policy.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    static var serviceCIDRs: ResourcePrinter {
        .typed(
            NetworkingV1.ServiceCIDR.self,
            [
                Columns.name,
                Columns.column("CIDRs", Columns.doc("io.k8s.api.networking.v1.ServiceCIDRSpec", "cidrs")),
                Columns.age,
            ]
        ) { cidr, now in
            Row(cells: [
                .string(cidr.metadata.name ?? ""),
                .string((cidr.spec?.cidrs ?? []).joined(separator: ",")),
                .string(Format.age(cidr.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    /// IPAddresses: upstream declares two columns (and appends an age cell no column describes); Skiff prints the
    /// two declared cells.
    static var ipAddresses: ResourcePrinter {
        .typed(
            NetworkingV1.IPAddress.self,
            [
                Columns.name,
                Columns.column("ParentRef", Columns.doc("io.k8s.api.networking.v1.IPAddressSpec", "parentRef")),
            ]
        ) { address, _ in
            let parent = address.spec.parentRef
            let group = parent.group ?? ""
            var name = (group.isEmpty ? parent.resource : parent.resource + "." + group).lowercased()
            if let namespace = parent.namespace, !namespace.isEmpty { name += "/" + namespace }
            name += "/" + parent.name
            return Row(cells: [.string(address.metadata.name ?? ""), .string(name)])
        }
    }

    /// EndpointSlices: `printEndpointSlice`, at most three ports and addresses.
    static var endpointSlices: ResourcePrinter {
        let slice = "io.k8s.api.discovery.v1.EndpointSlice"
        return .typed(
            DiscoveryV1.EndpointSlice.self,
            [
                Columns.name,
                Columns.column("AddressType", Columns.doc(slice, "addressType")),
                Columns.column("Ports", Columns.doc(slice, "ports")),
                Columns.column("Endpoints", Columns.doc(slice, "endpoints")),
                Columns.age,
            ]
        ) { slice, now in
            let max = 3
            var ports: [String] = []
            var portsMore = false
            let allPorts = slice.ports ?? []
            for port in allPorts {
                if ports.count < max {
                    if let number = port.port {
                        ports.append(String(number))
                    } else {
                        ports.append(port.name ?? "*")
                    }
                } else if ports.count == max {
                    portsMore = true
                }
            }
            var addresses: [String] = []
            var addressesMore = false
            var addressCount = 0
            for endpoint in slice.endpoints ?? [] {
                for address in endpoint.addresses {
                    if addresses.count < max {
                        addresses.append(address)
                    } else if addresses.count == max {
                        addressesMore = true
                    }
                    addressCount += 1
                }
            }
            return Row(cells: [
                .string(slice.metadata.name ?? ""),
                .string(slice.addressType),
                .string(Format.listWithMore(ports, more: portsMore, count: allPorts.count, max: max)),
                .string(Format.listWithMore(addresses, more: addressesMore, count: addressCount, max: max)),
                .string(Format.age(slice.metadata.creationTimestamp, now: now)),
            ])
        }
    }
}
