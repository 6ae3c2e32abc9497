import Synchronization
import Testing

@testable import SkiffScheduler

@Suite struct CycleStateTests {
    struct Counts: CycleStateData, Equatable {
        var values: [String: Int] = [:]
    }

    struct FilterOnly: CycleStateData, Equatable {
        static var isSchedulingCycleOnly: Bool { true }
        var value: Int
    }

    /// Counts live ``Tracked`` instances, so that a test can see the state release them.
    final class Counter: Sendable {
        let live = Atomic<Int>(0)
    }

    /// A class with a deep clone.
    final class Tracked: CycleStateData, Sendable {
        let value: Int
        let counter: Counter
        init(_ value: Int, _ counter: Counter = Counter()) {
            self.value = value
            self.counter = counter
            counter.live.add(1, ordering: .relaxed)
        }
        deinit { self.counter.live.subtract(1, ordering: .relaxed) }
        func clone() -> Tracked { Tracked(self.value, self.counter) }
    }

    struct Count: CycleStateData, Equatable {
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
        #expect(state.read(Count.self) == nil)
        #expect(state.withData(Count.self) { $0.pointee.value } == nil)
        state.write(Count(value: 1))
        state.write(Reference([1]))
        #expect(state.read(Count.self) == Count(value: 1))
        state.write(Count(value: 2))
        #expect(state.read(Count.self) == Count(value: 2))
        state.modify(Count.self) { $0.value += 3 }
        #expect(state.read(Count.self) == Count(value: 5))
        #expect(state.withData(Count.self) { $0.pointee.value } == 5)
        state.delete(Count.self)
        #expect(state.read(Count.self) == nil)
        #expect(state.read(Reference.self)?.items == [1])
    }

    @Test func clonesAreIndependent() {
        let state = CycleState()
        state.write(Count(value: 1))
        state.write(Reference([1]))
        state.skipFilterPlugins.insert(3)
        let copy = state.clone()
        copy.modify(Count.self) { $0.value = 9 }
        copy.read(Reference.self)?.items.append(2)
        copy.skipFilterPlugins.insert(4)
        #expect(state.read(Count.self) == Count(value: 1))
        #expect(state.read(Reference.self)?.items == [1])
        #expect(copy.read(Count.self) == Count(value: 9))
        #expect(copy.read(Reference.self)?.items == [1, 2])
        #expect(!state.skipFilterPlugins.contains(4))
        #expect(copy.skipFilterPlugins.contains(3))
    }

    /// More types than the first allocation holds are all kept.
    @Test func holdsManyTypes() {
        struct Slot<Tag>: CycleStateData { var value: Int }
        enum T0 {}
        enum T1 {}
        enum T2 {}
        enum T3 {}
        enum T4 {}
        enum T5 {}
        enum T6 {}
        enum T7 {}
        enum T8 {}
        enum T9 {}
        let state = CycleState()
        state.write(Slot<T0>(value: 0))
        state.write(Slot<T1>(value: 1))
        state.write(Slot<T2>(value: 2))
        state.write(Slot<T3>(value: 3))
        state.write(Slot<T4>(value: 4))
        state.write(Slot<T5>(value: 5))
        state.write(Slot<T6>(value: 6))
        state.write(Slot<T7>(value: 7))
        state.write(Slot<T8>(value: 8))
        state.write(Slot<T9>(value: 9))
        #expect(state.read(Slot<T0>.self)?.value == 0)
        #expect(state.read(Slot<T5>.self)?.value == 5)
        #expect(state.read(Slot<T9>.self)?.value == 9)
    }

    /// The binding cycle keeps only data that is not the scheduling cycle's alone, and the state releases what it
    /// holds when it goes away.
    @Test func dropsSchedulingCycleDataAndReleasesBoxes() {
        let counter = Counter()
        do {
            let state = CycleState()
            state.write(FilterOnly(value: 1))
            state.write(Counts(values: ["kept": 1]))
            state.write(Tracked(5, counter))
            state.write(Tracked(6, counter))  // replaces, releasing the first
            #expect(counter.live.load(ordering: .relaxed) == 1)
            state.dropSchedulingCycleData()
            #expect(state.read(FilterOnly.self) == nil)
            #expect(state.read(Counts.self) == Counts(values: ["kept": 1]))
            #expect(state.read(Tracked.self)?.value == 6)
        }
        #expect(counter.live.load(ordering: .relaxed) == 0)
    }
}
