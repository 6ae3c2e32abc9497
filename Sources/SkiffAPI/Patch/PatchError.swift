/// Why a PATCH body could not be applied to an object.
///
/// ``code`` is stable and meant for `switch`ing; ``message`` follows upstream's wording (evanphx/json-patch for JSON
/// patch, apimachinery's `strategicpatch` and `mergepatch` for strategic merge patch), so clients see the text they
/// would see from a Kubernetes API server. The API server turns it into a Status: upstream answers a JSON patch that
/// fails to apply with 422 Unprocessable Entity and a malformed patch body with 400 Bad Request.
///
/// ## Topics
/// ### Codes
/// - ``Code-swift.struct``
public struct PatchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a struct over a private enum so new codes break no one's `switch`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidPatch
            case invalidPointer
            case pathNotFound
            case invalidIndex
            case testFailed
            case invalidDirective
            case missingMergeKey
            case invalidDocument
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The patch body is not of the expected shape: a JSON patch that is not a list of operations, an unknown
        /// operation, a missing `value`, a strategic merge patch that is not an object or has malformed directive
        /// lists.
        public static let invalidPatch = Code(.invalidPatch)
        /// A JSON pointer (`path` or `from`) does not follow RFC 6901.
        public static let invalidPointer = Code(.invalidPointer)
        /// A JSON patch operation refers to a location that does not exist in the document.
        public static let pathNotFound = Code(.pathNotFound)
        /// A JSON patch operation refers to an array index that is out of range or not a number.
        public static let invalidIndex = Code(.invalidIndex)
        /// A JSON patch `test` operation found a different value.
        public static let testFailed = Code(.testFailed)
        /// A strategic merge patch uses an unknown or misplaced `$patch` directive.
        public static let invalidDirective = Code(.invalidDirective)
        /// An element of a strategic merge list lacks the list's merge key (`name`, `containerPort`, …).
        public static let missingMergeKey = Code(.missingMergeKey)
        /// The document to patch has a shape the patch cannot be applied to (for example a list where the schema
        /// expects an object and the strategic merge patch needs to merge into it).
        public static let invalidDocument = Code(.invalidDocument)

        public var description: String { self.base.rawValue }
    }

    /// The stable code.
    public var code: Code
    /// The human-readable message, in upstream's wording where the API server shows it.
    public var message: String

    /// An error with `code` and `message`.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }
}

extension PatchError {
    static func invalidPatch(_ message: String) -> PatchError { PatchError(code: .invalidPatch, message: message) }
    static func invalidDirective(_ message: String) -> PatchError {
        PatchError(code: .invalidDirective, message: message)
    }
}
