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

struct CycleStateTests {
    struct Counter: CycleStateData, Equatable {
        var value: Int
    }

    final class Reference: CycleStateData, @unchecked Sendable {
        // @unchecked: changed only by the test's single task.
        var items: [Int]
        init(_ items: [Int]) { self.items = items }
        func clone() -> Reference { Reference(self.items) }
    }

    @Test func readsWhatWasWrittenByType() {
        let state = CycleState()
        #expect(state.read(Counter.self) == nil)
        state.write(Counter(value: 1))
        state.write(Reference([1]))
        #expect(state.read(Counter.self) == Counter(value: 1))
        state.write(Counter(value: 2))
        #expect(state.read(Counter.self) == Counter(value: 2))
        state.modify(Counter.self) { $0.value += 3 }
        #expect(state.read(Counter.self) == Counter(value: 5))
        state.delete(Counter.self)
        #expect(state.read(Counter.self) == nil)
        #expect(state.read(Reference.self)?.items == [1])
    }

    @Test func clonesAreIndependent() {
        let state = CycleState()
        state.write(Counter(value: 1))
        state.write(Reference([1]))
        state.skipFilterPlugins.insert(3)
        let copy = state.clone()
        copy.modify(Counter.self) { $0.value = 9 }
        copy.read(Reference.self)?.items.append(2)
        copy.skipFilterPlugins.insert(4)
        #expect(state.read(Counter.self) == Counter(value: 1))
        #expect(state.read(Reference.self)?.items == [1])
        #expect(copy.read(Counter.self) == Counter(value: 9))
        #expect(copy.read(Reference.self)?.items == [1, 2])
        #expect(!state.skipFilterPlugins.contains(4))
        #expect(copy.skipFilterPlugins.contains(3))
    }
}
