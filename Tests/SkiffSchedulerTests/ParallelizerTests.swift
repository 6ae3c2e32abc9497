import Synchronization
import Testing

@testable import SkiffScheduler

@Suite struct ParallelizerTests {
    /// Marks which indices a loop visited, and counts calls made after the loop returned.
    final class Visits: Sendable {
        let seen: Mutex<[Int]>
        let finished = Atomic<Bool>(false)
        let late = Atomic<Int>(0)
        init(_ count: Int) { self.seen = Mutex([Int](repeating: 0, count: count)) }
        func visit(_ index: Int) {
            if self.finished.load(ordering: .acquiring) { self.late.add(1, ordering: .relaxed) }
            self.seen.withLock { $0[index] += 1 }
        }
        var counts: [Int] { self.seen.withLock { $0 } }
    }

    /// Every index is visited exactly once, by however many tasks, and nothing runs after the loop returns.
    @Test(arguments: [1, 2, 4], [1, 255, 256, 5_000])
    func visitsEveryIndexOnce(parallelism: Int, count: Int) async {
        let visits = Visits(count)
        await Parallelizer(parallelism: parallelism).until(count) { index in
            visits.visit(index)
            return true
        }
        visits.finished.store(true, ordering: .releasing)
        #expect(visits.counts.allSatisfy { $0 == 1 })
        // Helpers that start late must find the loop closed.
        try? await Task.sleep(for: .milliseconds(20))
        #expect(visits.late.load(ordering: .relaxed) == 0)
    }

    /// Returning `false` stops the loop: what was handed out may finish, nothing more is started.
    @Test func stopsWhenAsked() async {
        let count = 100_000
        let visits = Visits(count)
        await Parallelizer(parallelism: 2).until(count) { index in
            visits.visit(index)
            return index != 10
        }
        visits.finished.store(true, ordering: .releasing)
        let counts = visits.counts
        let visited = counts.reduce(0, +)
        #expect(counts[10] == 1)
        #expect(visited < count / 2)
        try? await Task.sleep(for: .milliseconds(20))
        #expect(visits.late.load(ordering: .relaxed) == 0)
    }
}
