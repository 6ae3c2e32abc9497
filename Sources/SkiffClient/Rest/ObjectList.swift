public import SkiffAPIMachinery

/// One page of a list: the objects and the list's metadata (↔ `PodList`, `DeploymentList`, … for any kind).
public struct ObjectList<Object: Decodable & Sendable>: Sendable, Decodable {
    /// The list's metadata: `resourceVersion`, `continue`, `remainingItemCount`.
    public var metadata: MetaV1.ListMeta
    /// The objects.
    public var items: [Object]

    public init(metadata: MetaV1.ListMeta = MetaV1.ListMeta(), items: [Object]) {
        self.metadata = metadata
        self.items = items
    }

    /// The collection's resourceVersion at the time of the list (the point to watch from).
    public var resourceVersion: String { self.metadata.resourceVersion ?? "" }

    /// The token of the next page; `nil` on the last page.
    public var continueToken: String? {
        guard let token = self.metadata.continue, !token.isEmpty else { return nil }
        return token
    }

    enum CodingKeys: String, CodingKey { case metadata, items }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.metadata = try container.decodeIfPresent(MetaV1.ListMeta.self, forKey: .metadata) ?? MetaV1.ListMeta()
        self.items = try container.decodeIfPresent([Object].self, forKey: .items) ?? []
    }
}

extension ObjectList: Equatable where Object: Equatable {}
