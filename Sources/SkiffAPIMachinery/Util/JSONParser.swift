/// A recursive-descent JSON parser over a byte buffer.
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Where strings without escapes are shared from, if anywhere.
    let strings: JSONStringTable?
    /// Whether `managedFields` members of `metadata` objects are skipped, not parsed.
    let dropsManagedFields: Bool

    init(_ bytes: UnsafeBufferPointer<UInt8>, strings: JSONStringTable? = nil, dropsManagedFields: Bool = false) {
        self.bytes = bytes
        self.strings = strings
        self.dropsManagedFields = dropsManagedFields
    }

    func error(_ message: String) -> JSONValue.ParseError {
        JSONValue.ParseError(message: message, offset: self.index)
    }

    var endOfInput: JSONValue.ParseError { self.error("unexpected end of JSON input") }

    /// A byte quoted as Go's scanner quotes it in errors.
    static func quoteCharacter(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "'"): return "'\\''"
        case UInt8(ascii: "\""): return "'\"'"
        default:
            if byte < 0x20 || byte >= 0x7F {
                let quoted = goQuoted(String(decoding: [byte], as: UTF8.self))
                return "'" + quoted.dropFirst().dropLast() + "'"
            }
            return "'" + String(UnicodeScalar(byte)) + "'"
        }
    }

    mutating func skipWhitespace() {
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): self.index += 1
            default: return
            }
        }
    }

    /// - Parameter isMetadata: the value is a `metadata` member's, whose `managedFields` may be dropped.
    mutating func parseValue(depth: Int, isMetadata: Bool = false) throws(JSONValue.ParseError) -> JSONValue {
        guard self.index < self.bytes.count else { throw self.endOfInput }
        switch self.bytes[self.index] {
        case UInt8(ascii: "{"): return try self.parseObject(depth: depth + 1, isMetadata: isMetadata)
        case UInt8(ascii: "["): return try self.parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try self.parseString())
        case UInt8(ascii: "t"):
            try self.expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try self.expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try self.expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try self.parseNumber()
        default:
            throw self.error(
                "invalid character \(Self.quoteCharacter(self.bytes[self.index])) looking for beginning of value"
            )
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONValue.ParseError) {
        let text = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for expected in text {
            guard self.index < self.bytes.count else { throw self.endOfInput }
            let byte = self.bytes[self.index]
            guard byte == expected else {
                throw self.error(
                    "invalid character \(Self.quoteCharacter(byte)) in literal \(literal) (expecting "
                        + "\(Self.quoteCharacter(expected)))"
                )
            }
            self.index += 1
        }
    }

    private mutating func parseObject(depth: Int, isMetadata: Bool) throws(JSONValue.ParseError) -> JSONValue {
        guard depth <= JSONValue.maximumDepth else { throw self.error("exceeded max depth") }
        self.index += 1  // {
        var members: [(key: String, value: JSONValue)] = []
        self.skipWhitespace()
        guard self.index < self.bytes.count else { throw self.endOfInput }
        if self.bytes[self.index] == UInt8(ascii: "}") {
            self.index += 1
            return .object(JSONObject())
        }
        while true {
            self.skipWhitespace()
            guard self.index < self.bytes.count else { throw self.endOfInput }
            guard self.bytes[self.index] == UInt8(ascii: "\"") else {
                throw self.error(
                    "invalid character \(Self.quoteCharacter(self.bytes[self.index])) looking for beginning of "
                        + "object key string"
                )
            }
            let key = try self.parseString()
            self.skipWhitespace()
            guard self.index < self.bytes.count else { throw self.endOfInput }
            guard self.bytes[self.index] == UInt8(ascii: ":") else {
                throw self.error("invalid character \(Self.quoteCharacter(self.bytes[self.index])) after object key")
            }
            self.index += 1
            self.skipWhitespace()
            if isMetadata && key == "managedFields" {
                try self.skipValue(depth: depth)
            } else {
                let value = try self.parseValue(depth: depth, isMetadata: self.dropsManagedFields && key == "metadata")
                members.append((key, value))
            }
            self.skipWhitespace()
            guard self.index < self.bytes.count else { throw self.endOfInput }
            switch self.bytes[self.index] {
            case UInt8(ascii: ","):
                self.index += 1
            case UInt8(ascii: "}"):
                self.index += 1
                return .object(JSONObject(Self.mergingDuplicates(members)))
            default:
                throw self.error(
                    "invalid character \(Self.quoteCharacter(self.bytes[self.index])) after object key:value pair"
                )
            }
        }
    }

    /// Moves past one value without building it: containers by their brackets (what lies between them is not
    /// checked, as nothing of it is kept), strings by their closing quote, scalars parsed as usual.
    private mutating func skipValue(depth: Int) throws(JSONValue.ParseError) {
        guard self.index < self.bytes.count else { throw self.endOfInput }
        switch self.bytes[self.index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var nesting = 0
            while self.index < self.bytes.count {
                switch self.bytes[self.index] {
                case UInt8(ascii: "\""):
                    try self.skipString()
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    nesting += 1
                    guard depth + nesting <= JSONValue.maximumDepth else { throw self.error("exceeded max depth") }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    nesting -= 1
                    if nesting == 0 {
                        self.index += 1
                        return
                    }
                default:
                    break
                }
                self.index += 1
            }
            throw self.endOfInput
        case UInt8(ascii: "\""):
            try self.skipString()
        default:
            _ = try self.parseValue(depth: depth)
        }
    }

    /// Moves past a string (the index is at its opening quote).
    private mutating func skipString() throws(JSONValue.ParseError) {
        self.index += 1
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case UInt8(ascii: "\\"): self.index += 2
            case UInt8(ascii: "\""):
                self.index += 1
                return
            default: self.index += 1
            }
        }
        throw self.endOfInput
    }

    /// Repeated keys keep their first position and their last value.
    private static func mergingDuplicates(
        _ members: [(key: String, value: JSONValue)]
    ) -> [(key: String, value: JSONValue)] {
        guard members.count > 1 else { return members }
        if members.count <= 16 {
            // Small objects (nearly all of them): compare names pairwise instead of hashing every one.
            var hasDuplicates = false
            members.withUnsafeBufferPointer { buffer in
                outer: for later in 1..<buffer.count {
                    let name = buffer[later].key
                    let length = name.utf8.count
                    for earlier in 0..<later {
                        let candidate = buffer[earlier].key
                        if candidate.utf8.count == length, candidate == name {
                            hasDuplicates = true
                            break outer
                        }
                    }
                }
            }
            guard hasDuplicates else { return members }
        }
        var positions: [String: Int] = [:]
        positions.reserveCapacity(members.count)
        var hasDuplicates = false
        for (offset, member) in members.enumerated() where positions.updateValue(offset, forKey: member.key) != nil {
            hasDuplicates = true
        }
        guard hasDuplicates else { return members }
        var merged: [(key: String, value: JSONValue)] = []
        var seen: Set<String> = []
        for member in members where seen.insert(member.key).inserted {
            merged.append((member.key, members[positions[member.key]!].value))
        }
        return merged
    }

    private mutating func parseArray(depth: Int) throws(JSONValue.ParseError) -> JSONValue {
        guard depth <= JSONValue.maximumDepth else { throw self.error("exceeded max depth") }
        self.index += 1  // [
        var elements: [JSONValue] = []
        self.skipWhitespace()
        guard self.index < self.bytes.count else { throw self.endOfInput }
        if self.bytes[self.index] == UInt8(ascii: "]") {
            self.index += 1
            return .array([])
        }
        while true {
            self.skipWhitespace()
            elements.append(try self.parseValue(depth: depth))
            self.skipWhitespace()
            guard self.index < self.bytes.count else { throw self.endOfInput }
            switch self.bytes[self.index] {
            case UInt8(ascii: ","):
                self.index += 1
            case UInt8(ascii: "]"):
                self.index += 1
                return .array(elements)
            default:
                throw self.error(
                    "invalid character \(Self.quoteCharacter(self.bytes[self.index])) after array element"
                )
            }
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func parseNumber() throws(JSONValue.ParseError) -> JSONValue {
        let start = self.index
        var isInteger = true
        if self.bytes[self.index] == UInt8(ascii: "-") {
            self.index += 1
            guard self.index < self.bytes.count else { throw self.endOfInput }
            guard Self.isDigit(self.bytes[self.index]) else {
                throw self.error(
                    "invalid character \(Self.quoteCharacter(self.bytes[self.index])) in numeric literal"
                )
            }
        }
        if self.bytes[self.index] == UInt8(ascii: "0") {
            self.index += 1
        } else {
            while self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) { self.index += 1 }
        }
        if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ".") {
            isInteger = false
            self.index += 1
            try self.requireDigit()
            while self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) { self.index += 1 }
        }
        if self.index < self.bytes.count,
            self.bytes[self.index] == UInt8(ascii: "e") || self.bytes[self.index] == UInt8(ascii: "E")
        {
            isInteger = false
            self.index += 1
            if self.index < self.bytes.count,
                self.bytes[self.index] == UInt8(ascii: "+") || self.bytes[self.index] == UInt8(ascii: "-")
            {
                self.index += 1
            }
            try self.requireDigit()
            while self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) { self.index += 1 }
        }
        let literal = UnsafeBufferPointer(rebasing: self.bytes[start..<self.index])
        if isInteger, let value = Self.int64(literal) { return .int(value) }
        let text = String(decoding: literal, as: UTF8.self)
        guard let value = Double(text) else { throw self.error("invalid number literal \(text)") }
        return .double(value)
    }

    private mutating func requireDigit() throws(JSONValue.ParseError) {
        guard self.index < self.bytes.count else { throw self.endOfInput }
        guard Self.isDigit(self.bytes[self.index]) else {
            throw self.error("invalid character \(Self.quoteCharacter(self.bytes[self.index])) in numeric literal")
        }
    }

    private static func int64(_ literal: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        let negative = literal[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        var magnitude: UInt64 = 0
        while index < literal.count {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(literal[index] - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
            index += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    private mutating func parseString() throws(JSONValue.ParseError) -> String {
        self.index += 1  // opening quote
        let start = self.index
        // Fast path: no escapes.
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: self.bytes[start..<self.index])
                let text = self.strings?.string(raw) ?? String(decoding: raw, as: UTF8.self)
                self.index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 {
                throw self.error("invalid character \(Self.quoteCharacter(byte)) in string literal")
            }
            self.index += 1
        }
        guard self.index < self.bytes.count else { throw self.endOfInput }
        // Slow path: copy, resolving escapes.
        var output = Array(self.bytes[start..<self.index])
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            switch byte {
            case UInt8(ascii: "\""):
                self.index += 1
                return String(decoding: output, as: UTF8.self)
            case UInt8(ascii: "\\"):
                self.index += 1
                guard self.index < self.bytes.count else { throw self.endOfInput }
                let escape = self.bytes[self.index]
                self.index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escape)
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try self.parseHex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        let saved = self.index
                        if self.index + 6 <= self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\\"),
                            self.bytes[self.index + 1] == UInt8(ascii: "u")
                        {
                            self.index += 2
                            let low = try self.parseHex4()
                            if (0xDC00..<0xE000).contains(low) {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                self.index = saved
                                scalar = 0xFFFD
                            }
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        scalar = 0xFFFD
                    }
                    output.append(contentsOf: String(Character(UnicodeScalar(scalar)!)).utf8)
                default:
                    self.index -= 1
                    throw self.error("invalid character \(Self.quoteCharacter(escape)) in string escape code")
                }
            default:
                if byte < 0x20 {
                    throw self.error("invalid character \(Self.quoteCharacter(byte)) in string literal")
                }
                output.append(byte)
                self.index += 1
            }
        }
        throw self.endOfInput
    }

    private mutating func parseHex4() throws(JSONValue.ParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard self.index < self.bytes.count else { throw self.endOfInput }
            let byte = self.bytes[self.index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default:
                throw self.error("invalid character \(Self.quoteCharacter(byte)) in \\u hexadecimal character escape")
            }
            value = value << 4 | digit
            self.index += 1
        }
        return value
    }
}
