#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A point in time written as RFC 3339 with second precision in UTC (`2024-01-02T03:04:05Z`), as `meta/v1.Time`.
///
/// Decoding accepts any RFC 3339 timestamp (a fraction of a second, `Z` or a numeric offset); encoding always writes
/// UTC and drops the fraction (truncating, as Go's formatting does), so a decode-then-encode of
/// `2024-01-02T04:04:05.9+01:00` writes `2024-01-02T03:04:05Z`. As upstream, the zero time (``zero``, Go's
/// `0001-01-01T00:00:00Z`) is written as JSON `null`, and `null` decodes as ``zero``.
///
/// Parsing and formatting are hand-written (no `DateFormatter`), since every object carries timestamps.
///
/// ## Topics
/// ### Creating
/// - ``init(_:)``
/// - ``init(parsing:)``
/// - ``zero``
/// ### Reading
/// - ``date``
/// - ``string``
/// - ``isZero``
public struct Time: Sendable, Hashable {
    /// The instant.
    public var date: Date

    /// The time at `date`.
    public init(_ date: Date) { self.date = date }

    /// Parses an RFC 3339 timestamp (upstream parses with Go's `time.RFC3339`). Throws ``RFC3339/ParseError``.
    public init(parsing string: String) throws(RFC3339.ParseError) {
        self.date = try RFC3339.parse(string, layout: RFC3339.secondsLayout)
    }

    /// Go's zero time, `0001-01-01T00:00:00Z`, which upstream writes as `null`.
    public static let zero = Time(RFC3339.goZeroDate)

    /// Whether this is Go's zero time.
    public var isZero: Bool { self.date == RFC3339.goZeroDate }

    /// The timestamp as written to JSON: `2006-01-02T15:04:05Z`, in UTC, truncated to the second.
    public var string: String { RFC3339.format(self.date, fractionDigits: 0) }
}

/// A point in time written as RFC 3339 with microseconds in UTC (`2024-01-02T03:04:05.123456Z`), as
/// `meta/v1.MicroTime`.
///
/// Encoding always writes six fraction digits in UTC; the instant is rounded to the nearest microsecond first (a
/// `Date` is a `Double` and holds no exact microseconds). Decoding accepts any RFC 3339 timestamp; upstream demands
/// exactly six fraction digits, so Skiff accepts more than upstream here. `null` and the zero time behave as in
/// ``Time``.
public struct MicroTime: Sendable, Hashable {
    /// The instant.
    public var date: Date

    /// The time at `date`.
    public init(_ date: Date) { self.date = date }

    /// Parses an RFC 3339 timestamp. Throws ``RFC3339/ParseError``.
    public init(parsing string: String) throws(RFC3339.ParseError) {
        self.date = try RFC3339.parse(string, layout: RFC3339.microsecondsLayout)
    }

    /// Go's zero time, `0001-01-01T00:00:00Z`, which upstream writes as `null`.
    public static let zero = MicroTime(RFC3339.goZeroDate)

    /// Whether this is Go's zero time.
    public var isZero: Bool { self.date == RFC3339.goZeroDate }

    /// The timestamp as written to JSON: `2006-01-02T15:04:05.000000Z`, in UTC.
    public var string: String { RFC3339.format(self.date, fractionDigits: 6) }
}

extension Time: Comparable {
    public static func < (lhs: Time, rhs: Time) -> Bool { lhs.date < rhs.date }
}

extension MicroTime: Comparable {
    public static func < (lhs: MicroTime, rhs: MicroTime) -> Bool { lhs.date < rhs.date }
}

extension Time: CustomStringConvertible {
    public var description: String { self.string }
}

extension MicroTime: CustomStringConvertible {
    public var description: String { self.string }
}

extension Time: JSONTreeCodable {
    public init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws {
        switch value {
        case .null: self = .zero
        case .string(let text):
            do {
                self = try Time(parsing: text)
            } catch {
                throw decoder.dataCorrupted(error.message)
            }
        default: throw decoder.typeMismatch(String.self, value)
        }
    }

