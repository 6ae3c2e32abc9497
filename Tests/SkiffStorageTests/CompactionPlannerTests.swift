import SkiffStorage
import Testing

struct CompactionPlannerTests {
    @Test
    func compactsToTheNewestSampleOlderThanTheRetention() {
        var planner = CompactionPlanner(policy: MaintenancePolicy(minRetention: .seconds(300)))
        #expect(planner.step(now: .seconds(0), current: 10, compacted: 0) == nil)
        #expect(planner.step(now: .seconds(100), current: 20, compacted: 0) == nil)
        #expect(planner.step(now: .seconds(299), current: 30, compacted: 0) == nil)
        #expect(planner.step(now: .seconds(300), current: 40, compacted: 0) == 10)
        #expect(planner.step(now: .seconds(350), current: 50, compacted: 10) == nil)
        #expect(planner.step(now: .seconds(420), current: 60, compacted: 10) == 20)
    }

    @Test
    func theRevisionBoundWinsOverTheRetention() {
        var planner = CompactionPlanner(
            policy: MaintenancePolicy(minRetention: .seconds(300), maxRetainedRevisions: 100)
        )
        #expect(planner.step(now: .seconds(0), current: 50, compacted: 0) == nil)
        #expect(planner.step(now: .seconds(10), current: 1_000, compacted: 0) == 900)
        #expect(planner.step(now: .seconds(20), current: 1_000, compacted: 900) == nil)
    }

    @Test
    func nothingToDoWithoutAPolicy() {
        var planner = CompactionPlanner(policy: MaintenancePolicy(minRetention: nil, maxRetainedRevisions: nil))
        for second in 0..<10 {
            #expect(
                planner.step(now: .seconds(second * 1_000), current: Revision(Int64(second) * 100), compacted: 0) == nil
            )
        }
    }
}
