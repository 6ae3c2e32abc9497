import SkiffAPI
import SkiffAPIMachinery

/// Upstream's Service, Endpoints and EndpointSlice validation (↔ `pkg/apis/core/validation` `ValidateService`,
/// `ValidateEndpoints`; `pkg/apis/discovery/validation`).
enum ServiceValidation {
    static let serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]

    static func isHeadless(_ spec: CoreV1.ServiceSpec) -> Bool { spec.clusterIP == "None" }

    /// `ValidateService`.
    static func service(_ service: CoreV1.Service) -> [FieldError] {
        var errors = CommonValidation.objectMeta(service.metadata, namespaced: true, name: CommonValidation.dns1035LabelName)
        let path = FieldPath("spec")
        let spec = service.spec ?? CoreV1.ServiceSpec()
        let type = spec.type ?? ""
        let ports = spec.ports ?? []
        let clusterIPs = spec.clusterIPs ?? []
        if ports.isEmpty && !Self.isHeadless(spec) && type != "ExternalName" {
            errors.append(.required(path.child("ports"), ""))
        }
        switch type {
        case "LoadBalancer", "NodePort":
            if Self.isHeadless(spec) {
                errors.append(
                    .invalid(
                        path.child("clusterIPs").index(0),
                        clusterIPs.first ?? "None",
                        "may not be set to 'None' for \(type) services"
                    )
                )
            }
        case "ExternalName":
            if !clusterIPs.isEmpty {
                errors.append(.forbidden(path.child("clusterIPs"), "may not be set for ExternalName services"))
            }
            if !(spec.ipFamilies ?? []).isEmpty {
                errors.append(.forbidden(path.child("ipFamilies"), "may not be set for ExternalName services"))
            }
            if spec.ipFamilyPolicy != nil {
                errors.append(.forbidden(path.child("ipFamilyPolicy"), "may not be set for ExternalName services"))
            }
            var cname = spec.externalName ?? ""
            if cname.hasSuffix(".") { cname.removeLast() }
            if cname.isEmpty {
                errors.append(.required(path.child("externalName"), ""))
            } else {
                errors += CommonValidation.dns1123Subdomain(cname, path: path.child("externalName"))
            }
        default:
            break
        }
        var names = Set<String>()
        for (index, port) in ports.enumerated() {
            errors += Self.servicePort(port, requireName: ports.count > 1, names: &names, path: path.child("ports").index(index))
        }
        if let selector = spec.selector {
            errors += CommonValidation.labels(selector, path: path.child("selector"))
        }
        let affinity = spec.sessionAffinity ?? ""
        if affinity.isEmpty {
            errors.append(.required(path.child("sessionAffinity"), ""))
        } else if affinity != "ClientIP" && affinity != "None" {
            errors.append(.notSupported(path.child("sessionAffinity"), affinity, ["ClientIP", "None"]))
        }
        if affinity == "ClientIP" {
            if let timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds, timeout <= 0 || timeout > 86400 {
                errors.append(
                    .invalid(
                        path.child("sessionAffinityConfig", "clientIP", "timeoutSeconds"),
                        timeout,
                        "must be greater than 0 and less than 86400"
                    )
                )
            }
        } else if spec.sessionAffinityConfig != nil {
            errors.append(
                .invalid(
                    path.child("sessionAffinityConfig"),
                    .formatted("core.SessionAffinityConfig{}"),
                    "must not be set when session affinity is \(affinity)"
                )
            )
        }
        errors += Self.clusterIPsRelatedFields(spec, path: path)
        for (index, ip) in (spec.externalIPs ?? []).enumerated() {
            let ipPath = path.child("externalIPs").index(index)
            if !Validation.isIPAddress(ip) {
                errors.append(.invalid(ipPath, ip, Validation.invalidIPMessage))
            } else {
                errors += Self.nonSpecialIP(ip, path: ipPath)
            }
        }
        if type.isEmpty {
            errors.append(.required(path.child("type"), ""))
        } else if !Self.serviceTypes.contains(type) {
            errors.append(.notSupported(path.child("type"), type, Self.serviceTypes))
        }
        if type == "ClusterIP" {
            for (index, port) in ports.enumerated() where (port.nodePort ?? 0) != 0 {
                errors.append(
                    .forbidden(path.child("ports").index(index).child("nodePort"), "may not be used when `type` is 'ClusterIP'")
                )
            }
        }
        var nodePorts = Set<String>()
        for (index, port) in ports.enumerated() {
            guard let nodePort = port.nodePort, nodePort != 0 else { continue }
            if !nodePorts.insert("\(port.protocol ?? "")/\(nodePort)").inserted {
                errors.append(.duplicate(path.child("ports").index(index).child("nodePort"), .number(nodePort)))
            }
        }
        var portKeys = Set<String>()
        for (index, port) in ports.enumerated() {
            if !portKeys.insert("\(port.protocol ?? "")/\(port.port)").inserted {
                errors.append(
                    .duplicate(
                        path.child("ports").index(index),
                        .formatted(
                            "core.ServicePort{Name:\"\", Protocol:\(GoSyntax.quoted(port.protocol ?? "")), AppProtocol:(*string)(nil), "
                                + "Port:\(port.port), TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}"
                        )
                    )
                )
            }
        }
        for (index, range) in (spec.loadBalancerSourceRanges ?? []).enumerated() {
            let trimmed = PodValidation.trimmed(range)
            for message in Validation.isValidCIDR(trimmed) {
                errors.append(.invalid(path.child("loadBalancerSourceRanges").index(index), range, message))
            }
        }
        errors += Self.trafficPolicies(spec, path: path)
        return errors
    }

    /// `validateServicePort`.
    private static func servicePort(_ port: CoreV1.ServicePort, requireName: Bool, names: inout Set<String>, path: FieldPath)
        -> [FieldError]
    {
        var errors: [FieldError] = []
        let name = port.name ?? ""
        if requireName && name.isEmpty {
            errors.append(.required(path.child("name"), ""))
        } else if !name.isEmpty {
            errors += CommonValidation.dns1123Label(name, path: path.child("name"))
            if !names.insert(name).inserted { errors.append(.duplicate(path.child("name"), name)) }
        }
        for message in Validation.isValidPortNum(Int(port.port)) {
            errors.append(.invalid(path.child("port"), port.port, message))
        }
        let proto = port.protocol ?? ""
        if proto.isEmpty {
            errors.append(.required(path.child("protocol"), ""))
        } else if !PodValidation.supportedPortProtocols.contains(proto) {
            errors.append(.notSupported(path.child("protocol"), proto, PodValidation.supportedPortProtocols))
        }
        if let target = port.targetPort {
            errors += PodValidation.portNumOrName(target, path: path.child("targetPort"))
        }
        if let appProtocol = port.appProtocol {
            errors += CommonValidation.qualifiedName(appProtocol, path: path.child("appProtocol"))
        }
        return errors
    }

    /// `ValidateServiceClusterIPsRelatedFields` (single-stack parts).
    private static func clusterIPsRelatedFields(_ spec: CoreV1.ServiceSpec, path: FieldPath) -> [FieldError] {
        guard spec.type != "ExternalName" else { return [] }
        var errors: [FieldError] = []
        let clusterIPsPath = path.child("clusterIPs")
        let clusterIPs = spec.clusterIPs ?? []
        let clusterIP = spec.clusterIP ?? ""
        if !clusterIP.isEmpty {
            if clusterIPs.isEmpty {
                errors.append(.required(clusterIPsPath, ""))
            } else if clusterIPs[0] != clusterIP {
                errors.append(.invalid(clusterIPsPath, .formatted(GoSyntax.stringSlice(clusterIPs)), "first value must match `clusterIP`"))
            }
        } else if !clusterIPs.isEmpty {
            errors.append(
                .invalid(clusterIPsPath, .formatted(GoSyntax.stringSlice(clusterIPs)), "must be empty when `clusterIP` is not specified")
            )
        }
        var seen = Set<String>()
        for (index, family) in (spec.ipFamilies ?? []).enumerated() {
            if family != "IPv4" && family != "IPv6" {
                errors.append(.notSupported(path.child("ipFamilies").index(index), family, ["IPv4", "IPv6"]))
            }
            if !seen.insert(family).inserted {
                errors.append(.duplicate(path.child("ipFamilies").index(index), family))
            }
        }
        if let policy = spec.ipFamilyPolicy, !["PreferDualStack", "RequireDualStack", "SingleStack"].contains(policy) {
            errors.append(.notSupported(path.child("ipFamilyPolicy"), policy, ["PreferDualStack", "RequireDualStack", "SingleStack"]))
        }
        for (index, ip) in clusterIPs.enumerated() {
            if index == 0 && ip == "None" {
                if clusterIPs.count > 1 {
                    errors.append(
                        .invalid(clusterIPsPath, .formatted(GoSyntax.stringSlice(clusterIPs)), "'None' must be the first and only value")
                    )
                }
                continue
            }
            if !Validation.isIPAddress(ip) {
                errors.append(.invalid(clusterIPsPath.index(index), ip, Validation.invalidIPMessage))
            }
        }
        if clusterIPs.count > 2 {
            errors.append(
                .invalid(clusterIPsPath, .formatted(GoSyntax.stringSlice(clusterIPs)), "may only hold up to 2 values")
            )
        }
        if (spec.ipFamilies ?? []).count > 2 {
            errors.append(
                .invalid(path.child("ipFamilies"), .formatted("[]core.IPFamily{\((spec.ipFamilies ?? []).map(GoSyntax.quoted).joined(separator: ", "))}"), "may only hold up to 2 values")
            )
        }
        return errors
    }

    /// `validateServiceExternalTrafficPolicy` and `validateServiceInternalTrafficFieldsValue`.
    private static func trafficPolicies(_ spec: CoreV1.ServiceSpec, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let type = spec.type ?? ""
        let externallyAccessible =
            type == "LoadBalancer" || type == "NodePort" || (type == "ClusterIP" && !(spec.externalIPs ?? []).isEmpty)
        let external = spec.externalTrafficPolicy ?? ""
        if !externallyAccessible {
            if !external.isEmpty {
                errors.append(
                    .invalid(path.child("externalTrafficPolicy"), external, "may only be set for externally-accessible services")
                )
            }
        } else if external.isEmpty {
            errors.append(.required(path.child("externalTrafficPolicy"), ""))
        } else if external != "Cluster" && external != "Local" {
            errors.append(.notSupported(path.child("externalTrafficPolicy"), external, ["Cluster", "Local"]))
        }
        let needsHealthCheck = type == "LoadBalancer" && external == "Local"
        if !needsHealthCheck, let port = spec.healthCheckNodePort, port != 0 {
            errors.append(
                .invalid(
                    path.child("healthCheckNodePort"),
                    port,
                    "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"
                )
            )
        }
        if let policy = spec.internalTrafficPolicy {
            if policy != "Cluster" && policy != "Local" {
                errors.append(.notSupported(path.child("internalTrafficPolicy"), policy, ["Cluster", "Local"]))
            }
        } else if ["NodePort", "LoadBalancer", "ClusterIP"].contains(type) {
            errors.append(.required(path.child("internalTrafficPolicy"), ""))
        }
        return errors
    }

    /// `ValidateServiceUpdate`: the primary cluster IP may not change once set (unless ExternalName is involved).
    static func serviceUpdate(_ new: CoreV1.Service, old: CoreV1.Service) -> [FieldError] {
        var errors = CommonValidation.objectMetaUpdate(new.metadata, old: old.metadata)
        let newSpec = new.spec ?? CoreV1.ServiceSpec()
        let oldSpec = old.spec ?? CoreV1.ServiceSpec()
        if newSpec.type != "ExternalName", oldSpec.type != "ExternalName",
            let newIPs = newSpec.clusterIPs, let first = newIPs.first, let oldFirst = oldSpec.clusterIPs?.first,
            first != oldFirst
        {
            errors.append(
                .invalid(
                    FieldPath("spec").child("clusterIPs").index(0),
                    .formatted(GoSyntax.stringSlice(newIPs)),
                    "may not change once set"
                )
            )
        }
        errors += Self.service(new)
        return errors
    }

    /// `ValidateNonSpecialIP`: not unspecified, loopback, link-local or link-local multicast.
    ///
    /// Endpoint addresses may be loopback here (`allowLoopback`), unlike upstream: a single-node Skiff advertises
    /// `127.0.0.1` for the `kubernetes` Service's endpoints.
    static func nonSpecialIP(_ ip: String, path: FieldPath, allowLoopback: Bool = false) -> [FieldError] {
        if ip == "0.0.0.0" || ip == "::" {
            return [.invalid(path, ip, "may not be unspecified (0.0.0.0)")]
        }
        if !allowLoopback && (ip.hasPrefix("127.") || ip == "::1") {
            return [.invalid(path, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)")]
        }
        if ip.hasPrefix("169.254.") || ip.lowercased().hasPrefix("fe80:") {
            return [.invalid(path, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)")]
        }
        if ip.hasPrefix("224.0.0.") || ip.lowercased().hasPrefix("ff02:") {
            return [.invalid(path, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")]
        }
        return []
    }

    // MARK: Endpoints

    /// `ValidateEndpoints`.
    static func endpoints(_ endpoints: CoreV1.Endpoints) -> [FieldError] {
        var errors = CommonValidation.objectMeta(endpoints.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let subsetsPath = FieldPath("subsets")
        for (index, subset) in (endpoints.subsets ?? []).enumerated() {
            let subsetPath = subsetsPath.index(index)
            if (subset.addresses ?? []).isEmpty && (subset.notReadyAddresses ?? []).isEmpty {
                errors.append(.required(subsetPath, "must specify `addresses` or `notReadyAddresses`"))
            }
            for (addressIndex, address) in (subset.addresses ?? []).enumerated() {
                errors += Self.endpointAddress(address, path: subsetPath.child("addresses").index(addressIndex))
            }
            for (addressIndex, address) in (subset.notReadyAddresses ?? []).enumerated() {
                errors += Self.endpointAddress(address, path: subsetPath.child("notReadyAddresses").index(addressIndex))
            }
            let ports = subset.ports ?? []
            for (portIndex, port) in ports.enumerated() {
                let portPath = subsetPath.child("ports").index(portIndex)
                let name = port.name ?? ""
                if ports.count > 1 && name.isEmpty {
                    errors.append(.required(portPath.child("name"), ""))
                } else if !name.isEmpty {
                    errors += CommonValidation.dns1123Label(name, path: portPath.child("name"))
                }
                for message in Validation.isValidPortNum(Int(port.port)) {
                    errors.append(.invalid(portPath.child("port"), port.port, message))
                }
                let proto = port.protocol ?? ""
                if proto.isEmpty {
                    errors.append(.required(portPath.child("protocol"), ""))
                } else if !PodValidation.supportedPortProtocols.contains(proto) {
                    errors.append(.notSupported(portPath.child("protocol"), proto, PodValidation.supportedPortProtocols))
                }
            }
        }
        return errors
    }

    private static func endpointAddress(_ address: CoreV1.EndpointAddress, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        if !Validation.isIPAddress(address.ip) {
            errors.append(.invalid(path.child("ip"), address.ip, Validation.invalidIPMessage))
        }
        if let hostname = address.hostname, !hostname.isEmpty {
            errors += CommonValidation.dns1123Label(hostname, path: path.child("hostname"))
        }
        if let node = address.nodeName {
            for message in Validation.nameIsDNSSubdomain(node, prefix: false) {
                errors.append(.invalid(path.child("nodeName"), node, message))
            }
        }
        errors += Self.nonSpecialIP(address.ip, path: path.child("ip"), allowLoopback: true)
        return errors
    }

    // MARK: EndpointSlice

    /// `ValidateEndpointSlice`.
    static func endpointSlice(_ slice: DiscoveryV1.EndpointSlice) -> [FieldError] {
        var errors = CommonValidation.objectMeta(slice.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let addressTypes = ["FQDN", "IPv4", "IPv6"]
        if slice.addressType.isEmpty {
            errors.append(.required(FieldPath("addressType"), ""))
        } else if !addressTypes.contains(slice.addressType) {
            errors.append(.notSupported(FieldPath("addressType"), slice.addressType, addressTypes))
        }
        let endpointsPath = FieldPath("endpoints")
        let endpoints = slice.endpoints ?? []
        if endpoints.count > 1000 { errors.append(.tooMany(endpointsPath, actual: endpoints.count, max: 1000)) }
        for (index, endpoint) in endpoints.enumerated() {
            let endpointPath = endpointsPath.index(index)
            let addressesPath = endpointPath.child("addresses")
            if endpoint.addresses.isEmpty {
                errors.append(.required(addressesPath, "must contain at least 1 address"))
            } else if endpoint.addresses.count > 100 {
                errors.append(.tooMany(addressesPath, actual: endpoint.addresses.count, max: 100))
            }
            for (addressIndex, address) in endpoint.addresses.enumerated() {
                let addressPath = addressesPath.index(addressIndex)
                switch slice.addressType {
                case "IPv4":
                    if !Validation.isIPv4Address(address) {
                        errors.append(.invalid(addressPath, address, "must be a valid IPv4 address"))
                    } else {
                        errors += Self.nonSpecialIP(address, path: addressPath, allowLoopback: true)
                    }
                case "IPv6":
                    if !Validation.isIPv6Address(address) {
                        errors.append(.invalid(addressPath, address, "must be a valid IPv6 address"))
                    } else {
                        errors += Self.nonSpecialIP(address, path: addressPath, allowLoopback: true)
                    }
                case "FQDN":
                    for message in Validation.isFullyQualifiedDomainName(address) {
                        errors.append(
                            message == "Required value" ? .required(addressPath, "") : .invalid(addressPath, address, message)
                        )
                    }
                default:
                    break
                }
            }
            if let node = endpoint.nodeName {
                for message in Validation.nameIsDNSSubdomain(node, prefix: false) {
                    errors.append(.invalid(endpointPath.child("nodeName"), node, message))
                }
            }
            if let hostname = endpoint.hostname {
                errors += CommonValidation.dns1123Label(hostname, path: endpointPath.child("hostname"))
            }
        }
        let portsPath = FieldPath("ports")
        var names = Set<String>()
        for (index, port) in (slice.ports ?? []).enumerated() {
            let portPath = portsPath.index(index)
            let name = port.name ?? ""
            if !name.isEmpty { errors += CommonValidation.dns1123Label(name, path: portPath.child("name")) }
            if !names.insert(name).inserted { errors.append(.duplicate(portPath.child("name"), name)) }
            if let proto = port.protocol {
                if !PodValidation.supportedPortProtocols.contains(proto) {
                    errors.append(.notSupported(portPath.child("protocol"), proto, PodValidation.supportedPortProtocols))
                }
            } else {
                errors.append(.required(portPath.child("protocol"), ""))
            }
            if let appProtocol = port.appProtocol {
                errors += CommonValidation.qualifiedName(appProtocol, path: portPath.child("appProtocol"))
            }
        }
        return errors
    }
}
