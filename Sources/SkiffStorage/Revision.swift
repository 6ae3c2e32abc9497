/// A point in the store's history: the global revision counter, as etcd's `mod_revision`.
///
/// Every successful write (create, update, delete, and each key deleted by an expiring lease) gets the next
/// revision: revisions are strictly increasing, start at 1 for the first write and are never reused, not even
/// after a restart. Clients see them as decimal strings (Kubernetes' `resourceVersion`), see ``description``.
public struct Revision: RawRepresentable, Hashable, Comparable, Sendable, Codable {
    /// The revision number; `0` means "before the first write".
    public var rawValue: Int64

    /// Wraps a revision number.
    public init(rawValue: Int64) {
        self.rawValue = rawValue
    }

    /// Wraps a revision number.
    public init(_ rawValue: Int64) {
        self.rawValue = rawValue
    }

    /// The revision before any write.
    public static let zero = Revision(0)

    /// Orders revisions numerically.
    public static func < (lhs: Revision, rhs: Revision) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

extension Revision: ExpressibleByIntegerLiteral {
    /// Allows `let r: Revision = 5` in tests and defaults.
    public init(integerLiteral value: Int64) {
        self.rawValue = value
    }
}

extension Revision: LosslessStringConvertible {
    /// Parses the decimal form clients send back (`resourceVersion`); `nil` when it is not a decimal `Int64`.
    public init?(_ description: String) {
        guard let value = Int64(description) else { return nil }
        self.rawValue = value
    }

    /// The decimal form clients see.
    public var description: String { String(self.rawValue) }
}

/// The identity of a TTL lease (etcd's `LeaseID`); keys attached to it are deleted when it expires.
public struct LeaseID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The lease number, never `0` (etcd's "no lease").
    public var rawValue: Int64

    /// Wraps a lease number.
    public init(rawValue: Int64) {
        self.rawValue = rawValue
    }

    /// The decimal form.
    public var description: String { String(self.rawValue) }
}
