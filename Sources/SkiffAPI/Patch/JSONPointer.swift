import SkiffAPIMachinery

/// An RFC 6901 JSON pointer (`/spec/containers/0/image`), parsed into its unescaped reference tokens.
///
/// `~1` decodes to `/` and `~0` to `~`; any other `~` sequence is an error. The empty pointer refers to the whole
/// document.
struct JSONPointer: Hashable, Sendable, CustomStringConvertible {
    /// The pointer as written.
    var text: String
    /// The unescaped reference tokens; empty for the whole document.
    var tokens: [String]

    /// Parses `text`; throws ``PatchError/Code-swift.struct/invalidPointer`` when it is neither empty nor starts
    /// with `/`, or holds a `~` not followed by `0` or `1`.
    init(parsing text: String) throws(PatchError) {
        self.text = text
        guard !text.isEmpty else {
            self.tokens = []
            return
        }
        guard text.utf8.first == UInt8(ascii: "/") else {
            throw PatchError(code: .invalidPointer, message: "JSON pointer must be empty or start with '/': \(text)")
        }
        var tokens: [String] = []
        for rawToken in text.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard rawToken.contains(UInt8(ascii: "~")) else {
                tokens.append(String(decoding: rawToken, as: UTF8.self))
                continue
            }
            var decoded: [UInt8] = []
            decoded.reserveCapacity(rawToken.count)
            var iterator = rawToken.makeIterator()
            while let byte = iterator.next() {
                guard byte == UInt8(ascii: "~") else {
                    decoded.append(byte)
                    continue
                }
                switch iterator.next() {
                case UInt8(ascii: "0"): decoded.append(UInt8(ascii: "~"))
                case UInt8(ascii: "1"): decoded.append(UInt8(ascii: "/"))
                default:
                    throw PatchError(
                        code: .invalidPointer,
                        message: "invalid JSON pointer \(text): '~' must be followed by '0' or '1'"
                    )
                }
            }
            tokens.append(String(decoding: decoded, as: UTF8.self))
        }
        self.tokens = tokens
    }

    var description: String { self.text }

    /// Whether `self` refers to a location strictly inside `other`'s value.
    func isProperDescendant(of other: JSONPointer) -> Bool {
        self.tokens.count > other.tokens.count && self.tokens.starts(with: other.tokens)
    }

    /// An RFC 6901 array index: `0` or a decimal number without leading zeros; `nil` for anything else (`-`,
    /// `01`, `-1`, `+1`).
    static func arrayIndex(_ token: String) -> Int? {
        let utf8 = token.utf8
        guard let first = utf8.first, utf8.count <= 18 else { return nil }
        if first == UInt8(ascii: "0") { return utf8.count == 1 ? 0 : nil }
        var result = 0
        for byte in utf8 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            result = result * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return result
    }

    /// The value this pointer refers to in `document`, or `nil` when there is none.
    func value(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in self.tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let elements):
                guard let index = Self.arrayIndex(token), index < elements.count else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Walks `document` to the container holding the last token and calls `body` with it and that token.
    ///
    /// Returns `false`, without calling `body`, when a container on the way does not exist. The pointer must not
    /// be empty.
    func withParent(
        in document: inout JSONValue,
        _ body: (inout JSONValue, String) throws(PatchError) -> Void
    ) throws(PatchError) -> Bool {
        precondition(!self.tokens.isEmpty, "withParent needs a non-empty pointer")
        return try Self.withParent(self.tokens[...], in: &document, body)
    }

    private static func withParent(
        _ tokens: ArraySlice<String>,
        in value: inout JSONValue,
        _ body: (inout JSONValue, String) throws(PatchError) -> Void
    ) throws(PatchError) -> Bool {
        let token = tokens[tokens.startIndex]
        if tokens.count == 1 {
            try body(&value, token)
            return true
        }
        let rest = tokens.dropFirst()
        switch value {
        case .object(var object):
            guard var child = object[token] else { return false }
            // Drop the other references first, so the nested containers are mutated in place.
            value = .null
            object[token] = .null
            let found = try Self.withParent(rest, in: &child, body)
            object[token] = child
            value = .object(object)
            return found
        case .array(var elements):
            guard let index = Self.arrayIndex(token), index < elements.count else { return false }
            value = .null
            var child = elements[index]
            elements[index] = .null
            let found = try Self.withParent(rest, in: &child, body)
            elements[index] = child
            value = .array(elements)
            return found
        default:
            return false
        }
    }
}
