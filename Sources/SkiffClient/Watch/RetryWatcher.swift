public import SkiffAPIMachinery

/// A watch that survives dropped connections: it resumes from the last resourceVersion it delivered and asks for
/// bookmarks so that resourceVersion keeps up even when nothing it selects changes (↔ client-go's
/// `tools/watch.RetryWatcher`).
///
/// When the resourceVersion is too old for the server (`410 Gone`/`Expired`), ``run(from:_:)`` throws that
/// `APIError`: the caller must re-list (an ``Informer``'s reflector does). Other failures (connection errors,
/// 429, 5xx) are retried after ``retryDelay``.
///
/// ```swift
/// let list = try await client.pods("default").list()
/// try await RetryWatcher(client.pods("default")).run(from: list.resourceVersion) { event in … }
/// ```
public struct RetryWatcher<Object: APIObject>: Sendable {
    let source: any ListerWatcher<Object>
    /// Selectors applied to every watch (resourceVersion and bookmarks are managed by the watcher).
    public var options: ListOptions
    /// How long to wait before re-watching after a failure.
    public var retryDelay: Duration
    /// The server-side timeout of each watch request, in seconds; a range draws a random value per request as
    /// the reflector does (5 to 10 minutes by default).
    public var timeoutSeconds: ClosedRange<Int>
    let clock: any ClientClock

    public init(
        _ client: ResourceClient<Object>,
        options: ListOptions = ListOptions(),
        retryDelay: Duration = .seconds(1),
        timeoutSeconds: ClosedRange<Int> = 300...600,
        clock: any ClientClock = SystemClock()
    ) {
        self.init(source: client, options: options, retryDelay: retryDelay, timeoutSeconds: timeoutSeconds, clock: clock)
    }

    /// A watcher of what `source` watches (a typed client or a ``MetadataResourceClient``).
    public init(
        source: any ListerWatcher<Object>,
        options: ListOptions = ListOptions(),
        retryDelay: Duration = .seconds(1),
        timeoutSeconds: ClosedRange<Int> = 300...600,
        clock: any ClientClock = SystemClock()
    ) {
        self.source = source
        self.options = options
        self.retryDelay = retryDelay
        self.timeoutSeconds = timeoutSeconds
        self.clock = clock
    }

    /// Watches from `resourceVersion` until cancelled, `handle` throws, or the resourceVersion expires (throws the
    /// server's 410 `APIError`). Returns the last resourceVersion seen when `handle` asks to stop by throwing
    /// ``StopWatching``.
    @discardableResult
    public func run(
        from resourceVersion: String,
        _ handle: (WatchEvent<Object>) async throws -> Void
    ) async throws -> String {
        var last = resourceVersion
        while true {
            try Task.checkCancellation()
            var options = self.options
            options.resourceVersion = last
            options.resourceVersionMatch = nil
            options.allowWatchBookmarks = true
            options.timeoutSeconds = Int.random(in: self.timeoutSeconds)
            do {
                try await self.source.watch(options) { event in
                    switch event {
                    case .bookmark(let bookmark):
                        if !bookmark.resourceVersion.isEmpty { last = bookmark.resourceVersion }
                    case .added(let object), .modified(let object), .deleted(let object):
                        if let version = object.metadata.resourceVersion, !version.isEmpty { last = version }
                    }
                    try await handle(event)
                }
                // The server ended the watch (its timeout): resume at once.
            } catch is StopWatching {
                return last
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as APIError {
                if error.code == 410 || error.reason == .expired || error.reason == .gone { throw error }
                guard Self.isRetryable(error) else { throw error }
                try await self.clock.sleep(for: self.retryDelay)
            } catch {
                // A dropped connection or a transport failure: resume from `last`.
                try Task.checkCancellation()
                try await self.clock.sleep(for: self.retryDelay)
            }
        }
    }

    static func isRetryable(_ error: APIError) -> Bool {
        error.code == 429 || error.code >= 500 || error.reason == .timeout || error.reason == .serverTimeout
            || error.reason == .tooManyRequests
    }
}

/// Thrown by a watch handler to end a ``RetryWatcher`` (or any watch) normally.
public struct StopWatching: Error, Sendable {
    public init() {}
}

extension APIError {
    /// Whether the error says a resourceVersion is too old (`410 Gone` or `Expired`): re-list.
    public var isResourceExpired: Bool {
        self.code == 410 || self.reason == .expired || self.reason == .gone
    }
}
