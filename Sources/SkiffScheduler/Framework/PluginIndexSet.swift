/// A set of plugin positions in one extension point's list (a bitset), for the per-node checks of a cycle.
///
/// Upstream keeps `SkipFilterPlugins` and `SkipScorePlugins` as sets of plugin names; the framework here maps the
/// names to positions once, when it is built, so the per-node check of Filter and Score is a bit test instead of
/// hashing a plugin name. The first 64 positions live inline; more (unusual profiles) spill to an array.
public struct PluginIndexSet: Sendable, Hashable {
    private var low: UInt64 = 0
    private var high: [UInt64] = []

    /// The empty set.
    public init() {}

    /// `true` when no position is in the set.
    public var isEmpty: Bool { self.low == 0 && (self.high.isEmpty || self.high.allSatisfy { $0 == 0 }) }

    /// `true` when `index` is in the set.
    public func contains(_ index: Int) -> Bool {
        if index < 64 { return index >= 0 && self.low & (1 << UInt64(index)) != 0 }
        let word = index / 64 - 1
        guard word < self.high.count else { return false }
        return self.high[word] & (1 << UInt64(index % 64)) != 0
    }

    /// Adds `index` (non-negative).
    public mutating func insert(_ index: Int) {
        precondition(index >= 0, "plugin positions are non-negative")
        if index < 64 {
            self.low |= 1 << UInt64(index)
            return
        }
        let word = index / 64 - 1
        if word >= self.high.count { self.high.append(contentsOf: repeatElement(0, count: word - self.high.count + 1)) }
        self.high[word] |= 1 << UInt64(index % 64)
    }

    /// Removes `index`.
    public mutating func remove(_ index: Int) {
        if index < 64 {
            self.low &= ~(1 << UInt64(index))
            return
        }
        let word = index / 64 - 1
        guard word < self.high.count else { return }
        self.high[word] &= ~(1 << UInt64(index % 64))
    }

    /// The number of positions in the set.
    public var count: Int { self.low.nonzeroBitCount + self.high.reduce(0) { $0 + $1.nonzeroBitCount } }

    public static func == (lhs: PluginIndexSet, rhs: PluginIndexSet) -> Bool {
        guard lhs.low == rhs.low else { return false }
        let length = max(lhs.high.count, rhs.high.count)
        for word in 0..<length
        where (word < lhs.high.count ? lhs.high[word] : 0) != (word < rhs.high.count ? rhs.high[word] : 0) {
            return false
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.low)
        var words = self.high
        while words.last == 0 { words.removeLast() }
        hasher.combine(words)
    }
}
