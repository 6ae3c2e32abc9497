#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Logging
import SkiffAPI
import SkiffAPIMachinery
import SkiffStorage
import Synchronization

extension APIHandler {
    /// A watch: newline-delimited JSON events streamed from the resource's watch cache (↔ apiserver's
    /// `serveWatch` over the cacher).
    func watch(
        store: ResourceStore,
        namespace: String?,
        name: String?,
        query: QueryParameters,
        format: OutputFormat
    ) async throws -> APIResponse {
        let resource = store.resource
        let selection = try Selection(query: query, resource: resource)
        var nameSelection = selection
        if let name {
            // Legacy /watch/…/{name} paths watch one object.
            nameSelection.fields = Fields.Selector(
                selection.fields.requirements + [Fields.Requirement(field: "metadata.name", operator: .equals, value: name)]
            )
        }
        let filter = nameSelection
        let resourceVersion = query["resourceVersion"].flatMap { $0.isEmpty ? nil : $0 }
        let match = query["resourceVersionMatch"].flatMap { $0.isEmpty ? nil : $0 }
        let allowBookmarks = try query.bool("allowWatchBookmarks") ?? false
        let sendInitialEvents = try query.bool("sendInitialEvents")
        let timeoutSeconds = try query.int64("timeoutSeconds")
        let requested = try resourceVersion.map { (string) throws(APIError) in try ResourceStore.parseResourceVersion(string) }

        // A watch without a resourceVersion starts from a consistent state: the store's revision when the request
        // came, which the cache may not have applied yet (see `consistentStart` below).
        let latest = requested == nil && sendInitialEvents != false ? try await store.consistentReadRevision() : nil
        let start: Cacher<ObjectAttributes>.WatchStart
        var announceInitialEnd = false
        if let sendInitialEvents {
            guard match == "NotOlderThan" else {
                throw APIError.invalid(
                    group: "meta.k8s.io",
                    kind: "ListOptions",
                    name: "",
                    causes: [
                        APIError.Cause(
                            field: "resourceVersionMatch",
                            reason: "FieldValueForbidden",
                            message: "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
                        )
                    ]
                )
            }
            if sendInitialEvents {
                guard allowBookmarks else {
                    throw APIError.invalid(
                        group: "meta.k8s.io",
                        kind: "ListOptions",
                        name: "",
                        causes: [
                            APIError.Cause(
                                field: "allowWatchBookmarks",
                                reason: "FieldValueForbidden",
                                message: "allowWatchBookmarks: Forbidden: allowWatchBookmarks must be set to true when sendInitialEvents is true"
                            )
                        ]
                    )
                }
                // Unset is a consistent read (everything written before the request), "0" any state.
                start = .initialState(notOlderThan: requested == nil ? latest : (requested == .zero ? nil : requested))
                announceInitialEnd = true
            } else {
                start = requested.map { $0 == .zero ? .now : .after($0) } ?? .now
            }
        } else if let match, match != "NotOlderThan" || requested == nil {
            throw APIError.badRequest("resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")
        } else if requested == nil || requested == .zero {
            // "Get state and start at most recent" (unset: consistent, "0": any state): synthetic ADDED events for
            // what exists, then changes.
            start = .initialState(notOlderThan: requested == nil ? latest : nil)
        } else {
            start = .after(requested!)
        }

        let timeout: Duration = .seconds(timeoutSeconds.map { max($0, 0) } ?? Int64.random(in: 1800...3600))
        let labels = self.metricLabels(
            RequestInfo(method: "GET", path: "/apis/\(resource.group)/\(resource.version)/\(resource.plural)", isWatch: true)
        )
        let metrics = self.metrics
        let bookmarkInterval = self.configuration.watchBookmarkInterval
        let headers: [(name: String, value: String)]
        switch format {
        case .json: headers = Self.jsonHeaders
        case .table(let version, _): headers = Self.tableHeaders(version)
        case .partialMetadata(let version, let list):
            guard !list else {
                throw APIError.notAcceptable("you requested PartialObjectMetadataList, but a watch streams objects")
            }
            headers = Self.partialMetadataHeaders(version)
        }

        // Errors known before streaming (a too-old resourceVersion) arrive as one ERROR event, as the cacher's
        // error watcher sends them.
        let events: Cacher<ObjectAttributes>.EventStream
        do {
            do {
                events = try await store.cacher.watch(prefix: resource.prefix(namespace: namespace), from: start)
            } catch let error as CacherError where error.code == .tooLargeResourceVersion && latest != nil {
                // A cache that cannot reach the store's revision in time starts from its own state, as before
                // consistent starts (upstream would read etcd; a watch cannot).
                self.logger.warning("watch of \(resource.plural): the cache did not catch up with the store: \(error)")
                events = try await store.cacher.watch(prefix: resource.prefix(namespace: namespace), from: .initialState(notOlderThan: nil))
            }
        } catch let error as CacherError where error.code == .tooOld {
            let status = APIError.expired(
                "too old resource version: \(requested?.description ?? "0") (\(error.oldest?.description ?? "0"))"
            )
            var line = Array(#"{"type":"ERROR","object":"#.utf8)
            line.append(contentsOf: (try? JSONValueEncoder().encodeToBytes(status.status)) ?? [])
            line.append(contentsOf: "}\n".utf8)
            let chunk = line
            return APIResponse(status: 200, headers: headers, body: .stream({ write in try await write(chunk) }))
        }

        let encoder = WatchEventEncoder(
            handler: self,
            resource: resource,
            filter: filter,
            format: format,
            announceInitialEnd: announceInitialEnd,
            allowBookmarks: allowBookmarks
        )
        return APIResponse(
            status: 200,
            headers: headers,
            body: .stream({ write in
                metrics.longRunning(labels, delta: 1)
                defer { metrics.longRunning(labels, delta: -1) }
                try await Self.pump(
                    events: events,
                    encoder: encoder,
                    timeout: timeout,
                    bookmarkInterval: allowBookmarks ? bookmarkInterval : nil,
                    write: write
                )
            })
        )
    }

    private enum WatchItem: Sendable {
        case event(CacheEvent<ObjectAttributes>)
        case bookmarkTick
        case failed(String)
    }

    /// How many events the relay between the cache and the client holds at once.
    static let watchRelayCapacity = 64

    /// Moves events from the cache to the client until the timeout, the client leaving, or the cache ending the
    /// watch (a slow client).
    ///
    /// The relay (``WatchRelay``) paces: its producer takes an event from the cache only while fewer than
    /// ``watchRelayCapacity`` wait to be written. A client that stops reading thus stops its cache watcher too,
    /// which the cache ends once it falls ``Cacher/watcherBufferSize`` live events behind, as upstream terminates
    /// slow watchers; it never holds back the cache or the other watchers. Initial events (a replay after a
    /// resourceVersion, a watch-list's snapshot) come at the client's pace and never count as falling behind: a
    /// relay that dropped instead ended every replay longer than its buffer part-way.
    ///
    /// The writer takes every event waiting at once and writes them as one chunk: a replay, a watch-list or a
    /// burst of changes costs one write (one HTTP/2 frame and TLS record, or one hand-over in process) per batch,
    /// not per event; a lone change is written as soon as it comes.
    private static func pump(
        events: Cacher<ObjectAttributes>.EventStream,
        encoder: WatchEventEncoder,
        timeout: Duration,
        bookmarkInterval: Duration?,
        write: @concurrent ([UInt8]) async throws -> Void
    ) async throws {
        let relay = WatchRelay<WatchItem>(capacity: Self.watchRelayCapacity)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await event in events {
                        guard await relay.push(.event(event)) else { break }
                    }
                } catch let error as StorageError where error.code == .watcherTooSlow {
                    // The client re-watches from its last resourceVersion.
                } catch is CancellationError {
                } catch {
                    relay.pushWithoutWaiting(.failed("\(error)"))
                }
                relay.finish()
            }
            // One timer for the timeout and the bookmark ticks (each task an open watch keeps costs memory).
            group.addTask {
                let clock = ContinuousClock()
                let deadline = clock.now + timeout
                var nextTick = bookmarkInterval.map { clock.now + $0 }
                while true {
                    let wake = nextTick.map { min($0, deadline) } ?? deadline
                    do { try await Task.sleep(until: wake, clock: clock) } catch { return }
                    if wake == deadline {
                        relay.finish()
                        return
                    }
                    relay.pushWithoutWaiting(.bookmarkTick)
                    nextTick = bookmarkInterval.map { clock.now + $0 }
                }
            }
            var state = WatchEventEncoder.State()
            // An immediate empty write sends the headers, so clients see the watch established at once.
            try await write([])
            defer { relay.close() }
            while let batch = await relay.takeAll() {
                let chunk = try Self.encode(batch, encoder: encoder, state: &state)
                if !chunk.isEmpty { try await write(chunk) }
            }
            group.cancelAll()
        }
    }

    /// One batch of watch lines. Kept out of line: an async function's frame holds every local of the code inlined
    /// into it, and each open watch keeps its frame (in its task's allocator) for as long as it lasts.
    @inline(never)
    private static func encode(
        _ batch: [WatchItem],
        encoder: WatchEventEncoder,
        state: inout WatchEventEncoder.State
    ) throws -> [UInt8] {
        var chunk: [UInt8] = []
        for item in batch {
            let encoded: [UInt8]?
            switch item {
            case .event(let event): encoded = try encoder.encode(event, state: &state)
            case .bookmarkTick: encoded = encoder.bookmark(state: &state)
            case .failed(let message): encoded = encoder.error(APIError.internalError(message))
            }
            if let encoded {
                if chunk.isEmpty { chunk = encoded } else { chunk.append(contentsOf: encoded) }
            }
        }
        return chunk
    }
}

