import Synchronization

/// A small, lossy table of recently decoded string-valued maps (labels, annotations, node selectors, resource
/// requests and limits), so that the many objects a client caches share one copy of each map they repeat.
///
/// Objects made from one template carry the same labels, annotations and resources; each decoded map is a hash
/// table allocation of a few hundred bytes. A ``JSONTreeDecoder`` given a table looks up a map by its JSON members
/// (all strings, at most ``maximumCount``) before decoding it, and stores what it decoded. A slot holds the last
/// map hashed to it (with ``FNVHash``, so the same in every process), keyed by its members; a match compares every
/// key and value, so a hit is always the map those members decode to. Maps of `String` and ``Quantity`` values are
/// shared; others are decoded as usual.
///
/// Decoding with a table gives the same values as without one; only their storage is shared.
public final class JSONMapTable: Sendable {
    /// Larger maps are rarely repeated (and an annotation map may hold a whole last-applied configuration).
    public static let maximumCount = 16

    private struct Entry<Value: Sendable>: Sendable {
        var members: [(key: String, value: String)]
        var map: [String: Value]
    }

    private let strings: Mutex<[Entry<String>?]>
    private let quantities: Mutex<[Entry<Quantity>?]>
    private let mask: Int

    /// The table the client library decodes list and watch responses with, shared by every client in the process.
    public static let shared = JSONMapTable(slots: 2048)

    /// Makes a table of `slots` entries per value type (rounded up to a power of two).
    public init(slots: Int) {
        let count = FNVHash.tableSize(slots)
        self.strings = Mutex([Entry<String>?](repeating: nil, count: count))
        self.quantities = Mutex([Entry<Quantity>?](repeating: nil, count: count))
        self.mask = count - 1
    }

    /// What a lookup found: the shared map, or the slot a freshly decoded one goes to (``store(_:for:in:)``).
    @usableFromInline
    enum Lookup<Value> {
        case found([String: Value])
        case missed(slot: Int)
        /// Maps of this value type, or with these members, are not shared.
        case unshared
    }

    /// The map earlier decoded from `members`, if the table still holds it and maps of `Value` are shared.
    @usableFromInline
    func lookup<Value>(_ members: [(key: String, value: JSONValue)], as type: Value.Type) -> Lookup<Value> {
        guard let slot = self.slot(of: members, sharing: type) else { return .unshared }
        if Value.self == String.self {
            let found = self.strings.withLock { $0[slot] }
            guard let found, Self.same(found.members, members) else { return .missed(slot: slot) }
            return .found(unsafeBitCast(found.map, to: [String: Value].self))
        }
        let found = self.quantities.withLock { $0[slot] }
        guard let found, Self.same(found.members, members) else { return .missed(slot: slot) }
        return .found(unsafeBitCast(found.map, to: [String: Value].self))
    }

    /// Remembers that `members` decoded to `map`, in the slot a missed lookup named (so the members are not
    /// hashed again; they are all strings, or the lookup would have said ``Lookup/unshared``).
    @usableFromInline
    func store<Value>(_ map: [String: Value], for members: [(key: String, value: JSONValue)], in slot: Int) {
        let strings = members.map { member -> (key: String, value: String) in
            guard case .string(let value) = member.value else { preconditionFailure("a shared map has string members") }
            return (member.key, value)
        }
        if Value.self == String.self {
            let entry = Entry(members: strings, map: unsafeBitCast(map, to: [String: String].self))
            self.strings.withLock { $0[slot] = entry }
        } else {
            let entry = Entry(members: strings, map: unsafeBitCast(map, to: [String: Quantity].self))
            self.quantities.withLock { $0[slot] = entry }
        }
    }

    /// The slot of a map with these members, or `nil` when such maps are not shared: values of another type, a
    /// member that is not a string, or too many members.
    private func slot<Value>(of members: [(key: String, value: JSONValue)], sharing type: Value.Type) -> Int? {
        guard Value.self == String.self || Value.self == Quantity.self, !members.isEmpty,
            members.count <= Self.maximumCount
        else { return nil }
        var hash = FNVHash()
        for member in members {
            guard case .string(let value) = member.value else { return nil }
            // 0xFF never occurs in UTF-8: it ends each key and value, so no two member lists hash alike by shifting
            // bytes between them.
            hash.combine(member.key.utf8)
            hash.combine(0xFF)
            hash.combine(value.utf8)
            hash.combine(0xFF)
        }
        return hash.slot(mask: self.mask)
    }

    private static func same(_ stored: [(key: String, value: String)], _ members: [(key: String, value: JSONValue)]) -> Bool {
        guard stored.count == members.count else { return false }
        for (entry, member) in zip(stored, members) {
            guard entry.key == member.key, case .string(let value) = member.value, entry.value == value else {
                return false
            }
        }
        return true
    }
}
