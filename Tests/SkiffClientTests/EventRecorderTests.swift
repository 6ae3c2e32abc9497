import SkiffAPI
import SkiffAPIMachinery
import SkiffClient
import Testing

struct EventRecorderTests {
    @Test func isomorphicEventsBecomeASeriesUpdatedByPatch() async throws {
        try await TestAPI.with { api in
            let pod = try await api.client.pods("default").create(.named("noisy"))
            let clock = ManualClock()
            let recorder = EventRecorder(
                client: api.client,
                reportingController: "test-controller",
                reportingInstance: "test-controller-1",
                clock: clock,
                logger: TestAPI.quietLogger
            )
            let events = api.client.events("default")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await recorder.run() }
                recorder.record(regarding: pod, type: .warning, reason: "BackOff", action: "Pulling", note: "first")
                try await eventuallyAsync { try await events.list().items.count == 1 }
                let single = try #require(try await events.list().items.first)
                #expect(single.series == nil)
                #expect(single.reportingController == "test-controller")
                #expect(single.reportingInstance == "test-controller-1")
                #expect(single.regarding?.name == "noisy")
                #expect(single.regarding?.uid == pod.metadata.uid)
                #expect(single.type == "Warning")
                #expect(single.note == "first")

                clock.advance(by: .seconds(5))
                recorder.record(regarding: pod, type: .warning, reason: "BackOff", action: "Pulling", note: "second")
                try await eventuallyAsync { try await events.list().items.first?.series?.count == 2 }
                clock.advance(by: .seconds(5))
                recorder.record(regarding: pod, type: .warning, reason: "BackOff", action: "Pulling", note: "third")
                // The third occurrence counts locally; a refresh writes it.
                try await eventuallyAsync {
                    await recorder.flush()
                    return try await events.list().items.first?.series?.count == 3
                }
                let series = try await events.list().items
                #expect(series.count == 1)  // one Event, not three
                #expect(series.first?.metadata.name == single.metadata.name)

                // A different reason is a different Event.
                recorder.record(regarding: pod, type: .normal, reason: "Pulled", action: "Pulling", note: "done")
                try await eventuallyAsync { try await events.list().items.count == 2 }
                group.cancelAll()
            }
        }
    }

    @Test func theSpamFilterLimitsEventsPerObject() async throws {
        try await TestAPI.with { api in
            let pod = try await api.client.pods("default").create(.named("spammy"))
            let recorder = EventRecorder(
                client: api.client,
                reportingController: "spammer",
                clock: ManualClock(),
                logger: TestAPI.quietLogger
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await recorder.run() }
                for index in 0..<40 {
                    recorder.record(regarding: pod, type: .normal, reason: "Reason\(index)", action: "Act", note: "n")
                }
                // Events are written in order: once the sentinel about another object is there, all were handled.
                let other = try await api.client.pods("default").create(.named("quiet"))
                recorder.record(regarding: other, type: .normal, reason: "Sentinel", action: "Act", note: "n")
                try await eventuallyAsync {
                    try await api.client.events("default").list().items.contains { $0.reason == "Sentinel" }
                }
                let spam = try await api.client.events("default").list().items.filter { $0.regarding?.name == "spammy" }
                #expect(spam.count == 25)
                group.cancelAll()
            }
        }
    }
}

/// Polls an asynchronous condition until it holds.
func eventuallyAsync(_ condition: @Sendable () async throws -> Bool) async throws {
    for _ in 0..<1000 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    #expect(try await condition())
}
