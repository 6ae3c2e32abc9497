import SkiffAPI
import SkiffAPIMachinery

/// Shared helpers of the patch suites.
enum PatchTestSupport {
    /// Parses a JSON literal written in a test table; a typo in a table is a test bug, so it traps.
    static func json(_ text: String) -> JSONValue {
        do {
            return try JSONValue.parse(Array(text.utf8))
        } catch {
            preconditionFailure("invalid JSON in a test table: \(error) in \(text)")
        }
    }

    /// Compact JSON text of `value`, for readable failure messages.
    static func text(_ value: JSONValue) -> String {
        String(decoding: value.serialized(), as: UTF8.self)
    }
}

/// The outcome a table row expects: a document, or a failure with a code (and optionally an exact message).
enum PatchOutcome: Sendable {
    case document(String)
    case failure(PatchError.Code, message: String? = nil)
}
