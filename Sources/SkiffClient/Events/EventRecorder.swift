import Foundation
public import Logging
public import SkiffAPI
public import SkiffAPIMachinery
import Synchronization

/// The type of an event: `Normal` or `Warning`.
public struct EventType: Sendable, Hashable, RawRepresentable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Nothing is wrong.
    public static let normal = EventType(rawValue: "Normal")
    /// Something may need attention.
    public static let warning = EventType(rawValue: "Warning")
}

/// Records `events.k8s.io/v1` Events with upstream's events-library semantics (↔ client-go's `tools/events`
/// broadcaster, sink and recorder).
///
/// - An event is isomorphic to an earlier one when action, reason, reporting controller, regarding and related
///   objects are equal (the note is not compared). The second occurrence turns the first Event into a series
///   (`series.count: 2`, `series.lastObservedTime`) with a patch; further occurrences only count up locally and
///   are written when the series is refreshed (every 30 minutes) or finished (no occurrence for 6 minutes), as
///   upstream does, instead of creating an Event each time.
/// - Spam limit: each regarding object gets a token bucket of 25 events refilled at one per 5 minutes (↔
///   `tools/record`'s `EventSourceObjectSpamFilter`); events beyond it are dropped.
/// - ``record(regarding:related:type:reason:action:note:)`` never blocks nor fails: events are queued (at most
///   1,000, as upstream) and written by ``run()``; a write is retried up to 12 times.
///
/// ```swift
/// let recorder = EventRecorder(client: client, reportingController: "default-scheduler", logger: logger)
/// recorder.record(regarding: pod, type: .normal, reason: "Scheduled", action: "Binding", note: "Successfully assigned default/web-0 to node-1")
/// ```
public final class EventRecorder: Sendable {
    /// What makes two events isomorphic (↔ `getKey`): action, reason, reporting controller, regarding and related.
    /// The parts are held as one length-prefixed string, so each slot of the cache's table is two words rather
    /// than two inline object references (at 10,000 pods with a FailedScheduling event each, the table alone was
    /// ~8 MB).
    struct EventKey: Hashable {
        let text: String

        init(_ event: EventsV1.Event) {
            var text = ""
            func add(_ part: String?) {
                guard let part else { return text += "-;" }
                text += String(part.utf8.count)
                text += ":"
                text += part
            }
            func add(_ reference: CoreV1.ObjectReference?) {
                guard let reference else { return text += "-;" }
                for part in [
                    reference.apiVersion, reference.fieldPath, reference.kind, reference.name, reference.namespace,
                    reference.resourceVersion, reference.uid,
                ] {
                    add(part)
                }
            }
            add(event.action ?? "")
            add(event.reason ?? "")
            add(event.reportingController ?? "")
            add(event.regarding)
            add(event.related)
            self.text = text
        }
    }

    /// A cached event, boxed so the table's free slots cost a reference rather than a whole Event; only touched
    /// under the cache's lock.
    final class Cached {
        var event: EventsV1.Event
        /// Whether the series changed since it was last written.
        var unwritten: Bool

        init(event: EventsV1.Event, unwritten: Bool) {
            self.event = event
            self.unwritten = unwritten
        }
    }

    /// `reportingController`: the component (`default-scheduler`, `kube-controller-manager`).
    public let reportingController: String
    /// `reportingInstance`: this process (`<controller>-<hostname>` upstream).
    public let reportingInstance: String
    let client: APIClient
    let clock: any ClientClock
    let logger: Logger
    /// How long without an occurrence finishes a series (upstream: 6 minutes).
    let finishTime: Duration = .seconds(360)
    /// How often unfinished series are written (upstream: 30 minutes).
    let refreshTime: Duration = .seconds(1800)
    let retryDelay: Duration
    private let cache = Mutex<[EventKey: Cached]>([:])
    private let lastNanos = Mutex<UInt64>(0)
    let spam = Mutex<[String: (tokens: Double, last: Date)]>([:])
    private let queue: AsyncStream<EventsV1.Event>
    private let queueInput: AsyncStream<EventsV1.Event>.Continuation

