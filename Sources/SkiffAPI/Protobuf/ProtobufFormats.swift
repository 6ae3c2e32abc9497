internal import SkiffAPIMachinery

/// The textual forms Go's JSON gives the special protobuf messages: base64, Go durations (RFC 3339 times are
/// `RFC3339`'s, in SkiffAPIMachinery).
enum ProtobufFormats {
    // MARK: Durations

    /// Go's `time.Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`.
    static func formatDuration(nanoseconds: Int64) -> String {
        if nanoseconds == 0 { return "0s" }
        let negative = nanoseconds < 0
        let magnitude = nanoseconds.magnitude
        func fraction(_ value: UInt64, _ unit: UInt64) -> String {
            var text = String(value / unit)
            var rest = value % unit
            if rest != 0 {
                var digits = ""
                var scale = unit
                while rest != 0 {
                    scale /= 10
                    digits += String(rest / scale)
                    rest %= scale
                }
                text += "." + digits
            }
            return text
        }
        var text: String
        if magnitude < 1_000 {
            text = "\(magnitude)ns"
        } else if magnitude < 1_000_000 {
            text = fraction(magnitude, 1_000) + "µs"
        } else if magnitude < 1_000_000_000 {
            text = fraction(magnitude, 1_000_000) + "ms"
        } else {
            let hours = magnitude / 3_600_000_000_000
            let minutes = magnitude / 60_000_000_000 % 60
            text = ""
            if hours > 0 { text += "\(hours)h" }
            if hours > 0 || minutes > 0 { text += "\(minutes)m" }
            text += fraction(magnitude % 60_000_000_000, 1_000_000_000) + "s"
        }
        return negative ? "-" + text : text
    }

    /// Parses a Go duration (`1h2m3.5s`, `300ms`, `-1.5h`) into nanoseconds.
    static func parseDuration(_ text: String) -> Int64? {
        var scalars = Substring(text)
        var negative = false
        if scalars.first == "-" || scalars.first == "+" {
            negative = scalars.first == "-"
            scalars = scalars.dropFirst()
        }
        if scalars == "0" { return 0 }
        guard !scalars.isEmpty else { return nil }
        var total: Double = 0
        while !scalars.isEmpty {
            let numberEnd = scalars.firstIndex { !($0.isNumber || $0 == ".") } ?? scalars.endIndex
            guard let value = Double(scalars[..<numberEnd]) else { return nil }
            scalars = scalars[numberEnd...]
            let unitEnd = scalars.firstIndex { $0.isNumber || $0 == "." } ?? scalars.endIndex
            let units: [Substring: Double] = [
                "ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 6e10, "h": 3.6e12,
            ]
            guard let unit = units[scalars[..<unitEnd]] else { return nil }
            total += value * unit
            scalars = scalars[unitEnd...]
        }
        return Int64(negative ? -total : total)
    }

    // MARK: Base64

    static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding, as Go's `encoding/json` writes `[]byte`.
    static func base64(_ bytes: UnsafeRawBufferPointer) -> String {
        let alphabet = Self.base64Alphabet
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
            output.append(alphabet[Int(value >> 6 & 63)])
            output.append(alphabet[Int(value & 63)])
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let value = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
            output.append(rest == 2 ? alphabet[Int(value >> 6 & 63)] : UInt8(ascii: "="))
            output.append(UInt8(ascii: "="))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes standard base64 (padding optional), or `nil` when `text` is not base64.
    static func decodeBase64(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count / 4 * 3)
        var accumulator: UInt32 = 0
        var bits = 0
        var padding = 0
        for byte in text.utf8 {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="):
                padding += 1
                continue
            default: return nil
            }
            guard padding == 0 else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return output
    }

    // MARK: JSON

    /// Parses embedded JSON (`RawExtension.raw`, `FieldsV1.Raw`, apiextensions' `JSON.raw`).
    static func parseJSON(_ bytes: UnsafeRawBufferPointer) -> JSONValue? {
        try? JSONValue.parse(bytes)
    }

    /// Serializes a JSON value compactly, for embedding in protobuf.
    static func serializeJSON(_ value: JSONValue) -> [UInt8]? {
        value.serialized()
    }
}
