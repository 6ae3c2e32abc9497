/// An error from a ``Cacher``, with a stable ``Code`` that callers switch on.
///
/// The API server maps ``Code/tooOld`` to `410 Gone` ("too old resource version"), ``Code/tooLargeResourceVersion``
/// to `504 Timeout` with `Retry-After` ("Too large resource version"), and the others to `503`/`400`. A watcher
/// that falls behind ends with ``StorageError`` ``StorageError/Code/watcherTooSlow`` instead, as a storage watch
/// does.
public struct CacherError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, stable across releases: a struct over a private enum, so adding a code breaks no `switch`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case tooOld
            case tooLargeResourceVersion
            case notReady
            case unavailable
            case invalidArgument
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// A watch asked to resume after a revision the history no longer covers; list again and watch from the
        /// list's revision. ``CacherError/requested`` and ``CacherError/oldest`` say how far.
        public static let tooOld = Code(.tooOld)
        /// The cache did not reach the requested revision in time; retry later.
        /// ``CacherError/requested`` and ``CacherError/current`` say how far.
        public static let tooLargeResourceVersion = Code(.tooLargeResourceVersion)
        /// The cache has not loaded its first list yet.
        public static let notReady = Code(.notReady)
        /// The cache stopped (its ``Cacher/run()`` returned); its watches end with this code.
        public static let unavailable = Code(.unavailable)
        /// An argument is malformed, for example a prefix outside the cached one.
        public static let invalidArgument = Code(.invalidArgument)

        /// The code's stable name, for example `tooOld`.
        public var description: String { self.base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The revision the caller asked for, when there is one.
    public var requested: Revision?
    /// For ``Code/tooLargeResourceVersion``: the revision the cache is at.
    public var current: Revision?
    /// For ``Code/tooOld``: the oldest revision a watch can resume after.
    public var oldest: Revision?

    /// Makes an error.
    public init(
        code: Code,
        message: String,
        requested: Revision? = nil,
        current: Revision? = nil,
        oldest: Revision? = nil
    ) {
        self.code = code
        self.message = message
        self.requested = requested
        self.current = current
        self.oldest = oldest
    }

    /// `code: message`.
    public var description: String { "\(self.code): \(self.message)" }
}

extension CacherError {
    /// The history no longer covers `requested`: a watch can only resume after `oldest` or later.
    public static func tooOld(requested: Revision, oldest: Revision) -> CacherError {
        CacherError(
            code: .tooOld,
            message: "too old resource version: \(requested) (\(oldest))",
            requested: requested,
            oldest: oldest
        )
    }

    /// The cache is still at `current`, below `requested`.
    public static func tooLargeResourceVersion(requested: Revision, current: Revision) -> CacherError {
        CacherError(
            code: .tooLargeResourceVersion,
            message: "Too large resource version: \(requested), current: \(current)",
            requested: requested,
            current: current
        )
    }

    /// The first list has not been loaded.
    public static let notReady = CacherError(code: .notReady, message: "the watch cache is not ready yet")

    /// The cache stopped.
    public static let stopped = CacherError(code: .unavailable, message: "the watch cache stopped")
}