    public init(
        client: APIClient,
        reportingController: String,
        reportingInstance: String? = nil,
        retryDelay: Duration = .seconds(10),
        clock: any ClientClock = SystemClock(),
        logger: Logger
    ) {
        self.client = client
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance ?? reportingController + "-" + ProcessInfo.processInfo.hostName
        self.retryDelay = retryDelay
        self.clock = clock
        self.logger = logger
        (self.queue, self.queueInput) = AsyncStream.makeStream(of: EventsV1.Event.self, bufferingPolicy: .bufferingOldest(1000))
    }

    /// Records an event about `regarding` (↔ `EventRecorder.Eventf`); returns at once.
    public func record(
        regarding: CoreV1.ObjectReference,
        related: CoreV1.ObjectReference? = nil,
        type: EventType,
        reason: String,
        action: String,
        note: String
    ) {
        let now = self.clock.now()
        let spamKey = "\(regarding.namespace ?? "")/\(regarding.kind ?? "")/\(regarding.name ?? "")/\(regarding.uid ?? "")"
        guard self.admit(spamKey, now: now) else {
            self.logger.debug("Event dropped by the spam filter", metadata: ["reason": "\(reason)"])
            return
        }
        // `<regarding>.<unix nanoseconds in hex>` as upstream names events; strictly increasing per recorder so
        // two events in the same nanosecond (or on a frozen test clock) do not collide.
        let nanos = self.lastNanos.withLock { last in
            last = max(last + 1, UInt64(max(now.timeIntervalSince1970, 0) * 1e9))
            return last
        }
        let name = "\(regarding.name ?? "event").\(String(nanos, radix: 16))"
        let event = EventsV1.Event(
            metadata: MetaV1.ObjectMeta(name: name, namespace: regarding.namespace ?? "default"),
            eventTime: MicroTime(now),
            reportingController: self.reportingController,
            reportingInstance: self.reportingInstance,
            action: action,
            reason: reason,
            regarding: regarding,
            related: related,
            note: String(note.prefix(1024)),
            type: type.rawValue
        )
        self.queueInput.yield(event)
    }

    /// Records an event about `object`.
    public func record<Object: APIObject>(
        regarding object: Object,
        related: CoreV1.ObjectReference? = nil,
        type: EventType,
        reason: String,
        action: String,
        note: String
    ) {
        self.record(regarding: CoreV1.ObjectReference(object), related: related, type: type, reason: reason, action: action, note: note)
    }