    public func jsonTree() -> JSONValue {
        self.isZero ? .null : .string(self.string)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .zero
            return
        }
        let text = try container.decode(String.self)
        do {
            self = try Time(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if self.isZero { try container.encodeNil() } else { try container.encode(self.string) }
    }
}

extension MicroTime: JSONTreeCodable {
    public init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws {
        switch value {
        case .null: self = .zero
        case .string(let text):
            do {
                self = try MicroTime(parsing: text)
            } catch {
                throw decoder.dataCorrupted(error.message)
            }
        default: throw decoder.typeMismatch(String.self, value)
        }
    }

    public func jsonTree() -> JSONValue {
        self.isZero ? .null : .string(self.string)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .zero
            return
        }
        let text = try container.decode(String.self)
        do {
            self = try MicroTime(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if self.isZero { try container.encodeNil() } else { try container.encode(self.string) }
    }
}

/// RFC 3339 timestamps as Go reads and writes them: the parser and formatter behind ``Time`` and ``MicroTime``.
public enum RFC3339 {
    /// Why a string is not an RFC 3339 timestamp; the message follows Go's `time.Parse` errors.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The message, for example `parsing time "2024-13-01T00:00:00Z": month out of range`.
        public var message: String

        public init(message: String) { self.message = message }

        public var description: String { self.message }
    }

    /// Go's `time.RFC3339` layout, quoted in errors.
    public static let secondsLayout = "2006-01-02T15:04:05Z07:00"
    /// Upstream's `RFC3339Micro` layout, quoted in errors.
    public static let microsecondsLayout = "2006-01-02T15:04:05.000000Z07:00"

    /// `0001-01-01T00:00:00Z`.
    static let goZeroDate = Date(timeIntervalSince1970: -62_135_596_800)

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; the fraction may have any number of digits (beyond nine
    /// they are ignored, as Go does) and `,` may stand for `.`.
    public static func parse(_ string: String, layout: String = secondsLayout) throws(ParseError) -> Date {
        let (seconds, nanoseconds) = try self.parseInstant(string, layout: layout)
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1_000_000_000)
    }

    /// Parses as ``parse(_:layout:)`` does, into seconds since the Unix epoch and nanoseconds (`0..<1e9`), without
    /// the precision loss of a `Date`: the form protobuf's `meta/v1.Time` carries.
    public static func parseInstant(
        _ string: String,
        layout: String = secondsLayout
    ) throws(ParseError) -> (seconds: Int64, nanoseconds: Int32) {
        let bytes = Array(string.utf8)
        var index = 0
        func fail(_ element: String) -> ParseError {
            let rest = String(decoding: bytes[min(index, bytes.count)...], as: UTF8.self)
            return ParseError(
                message: "parsing time \(goQuoted(string)) as \(goQuoted(layout)): cannot parse \(goQuoted(rest)) as "
                    + goQuoted(element)
            )
        }
        func outOfRange(_ what: String) -> ParseError {
            ParseError(message: "parsing time \(goQuoted(string)): \(what) out of range")
        }
        func number(_ digits: Int, _ element: String) throws(ParseError) -> Int {
            guard index + digits <= bytes.count else { throw fail(element) }
            var value = 0
            for offset in 0..<digits {
                let byte = bytes[index + offset]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw fail(element) }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += digits
            return value
        }
        func literal(_ character: Character) throws(ParseError) {
            guard index < bytes.count, bytes[index] == character.asciiValue! else { throw fail(String(character)) }
            index += 1
        }

        let year = try number(4, "2006")
        try literal("-")
        let month = try number(2, "01")
        try literal("-")
        let day = try number(2, "02")
        try literal("T")
        let hour = try number(2, "15")
        try literal(":")
        let minute = try number(2, "04")
        try literal(":")
        let second = try number(2, "05")
        var nanoseconds = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
            let start = index + 1
            var end = start
            while end < bytes.count, bytes[end] >= UInt8(ascii: "0"), bytes[end] <= UInt8(ascii: "9") { end += 1 }
            guard end > start else { throw fail(layout == Self.microsecondsLayout ? ".000000" : "Z07:00") }
            var scale = 100_000_000
            for position in start..<min(end, start + 9) {
                nanoseconds += Int(bytes[position] - UInt8(ascii: "0")) * scale
                scale /= 10
            }
            index = end
        }
        var offsetSeconds = 0
        guard index < bytes.count else { throw fail("Z07:00") }
        if bytes[index] == UInt8(ascii: "Z") {
            index += 1
        } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            let offsetHours = try number(2, "Z07:00")
            try literal(":")
            let offsetMinutes = try number(2, "Z07:00")
            guard offsetHours < 24 else { throw outOfRange("time zone offset hour") }
            guard offsetMinutes < 60 else { throw outOfRange("time zone offset minute") }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            throw fail("Z07:00")
        }
        guard index == bytes.count else {
            let extra = String(decoding: bytes[index...], as: UTF8.self)
            throw ParseError(message: "parsing time \(goQuoted(string)): extra text: \(goQuoted(extra))")
        }
        guard (1...12).contains(month) else { throw outOfRange("month") }
        guard day >= 1, day <= Self.daysIn(month: month, year: year) else { throw outOfRange("day") }
        guard hour < 24 else { throw outOfRange("hour") }
        guard minute < 60 else { throw outOfRange("minute") }
        guard second < 60 else { throw outOfRange("second") }

