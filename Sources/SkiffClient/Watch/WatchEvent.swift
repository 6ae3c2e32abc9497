import SkiffAPI
import SkiffAPIMachinery

/// One event of a watch (↔ `watch.Event`); an `ERROR` event is thrown as an `APIError` instead.
public enum WatchEvent<Object: Sendable>: Sendable {
    /// The object was created, or existed when the watch started without a resourceVersion.
    case added(Object)
    /// The object changed.
    case modified(Object)
    /// The object was deleted; this is its last state.
    case deleted(Object)
    /// Nothing changed, but the collection reached `resourceVersion` (sent when bookmarks are allowed).
    case bookmark(WatchBookmark)

    /// The object of an added, modified or deleted event.
    public var object: Object? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): object
        case .bookmark: nil
        }
    }

    /// The `type` of the event on the wire: `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`.
    public var type: String {
        switch self {
        case .added: "ADDED"
        case .modified: "MODIFIED"
        case .deleted: "DELETED"
        case .bookmark: "BOOKMARK"
        }
    }
}

extension WatchEvent: Equatable where Object: Equatable {}
extension WatchEvent: Hashable where Object: Hashable {}

/// A BOOKMARK event's content: the resourceVersion the watch reached.
public struct WatchBookmark: Sendable, Hashable {
    /// `metadata.resourceVersion` of the bookmark object.
    public var resourceVersion: String
    /// Whether the bookmark carries the `k8s.io/initial-events-end` annotation (end of `sendInitialEvents`).
    public var isInitialEventsEnd: Bool

    public init(resourceVersion: String, isInitialEventsEnd: Bool = false) {
        self.resourceVersion = resourceVersion
        self.isInitialEventsEnd = isInitialEventsEnd
    }
}

/// Decodes watch lines (`{"type":…,"object":…}`) into events.
struct WatchEventDecoder<Object: Sendable>: Sendable {
    let decodeObject: @Sendable (JSONValue) throws -> Object
    /// Whether objects' `metadata.managedFields` are skipped while parsing (``ListOptions/dropsManagedFields``).
    var dropsManagedFields = false

    func decode(_ line: [UInt8]) throws -> WatchEvent<Object> {
        let value: JSONValue
        do {
            value = try JSONValue.parse(line, strings: .shared, droppingManagedFields: self.dropsManagedFields)
        } catch {
            throw APIError.internalError("unable to decode watch event: \(error)")
        }
        guard case .object(let event) = value, let type = event["type"]?.stringValue, let object = event["object"] else {
            throw APIError.internalError("unable to decode watch event: missing type or object")
        }
        switch type {
        case "ADDED": return .added(try self.decodeObject(object))
        case "MODIFIED": return .modified(try self.decodeObject(object))
        case "DELETED": return .deleted(try self.decodeObject(object))
        case "BOOKMARK":
            let metadata = object["metadata"]
            return .bookmark(
                WatchBookmark(
                    resourceVersion: metadata?["resourceVersion"]?.stringValue ?? "",
                    isInitialEventsEnd: metadata?["annotations"]?["k8s.io/initial-events-end"]?.stringValue == "true"
                )
            )
        case "ERROR":
            if let status = try? JSONValueDecoder().decode(MetaV1.Status.self, from: object) {
                throw APIError(status: status)
            }
            throw APIError.internalError("watch ERROR event without a Status")
        default:
            throw APIError.internalError("got invalid watch event type: \(type)")
        }
    }
}
