/// Random object names and UIDs, as the API server generates them, from the system's random source
/// (`getrandom`), one draw per name.
///
/// Foundation's `UUID()` opens, reads and closes `/dev/urandom` on Linux for every UID, and an alphabet of
/// `Character`s with `randomElement()` makes a draw per character; both were visible on every create.
public enum RandomNames {
    /// Upstream's name-generation alphabet: no vowels, no look-alikes (↔ `utilrand.String`).
    static let alphabet: [UInt8] = Array("bcdfghjklmnpqrstvwxz2456789".utf8)

    /// `count` characters (at most 12) from upstream's alphabet: the suffix `generateName` gets, and what
    /// upstream's `utilrand.String(5)` makes.
    public static func suffix(count: Int = 5) -> String {
        precondition(count >= 0 && count <= 12, "one 64-bit draw holds at most 12 characters of 27")
        var generator = SystemRandomNumberGenerator()
        var value: UInt64 = generator.next()
        let radix = UInt64(Self.alphabet.count)
        return String(unsafeUninitializedCapacity: count) { buffer in
            for index in 0..<count {
                buffer[index] = Self.alphabet[Int(value % radix)]
                value /= radix
            }
            return count
        }
    }

    /// A random (version 4, RFC 9562) UUID, lowercase with hyphens, as upstream writes `metadata.uid`.
    public static func uuid() -> String {
        var generator = SystemRandomNumberGenerator()
        var high: UInt64 = generator.next()
        var low: UInt64 = generator.next()
        // Version 4 in the high nibble of byte 6, variant 0b10 in the top bits of byte 8.
        high = (high & ~(0xF << 12)) | (0x4 << 12)
        low = (low & ~(0x3 << 62)) | (0x2 << 62)
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            func write(_ value: UInt64, nibbles: Int) {
                for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                    buffer[position] = digits[Int((value >> UInt64(shift)) & 0xF)]
                    position += 1
                }
            }
            func hyphen() {
                buffer[position] = UInt8(ascii: "-")
                position += 1
            }
            write(high >> 32, nibbles: 8)
            hyphen()
            write(high >> 16, nibbles: 4)
            hyphen()
            write(high, nibbles: 4)
            hyphen()
            write(low >> 48, nibbles: 4)
            hyphen()
            write(low, nibbles: 12)
            return position
        }
    }
}