/// Turns cache events into watch lines, applying selectors to old and new states (↔ the cacher's
/// `cacheWatcher.convertToWatchEvent`).
struct WatchEventEncoder: Sendable {
    let handler: APIHandler
    let resource: ServedResource
    let filter: Selection
    let format: OutputFormat
    let announceInitialEnd: Bool
    let allowBookmarks: Bool

    struct State {
        var lastRevision: Revision = .zero
        var sentColumns = false
        var lastBookmarkRevision: Revision = .zero
    }

    func encode(_ event: CacheEvent<ObjectAttributes>, state: inout State) throws -> [UInt8]? {
        switch event {
        case .added(let object):
            state.lastRevision = max(state.lastRevision, object.modRevision)
            guard self.filter.isEverything || self.filter.matches(object.attributes) else { return nil }
            return try self.line("ADDED", object.value, revision: object.modRevision, state: &state)
        case .modified(let object, let previous):
            state.lastRevision = max(state.lastRevision, object.modRevision)
            let now = self.filter.isEverything || self.filter.matches(object.attributes)
            let before = self.filter.isEverything || self.filter.matches(previous.attributes)
            switch (before, now) {
            case (true, true): return try self.line("MODIFIED", object.value, revision: object.modRevision, state: &state)
            case (false, true): return try self.line("ADDED", object.value, revision: object.modRevision, state: &state)
            case (true, false): return try self.line("DELETED", previous.value, revision: object.modRevision, state: &state)
            case (false, false): return nil
            }
        case .deleted(let previous, let revision):
            state.lastRevision = max(state.lastRevision, revision)
            guard self.filter.isEverything || self.filter.matches(previous.attributes) else { return nil }
            return try self.line("DELETED", previous.value, revision: revision, state: &state)
        case .progress(let revision):
            state.lastRevision = max(state.lastRevision, revision)
            return nil
        case .initialEventsEnd(let revision):
            state.lastRevision = max(state.lastRevision, revision)
            guard self.announceInitialEnd else { return nil }
            state.lastBookmarkRevision = revision
            return self.bookmarkLine(revision: revision, initialEventsEnd: true)
        }
    }

