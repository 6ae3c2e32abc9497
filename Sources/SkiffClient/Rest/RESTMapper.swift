import Synchronization

/// Maps kinds to resources from the server's discovery (↔ client-go's `restmapper.DeferredDiscoveryRESTMapper`):
/// which resource serves objects of a given group and kind, and whether they are namespaced. An owner reference
/// or an object reference names a kind; requests need the resource.
///
/// A kind is found by its group, served at the group's preferred version, whatever version the reference names:
/// every served version reads the same object. ``refresh()`` re-reads discovery; a lookup that misses refreshes
/// at most once per ``minimumRefreshInterval``, so new kinds (custom resources) are found without a request per
/// miss.
public final class DiscoveryRESTMapper: Sendable {
    let client: APIClient
    /// How soon after a refresh a miss may refresh again.
    public let minimumRefreshInterval: Duration

    private struct State {
        var byGroupKind: [String: DiscoveredResource] = [:]
        var resources: [DiscoveredResource] = []
        var lastRefresh: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    public init(client: APIClient, minimumRefreshInterval: Duration = .seconds(5)) {
        self.client = client
        self.minimumRefreshInterval = minimumRefreshInterval
    }

    /// Every resource of the last discovery.
    public var resources: [DiscoveredResource] { self.state.withLock { $0.resources } }

    /// Re-reads discovery; returns the resources.
    @discardableResult
    public func refresh() async throws -> [DiscoveredResource] {
        let resources = try await self.client.serverPreferredResources()
        self.state.withLock { state in
            state.resources = resources
            state.byGroupKind = [:]
            for resource in resources {
                state.byGroupKind[Self.key(group: resource.resource.group, kind: resource.kind)] = resource
            }
            state.lastRefresh = .now
        }
        return resources
    }

    /// The resource of objects of `kind` in `apiVersion`'s group; throws ``RESTMappingError`` when discovery has
    /// none (after one refresh, if the last one is old enough).
    public func mapping(apiVersion: String, kind: String) async throws -> DiscoveredResource {
        let group = apiVersion.firstIndex(of: "/").map { String(apiVersion[..<$0]) } ?? ""
        let key = Self.key(group: group, kind: kind)
        let (found, mayRefresh) = self.state.withLock { state in
            (
                state.byGroupKind[key],
                state.lastRefresh.map { ContinuousClock.now - $0 >= self.minimumRefreshInterval } ?? true
            )
        }
        if let found { return found }
        if mayRefresh {
            try await self.refresh()
            if let found = self.state.withLock({ $0.byGroupKind[key] }) { return found }
        }
        throw RESTMappingError(apiVersion: apiVersion, kind: kind)
    }

    private static func key(group: String, kind: String) -> String { group + "/" + kind }
}

/// Discovery serves no resource for a kind (an unknown kind, or a custom resource not yet established).
public struct RESTMappingError: Error, Sendable, CustomStringConvertible {
    public var apiVersion: String
    public var kind: String

    public var description: String { "no matches for kind \"\(self.kind)\" in version \"\(self.apiVersion)\"" }
}
