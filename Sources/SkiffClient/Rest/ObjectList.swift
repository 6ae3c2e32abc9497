public import SkiffAPIMachinery
import SkiffAPI

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

extension ObjectList {
    /// The list `value` holds, each item decoded by `decodeItem` (which may share it with other clients: see
    /// ``DecodedObjectCache``). An item that fails to decode fails the list, named by its index.
    init(listValue value: JSONValue, decodeItem: (JSONValue) throws -> Object) throws {
        guard case .object = value else {
            throw DecodingError.typeMismatch(
                JSONValue.self,
                DecodingError.Context(codingPath: [], debugDescription: "a list is a JSON object")
            )
        }
        switch value["metadata"] {
        case nil, .null?: self.metadata = MetaV1.ListMeta()
        case let metadata?: self.metadata = try JSONValueDecoder().decode(MetaV1.ListMeta.self, from: metadata)
        }
        let elements: [JSONValue]
        switch value["items"] {
        case nil, .null?:
            self.items = []
            return
        case .array(let array)?:
            elements = array
        default:
            throw DecodingError.typeMismatch(
                [JSONValue].self,
                DecodingError.Context(codingPath: [], debugDescription: "items: expected an array")
            )
        }
        var decoded: [Object] = []
        decoded.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            do {
                decoded.append(try decodeItem(element))
            } catch {
                throw DecodingError.dataCorrupted(
                    DecodingError.Context(codingPath: [], debugDescription: "items[\(index)]: \(error)", underlyingError: error)
                )
            }
        }
        self.items = decoded
    }
}

extension ObjectList: Equatable where Object: Equatable {}