    /// A periodic bookmark, when something happened since the last one.
    func bookmark(state: inout State) -> [UInt8]? {
        guard self.allowBookmarks, state.lastRevision > .zero else { return nil }
        state.lastBookmarkRevision = state.lastRevision
        return self.bookmarkLine(revision: state.lastRevision, initialEventsEnd: false)
    }

    func error(_ error: APIError) -> [UInt8] {
        var line = Array(#"{"type":"ERROR","object":"#.utf8)
        line.append(contentsOf: (try? JSONValueEncoder().encodeToBytes(error.status)) ?? [])
        line.append(contentsOf: "}\n".utf8)
        return line
    }

    private func bookmarkLine(revision: Revision, initialEventsEnd: Bool) -> [UInt8] {
        var line = Array(#"{"type":"BOOKMARK","object":{"kind":""#.utf8)
        if case .partialMetadata(let version, _) = self.format {
            line.append(contentsOf: #"PartialObjectMetadata","apiVersion":"meta.k8s.io/"#.utf8)
            line.append(contentsOf: version.utf8)
        } else {
            line.append(contentsOf: self.resource.kind.utf8)
            line.append(contentsOf: #"","apiVersion":""#.utf8)
            line.append(contentsOf: self.resource.apiVersion.utf8)
        }
        line.append(contentsOf: #"","metadata":{"resourceVersion":""#.utf8)
        line.append(contentsOf: revision.description.utf8)
        line.append(UInt8(ascii: "\""))
        if initialEventsEnd {
            line.append(contentsOf: #","annotations":{"k8s.io/initial-events-end":"true"}"#.utf8)
        }
        line.append(contentsOf: "}}}\n".utf8)
        return line
    }

    private func line(_ type: String, _ value: [UInt8], revision: Revision, state: inout State) throws -> [UInt8]? {
        guard let stored = StoredObject(value: value) else { return nil }
        var line = Array(#"{"type":""#.utf8)
        line.append(contentsOf: type.utf8)
        line.append(contentsOf: #"","object":"#.utf8)
        switch self.format {
        case .json:
            stored.render(resourceVersion: revision.description, into: &line)
        case .table(let version, let includeObject):
            let object = try stored.decode(resourceVersion: revision.description)
            let table = self.handler.table(
                objects: [object],
                resource: self.resource,
                version: version,
                includeObject: includeObject,
                resourceVersion: revision.description,
                continueToken: nil,
                withColumns: !state.sentColumns
            )
            state.sentColumns = true
            line.append(contentsOf: table.serialized())
        case .partialMetadata(let version, _):
            let object = try stored.decode(resourceVersion: revision.description)
            line.append(contentsOf: APIHandler.partialMetadata(of: object, version: version).serialized())
        }
        line.append(contentsOf: "}\n".utf8)
        return line
    }
}

/// The queue between a watch's producer (its cache stream) and its writer: the producer waits while `capacity`
/// items are queued; the writer takes everything queued at once.
///
/// One producer waits for room (``push(_:)``); others (bookmark ticks, a failure) add without waiting. One
/// writer takes (``takeAll()``). Continuations are resumed outside the lock: a cancellation handler runs under
/// the runtime's lock on its task, which a resumption may need.
final class WatchRelay<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var producer: CheckedContinuation<Bool, Never>?
        var writer: CheckedContinuation<[Item]?, Never>?
        /// No more items will come: the writer takes the rest, then `nil`.
        var finished = false
        /// The writer is gone: producers are turned away.
        var closed = false
    }

    /// What a push found: the item queued (a waiting writer to hand the queue to), refused, or no room.
    private enum PushOutcome {
        case queued(writer: CheckedContinuation<[Item]?, Never>?, items: [Item]?)
        case refused
        case full
    }

    /// What a take found: items (or the end) and a producer waiting for room, or nothing yet.
    private enum TakeOutcome {
        case taken(items: [Item]?, producer: CheckedContinuation<Bool, Never>?)
        case empty
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Queues `item`, first waiting while the queue is full; `false` (and nothing queued) once the writer is
    /// gone, the relay finished, or the waiting task cancelled.
    func push(_ item: Item) async -> Bool {
        while true {
            let outcome = self.state.withLock { state -> PushOutcome in
                if state.closed || state.finished { return .refused }
                guard state.items.count < self.capacity else { return .full }
                return Self.append(item, to: &state)
            }
            switch outcome {
            case .queued(let writer, let items):
                writer?.resume(returning: items)
                return true
            case .refused:
                return false
            case .full:
                guard await self.waitForRoom() else { return false }
            }
        }
    }

    /// Suspends until the queue has room; `false` once the relay is closed or finished, or the task cancelled.
    private func waitForRoom() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let ready = self.state.withLock { state -> Bool? in
                    if state.closed || state.finished || Task.isCancelled { return false }
                    if state.items.count < self.capacity { return true }
                    state.producer = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            self.close()
        }
    }

    /// Queues `item` whatever the queue holds (rare items: bookmark ticks, a failure); ignored once closed or
    /// finished.
    func pushWithoutWaiting(_ item: Item) {
        let outcome = self.state.withLock { state -> PushOutcome in
            if state.closed || state.finished { return .refused }
            return Self.append(item, to: &state)
        }
        if case .queued(let writer, let items) = outcome { writer?.resume(returning: items) }
    }

    /// No more items: the writer gets what is queued, then `nil`; a waiting producer is turned away.
    func finish() {
        let (writer, producer, rest) = self.state.withLock { state in
            state.finished = true
            let writer = state.writer
            let producer = state.producer
            state.writer = nil
            state.producer = nil
            return (writer, producer, writer == nil ? nil : Self.takeItems(&state))
        }
        writer?.resume(returning: rest)
        producer?.resume(returning: false)
    }

    /// The writer is gone: producers are turned away from now on.
    func close() {
        let producer = self.state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.closed = true
            defer { state.producer = nil }
            return state.producer
        }
        producer?.resume(returning: false)
    }

    /// Everything queued, waiting for at least one item; `nil` once the relay is finished and empty (or the
    /// writer's task is cancelled).
    func takeAll() async -> [Item]? {
        let outcome = self.state.withLock { state in Self.take(&state) }
        if case .taken(let items, let producer) = outcome {
            producer?.resume(returning: true)
            return items
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[Item]?, Never>) in
                let outcome = self.state.withLock { state -> TakeOutcome in
                    if Task.isCancelled {
                        state.closed = true
                        return .taken(items: nil, producer: nil)
                    }
                    let outcome = Self.take(&state)
                    if case .empty = outcome { state.writer = continuation }
                    return outcome
                }
                if case .taken(let items, let producer) = outcome {
                    producer?.resume(returning: true)
                    continuation.resume(returning: items)
                }
            }
        } onCancel: {
            let writer = self.state.withLock { state -> CheckedContinuation<[Item]?, Never>? in
                state.closed = true
                defer { state.writer = nil }
                return state.writer
            }
            writer?.resume(returning: nil)
            self.close()
        }
    }

    /// Appends `item`; a waiting writer is handed the whole queue.
    private static func append(_ item: Item, to state: inout State) -> PushOutcome {
        state.items.append(item)
        guard let writer = state.writer else { return .queued(writer: nil, items: nil) }
        state.writer = nil
        let items = state.items
        state.items = []
        return .queued(writer: writer, items: items)
    }

    /// The queued items (and the producer waiting for room), the end, or nothing yet.
    private static func take(_ state: inout State) -> TakeOutcome {
        guard !state.items.isEmpty || state.finished || state.closed else { return .empty }
        let producer = state.producer
        state.producer = nil
        return .taken(items: Self.takeItems(&state), producer: producer)
    }

    /// Takes the queued items: `nil` when there are none (only asked once the relay is finished or closed).
    private static func takeItems(_ state: inout State) -> [Item]? {
        if state.items.isEmpty { return nil }
        let items = state.items
        state.items = []
        return items
    }
}
