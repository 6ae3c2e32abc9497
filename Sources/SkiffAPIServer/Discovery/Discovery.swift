import SkiffAPI
import SkiffAPIMachinery

/// The discovery documents, legacy and aggregated, built once from the served resources so the two forms always
/// agree (↔ apiserver `pkg/endpoints/discovery` and `discovery/aggregated`).
package struct Discovery: Sendable {
    /// The media type of aggregated discovery responses; client-go reads its parameters to pick the parser.
    package static let aggregatedMediaType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// One group and its versions, preferred first.
    struct Group: Sendable {
        var name: String
        var versions: [(version: String, resources: [ServedResource])]
    }

    let groups: [Group]
    let core: Group?

    /// `/api`'s APIVersions.
    package let apiVersions: [UInt8]
    /// `/apis`' APIGroupList.
    package let apiGroupList: [UInt8]
    /// Aggregated `/api`.
    package let aggregatedAPI: [UInt8]
    /// Aggregated `/apis`.
    package let aggregatedAPIs: [UInt8]
    /// `/apis/<group>`: APIGroup.
    package let groupDocuments: [String: [UInt8]]
    /// `/api/v1` and `/apis/<group>/<version>`: APIResourceList, keyed by `group/version` (`/v1` for core).
    package let resourceLists: [String: [UInt8]]

    /// The preferred version of a group when several are served (upstream's priorities).
    private static let preferredVersions: [String: [String]] = ["autoscaling": ["v2", "v1"]]

    /// Upstream's order of the named groups in `/apis`.
    private static let groupOrder = [
        "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
        "autoscaling", "batch", "certificates.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io",
        "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io",
        "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "flowcontrol.apiserver.k8s.io",
        "resource.k8s.io",
    ]

    package init(resources: [ServedResource], serverAddress: String) {
        var byGroup: [String: [String: [ServedResource]]] = [:]
        for resource in resources {
            byGroup[resource.group, default: [:]][resource.version, default: []].append(resource)
        }
        func makeGroup(_ name: String) -> Group {
            let versions = byGroup[name] ?? [:]
            let preferred = Self.preferredVersions[name] ?? []
            let ordered = versions.keys.sorted { lhs, rhs in
                let left = preferred.firstIndex(of: lhs) ?? Int.max
                let right = preferred.firstIndex(of: rhs) ?? Int.max
                if left != right { return left < right }
                return Self.versionPrecedes(lhs, rhs)
            }
            return Group(
                name: name,
                versions: ordered.map { version in
                    (version, (versions[version] ?? []).sorted { $0.plural < $1.plural })
                }
            )
        }
        let core = byGroup[""] != nil ? makeGroup("") : nil
        let names = byGroup.keys.filter { !$0.isEmpty }.sorted { lhs, rhs in
            let left = Self.groupOrder.firstIndex(of: lhs) ?? Int.max
            let right = Self.groupOrder.firstIndex(of: rhs) ?? Int.max
            return left != right ? left < right : lhs < rhs
        }
        let groups = names.map(makeGroup)
        self.core = core
        self.groups = groups

        func serialized(_ value: JSONValue) -> [UInt8] {
            var bytes = value.serialized()
            bytes.append(UInt8(ascii: "\n"))
            return bytes
        }

        self.apiVersions = serialized([
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ])
        var groupDocuments: [String: [UInt8]] = [:]
        var groupValues: [JSONValue] = []
        for group in groups {
            let value = Self.groupValue(group)
            groupValues.append(value)
            var document = JSONObject()
            document["kind"] = "APIGroup"
            document["apiVersion"] = "v1"
            if case .object(let members) = value {
                for (key, member) in members { document[key] = member }
            }
            groupDocuments[group.name] = serialized(.object(document))
        }
        self.groupDocuments = groupDocuments
        self.apiGroupList = serialized(["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groupValues)])

        var resourceLists: [String: [UInt8]] = [:]
        for group in (core.map { [$0] } ?? []) + groups {
            for (version, resources) in group.versions {
                let groupVersion = group.name.isEmpty ? version : group.name + "/" + version
                resourceLists[group.name + "/" + version] = serialized([
                    "kind": "APIResourceList",
                    "apiVersion": "v1",
                    "groupVersion": .string(groupVersion),
                    "resources": .array(resources.flatMap { Self.legacyEntries($0) }),
                ])
            }
        }
        self.resourceLists = resourceLists

        self.aggregatedAPI = serialized(Self.aggregatedList(core.map { [$0] } ?? []))
        self.aggregatedAPIs = serialized(Self.aggregatedList(groups))
    }

    /// Kubernetes version ordering: GA before beta before alpha, higher numbers first.
    static func versionPrecedes(_ lhs: String, _ rhs: String) -> Bool {
        func rank(_ version: String) -> (Int, Int, Int) {
            let digits = version.dropFirst().prefix { $0.isNumber }
            let major = Int(digits) ?? 0
            let rest = version.dropFirst(1 + digits.count)
            if rest.isEmpty { return (3, major, 0) }
            let minor = Int(rest.drop { !$0.isNumber }) ?? 0
            return (rest.hasPrefix("beta") ? 2 : 1, major, minor)
        }
        let left = rank(lhs)
        let right = rank(rhs)
        if left.0 != right.0 { return left.0 > right.0 }
        if left.1 != right.1 { return left.1 > right.1 }
        return left.2 > right.2
    }

    private static func groupValue(_ group: Group) -> JSONValue {
        let versions: [JSONValue] = group.versions.map { entry in
            ["groupVersion": .string(group.name + "/" + entry.version), "version": .string(entry.version)]
        }
        return [
            "name": .string(group.name),
            "versions": .array(versions),
            "preferredVersion": versions.first ?? .null,
        ]
    }

    /// The APIResourceList entries of a resource: itself, then `resource/subresource` entries.
    private static func legacyEntries(_ resource: ServedResource) -> [JSONValue] {
        var entry = JSONObject()
        entry["name"] = .string(resource.plural)
        entry["singularName"] = .string(resource.info.singular)
        entry["namespaced"] = .bool(resource.isNamespaced)
        entry["kind"] = .string(resource.kind)
        entry["verbs"] = .array(resource.info.verbs.map { .string($0) })
        if !resource.info.shortNames.isEmpty { entry["shortNames"] = .array(resource.info.shortNames.map { .string($0) }) }
        if !resource.info.categories.isEmpty { entry["categories"] = .array(resource.info.categories.map { .string($0) }) }
        var entries: [JSONValue] = [.object(entry)]
        for subresource in resource.info.subresources {
            var sub = JSONObject()
            sub["name"] = .string(resource.plural + "/" + subresource.name)
            sub["singularName"] = ""
            sub["namespaced"] = .bool(resource.isNamespaced)
            let gvk = subresource.groupVersionKind
            if gvk.group != resource.group || gvk.version != resource.version {
                sub["group"] = .string(gvk.group)
                sub["version"] = .string(gvk.version)
            }
            sub["kind"] = .string(gvk.kind)
            sub["verbs"] = .array(subresource.verbs.map { .string($0) })
            entries.append(.object(sub))
        }
        return entries
    }

    private static func aggregatedList(_ groups: [Group]) -> JSONValue {
        let items: [JSONValue] = groups.map { group in
            let versions: [JSONValue] = group.versions.map { version, resources in
                [
                    "version": .string(version),
                    "resources": .array(resources.map(Self.aggregatedResource)),
                    "freshness": "Current",
                ]
            }
            return ["metadata": ["name": .string(group.name)], "versions": .array(versions)]
        }
        return [
            "kind": "APIGroupDiscoveryList",
            "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": [:],
            "items": .array(items),
        ]
    }

    private static func aggregatedResource(_ resource: ServedResource) -> JSONValue {
        var entry = JSONObject()
        entry["resource"] = .string(resource.plural)
        entry["responseKind"] = [
            "group": .string(resource.group), "version": .string(resource.version), "kind": .string(resource.kind),
        ]
        entry["scope"] = resource.isNamespaced ? "Namespaced" : "Cluster"
        entry["singularResource"] = .string(resource.info.singular)
        entry["verbs"] = .array(resource.info.verbs.map { .string($0) })
        if !resource.info.shortNames.isEmpty { entry["shortNames"] = .array(resource.info.shortNames.map { .string($0) }) }
        if !resource.info.categories.isEmpty { entry["categories"] = .array(resource.info.categories.map { .string($0) }) }
        if !resource.info.subresources.isEmpty {
            entry["subresources"] = .array(
                resource.info.subresources.map { subresource in
                    let gvk = subresource.groupVersionKind
                    return [
                        "subresource": .string(subresource.name),
                        "responseKind": [
                            "group": .string(gvk.group), "version": .string(gvk.version), "kind": .string(gvk.kind),
                        ],
                        "verbs": .array(subresource.verbs.map { .string($0) }),
                    ]
                }
            )
        }
        return .object(entry)
    }
}
