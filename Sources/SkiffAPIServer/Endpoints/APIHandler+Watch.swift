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

    /// How many initial events (a replay, a watch-list's snapshot) are written at once.
    static let initialEventBatch = 64

    /// Moves events from the cache to the client until the timeout, the client leaving, or the cache ending the
    /// watch (a slow client), in the request's own task.
    ///
    /// Initial events (a replay after a resourceVersion, a watch-list's snapshot) are walked at the client's pace,
    /// ``initialEventBatch`` per write, and never count as falling behind. Live changes wait in the cache's
    /// buffer for this watcher (``WatchBuffer``), which the writer empties at once and writes as one chunk: a burst
    /// of changes costs one write (one HTTP/2 frame and TLS record, or one hand-over in process) per batch, a lone
    /// change is written as soon as it comes. A client that stops reading stops the writer, and the cache ends the
    /// watcher once it falls ``Cacher/watcherBufferSize`` changes behind, as upstream terminates slow watchers;
    /// it never holds back the cache or the other watchers. One timer task wakes the writer for bookmarks and
    /// ends the watch at its timeout.
    private static func pump(
        events: Cacher<ObjectAttributes>.EventStream,
        encoder: WatchEventEncoder,
        timeout: Duration,
        bookmarkInterval: Duration?,
        write: @concurrent ([UInt8]) async throws -> Void
    ) async throws {
        let live = events.live
        let timer = WatchTimer()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let clock = ContinuousClock()
                let deadline = clock.now + timeout
                var nextTick = bookmarkInterval.map { clock.now + $0 }
                while true {
                    let wake = nextTick.map { min($0, deadline) } ?? deadline
                    do { try await Task.sleep(until: wake, clock: clock) } catch { return }
                    if wake == deadline {
                        timer.expired.store(true, ordering: .releasing)
                        live.wake()
                        return
                    }
                    timer.ticked.store(true, ordering: .releasing)
                    live.wake()
                    nextTick = bookmarkInterval.map { clock.now + $0 }
                }
            }
            defer {
                live.terminate()
                group.cancelAll()
            }
            var state = WatchEventEncoder.State()
            // An immediate empty write sends the headers, so clients see the watch established at once.
            try await write([])
            var initial = events.initialEvents.makeIterator()
            while !timer.expired.load(ordering: .acquiring) {
                let (chunk, walked) = try Self.encode(
                    next: Self.initialEventBatch,
                    of: &initial,
                    encoder: encoder,
                    state: &state
                )
                if !chunk.isEmpty { try await write(chunk) }
                if walked { break }
            }
            while !timer.expired.load(ordering: .acquiring) {
                let taken: WatchBuffer<CacheEvent<ObjectAttributes>>.Taken
                do {
                    taken = try await live.take()
                } catch let error as StorageError where error.code == .watcherTooSlow {
                    return  // the client re-watches from its last resourceVersion
                } catch is CancellationError {
                    return
                } catch {
                    try await write(encoder.error(APIError.internalError("\(error)")))
                    return
                }
                guard case .elements(let changes) = taken else { return }
                let tick = timer.ticked.exchange(false, ordering: .acquiringAndReleasing)
                let chunk = try Self.encode(changes, tick: tick, encoder: encoder, state: &state)
                if !chunk.isEmpty { try await write(chunk) }
            }
        }
    }

    /// The next `count` initial events as watch lines, and whether they were the last. Kept out of line, as the
    /// next: an async function's frame holds every local of the code inlined into it, and a watch's task keeps its
    /// frames' memory for as long as the watch lasts.
    @inline(never)
    private static func encode(
        next count: Int,
        of events: inout CacheWatchStream<ObjectAttributes>.InitialEvents.Iterator,
        encoder: WatchEventEncoder,
        state: inout WatchEventEncoder.State
    ) throws -> (chunk: [UInt8], walked: Bool) {
        var chunk: [UInt8] = []
        for _ in 0..<count {
            guard let event = events.next() else { return (chunk, true) }
            if let line = try encoder.encode(event, state: &state) { chunk.append(contentsOf: line) }
        }
        return (chunk, false)
    }

    /// Live changes as watch lines, then a bookmark if the timer ticked.
    @inline(never)
    private static func encode(
        _ changes: [CacheEvent<ObjectAttributes>],
        tick: Bool,
        encoder: WatchEventEncoder,
        state: inout WatchEventEncoder.State
    ) throws -> [UInt8] {
        var chunk: [UInt8] = []
        for event in changes {
            if let line = try encoder.encode(event, state: &state) {
                if chunk.isEmpty { chunk = line } else { chunk.append(contentsOf: line) }
            }
        }
        if tick, let line = encoder.bookmark(state: &state) { chunk.append(contentsOf: line) }
        return chunk
    }
}

/// What a watch's timer tells its writer: a bookmark is due, or the watch's time is up.
private final class WatchTimer: Sendable {
    let ticked = Atomic<Bool>(false)
    let expired = Atomic<Bool>(false)
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
