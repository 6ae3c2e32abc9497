public import SkiffAPIMachinery

/// What an ``Informer`` and a ``RetryWatcher`` read: a paged list and a watch of one collection (↔ client-go's
/// `cache.ListerWatcher`). The typed ``ResourceClient`` and the ``MetadataResourceClient`` are both.
public protocol ListerWatcher<Object>: Sendable {
    associatedtype Object: APIObject
    /// The collection's resource, for logs.
    var groupVersionResource: GroupVersionResource { get }
    /// One page of the list (`options.limit` items at most, continuing from `options.continueToken`).
    func list(_ options: ListOptions) async throws -> ObjectList<Object>
    /// Every page of the list, joined; the result's resourceVersion is the first page's.
    func listAll(_ options: ListOptions) async throws -> ObjectList<Object>
    /// One watch request: `handle` gets each event until the server ends the watch or the connection drops.
    func watch(_ options: ListOptions, _ handle: (WatchEvent<Object>) async throws -> Void) async throws
}

extension ResourceClient: ListerWatcher {
    public var groupVersionResource: GroupVersionResource { self.resource.groupVersionResource }
}

/// Pages through a list with `list` (↔ client-go's pager): each further page continues from the last token.
func listAllPages<Object>(
    _ options: ListOptions,
    _ list: (ListOptions) async throws -> ObjectList<Object>
) async throws -> ObjectList<Object> {
    var options = options
    var result = try await list(options)
    var next = result.continueToken
    while let token = next {
        options.continueToken = token
        options.resourceVersion = nil
        options.resourceVersionMatch = nil
        let page = try await list(options)
        result.items.append(contentsOf: page.items)
        next = page.continueToken
    }
    result.metadata.continue = nil
    result.metadata.remainingItemCount = nil
    return result
}
