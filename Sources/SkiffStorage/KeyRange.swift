/// Byte-order helpers shared by the backends: keys are ordered and matched by their UTF-8 bytes, as in etcd and
/// SQLite's BINARY collation (Swift's `String` `<` orders by Unicode scalars' canonical form, which differs).
package enum KeyOrder {
    /// Whether `lhs` sorts before `rhs` by UTF-8 bytes.
    package static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// Whether `key` starts with `prefix`, byte-wise.
    package static func hasPrefix(_ key: String, _ prefix: String) -> Bool {
        key.utf8.starts(with: prefix.utf8)
    }

    /// The first byte string after every key starting with `prefix` (etcd's `GetPrefixRangeEnd`), or `nil` when
    /// there is none (an empty prefix, or only `0xFF` bytes).
    package static func prefixEnd(_ prefix: [UInt8]) -> [UInt8]? {
        var end = prefix
        while let last = end.last {
            if last < 0xFF {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return nil
    }
}
