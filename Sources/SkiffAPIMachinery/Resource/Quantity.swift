/// A fixed-point number with a unit suffix, such as `100m`, `1.5Gi` or `2e3`, as `resource.Quantity` upstream.
///
/// The value is exact: a decimal mantissa and a power-of-ten scale, never a floating-point number. Parsing follows
/// upstream's grammar (`<signedNumber><suffix>`, with suffixes `n u m "" k M G T P E`, `Ki Mi Gi Ti Pi Ei` or an
/// exponent `e3`/`E-3`), rounds anything finer than a nanounit up (away from zero), caps binary-suffixed values at
/// 2^63-1, and remembers which of the three ``Format``s the input used.
///
/// The string form is canonical, as upstream serialises it: the format is kept, the exponent or suffix is the largest
/// that loses no precision, no fractional digits are written, and a sign only for negative values (`1.5Gi` →
/// `1536Mi`, `0.1` → `100m`, `1000m` → `1`, `2e3` → `2e3`). Like upstream, a parsed string that is already in a
/// canonical shape is written back verbatim, so a decode-then-encode is byte-for-byte stable.
///
/// Equality, hashing and ordering compare values only (`1Gi == 1073741824`), as upstream's `Cmp` and `Equal`.
///
/// ## Topics
/// ### Creating
/// - ``init(parsing:)``
/// - ``init(_:)``
/// - ``init()``
/// - ``init(_:format:)``
/// - ``init(milliValue:format:)``
/// - ``init(scaledValue:scale:format:)``
/// ### Reading
/// - ``string``
/// - ``format``
/// - ``value``
/// - ``milliValue``
/// - ``scaledValue(_:)``
/// - ``isZero``
/// - ``sign``
/// ### Arithmetic
/// - ``add(_:)``
/// - ``subtract(_:)``
/// - ``negate()``
/// - ``roundedUp(toScale:)``
public struct Quantity: Sendable {
    /// How a quantity is written: the family of suffixes it keeps when serialised.
    public enum Format: String, Sendable, Hashable, Codable {
        /// A power-of-ten exponent, e.g. `12e6`.
        case decimalExponent = "DecimalExponent"
        /// A power-of-two suffix, e.g. `12Mi` (12 × 2^20).
        case binarySI = "BinarySI"
        /// A power-of-ten SI suffix, e.g. `12M` (12 × 10^6), `100m`.
        case decimalSI = "DecimalSI"
    }

    /// The mantissa, without trailing decimal zeros (zero is `0` at scale `0`).
    private var mantissa: Int128
    /// The power of ten of ``mantissa``; never below `-9` (nano).
    private var scale: Int32
    /// The format in which the quantity is written; changing it changes ``string`` only.
    public var format: Format {
        didSet { self.cached = nil }
    }
    /// The input string, kept when it is already in canonical shape (upstream's `s`).
    private var cached: String?

    /// The smallest scale a quantity keeps: values are rounded up to a nanounit.
    static let minimumScale: Int32 = -9

    /// Zero, in the DecimalSI format.
    public init() {
        self.mantissa = 0
        self.scale = 0
        self.format = .decimalSI
        self.cached = nil
    }

    /// Parses `string` and traps if it is not a valid quantity (upstream's `MustParse`).
    ///
    /// Use this only for literals and values known to be valid; parse anything that comes from a user with
    /// ``init(parsing:)``.
    public init(_ string: String) {
        do {
            self = try Quantity(parsing: string)
        } catch {
            preconditionFailure("cannot parse '\(string)': \(error)")
        }
    }

    /// An integer `value` in `format` (upstream's `NewQuantity`).
    public init(_ value: Int64, format: Format) {
        self.init(mantissa: Int128(value), scale: 0, format: format)
    }

    /// `milliValue` thousandths in `format` (upstream's `NewMilliQuantity`).
    ///
    /// BinarySI quantities with a fractional part are written as DecimalSI, as upstream does.
    public init(milliValue: Int64, format: Format) {
        self.init(mantissa: Int128(milliValue), scale: -3, format: format)
    }

    /// `value` × 10^`scale` (upstream's `NewScaledQuantity`, which always uses DecimalSI).
    ///
    /// A scale finer than nano is rounded up to a nanounit, as parsing does.
    public init(scaledValue value: Int64, scale: Int32, format: Format = .decimalSI) {
        self.init(mantissa: Int128(value), scale: scale, format: format)
    }

