package import SkiffAPIMachinery

/// How an object is kept in the store: its canonical JSON without `metadata.resourceVersion`, plus where that
/// member goes.
///
/// As in upstream's etcd3 store, the resource version is not stored: it is the key's modification revision, known
/// only once the write commits. Instead of decoding and re-encoding an object on every read to set it, the stored
/// bytes remember the offset at which `,"resourceVersion":"N"` must be spliced in (always right after an earlier
/// member of `metadata`, since `name` precedes it in Go's field order). A read is then one copy of the bytes, and a
/// list is the copies of its items inside the envelope.
///
/// Layout: 4 bytes little-endian offset, then the JSON.
package struct StoredObject: Sendable, Hashable {
    /// The JSON of the object without its resourceVersion member.
    package var json: ArraySlice<UInt8>
    /// Where `,"resourceVersion":"N"` is inserted.
    package var offset: Int

    /// The value to write for `object` (its `metadata.resourceVersion`, if any, is dropped).
    ///
    /// `object` must be an object whose `metadata` has a `name` before the resourceVersion position (every stored
    /// object has a name).
    package static func encode(_ object: JSONValue) -> [UInt8] {
        var object = object
        if case .object(var root) = object, case .object(var metadata)? = root["metadata"] {
            metadata["resourceVersion"] = .string(Self.marker)
            // Keep Go's member order: resourceVersion sits after uid (or whatever precedes it) already when the
            // metadata came from the typed encoder; a brand-new member is appended, which is still valid JSON.
            root["metadata"] = .object(metadata)
            object = .object(root)
        }
        var bytes = object.serialized()
        var offset = 0
        if let range = Self.find(Self.markerMember, in: bytes) {
            // The member is never first in metadata (name precedes it), so a comma precedes it: remove ",member".
            let start = range.lowerBound - 1
            bytes.removeSubrange(start..<range.upperBound)
            offset = start
        }
        var value: [UInt8] = []
        value.reserveCapacity(bytes.count + 4)
        withUnsafeBytes(of: UInt32(offset).littleEndian) { value.append(contentsOf: $0) }
        value.append(contentsOf: bytes)
        return value
    }

    /// Reads a stored value; `nil` if it is not in this format (a corrupted or foreign value).
    package init?(value: [UInt8]) {
        guard value.count >= 4 else { return nil }
        let offset = Int(value[0]) | Int(value[1]) << 8 | Int(value[2]) << 16 | Int(value[3]) << 24
        let json = value[4...]
        guard offset == 0 || (offset > 0 && offset <= json.count) else { return nil }
        self.json = json
        self.offset = offset
    }

    /// Appends the object's JSON with `resourceVersion` set to `revision` to `buffer`.
    package func render(resourceVersion: String, into buffer: inout [UInt8]) {
        guard self.offset > 0 else {
            buffer.append(contentsOf: self.json)
            return
        }
        let start = self.json.startIndex
        buffer.append(contentsOf: self.json[start..<(start + self.offset)])
        buffer.append(contentsOf: Self.memberPrefix)
        buffer.append(contentsOf: resourceVersion.utf8)
        buffer.append(UInt8(ascii: "\""))
        buffer.append(contentsOf: self.json[(start + self.offset)...])
    }

    /// How many bytes the `resourceVersion` member adds to a rendered object (`,"resourceVersion":"N"`).
    package static func resourceVersionMemberCount(_ resourceVersion: String) -> Int {
        Self.memberPrefix.count + resourceVersion.utf8.count + 1
    }

    /// The object's JSON with `resourceVersion` set.
    package func render(resourceVersion: String) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(self.json.count + 32)
        self.render(resourceVersion: resourceVersion, into: &buffer)
        return buffer
    }

    /// The object as a JSON tree with `resourceVersion` set (for the write paths, which need to edit it).
    package func decode(resourceVersion: String) throws -> JSONValue {
        try JSONValue.parse(self.render(resourceVersion: resourceVersion))
    }

    private static let marker = "\u{0}skiff-rv\u{0}"
    private static let markerMember = Array(#""resourceVersion":"\u0000skiff-rv\u0000""#.utf8)
    private static let memberPrefix = Array(#","resourceVersion":""#.utf8)

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index..<(index + needle.count)
            }
            index += 1
        }
        return nil
    }
}
