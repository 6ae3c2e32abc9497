import SkiffAPI
import SkiffAPIMachinery
import SkiffClient
import Synchronization
import Testing

/// A transport that cuts each of the first `dropCount` watch streams after `eventsPerWatch` chunks, as a broken
/// connection would, and records the resourceVersion every watch asked for.
final class DroppingTransport: ClientTransport {
    struct Dropped: Error {}
    let base: any ClientTransport
    let eventsPerWatch: Int
    let dropCount: Int
    private let watches = Mutex<[String]>([])

    init(base: any ClientTransport, eventsPerWatch: Int, dropCount: Int) {
        self.base = base
        self.eventsPerWatch = eventsPerWatch
        self.dropCount = dropCount
    }

    var watchResourceVersions: [String] { self.watches.withLock { $0 } }

    func send(_ request: APIRequest) async throws -> APIResponse {
        var response = try await self.base.send(request)
        guard request.query.contains("watch=true"), case .stream(let producer) = response.body else { return response }
        let version = request.query.split(separator: "&").first { $0.hasPrefix("resourceVersion=") }
            .map { String($0.dropFirst("resourceVersion=".count)) } ?? ""
        let index = self.watches.withLock { watches in
            watches.append(version)
            return watches.count
        }
        guard index <= self.dropCount else { return response }
        let limit = self.eventsPerWatch
        response.body = .stream({ write in
            let seen = Atomic<Int>(0)
            try await producer { chunk in
                guard !chunk.isEmpty else { return try await write(chunk) }
                if seen.add(1, ordering: .relaxed).newValue > limit { throw Dropped() }
                try await write(chunk)
            }
        })
        return response
    }
}

struct WatchTests {
    @Test func typedWatchDeliversAddedModifiedDeletedAndBookmarks() async throws {
        try await TestAPI.with { api in
            let configMaps = api.client.configMaps("default")
            let start = try await configMaps.list()
            let events = Collected<String>()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        try await configMaps.watch(
                            ListOptions(resourceVersion: start.resourceVersion, allowWatchBookmarks: true)
                        ) { event in
                            switch event {
                            case .bookmark(let bookmark):
                                #expect(!bookmark.resourceVersion.isEmpty)
                                if events.values.last != "BOOKMARK" { events.append("BOOKMARK") }
                            default:
                                events.append("\(event.type) \(event.object?.metadata.name ?? "") \(event.object?.data?["v"] ?? "")")
                            }
                            if events.values.contains(where: { $0.hasPrefix("DELETED") }) { throw StopWatching() }
                        }
                    } catch is StopWatching {}
                }
                var configMap = try await configMaps.create(.named("watched", data: ["v": "1"]))
                configMap.data = ["v": "2"]
                _ = try await configMaps.update(configMap)
                try await eventually { events.values.contains("BOOKMARK") }
                try await configMaps.delete("watched")
                try await group.waitForAll()
            }
            let changes = events.values.filter { $0 != "BOOKMARK" }
            #expect(changes == ["ADDED watched 1", "MODIFIED watched 2", "DELETED watched 2"])
        }
    }

    @Test func retryWatcherResumesFromTheLastResourceVersionAfterDroppedConnections() async throws {
        try await TestAPI.with { api in
            let transport = DroppingTransport(base: api.transport, eventsPerWatch: 2, dropCount: 3)
            let client = APIClient(transport: transport, rateLimit: .unlimited)
            let configMaps = client.configMaps("default")
            let start = try await configMaps.list()
            let names = Collected<String>()
            let clock = ManualClock()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await RetryWatcher(configMaps, retryDelay: .seconds(1), clock: clock).run(from: start.resourceVersion) { event in
                        if case .added(let object) = event { names.append(object.metadata.name ?? "") }
                        if names.count == 6 { throw StopWatching() }
                    }
                }
                for index in 0..<6 {
                    _ = try await api.client.configMaps("default").create(.named("cm-\(index)"))
                }
                // Each drop makes the watcher wait retryDelay on the manual clock; move it until all arrived.
                while names.count < 6 {
                    if clock.sleeperCount > 0 { clock.advance(by: .seconds(1)) }
                    await Task.yield()
                }
                try await group.waitForAll()
            }
            #expect(names.values == (0..<6).map { "cm-\($0)" })
            let versions = transport.watchResourceVersions
            #expect(versions.count >= 2)
            #expect(versions.first == start.resourceVersion)
            // Every resumed watch starts after the previous one's last event.
            let numbers = versions.compactMap { Int($0) }
            #expect(numbers == numbers.sorted())
            #expect(Set(numbers).count > 1)
        }
    }

    @Test func watchingFromAnExpiredResourceVersionThrowsGone() async throws {
        let directory = TestAPI.makeDirectory()
        let oldVersion = try await TestAPI.with(directory: directory) { api in
            let first = try await api.client.configMaps("default").create(.named("before-restart"))
            _ = try await api.client.configMaps("default").create(.named("after-first"))
            return first.metadata.resourceVersion ?? ""
        }
        // A restarted server's watch cache starts at the current revision: older versions are gone.
        try await TestAPI.with(directory: directory) { api in
            let configMaps = api.client.configMaps("default")
            do {
                try await RetryWatcher(configMaps).run(from: oldVersion) { _ in }
                Issue.record("expected 410")
            } catch let error as APIError {
                #expect(error.isResourceExpired)
                #expect(error.code == 410)
                #expect(error.message.hasPrefix("too old resource version: \(oldVersion)"))
            }
        }
    }
}
