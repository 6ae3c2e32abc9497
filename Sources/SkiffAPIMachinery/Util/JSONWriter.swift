/// Writes compact JSON exactly as Go's `encoding/json` does, so that bytes match upstream's responses.
///
/// No insignificant whitespace; `<`, `>` and `&` are escaped as `\u003c`, `\u003e` and `\u0026` (Go's HTML-safe
/// default), U+2028 and U+2029 as `\u2028` and `\u2029`; `/` is not escaped; control characters use `\b`, `\f`,
/// `\n`, `\r`, `\t` or `\u00XX` (lowercase hex). Floating-point numbers use Go's shortest form: plain decimal for
/// magnitudes in [1e-6, 1e21), otherwise an exponent such as `1e+21` or `1e-7`.
struct JSONWriter {
    private(set) var output: [UInt8] = []

    /// Whether object members are written sorted by key (as Go writes a `map[string]interface{}`), or in order.
    let sortsKeys: Bool

    init(sortsKeys: Bool, capacity: Int = 256) {
        self.sortsKeys = sortsKeys
        self.output.reserveCapacity(capacity)
    }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null: self.append("null")
        case .bool(let flag): self.append(flag ? "true" : "false")
        case .int(let integer): self.append(String(integer))
        case .double(let number): self.writeDouble(number)
        case .string(let text): self.writeString(text)
        case .array(let elements):
            self.output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { self.output.append(UInt8(ascii: ",")) }
                self.write(element)
            }
            self.output.append(UInt8(ascii: "]"))
        case .object(let object):
            self.output.append(UInt8(ascii: "{"))
            var members = object.members
            if self.sortsKeys {
                members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            }
            for (index, member) in members.enumerated() {
                if index > 0 { self.output.append(UInt8(ascii: ",")) }
                self.writeString(member.key)
                self.output.append(UInt8(ascii: ":"))
                self.write(member.value)
            }
            self.output.append(UInt8(ascii: "}"))
        }
    }

    private mutating func append(_ text: String) {
        self.output.append(contentsOf: text.utf8)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Whether `byte` is written as is: everything but controls, `"`, `\\`, `<`, `>`, `&` and the lead byte of
    /// U+2028 and U+2029.
    @inline(__always)
    private static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x00..<0x20, UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "<"), UInt8(ascii: ">"),
            UInt8(ascii: "&"), 0xE2:
            false
        default: true
        }
    }

    mutating func writeString(_ text: String) {
        self.output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            // Runs of plain bytes are copied at once; only the bytes between them are looked at one by one.
            var runStart = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if Self.isPlain(byte) {
                    index += 1
                    continue
                }
                self.output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                index += 1
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    self.output.append(UInt8(ascii: "\\"))
                    self.output.append(byte)
                case 0x08: self.append("\\b")
                case 0x0C: self.append("\\f")
                case 0x0A: self.append("\\n")
                case 0x0D: self.append("\\r")
                case 0x09: self.append("\\t")
                case 0xE2:
                    // U+2028 and U+2029 are E2 80 A8 and E2 80 A9; anything else starting with E2 is copied.
                    let third = index + 1 < bytes.count ? bytes[index + 1] : 0
                    if index + 1 < bytes.count, bytes[index] == 0x80, third == 0xA8 || third == 0xA9 {
                        self.append(third == 0xA8 ? "\\u2028" : "\\u2029")
                        index += 2
                    } else {
                        self.output.append(byte)
                    }
                default:
                    self.append("\\u00")
                    self.output.append(Self.hexDigits[Int(byte >> 4)])
                    self.output.append(Self.hexDigits[Int(byte & 0xF)])
                }
                runStart = index
            }
            self.output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
        }
        self.output.append(UInt8(ascii: "\""))
    }

    /// Go's `float64` encoding: `strconv.AppendFloat(f, 'f' or 'e', -1, 64)` with a tidied exponent.
    mutating func writeDouble(_ number: Double) {
        guard number.isFinite else {
            self.append("null")  // Go refuses NaN and infinities ("json: unsupported value").
            return
        }
        let (negative, digits, pointPosition) = Self.shortestDigits(number)
        if negative { self.output.append(UInt8(ascii: "-")) }
        guard !digits.isEmpty else {
            self.output.append(UInt8(ascii: "0"))
            return
        }
        let magnitude = abs(number)
        if magnitude < 1e-6 || magnitude >= 1e21 {
            self.output.append(digits[0])
            if digits.count > 1 {
                self.output.append(UInt8(ascii: "."))
                self.output.append(contentsOf: digits[1...])
            }
            let exponent = pointPosition - 1
            self.output.append(UInt8(ascii: "e"))
            self.output.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let exponentDigits = String(abs(exponent)).utf8
            // Go writes at least two exponent digits, then drops the zero of "e-0X".
            if exponentDigits.count < 2, exponent >= 0 { self.output.append(UInt8(ascii: "0")) }
            self.output.append(contentsOf: exponentDigits)
        } else if pointPosition <= 0 {
            self.append("0.")
            self.output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -pointPosition))
            self.output.append(contentsOf: digits)
        } else if pointPosition >= digits.count {
            self.output.append(contentsOf: digits)
            self.output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: pointPosition - digits.count))
        } else {
            self.output.append(contentsOf: digits[..<pointPosition])
            self.output.append(UInt8(ascii: "."))
            self.output.append(contentsOf: digits[pointPosition...])
        }
    }

    /// The shortest round-tripping decimal digits of `number` (no leading or trailing zeros) and the position of
    /// the decimal point: `number` = 0.d₁d₂…dₙ × 10^`pointPosition`. Zero has no digits.
    static func shortestDigits(_ number: Double) -> (negative: Bool, digits: [UInt8], pointPosition: Int) {
        // Swift's description is the shortest round-tripping representation, as Go's 'g'/-1 digits are.
        let text = Array(number.description.utf8)
        var index = 0
        let negative = text.first == UInt8(ascii: "-")
        if negative { index = 1 }
        var digits: [UInt8] = []
        var integerDigits = 0
        var seenPoint = false
        var exponent = 0
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                exponent = Int(String(decoding: text[(index + 1)...], as: UTF8.self)) ?? 0
                break
            } else {
                digits.append(byte)
                if !seenPoint { integerDigits += 1 }
            }
            index += 1
        }
        var pointPosition = integerDigits + exponent
        while let first = digits.first, first == UInt8(ascii: "0") {
            digits.removeFirst()
            pointPosition -= 1
        }
        while let last = digits.last, last == UInt8(ascii: "0") { digits.removeLast() }
        return (negative, digits, pointPosition)
    }
}