    /// Writes queued events, and refreshes and finishes series, until cancelled.
    public func run() async throws {
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var sinceRefresh = Duration.zero
                while true {
                    try await self.clock.sleep(for: self.finishTime)
                    sinceRefresh += self.finishTime
                    await self.finishSeries()
                    if sinceRefresh >= self.refreshTime {
                        sinceRefresh = .zero
                        await self.flush()
                    }
                }
            }
            for await event in self.queue {
                if let toWrite = self.preProcess(event) { await self.write(toWrite) }
            }
            group.cancelAll()
        }
        throw CancellationError()
    }

    /// Writes every series that counted up since it was last written (↔ `refreshExistingEventSeries`).
    public func flush() async {
        let pending: [EventsV1.Event] = self.cache.withLock { cache in
            var pending: [EventsV1.Event] = []
            for cached in cache.values where cached.unwritten && cached.event.series != nil {
                pending.append(cached.event)
                cached.unwritten = false
            }
            return pending
        }
        for event in pending { await self.write(event) }
    }

    /// Writes and forgets series without an occurrence for 6 minutes; forgets single events older than that
    /// (↔ `finishSeries`).
    func finishSeries() async {
        let cutoff = self.clock.now().adding(.zero - self.finishTime)
        let finished: [EventsV1.Event] = self.cache.withLock { cache in
            var finished: [EventsV1.Event] = []
            for (key, cached) in cache {
                if let series = cached.event.series {
                    if series.lastObservedTime.date < cutoff {
                        if cached.unwritten { finished.append(cached.event) }
                        cache[key] = nil
                    }
                } else if cached.event.eventTime.date < cutoff {
                    cache[key] = nil
                }
            }
            return finished
        }
        for event in finished { await self.write(event) }
    }

    /// Decides what to write for a new occurrence (↔ the broadcaster's `recordToSink`): the event itself, the
    /// isomorphic event turned into a series, or nothing (the series counted up).
    func preProcess(_ event: EventsV1.Event) -> EventsV1.Event? {
        let key = EventKey(event)
        let now = self.clock.now()
        return self.cache.withLock { cache in
            if let cached = cache[key] {
                if var series = cached.event.series {
                    series.count += 1
                    series.lastObservedTime = MicroTime(now)
                    cached.event.series = series
                    cached.unwritten = true
                    return nil
                }
                cached.event.series = EventsV1.EventSeries(count: 2, lastObservedTime: MicroTime(now))
                cached.unwritten = false
                return cached.event
            }
            cache[key] = Cached(event: event, unwritten: false)
            return event
        }
    }

    /// Creates the event, or patches its series (creating it when the patch finds it gone); retries failures.
    func write(_ event: EventsV1.Event) async {
        let events = self.client.events(event.metadata.namespace ?? "default")
        for attempt in 1...12 {
            do {
                if let series = event.series, let name = event.metadata.name {
                    let patch: JSONValue = [
                        "series": [
                            "count": .int(Int64(series.count)),
                            "lastObservedTime": .string(series.lastObservedTime.string),
                        ]
                    ]
                    do {
                        try await events.patchDiscardingResult(name, type: .strategic, body: patch)
                        return
                    } catch let error as APIError where error.reason == .notFound {
                        // The Event expired or was deleted: create it again.
                    }
                }
                var fresh = event
                fresh.metadata.resourceVersion = nil
                try await events.createDiscardingResult(fresh)
                return
            } catch let error as APIError where error.reason == .alreadyExists || (400..<500).contains(error.code) && error.code != 429 {
                self.logger.debug("Server rejected event", metadata: ["error": "\(error)", "reason": "\(event.reason ?? "")"])
                return
            } catch is CancellationError {
                return
            } catch {
                if attempt == 12 {
                    self.logger.debug("Unable to write event (retry limit exceeded)", metadata: ["error": "\(error)"])
                    return
                }
                do { try await self.clock.sleep(for: self.retryDelay * Double.random(in: 1..<1.25)) } catch { return }
            }
        }
    }

    /// How many objects the spam filter remembers (↔ `maxLruCacheEntries`): past twice this many, it keeps
    /// only this many of the most recently seen, so a long-lived recorder does not hold a bucket per object it
    /// ever reported on. A forgotten object starts again with a full bucket, as after an LRU eviction upstream.
    static let spamFilterEntries = 4096

    private func admit(_ key: String, now: Date) -> Bool {
        let burst = 25.0
        let refillPerSecond = 1.0 / 300
        return self.spam.withLock { buckets in
            if buckets[key] == nil, buckets.count >= 2 * Self.spamFilterEntries {
                let recent = buckets.sorted { $0.value.last > $1.value.last }.prefix(Self.spamFilterEntries - 1)
                buckets = Dictionary(uniqueKeysWithValues: recent.map { ($0.key, $0.value) })
            }
            var bucket = buckets[key] ?? (tokens: burst, last: now)
            bucket.tokens = min(burst, bucket.tokens + max(now.timeIntervalSince(bucket.last), 0) * refillPerSecond)
            bucket.last = now
            guard bucket.tokens >= 1 else {
                buckets[key] = bucket
                return false
            }
            bucket.tokens -= 1
            buckets[key] = bucket
            return true
        }
    }
}

extension CoreV1.ObjectReference {
    /// A reference to `object` (kind, apiVersion, namespace, name, uid, resourceVersion) (↔ `reference.GetReference`).
    public init<Object: APIObject>(_ object: Object) {
        self.init(
            kind: Object.groupVersionKind.kind,
            namespace: object.metadata.namespace,
            name: object.metadata.name,
            uid: object.metadata.uid,
            apiVersion: Object.groupVersionKind.apiVersion,
            resourceVersion: object.metadata.resourceVersion
        )
    }
}
