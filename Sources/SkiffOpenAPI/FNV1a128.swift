/// The 128-bit FNV-1a digest, which names a document version in the `/openapi/v3` index.
///
/// Upstream hashes each document with SHA-512; clients only compare the value they were given with the one in the
/// index, so any stable digest of the bytes serves. FNV-1a needs no dependency and hashes a 1.5 MB document in a
/// few milliseconds.
struct FNV1a128 {
    private static let offsetBasis: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
    private static let prime: UInt128 = 0x0000_0000_0100_0000_0000_0000_0000_013b

    private var state = FNV1a128.offsetBasis

    init() {}

    mutating func update(_ bytes: some Sequence<UInt8>) {
        var state = self.state
        for byte in bytes {
            state ^= UInt128(byte)
            state &*= Self.prime
        }
        self.state = state
    }

    /// The digest as 32 upper-case hexadecimal digits (upstream's hashes are upper-case too).
    var hexDigest: String {
        let digits = Array("0123456789ABCDEF".utf8)
        var output = [UInt8](repeating: 0, count: 32)
        var value = self.state
        for position in (0..<32).reversed() {
            output[position] = digits[Int(value & 0xF)]
            value >>= 4
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The upper-case hexadecimal digest of `bytes`.
    static func hexDigest(of bytes: [UInt8]) -> String {
        var hasher = FNV1a128()
        hasher.update(bytes)
        return hasher.hexDigest
    }
}
