package import SkiffAPIMachinery

/// The query parameters of a request, decoded (`+` is a space, `%XX` escapes), in order; repeated names kept.
package struct QueryParameters: Sendable {
    package var items: [(name: String, value: String)]

    package init(_ query: String) {
        var items: [(String, String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(pieces[0])
            let value = pieces.count > 1 ? Self.decode(pieces[1]) : ""
            items.append((name, value))
        }
        self.items = items
    }

    package subscript(name: String) -> String? {
        self.items.first { $0.name == name }?.value
    }

    package func all(_ name: String) -> [String] {
        self.items.filter { $0.name == name }.map(\.value)
    }

    /// `true`/`1` as Go's `strconv.ParseBool` reads booleans; throws 400 for other values.
    package func bool(_ name: String) throws(APIError) -> Bool? {
        guard let value = self[name] else { return nil }
        switch value {
        case "1", "t", "T", "true", "TRUE", "True": return true
        case "0", "f", "F", "false", "FALSE", "False", "": return false
        default: throw APIError.badRequest("invalid boolean value for \(name): \"\(value)\"")
        }
    }

    /// An integer parameter; throws 400 when it is not one.
    package func int64(_ name: String) throws(APIError) -> Int64? {
        guard let value = self[name], !value.isEmpty else { return nil }
        guard let number = Int64(value) else {
            throw APIError.badRequest("invalid value for \(name): \"\(value)\": must be an integer")
        }
        return number
    }

    /// Percent-decoding with `+` as space (Go's `url.QueryUnescape`); invalid escapes are kept literally.
    package static func decode(_ text: Substring) -> String {
        Self.percentDecode(text, plusIsSpace: true)
    }

    /// Percent-decoding of a path segment (no `+` rule).
    package static func decodePathSegment(_ text: Substring) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        return Self.percentDecode(text, plusIsSpace: false)
    }

    private static func percentDecode(_ text: Substring, plusIsSpace: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if plusIsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let high = Self.hex(iterator[iterator.startIndex]),
                let low = Self.hex(iterator[iterator.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
