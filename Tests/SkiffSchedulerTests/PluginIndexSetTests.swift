import Testing

@testable import SkiffScheduler

struct PluginIndexSetTests {
    @Test(arguments: [0, 1, 63, 64, 65, 127, 128, 200])
    func insertedPositionsAreContainedAndRemovable(_ index: Int) {
        var set = PluginIndexSet()
        #expect(set.isEmpty)
        #expect(!set.contains(index))
        set.insert(index)
        #expect(set.contains(index))
        #expect(!set.isEmpty)
        #expect(set.count == 1)
        #expect(!set.contains(index + 1))
        if index > 0 { #expect(!set.contains(index - 1)) }
        set.remove(index)
        #expect(!set.contains(index))
        #expect(set.isEmpty)
        #expect(set == PluginIndexSet(), "an emptied set equals a new one, spilled words or not")
    }

    @Test func positionsBeyondTheInlineWordAreIndependent() {
        var set = PluginIndexSet()
        for index in [2, 70, 140] { set.insert(index) }
        #expect(set.count == 3)
        #expect([2, 70, 140].allSatisfy { set.contains($0) })
        #expect(![3, 6, 71, 139, 141, 1_000, -1].contains { set.contains($0) })
        var other = PluginIndexSet()
        for index in [140, 70, 2] { other.insert(index) }
        #expect(set == other)
        #expect(set.hashValue == other.hashValue)
    }
}
