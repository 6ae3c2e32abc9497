/// An error from a ``StorageBackend``, with a stable ``Code`` that callers switch on.
///
/// The code is a struct over a private enum, so adding a code breaks nobody's `switch`:
/// ```swift
/// catch let error as StorageError where error.code == .conflict { retry(with: error.current) }
/// ```
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, stable across releases.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case notFound
            case keyExists
            case conflict
            case compacted
            case futureRevision
            case watcherTooSlow
            case leaseNotFound
            case invalidArgument
            case unsupported
            case unavailable
            case internalError
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The key does not exist (get-for-update, update, delete).
        public static let notFound = Code(.notFound)
        /// A create found the key already present; ``StorageError/current`` holds it.
        public static let keyExists = Code(.keyExists)
        /// A compare-and-swap expected a stale modification revision; ``StorageError/current`` holds the key as
        /// it is now, so the caller can retry without reading it again.
        public static let conflict = Code(.conflict)
        /// The requested revision was removed by compaction; ``StorageError/compactRevision`` says how far.
        public static let compacted = Code(.compacted)
        /// The requested revision is newer than the store's current revision.
        public static let futureRevision = Code(.futureRevision)
        /// A watcher did not consume its events fast enough and was terminated; it must re-list and watch again.
        public static let watcherTooSlow = Code(.watcherTooSlow)
        /// The lease does not exist (never granted, expired or revoked).
        public static let leaseNotFound = Code(.leaseNotFound)
        /// An argument is malformed (an empty key, a negative limit, a non-positive TTL…).
        public static let invalidArgument = Code(.invalidArgument)
        /// The backend does not support the requested option; it never silently ignores one.
        public static let unsupported = Code(.unsupported)
        /// The backend cannot serve the request now (closed, disk error, lost connection); retrying may help.
        public static let unavailable = Code(.unavailable)
        /// A bug or corrupted data.
        public static let internalError = Code(.internalError)

        /// The code's stable name, for example `conflict`.
        public var description: String { self.base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The key concerned, when there is one.
    public var key: String?
    /// For ``Code/conflict`` and ``Code/keyExists``: the key as it currently is.
    public var current: KeyValue?
    /// For ``Code/compacted``: the revision the store is compacted through.
    public var compactRevision: Revision?
    /// The underlying error, for example a SQLite error.
    public var cause: (any Error)?

    /// Makes an error.
    public init(
        code: Code,
        message: String,
        key: String? = nil,
        current: KeyValue? = nil,
        compactRevision: Revision? = nil,
        cause: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.key = key
        self.current = current
        self.compactRevision = compactRevision
        self.cause = cause
    }

    /// `code: message`, plus the cause.
    public var description: String {
        var text = "\(self.code): \(self.message)"
        if let cause = self.cause { text += " (\(cause))" }
        return text
    }
}

extension StorageError {
    /// The key does not exist.
    public static func notFound(_ key: String) -> StorageError {
        StorageError(code: .notFound, message: "key \(key) not found", key: key)
    }

    /// A create found the key already present.
    public static func keyExists(_ current: KeyValue) -> StorageError {
        StorageError(code: .keyExists, message: "key \(current.key) already exists", key: current.key, current: current)
    }

    /// A compare-and-swap expected `expected` but the key is at `current.modRevision`.
    public static func conflict(_ current: KeyValue, expected: Revision) -> StorageError {
        StorageError(
            code: .conflict,
            message: "key \(current.key) is at revision \(current.modRevision), not \(expected)",
            key: current.key,
            current: current
        )
    }

    /// The revision asked for is below the compaction point.
    public static func compacted(compactRevision: Revision, requested: Revision? = nil) -> StorageError {
        let asked = requested.map { "revision \($0) was" } ?? "the requested revision was"
        return StorageError(
            code: .compacted,
            message: "\(asked) compacted (the store is compacted through revision \(compactRevision))",
            compactRevision: compactRevision
        )
    }

    /// The revision asked for is in the future.
    public static func futureRevision(_ requested: Revision, current: Revision) -> StorageError {
        StorageError(
            code: .futureRevision,
            message: "revision \(requested) is newer than the current revision \(current)"
        )
    }

    /// The lease does not exist.
    public static func leaseNotFound(_ lease: LeaseID) -> StorageError {
        StorageError(code: .leaseNotFound, message: "lease \(lease) not found")
    }

    /// A malformed argument.
    public static func invalidArgument(_ message: String) -> StorageError {
        StorageError(code: .invalidArgument, message: message)
    }
}
