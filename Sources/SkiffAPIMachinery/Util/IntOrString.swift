/// A value that is either an integer or a string (`intstr.IntOrString` upstream), such as a port or a percentage.
///
/// In JSON it is a number or a string, exactly as upstream writes it: `.int(80)` is `80` and `.string("25%")` is
/// `"25%"`. Decoding accepts a string or an integer within the `Int32` range; any other number is an error, as in
/// upstream's `UnmarshalJSON`. A JSON `null` decodes as `.int(0)`, as upstream does for a non-pointer field.
///
/// ## Topics
/// ### Creating
/// - ``int(_:)``
/// - ``string(_:)``
/// - ``init(parsing:)``
/// ### Reading
/// - ``intValue``
/// - ``scaledValue(total:roundUp:)``
public enum IntOrString: Sendable, Hashable {
    case int(Int32)
    case string(String)

    /// An integer if `string` is one in the `Int32` range, else the string (upstream's `intstr.Parse`).
    public init(parsing string: String) {
        if let value = Int32(string) { self = .int(value) } else { self = .string(string) }
    }

    /// The integer, or the string read as an integer (`0` when it is not one), as upstream's `IntValue()`.
    public var intValue: Int {
        switch self {
        case .int(let value): Int(value)
        case .string(let value): Int(value) ?? 0
        }
    }

    /// Why an int-or-percent value cannot be scaled; ``message`` is worded as upstream's error.
    public struct ScaleError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The message, for example `invalid value for IntOrString: invalid type: string is not a percentage`.
        public var message: String

        public init(message: String) { self.message = message }

        public var description: String { self.message }
    }

    /// The integer itself, or a percentage of `total` rounded up or down (upstream's
    /// `GetScaledValueFromIntOrPercent`).
    ///
    /// `.string("25%")` of 10 is 3 rounding up and 2 rounding down. A string must be an integer followed by `%`.
    public func scaledValue(total: Int, roundUp: Bool) throws(ScaleError) -> Int {
        switch self {
        case .int(let value):
            return Int(value)
        case .string(let text):
            guard text.hasSuffix("%") else {
                throw ScaleError(message: "invalid value for IntOrString: invalid type: string is not a percentage")
            }
            let digits = String(text.dropLast())
            guard let percent = Int(digits) else {
                let reason = Self.isDecimalInteger(digits) ? "value out of range" : "invalid syntax"
                throw ScaleError(
                    message: "invalid value for IntOrString: invalid value \(goQuoted(text)): strconv.Atoi: parsing "
                        + "\(goQuoted(digits)): \(reason)"
                )
            }
            let (product, overflow) = percent.multipliedReportingOverflow(by: total)
            guard !overflow else {
                let exact = Double(percent) * Double(total) / 100
                return Int(roundUp ? exact.rounded(.up) : exact.rounded(.down))
            }
            let (quotient, remainder) = product.quotientAndRemainder(dividingBy: 100)
            guard remainder != 0 else { return quotient }
            // quotient truncates toward zero: adjust towards +∞ or −∞ like math.Ceil and math.Floor.
            if roundUp { return product > 0 ? quotient + 1 : quotient }
            return product < 0 ? quotient - 1 : quotient
        }
    }

    private static func isDecimalInteger(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}

extension IntOrString: JSONTreeCodable {
    public init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws {
        switch value {
        case .null: self = .int(0)
        case .string(let string): self = .string(string)
        case .int(let integer):
            guard let narrow = Int32(exactly: integer) else {
                throw decoder.dataCorrupted("json: cannot unmarshal number \(integer) into Go value of type int32")
            }
            self = .int(narrow)
        case .double(let double):
            throw decoder.dataCorrupted("json: cannot unmarshal number \(double) into Go value of type int32")
        default:
            throw DecodingError.typeMismatch(
                IntOrString.self,
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "IntOrString must be a JSON string or an integer"
                )
            )
        }
    }

    public func jsonTree() -> JSONValue {
        switch self {
        case .int(let integer): .int(Int64(integer))
        case .string(let string): .string(string)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .int(0)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Int64.self) {
            guard let narrow = Int32(exactly: value) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "json: cannot unmarshal number \(value) into Go value of type int32"
                )
            }
            self = .int(narrow)
        } else if let value = try? container.decode(Double.self) {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "json: cannot unmarshal number \(value) into Go value of type int32"
            )
        } else {
            throw DecodingError.typeMismatch(
                IntOrString.self,
                .init(
                    codingPath: container.codingPath,
                    debugDescription: "IntOrString must be a JSON string or an integer"
                )
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }
}

extension IntOrString: CustomStringConvertible {
    /// The integer in decimal, or the string (upstream's `String()`).
    public var description: String {
        switch self {
        case .int(let value): String(value)
        case .string(let value): value
        }
    }
}

extension IntOrString: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    public init(integerLiteral value: Int32) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }
}
