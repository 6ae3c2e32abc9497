import Foundation
import SkiffAPI
import SkiffAPIMachinery
import Synchronization
import Testing

@testable import SkiffClient

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

extension EventRecorderTests {
    /// The spam filter remembers a bounded number of objects, the most recently seen.
    @Test func theSpamFilterForgetsTheLeastRecentObjects() throws {
        let clock = ManualClock()
        let client = APIClient(transport: InProcessTransport(user: TestAPI.admin, handler: { _ in APIResponse(status: 503) }))
        let recorder = EventRecorder(client: client, reportingController: "many", clock: clock, logger: TestAPI.quietLogger)
        let limit = EventRecorder.spamFilterEntries
        for index in 0..<(2 * limit + 10) {
            clock.advance(by: .milliseconds(1))
            let reference = CoreV1.ObjectReference(kind: "Pod", namespace: "default", name: "pod-\(index)", uid: "uid-\(index)")
            recorder.record(regarding: reference, type: .normal, reason: "Seen", action: "Look", note: "n")
        }
        let remembered = recorder.spam.withLock { Set($0.keys) }
        #expect(remembered.count <= 2 * limit)
        #expect(remembered.count >= limit)
        #expect(remembered.contains("default/Pod/pod-\(2 * limit + 9)/uid-\(2 * limit + 9)"))
        #expect(!remembered.contains("default/Pod/pod-0/uid-0"))
    }

    /// Isomorphic events share a key; any differing part (including an absent versus an empty one, or a part
    /// that would read the same when the parts are run together) makes another key.
    @Test func eventKeysTellEveryPartApart() {
        func event(reason: String = "Failed", regarding: String? = "web", related: String? = nil) -> EventsV1.Event {
            EventsV1.Event(
                metadata: MetaV1.ObjectMeta(name: "e"),
                eventTime: MicroTime(Date(timeIntervalSince1970: 0)),
                reportingController: "c",
                action: "A",
                reason: reason,
                regarding: CoreV1.ObjectReference(kind: "Pod", name: regarding),
                related: related.map { CoreV1.ObjectReference(kind: "Pod", name: $0) }
            )
        }
        typealias Key = EventRecorder.EventKey
        #expect(Key(event()) == Key(event()))
        #expect(Key(event()) != Key(event(related: "web")))
        #expect(Key(event(regarding: nil)) != Key(event(regarding: "")))
        #expect(Key(event(reason: "Failed1", regarding: "web")) != Key(event(reason: "Failed", regarding: "1web")))
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
