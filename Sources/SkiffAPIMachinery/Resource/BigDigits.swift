/// A small arbitrary-precision unsigned integer, used only while parsing a quantity.
///
/// Parsing must be exact for inputs with any number of digits (`"0.000000000000000000001Ki"` rounds up to `1n`),
/// so the digits are accumulated here and reduced to an `Int128` mantissa at the end. Only the few operations the
/// parser needs exist: multiply-add by a small number, division by a small number, and conversion.
struct BigDigits: Sendable {
    /// Little-endian 64-bit limbs; no trailing zero limbs, so zero is `[]`.
    private(set) var limbs: [UInt64] = []

    var isZero: Bool { self.limbs.isEmpty }

    /// `self = self * factor + addend`.
    mutating func multiply(by factor: UInt64, adding addend: UInt64 = 0) {
        var carry = addend
        for index in self.limbs.indices {
            let (high, low) = self.limbs[index].multipliedFullWidth(by: factor)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            self.limbs[index] = sum
            carry = high &+ (overflow ? 1 : 0)
        }
        if carry != 0 { self.limbs.append(carry) }
        self.normalize()
    }

    /// Divides in place by `divisor` and returns the remainder.
    @discardableResult
    mutating func divide(by divisor: UInt64) -> UInt64 {
        var remainder: UInt64 = 0
        for index in self.limbs.indices.reversed() {
            let (quotient, rest) = divisor.dividingFullWidth((high: remainder, low: self.limbs[index]))
            self.limbs[index] = quotient
            remainder = rest
        }
        self.normalize()
        return remainder
    }

    /// Removes factors of ten and returns how many were removed.
    mutating func removeTrailingDecimalZeros() -> Int {
        guard !self.isZero else { return 0 }
        var count = 0
        while true {
            var copy = self
            guard copy.divide(by: 10) == 0 else { return count }
            self = copy
            count += 1
        }
    }

    /// The number of decimal digits an upper bound allows (never less than the real count).
    var decimalDigitsUpperBound: Int { self.limbs.count * 20 }

    /// The value, if it fits in `Int128`.
    var int128: Int128? {
        switch self.limbs.count {
        case 0: return 0
        case 1: return Int128(self.limbs[0])
        case 2:
            guard self.limbs[1] <= UInt64(Int64.max) else { return nil }
            return Int128(self.limbs[1]) << 64 | Int128(self.limbs[0])
        default: return nil
        }
    }

    /// Whether the value is greater than `Int64.max`.
    var exceedsInt64: Bool {
        self.limbs.count > 1 || (self.limbs.count == 1 && self.limbs[0] > UInt64(Int64.max))
    }

    private mutating func normalize() {
        while let last = self.limbs.last, last == 0 { self.limbs.removeLast() }
    }
}
