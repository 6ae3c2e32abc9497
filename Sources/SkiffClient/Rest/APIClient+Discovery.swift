import SkiffAPIMachinery

/// A resource the server lists in discovery (↔ `metav1.APIResource` with its group-version).
public struct DiscoveredResource: Sendable, Hashable {
    /// The group, version and plural.
    public var resource: GroupVersionResource
    /// The kind of its objects.
    public var kind: String
    /// Whether its objects live in namespaces.
    public var isNamespaced: Bool
    /// The verbs it supports (`list`, `deletecollection`, …).
    public var verbs: [String]

    public init(resource: GroupVersionResource, kind: String, isNamespaced: Bool, verbs: [String]) {
        self.resource = resource
        self.kind = kind
        self.isNamespaced = isNamespaced
        self.verbs = verbs
    }
}

extension APIClient {
    /// The top-level resources (no subresources) of the core group and of each group's preferred version, from
    /// the server's discovery documents (↔ `discovery.ServerPreferredResources`).
    public func serverPreferredResources() async throws -> [DiscoveredResource] {
        var groupVersions = [(group: "", version: "v1")]
        let groups = try await self.discoveryDocument("/apis")
        for group in groups["groups"]?.arrayValue ?? [] {
            guard let name = group["name"]?.stringValue,
                let version = group["preferredVersion"]?["version"]?.stringValue
            else { continue }
            groupVersions.append((name, version))
        }
        var resources: [DiscoveredResource] = []
        for (group, version) in groupVersions {
            let path = group.isEmpty ? "/api/" + version : "/apis/" + group + "/" + version
            let list = try await self.discoveryDocument(path)
            for entry in list["resources"]?.arrayValue ?? [] {
                guard let name = entry["name"]?.stringValue, !name.contains("/") else { continue }
                resources.append(
                    DiscoveredResource(
                        resource: GroupVersionResource(group: group, version: version, resource: name),
                        kind: entry["kind"]?.stringValue ?? "",
                        isNamespaced: entry["namespaced"] == true,
                        verbs: entry["verbs"]?.arrayValue?.compactMap(\.stringValue) ?? []
                    )
                )
            }
        }
        return resources
    }

    private func discoveryDocument(_ path: String) async throws -> JSONValue {
        let response = try await self.send(APIRequest(method: "GET", path: path, headers: [("Accept", "application/json")]))
        do {
            return try JSONValue.parse(response.bodyBytes)
        } catch {
            throw APIError.internalError("unable to decode discovery document \(path): \(error)")
        }
    }
}
