public import SkiffAPIMachinery

/// The key of an object in a cache and a work queue: its namespace and name (↔ `cache.MetaNamespaceKeyFunc`'s
/// `namespace/name`, or `name` for cluster-scoped objects).
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The namespace; `nil` for cluster-scoped objects.
    public var namespace: String?
    public var name: String

    public init(namespace: String?, name: String) {
        self.namespace = (namespace?.isEmpty ?? true) ? nil : namespace
        self.name = name
    }

    /// Parses `namespace/name` or `name` (↔ `cache.SplitMetaNamespaceKey`).
    public init(parsing key: String) {
        if let slash = key.firstIndex(of: "/") {
            self.init(namespace: String(key[..<slash]), name: String(key[key.index(after: slash)...]))
        } else {
            self.init(namespace: nil, name: key)
        }
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    public var description: String {
        guard let namespace = self.namespace else { return self.name }
        return namespace + "/" + self.name
    }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace ?? "", lhs.name) < (rhs.namespace ?? "", rhs.name)
    }
}

extension APIObject {
    /// The object's cache key.
    public var key: ObjectKey {
        ObjectKey(namespace: self.metadata.namespace, name: self.metadata.name ?? "")
    }
}
