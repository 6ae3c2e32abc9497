/// FNV-1a, a fast hash that is the same in every process, for the lossy lookup tables (``JSONStringTable``,
/// ``JSONMapTable``). A lossy table has nothing to fear from crafted collisions (they only cost it hits), and a
/// deterministic slot makes its sharing reproducible, where `Hasher` is seeded anew in every process.
struct FNVHash {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(_ byte: UInt8) {
        self.state = (self.state ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { self.combine(byte) }
    }

    /// The slot of a table of `mask + 1` entries, a power of two (the high bits folded in, as FNV's low bits mix
    /// poorly).
    func slot(mask: Int) -> Int {
        Int(truncatingIfNeeded: self.state ^ (self.state >> 29)) & mask
    }

    /// The number of slots of a table asked for `slots`: at least one, rounded up to a power of two.
    static func tableSize(_ slots: Int) -> Int {
        var count = 1
        while count < slots { count <<= 1 }
        return count
    }
}