        let days = Self.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return (seconds, Int32(nanoseconds))
    }

    /// Formats `date` in UTC as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` with `fractionDigits` digits (0 to 6).
    ///
    /// The instant is first rounded to the nearest microsecond (what a `Date` can hold faithfully), then truncated
    /// to `fractionDigits`.
    public static func format(_ date: Date, fractionDigits: Int) -> String {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let totalMicros = Int64(exactly: micros) ?? (micros < 0 ? Int64.min / 2 : Int64.max / 2)
        let (seconds, fraction) = Self.floorDivide(totalMicros, 1_000_000)
        return Self.format(seconds: seconds, nanoseconds: Int32(fraction) * 1000, fractionDigits: min(fractionDigits, 6))
    }

    /// Formats an instant given as seconds since the Unix epoch and nanoseconds (`0..<1e9`) in UTC, as
    /// `YYYY-MM-DDTHH:MM:SS[.fff…]Z` with exactly `fractionDigits` digits (0 to 9, truncated), as Go does.
    public static func format(seconds: Int64, nanoseconds: Int32, fractionDigits: Int) -> String {
        let (days, secondOfDay) = Self.floorDivide(seconds, 86_400)
        let (year, month, day) = Self.civilFromDays(Int(days))
        // Fixed-width digits into a stack buffer: `[-]yyyy-mm-ddThh:mm:ss[.fffffffff]Z` is at most 31 bytes.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { buffer in
            var count = 0
            func put(_ value: Int, width: Int) {
                var rest = abs(value)
                if value < 0 {
                    buffer[count] = UInt8(ascii: "-")
                    count += 1
                }
                for offset in stride(from: width - 1, through: 0, by: -1) {
                    buffer[count + offset] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                count += width
            }
            func put(_ character: Unicode.Scalar) {
                buffer[count] = UInt8(ascii: character)
                count += 1
            }
            put(year, width: 4)
            put("-")
            put(month, width: 2)
            put("-")
            put(day, width: 2)
            put("T")
            put(Int(secondOfDay / 3600), width: 2)
            put(":")
            put(Int(secondOfDay / 60 % 60), width: 2)
            put(":")
            put(Int(secondOfDay % 60), width: 2)
            if fractionDigits > 0 {
                let digits = min(fractionDigits, 9)
                var fraction = Int(nanoseconds)
                for _ in digits..<9 { fraction /= 10 }
                put(".")
                put(fraction, width: digits)
            }
            put("Z")
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
        }
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    static func isLeapYear(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: Self.isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