    /// A quantity of `mantissa` × 10^`scale`, normalised and rounded up to nano precision.
    init(mantissa: Int128, scale: Int32, format: Format) {
        self.mantissa = mantissa
        self.scale = scale
        self.format = format
        self.cached = nil
        if self.scale < Self.minimumScale {
            let (rounded, _) = Self.roundAwayFromZero(
                mantissa,
                dividingByPowerOfTen: Int(Self.minimumScale) - Int(scale)
            )
            self.mantissa = rounded
            self.scale = Self.minimumScale
        }
        self.normalize()
    }

    private mutating func normalize() {
        if self.mantissa == 0 {
            self.scale = 0
            return
        }
        if self.mantissa == .min { self.mantissa = .min + 1 }  // keep magnitudes representable
        while self.mantissa % 10 == 0, self.scale < .max {
            self.mantissa /= 10
            self.scale += 1
        }
    }
}

// MARK: - Parsing

extension Quantity {
    /// Why a string is not a quantity; the messages are upstream's.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What kind of mistake the input has.
        public struct Code: Hashable, Sendable, CustomStringConvertible {
            private enum Base: Hashable, Sendable {
                case formatWrong, numeric, suffix, outOfRange
            }
            private let base: Base
            /// The string does not have the shape `<signedNumber><suffix>` (upstream's `ErrFormatWrong`).
            public static let formatWrong = Code(base: .formatWrong)
            /// The number could not be read (upstream's `ErrNumeric`).
            public static let numeric = Code(base: .numeric)
            /// The suffix is unknown (upstream's `ErrSuffix`).
            public static let suffix = Code(base: .suffix)
            /// The value has more significant digits than Skiff represents (about 38); upstream has no limit.
            public static let outOfRange = Code(base: .outOfRange)

            public var description: String {
                switch self.base {
                case .formatWrong: "formatWrong"
                case .numeric: "numeric"
                case .suffix: "suffix"
                case .outOfRange: "outOfRange"
                }
            }
        }

        /// The kind of mistake.
        public var code: Code
        /// The message, worded as upstream's.
        public var message: String

        public var description: String { self.message }

        /// The regular expression upstream quotes in its format error.
        public static let formatExpression = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"

