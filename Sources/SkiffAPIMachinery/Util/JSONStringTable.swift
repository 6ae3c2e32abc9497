import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small, lossy table of recently parsed strings, so that many decoded objects share one copy of each string
/// they repeat (an image name, a label key, `/dev/termination-log`) instead of holding their own.
///
/// A client caches thousands of objects decoded from the same API; most of their longer strings are the same in
/// every object. Swift keeps strings of up to 15 UTF-8 bytes inline, so only longer ones are looked up here. The
/// table is direct-mapped: a slot holds the last string hashed to it, and a string that meets a different one
/// there replaces it. Lookups hash the bytes and compare them with the slot's string, under a lock held for just
/// that.
///
/// Parsing with a table gives the same values as parsing without one; only their storage is shared.
public final class JSONStringTable: Sendable {
    /// Strings shorter than this are kept inline by `String` and gain nothing from sharing.
    static let minimumLength = 16
    /// Longer strings are rarely repeated (certificates, notes, last-applied configurations).
    static let maximumLength = 256

    private let slots: Mutex<[String?]>
    private let mask: Int

    /// The table the client library parses list and watch responses with, shared by every client in the process.
    public static let shared = JSONStringTable(slots: 4096)

    /// Makes a table of `slots` entries (rounded up to a power of two).
    public init(slots: Int) {
        let count = FNVHash.tableSize(slots)
        self.slots = Mutex([String?](repeating: nil, count: count))
        self.mask = count - 1
    }

    /// The string of `bytes` (valid UTF-8 or not, decoded as `String(decoding:as:)` does), shared with an
    /// earlier equal one when the table still holds it.
    public func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.count >= Self.minimumLength, bytes.count <= Self.maximumLength else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var hash = FNVHash()
        hash.combine(bytes)
        let slot = hash.slot(mask: self.mask)
        if let found = self.slots.withLock({ slots in slots[slot] }), Self.equal(found, bytes) {
            return found
        }
        // A repaired string (invalid UTF-8) is stored too: its bytes differ from the input's, so it only ever
        // matches input that reads the same.
        let text = String(decoding: bytes, as: UTF8.self)
        self.slots.withLock { slots in slots[slot] = text }
        return text
    }

    private static func equal(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            utf8.count == bytes.count && (utf8.count == 0 || memcmp(utf8.baseAddress!, bytes.baseAddress!, utf8.count) == 0)
        }
    }
}