        static let formatWrong = ParseError(
            code: .formatWrong,
            message: "quantities must match the regular expression '\(formatExpression)'"
        )
        static let numeric = ParseError(code: .numeric, message: "unable to parse numeric part of quantity")
        static let suffix = ParseError(code: .suffix, message: "unable to parse quantity's suffix")
        static let outOfRange = ParseError(
            code: .outOfRange,
            message: "quantity has too many significant digits to be represented exactly"
        )
    }

    /// Parses a quantity such as `100m`, `1.5Gi`, `2e3` or `-5`, exactly as upstream's `ParseQuantity`.
    ///
    /// Leading or trailing whitespace is an error. Throws ``ParseError``.
    public init(parsing string: String) throws(ParseError) {
        let original = string
        var bytes = string
        let result = bytes.withUTF8 { bytes in
            Result { () throws(ParseError) -> Quantity in try Self.parse(bytes, original: original) }
        }
        self = try result.get()
    }

    private struct Scanned {
        var positive = true
        var num: Range<Int> = 0..<0
        var denom: Range<Int> = 0..<0
        var suffix: Range<Int> = 0..<0
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isSuffixLetter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "i"), UInt8(ascii: "n"), UInt8(ascii: "u"),
            UInt8(ascii: "m"), UInt8(ascii: "k"), UInt8(ascii: "K"), UInt8(ascii: "M"), UInt8(ascii: "G"),
            UInt8(ascii: "T"), UInt8(ascii: "P"):
            true
        default: false
        }
    }

    /// Upstream's `parseQuantityString`: splits sign, integer digits, fraction digits and suffix.
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws(ParseError) -> Scanned {
        var result = Scanned()
        let end = bytes.count
        var position = 0
        if position < end {
            if bytes[0] == UInt8(ascii: "-") {
                result.positive = false
                position += 1
            } else if bytes[0] == UInt8(ascii: "+") {
                position += 1
            }
        }
        while position < end, bytes[position] == UInt8(ascii: "0") { position += 1 }
        if position >= end { return result }
        let numStart = position
        while position < end, Self.isDigit(bytes[position]) { position += 1 }
        result.num = numStart..<position
        if position >= end { return result }
        if bytes[position] == UInt8(ascii: ".") {
            position += 1
            let denomStart = position
            while position < end, Self.isDigit(bytes[position]) { position += 1 }
            result.denom = denomStart..<position
            if position >= end { return result }
        }
        let suffixStart = position
        while position < end, Self.isSuffixLetter(bytes[position]) { position += 1 }
        if position < end, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            position += 1
        }
        while position < end, Self.isDigit(bytes[position]) { position += 1 }
        guard position >= end else { throw .formatWrong }
        result.suffix = suffixStart..<end
        return result
    }

    /// Upstream's suffix table: (base, exponent, format).
    private static func interpret(_ suffix: UnsafeBufferPointer<UInt8>) -> (base: Int, exponent: Int32, Format)? {
        switch suffix.count {
        case 0: return (10, 0, .decimalSI)
        case 1:
            switch suffix[0] {
            case UInt8(ascii: "n"): return (10, -9, .decimalSI)
            case UInt8(ascii: "u"): return (10, -6, .decimalSI)
            case UInt8(ascii: "m"): return (10, -3, .decimalSI)
            case UInt8(ascii: "k"): return (10, 3, .decimalSI)
            case UInt8(ascii: "M"): return (10, 6, .decimalSI)
            case UInt8(ascii: "G"): return (10, 9, .decimalSI)
            case UInt8(ascii: "T"): return (10, 12, .decimalSI)
            case UInt8(ascii: "P"): return (10, 15, .decimalSI)
            case UInt8(ascii: "E"): return (10, 18, .decimalSI)
            default: return nil
            }
        default:
            if suffix.count == 2, suffix[1] == UInt8(ascii: "i") {
                switch suffix[0] {
                case UInt8(ascii: "K"): return (2, 10, .binarySI)
                case UInt8(ascii: "M"): return (2, 20, .binarySI)
                case UInt8(ascii: "G"): return (2, 30, .binarySI)
                case UInt8(ascii: "T"): return (2, 40, .binarySI)
                case UInt8(ascii: "P"): return (2, 50, .binarySI)
                case UInt8(ascii: "E"): return (2, 60, .binarySI)
                default: break
                }
            }
            guard suffix[0] == UInt8(ascii: "e") || suffix[0] == UInt8(ascii: "E") else { return nil }
            // strconv.ParseInt(rest, 10, 64): an optional sign, then at least one digit.
            var index = 1
            var negative = false
            if suffix[index] == UInt8(ascii: "+") || suffix[index] == UInt8(ascii: "-") {
                negative = suffix[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < suffix.count else { return nil }
            var exponent: Int64 = 0
            while index < suffix.count {
                guard Self.isDigit(suffix[index]) else { return nil }
                exponent = exponent * 10 + Int64(suffix[index] - UInt8(ascii: "0"))
                guard exponent <= Int64(Int32.max) else { return nil }
                index += 1
            }
            return (10, Int32(negative ? -exponent : exponent), .decimalExponent)
        }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, original: String) throws(ParseError) -> Quantity {
        guard !bytes.isEmpty else { throw .formatWrong }
        if bytes.count == 1, bytes[0] == UInt8(ascii: "0") {
            var zero = Quantity()
            zero.cached = original
            return zero
        }
        let scanned = try Self.scan(bytes)
        guard
            let (base, exponent, parsedFormat) = Self.interpret(
                UnsafeBufferPointer(rebasing: bytes[scanned.suffix])
            )
        else { throw .suffix }
        var format = parsedFormat
        let cacheable = Self.isCanonicalAsWritten(bytes, scanned, exponent: exponent, format: parsedFormat)

        // Fast path: few enough digits for an Int64 and no rounding (most real quantities).
        if scanned.num.count + scanned.denom.count <= 18 {
            var small: Int64 = 0
            for index in scanned.num { small = small * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
            for index in scanned.denom { small = small * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
            let scale = Int64(exponent) - Int64(scanned.denom.count)
            if base == 10, scale >= Int64(Self.minimumScale) {
                var result = Quantity(
                    mantissa: Int128(scanned.positive ? small : -small),
                    scale: Int32(scale),
                    format: format
                )
                if cacheable { result.cached = original }
                return result
            }
            if base == 2, scanned.denom.isEmpty {
                let (product, overflow) = small.multipliedReportingOverflow(by: Int64(1) << Int64(exponent))
                if !overflow {
                    var result = Quantity(
                        mantissa: Int128(scanned.positive ? product : -product),
                        scale: 0,
                        format: format
                    )
                    if cacheable { result.cached = original }
                    return result
                }
            }
        }

        // The exact value: digits × 10^-denomCount × base^exponent.
        var digits = BigDigits()
        for index in scanned.num { digits.multiply(by: 10, adding: UInt64(bytes[index] - UInt8(ascii: "0"))) }
        for index in scanned.denom { digits.multiply(by: 10, adding: UInt64(bytes[index] - UInt8(ascii: "0"))) }
        var scale = -Int64(scanned.denom.count)
        if base == 10 {
            scale += Int64(exponent)
        } else {
            digits.multiply(by: UInt64(1) << UInt64(exponent))
        }
        // Round up (away from zero) to a nanounit, as upstream does for non-zero values.
        if scale < Int64(Self.minimumScale), !digits.isZero {
            let shift = Int64(Self.minimumScale) - scale
            if shift > Int64(digits.decimalDigitsUpperBound) {
                digits = BigDigits()
                digits.multiply(by: 1, adding: 1)
            } else {
                var inexact = false
                for _ in 0..<shift where digits.divide(by: 10) != 0 { inexact = true }
                if inexact { digits.multiply(by: 1, adding: 1) }
            }
            scale = Int64(Self.minimumScale)
        }
        // Cap binary quantities at the largest int64, as upstream.
        if format == .binarySI {
            var integer = digits
            var fractional = false
            if scale >= 0 {
                for _ in 0..<min(scale, 20) { integer.multiply(by: 10) }
            } else {
                for _ in 0..<(-scale) where integer.divide(by: 10) != 0 { fractional = true }
            }
            if integer.exceedsInt64 || (integer.int128 == Int128(Int64.max) && fractional) {
                digits = BigDigits()
                digits.multiply(by: 1, adding: UInt64(Int64.max))
                scale = 0
            }
        }
        scale += Int64(digits.removeTrailingDecimalZeros())
        guard let magnitude = digits.int128, scale <= Int64(Int32.max) else { throw .outOfRange }
        let mantissa = scanned.positive ? magnitude : -magnitude
        if format == .binarySI, magnitude != 0, scale < 0, Self.digitCount(magnitude) <= Int(-scale) {
            format = .decimalSI  // 0 < |value| < 1: avoids rounding, as upstream.
        }
        var result = Quantity(mantissa: mantissa, scale: Int32(scale), format: format)
        if cacheable { result.cached = original }
        return result
    }

    /// Upstream's fast-path test for reusing the input string as the serialised form.
    private static func isCanonicalAsWritten(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ scanned: Scanned,
        exponent: Int32,
        format: Format
    ) -> Bool {
        let numCount = max(scanned.num.count, 1)  // an empty integer part counts as "0"
        switch format {
        case .decimalSI, .decimalExponent:
            guard 18 - (numCount + scanned.denom.count) >= 0 else { return false }
            let scale = Int64(exponent) - Int64(scanned.denom.count)
            guard scale >= -9, scale % 3 == 0, !scanned.num.isEmpty else { return false }
            // shifted = num + denom must not end in "000".
            return !Self.lastThreeAreZeros(bytes, scanned)
        case .binarySI:
            guard scanned.denom.isEmpty else { return false }
            guard 15 - numCount - Int(exponent) * 3 / 10 - 1 >= 0 else { return false }
            var value: Int64 = 0
            for index in scanned.num { value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
            guard value & 0x07 != 0 else { return false }
            let (_, overflow) = value.multipliedReportingOverflow(by: Int64(1) << Int64(exponent))
            return !overflow
        }
    }

    /// Whether `num + denom` (an empty `num` reads as "0") ends in "000".
    private static func lastThreeAreZeros(_ bytes: UnsafeBufferPointer<UInt8>, _ scanned: Scanned) -> Bool {
        let numDigits = max(scanned.num.count, 1)
        guard numDigits + scanned.denom.count >= 3 else { return false }
        for offset in 1...3 {
            let byte: UInt8
            if offset <= scanned.denom.count {
                byte = bytes[scanned.denom.upperBound - offset]
            } else if scanned.num.isEmpty {
                byte = UInt8(ascii: "0")
            } else {
                byte = bytes[scanned.num.upperBound - (offset - scanned.denom.count)]
            }
            guard byte == UInt8(ascii: "0") else { return false }
        }
        return true
    }
}

// MARK: - Reading

extension Quantity {
    /// Whether the value is zero.
    public var isZero: Bool { self.mantissa == 0 }

    /// `-1`, `0` or `1`, the sign of the value.
    public var sign: Int { self.mantissa == 0 ? 0 : (self.mantissa < 0 ? -1 : 1) }

    /// The value rounded up, away from zero, to an integer (upstream's `Value()`); saturates at the `Int64` bounds.
    public var value: Int64 { self.scaledValue(0) }

    /// The value in thousandths, rounded up away from zero (upstream's `MilliValue()`); saturates at the `Int64`
    /// bounds.
    public var milliValue: Int64 { self.scaledValue(-3) }

    /// The value in units of 10^`scale`, rounded up away from zero (upstream's `ScaledValue`); saturates at the
    /// `Int64` bounds.
    public func scaledValue(_ scale: Int32) -> Int64 {
        let difference = Int(self.scale) - Int(scale)
        let scaled: Int128
        if difference >= 0 {
            guard let factor = Self.powerOfTen(difference) else { return self.saturated }
            let (product, overflow) = self.mantissa.multipliedReportingOverflow(by: factor)
            guard !overflow else { return self.saturated }
            scaled = product
        } else {
            scaled = Self.roundAwayFromZero(self.mantissa, dividingByPowerOfTen: -difference).value
        }
        guard scaled <= Int128(Int64.max) else { return .max }
        guard scaled >= Int128(Int64.min) else { return .min }
        return Int64(scaled)
    }

    private var saturated: Int64 { self.mantissa < 0 ? .min : .max }

    /// The value as the nearest `Double`; may lose precision.
    public var approximateDouble: Double {
        var result = Double(self.mantissa)
        var exponent = self.scale
        while exponent > 0, result.isFinite, result != 0 {
            result *= 10
            exponent -= 1
        }
        while exponent < 0, result != 0 {
            result /= 10
            exponent += 1
        }
        return result
    }

    /// The canonical string form, as written to JSON (upstream's `String()`).
    public var string: String { self.cached ?? self.canonicalString() }

    /// The quantity rounded up, away from zero, to a multiple of 10^`scale`, and whether that was exact (upstream's
    /// `RoundUp`).
    public func roundedUp(toScale scale: Int32) -> (quantity: Quantity, exact: Bool) {
        guard self.scale < scale else { return (self, true) }
        let (rounded, exact) = Self.roundAwayFromZero(self.mantissa, dividingByPowerOfTen: Int(scale) - Int(self.scale))
        return (Quantity(mantissa: rounded, scale: scale, format: self.format), exact)
    }

    /// Upstream's `CanonicalizeBytes`.
    private func canonicalString() -> String {
        guard self.mantissa != 0 else { return "0" }
        var format = self.format
        if format == .binarySI {
            if self < Quantity(1024, format: .decimalSI), self > Quantity(-1024, format: .decimalSI) {
                format = .decimalSI
            } else if let integer = self.exactInteger {
                return Self.binaryString(integer)
            } else {
                format = .decimalSI  // don't lose precision
            }
        }
        var exponent = Int(self.scale)
        var zeros = 0
        while exponent % 3 != 0 {
            exponent -= 1
            zeros += 1
        }
        var suffix: String
        switch format {
        case .decimalExponent:
            suffix = exponent == 0 ? "" : "e\(exponent)"
        case .decimalSI, .binarySI:
            if exponent > 18 + 30 {
                // Far beyond E: write an exponent rather than a run of zeros (upstream writes a wrong value).
                suffix = "e\(exponent)"
            } else if exponent > 18 {
                // Upstream has no suffix beyond E (and loses the exponent); keep the value exact instead.
                zeros += exponent - 18
                suffix = "E"
            } else {
                suffix = Self.decimalSuffix(exponent)
            }
        }
        let sign = self.mantissa < 0 ? "-" : ""
        return sign + String(self.mantissa.magnitude) + String(repeating: "0", count: zeros) + suffix
    }

    private static func decimalSuffix(_ exponent: Int) -> String {
        switch exponent {
        case -9: "n"
        case -6: "u"
        case -3: "m"
        case 3: "k"
        case 6: "M"
        case 9: "G"
        case 12: "T"
        case 15: "P"
        case 18: "E"
        default: ""
        }
    }

    private static func binaryString(_ integer: Int128) -> String {
        var value = integer
        var power = 0
        while power < 6, value.magnitude >= 1024, value % 1024 == 0 {
            value /= 1024
            power += 1
        }
        let suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
        return String(value) + suffixes[power]
    }

    /// The value as an integer, if it is one and fits.
    private var exactInteger: Int128? {
        guard self.scale >= 0 else { return nil }
        guard let factor = Self.powerOfTen(Int(self.scale)) else { return nil }
        let (product, overflow) = self.mantissa.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }
}

// MARK: - Arithmetic

extension Quantity {
    /// Adds `other` in place; a zero quantity takes the format of `other`, as upstream's `Add`.
    public mutating func add(_ other: Quantity) {
        if self.isZero { self.format = other.format }
        self.combine(other.mantissa, other.scale)
    }

    /// Subtracts `other` in place; a zero quantity takes the format of `other`, as upstream's `Sub`.
    public mutating func subtract(_ other: Quantity) {
        if self.isZero { self.format = other.format }
        self.combine(-other.mantissa, other.scale)
    }

    /// Negates the value in place (upstream's `Neg`).
    public mutating func negate() {
        self.mantissa = -self.mantissa
        self.cached = nil
    }

    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity {
        var result = lhs
        result.add(rhs)
        return result
    }

    public static func - (lhs: Quantity, rhs: Quantity) -> Quantity {
        var result = lhs
        result.subtract(rhs)
        return result
    }

    public static prefix func - (operand: Quantity) -> Quantity {
        var result = operand
        result.negate()
        return result
    }

    public static func += (lhs: inout Quantity, rhs: Quantity) { lhs.add(rhs) }

    public static func -= (lhs: inout Quantity, rhs: Quantity) { lhs.subtract(rhs) }

    /// Adds `mantissa` × 10^`scale`. Exact unless the result needs more than 37 significant digits, in which case
    /// the finer operand is rounded away from zero to a coarser scale (upstream would keep every digit).
    private mutating func combine(_ mantissa: Int128, _ scale: Int32) {
        self.cached = nil
        guard mantissa != 0 else { return }
        guard self.mantissa != 0 else {
            self.mantissa = mantissa
            self.scale = scale
            self.normalize()
            return
        }
        // `coarse` has the larger scale; the sum is computed at the finer scale when that fits in 37 digits.
        var (coarse, coarseScale) = (self.mantissa, Int(self.scale))
        var (fine, fineScale) = (mantissa, Int(scale))
        if coarseScale < fineScale {
            swap(&coarse, &fine)
            swap(&coarseScale, &fineScale)
        }
        var target = fineScale
        let room = max(37 - Self.digitCount(coarse), 0)
        if coarseScale - target > room {
            target = coarseScale - room
            fine = Self.roundAwayFromZero(fine, dividingByPowerOfTen: target - fineScale).value
        }
        var aligned = coarse * Self.powerOfTen(coarseScale - target)!
        while true {
            let (sum, overflow) = aligned.addingReportingOverflow(fine)
            if !overflow {
                self.mantissa = sum
                self.scale = Int32(target)
                self.normalize()
                return
            }
            aligned = Self.roundAwayFromZero(aligned, dividingByPowerOfTen: 1).value
            fine = Self.roundAwayFromZero(fine, dividingByPowerOfTen: 1).value
            target += 1
        }
    }

    static func powerOfTen(_ exponent: Int) -> Int128? {
        guard exponent >= 0, exponent <= 38 else { return nil }
        var result: Int128 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    static func digitCount(_ magnitude: Int128) -> Int {
        var count = 1
        var value = magnitude.magnitude
        while value >= 10 {
            value /= 10
            count += 1
        }
        return count
    }

    /// `value / 10^power`, rounded away from zero, and whether the division was exact.
    static func roundAwayFromZero(_ value: Int128, dividingByPowerOfTen power: Int) -> (value: Int128, exact: Bool) {
        guard power > 0 else { return (value, true) }
        guard let divisor = Self.powerOfTen(power) else {
            return value == 0 ? (0, true) : (value < 0 ? -1 : 1, false)
        }
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        guard remainder != 0 else { return (quotient, true) }
        return (value < 0 ? quotient - 1 : quotient + 1, false)
    }
}

// MARK: - Conformances

extension Quantity: Comparable {
    /// Values are equal when they are numerically equal, whatever their formats.
    public static func == (lhs: Quantity, rhs: Quantity) -> Bool {
        lhs.mantissa == rhs.mantissa && lhs.scale == rhs.scale
    }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool {
        Self.compare(lhs, rhs) < 0
    }

    /// `-1`, `0` or `1` as `lhs` is less than, equal to or greater than `rhs` (upstream's `Cmp`).
    public static func compare(_ lhs: Quantity, _ rhs: Quantity) -> Int {
        if lhs.sign != rhs.sign { return lhs.sign < rhs.sign ? -1 : 1 }
        if lhs.sign == 0 { return 0 }
        let magnitude = Self.compareMagnitudes(lhs, rhs)
        return lhs.sign > 0 ? magnitude : -magnitude
    }

    private static func compareMagnitudes(_ lhs: Quantity, _ rhs: Quantity) -> Int {
        // Order of magnitude first: |value| is in [10^(digits+scale-1), 10^(digits+scale)).
        let lhsOrder = Self.digitCount(lhs.mantissa) + Int(lhs.scale)
        let rhsOrder = Self.digitCount(rhs.mantissa) + Int(rhs.scale)
        if lhsOrder != rhsOrder { return lhsOrder < rhsOrder ? -1 : 1 }
        // Same order: aligning to the finer scale keeps both within 39 digits.
        let target = min(lhs.scale, rhs.scale)
        let a = lhs.mantissa.magnitude * UInt128(Self.powerOfTen(Int(lhs.scale) - Int(target)) ?? 1)
        let b = rhs.mantissa.magnitude * UInt128(Self.powerOfTen(Int(rhs.scale) - Int(target)) ?? 1)
        return a == b ? 0 : (a < b ? -1 : 1)
    }
}

extension Quantity: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.mantissa)
        hasher.combine(self.scale)
    }
}

extension Quantity: CustomStringConvertible {
    public var description: String { self.string }
}

extension Quantity: ExpressibleByStringLiteral {
    /// A literal quantity; traps if the literal is not valid, like ``init(_:)``.
    public init(stringLiteral value: String) {
        self.init(value)
    }
}

extension Quantity: JSONTreeCodable {
    /// The same as ``init(from:)``: a JSON string (trimmed) or number; `null` is zero.
    public init(jsonTree value: JSONValue, decoder: inout JSONTreeDecoder) throws {
        let text: String
        switch value {
        case .null:
            self.init()
            return
        case .string(let string): text = Self.trimmingWhitespace(string)
        case .int(let integer): text = String(integer)
        case .double(let double): text = String(double)
        default: throw decoder.typeMismatch(Double.self, value)
        }
        do {
            self = try Quantity(parsing: text)
        } catch {
            throw decoder.dataCorrupted(error.message)
        }
    }

    public func jsonTree() -> JSONValue {
        .string(self.string)
    }

    /// Decodes a JSON string (surrounding whitespace is trimmed, as upstream) or a JSON number; `null` is zero.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self.init()
            return
        }
        let text: String
        if let string = try? container.decode(String.self) {
            text = Self.trimmingWhitespace(string)
        } else if let integer = try? container.decode(Int64.self) {
            text = String(integer)
        } else if let decimal = try? container.decode(Decimal.self) {
            text = "\(decimal)"
        } else {
            text = String(try container.decode(Double.self))
        }
        do {
            self = try Quantity(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    /// Encodes the canonical string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.string)
    }

    private static func trimmingWhitespace(_ string: String) -> String {
        let scalars = string.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
