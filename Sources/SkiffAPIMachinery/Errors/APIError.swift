/// An error the Kubernetes API reports: one `metav1.Status` with a reason, an HTTP code and details
/// (↔ `k8s.io/apimachinery/pkg/api/errors.StatusError`).
///
/// Handlers throw it; the server turns it into the Status body and HTTP status in one place, and clients decode a
/// failed response back into it, so both sides switch on the same ``Reason``:
/// ```swift
/// catch let error as APIError where error.reason == .notFound { … }
/// ```
/// The constructors (``notFound(group:resource:name:)``, ``alreadyExists(group:resource:name:)``, …) produce
/// upstream's exact message wording and details, which clients such as the Python client compare byte for byte.
///
/// ## Topics
/// ### Reasons
/// - ``Reason``
/// ### Making errors
/// - ``notFound(group:resource:name:)``
/// - ``alreadyExists(group:resource:name:)``
/// - ``conflict(group:resource:name:message:)``
/// - ``invalid(group:kind:name:causes:)``
/// - ``badRequest(_:)``
/// - ``gone(_:)``
/// - ``expired(_:)``
/// - ``methodNotSupported(group:resource:action:)``
/// - ``unsupportedMediaType(_:accepted:)``
/// - ``notAcceptable(_:)``
/// - ``unauthorized(_:)``
/// - ``forbidden(group:resource:name:reason:)``
/// - ``tooManyRequests(_:retryAfterSeconds:)``
/// - ``requestEntityTooLarge(_:)``
/// - ``internalError(_:)``
/// - ``timeout(_:retryAfterSeconds:)``
/// - ``serviceUnavailable(_:)``
/// ### The Status form
/// - ``status``
/// - ``init(status:)``
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why a request failed: `metav1.StatusReason`, a struct over its string so new reasons break no `switch`.
    public struct Reason: Hashable, Sendable, CustomStringConvertible {
        /// The reason as it appears in the Status body (`NotFound`); empty for an unknown failure.
        public var rawValue: String
        /// Wraps a reason string, including ones this version does not know.
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { self.rawValue }

        /// No reason was given (`""`).
        public static let unknown = Reason(rawValue: "")
        /// 401: the request lacks valid credentials.
        public static let unauthorized = Reason(rawValue: "Unauthorized")
        /// 403: the caller may not perform the action.
        public static let forbidden = Reason(rawValue: "Forbidden")
        /// 404: the resource or object does not exist.
        public static let notFound = Reason(rawValue: "NotFound")
        /// 409: the object to create already exists.
        public static let alreadyExists = Reason(rawValue: "AlreadyExists")
        /// 409: the write conflicts with the object's current state (stale resourceVersion, apply conflicts).
        public static let conflict = Reason(rawValue: "Conflict")
        /// 410: the resource version requested is no longer available.
        public static let gone = Reason(rawValue: "Gone")
        /// 422: the object fails validation; ``APIError/details`` lists one cause per problem.
        public static let invalid = Reason(rawValue: "Invalid")
        /// 504: the server did not finish in time.
        public static let serverTimeout = Reason(rawValue: "ServerTimeout")
        /// 410: a continue token or resource version has expired.
        public static let expired = Reason(rawValue: "Expired")
        /// 504: the request timed out.
        public static let timeout = Reason(rawValue: "Timeout")
        /// 429: the client must slow down (or an eviction is blocked by a disruption budget).
        public static let tooManyRequests = Reason(rawValue: "TooManyRequests")
        /// 400: the request itself is malformed.
        public static let badRequest = Reason(rawValue: "BadRequest")
        /// 405: the resource does not support the action.
        public static let methodNotAllowed = Reason(rawValue: "MethodNotAllowed")
        /// 406: none of the accepted media types can be produced.
        public static let notAcceptable = Reason(rawValue: "NotAcceptable")
        /// 413: the request body is too large.
        public static let requestEntityTooLarge = Reason(rawValue: "RequestEntityTooLarge")
        /// 415: the body's media type is not accepted.
        public static let unsupportedMediaType = Reason(rawValue: "UnsupportedMediaType")
        /// 500: a server bug or unexpected failure.
        public static let internalError = Reason(rawValue: "InternalError")
        /// 503: the server cannot serve the request now.
        public static let serviceUnavailable = Reason(rawValue: "ServiceUnavailable")
    }

    /// Why the request failed.
    public var reason: Reason
    /// The HTTP status code, also `Status.code`.
    public var code: Int
    /// The human-readable message, in upstream's wording.
    public var message: String
    /// The object concerned and, for ``Reason/invalid`` and ``Reason/conflict``, one cause per problem.
    public var details: MetaV1.StatusDetails?

    /// Makes an error from its parts.
    public init(reason: Reason, code: Int, message: String, details: MetaV1.StatusDetails? = nil) {
        self.reason = reason
        self.code = code
        self.message = message
        self.details = details
    }

    /// The error as a Status object (`kind: Status`, `status: Failure`), as the server writes it.
    public var status: MetaV1.Status {
        MetaV1.Status(
            kind: "Status",
            apiVersion: "v1",
            metadata: MetaV1.ListMeta(),
            status: "Failure",
            message: self.message,
            reason: self.reason.rawValue.isEmpty ? nil : self.reason.rawValue,
            details: self.details,
            code: Int32(self.code)
        )
    }

    /// The error a failed response's Status describes (a client decoding an error body).
    public init(status: MetaV1.Status) {
        self.reason = Reason(rawValue: status.reason ?? "")
        self.code = Int(status.code ?? 500)
        self.message = status.message ?? ""
        self.details = status.details
    }

    public var description: String { "\(self.reason.rawValue.isEmpty ? "Failure" : self.reason.rawValue) (\(self.code)): \(self.message)" }
}

extension APIError {
    /// `group/resource` as upstream qualifies it in messages: `pods`, `deployments.apps`.
    public static func qualifiedResource(group: String, resource: String) -> String {
        group.isEmpty ? resource : resource + "." + group
    }

    /// 404 `pods "x" not found`; details name the resource (not the kind), as upstream.
    public static func notFound(group: String, resource: String, name: String) -> APIError {
        APIError(
            reason: .notFound,
            code: 404,
            message: "\(self.qualifiedResource(group: group, resource: resource)) \"\(name)\" not found",
            details: MetaV1.StatusDetails(name: name, group: group.isEmpty ? nil : group, kind: resource)
        )
    }

    /// 404 for a path the server does not serve: `the server could not find the requested resource`.
    public static func pathNotFound() -> APIError {
        APIError(
            reason: .notFound,
            code: 404,
            message: "the server could not find the requested resource",
            details: MetaV1.StatusDetails()
        )
    }

    /// 409 `services "x" already exists`.
    public static func alreadyExists(group: String, resource: String, name: String) -> APIError {
        APIError(
            reason: .alreadyExists,
            code: 409,
            message: "\(self.qualifiedResource(group: group, resource: resource)) \"\(name)\" already exists",
            details: MetaV1.StatusDetails(name: name, group: group.isEmpty ? nil : group, kind: resource)
        )
    }

    /// The message of an optimistic-concurrency failure.
    public static let modifiedMessage =
        "the object has been modified; please apply your changes to the latest version and try again"

    /// 409 `Operation cannot be fulfilled on deployments.apps "web": <message>`.
    public static func conflict(group: String, resource: String, name: String, message: String) -> APIError {
        APIError(
            reason: .conflict,
            code: 409,
            message:
                "Operation cannot be fulfilled on \(self.qualifiedResource(group: group, resource: resource)) \"\(name)\": \(message)",
            details: MetaV1.StatusDetails(name: name, group: group.isEmpty ? nil : group, kind: resource)
        )
    }

    /// One validation problem: `field`, `reason` (`FieldValueInvalid`, `FieldValueRequired`, …) and message.
    public struct Cause: Hashable, Sendable {
        /// The field path, for example `spec.replicas`.
        public var field: String
        /// The cause type: `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`, `FieldValueForbidden`,
        /// `FieldValueDuplicate`, `FieldValueTooLong`, `FieldValueTooMany`, `InternalError`, `FieldValueTypeInvalid`.
        public var reason: String
        /// The full message: `spec.replicas: Invalid value: -1: must be greater than or equal to 0`; the Status
        /// cause carries it without the leading `field: `, as upstream.
        public var message: String
        public init(field: String, reason: String, message: String) {
            self.field = field
            self.reason = reason
            self.message = message
        }
    }

    /// 422 `Deployment.apps "x" is invalid: <cause>[, <cause>…]`, details naming the kind and listing the causes.
    public static func invalid(group: String, kind: String, name: String, causes: [Cause]) -> APIError {
        let qualifiedKind = group.isEmpty ? kind : kind + "." + group
        let summary = aggregate(causes.map(\.message)).map { ": " + $0 } ?? ""
        return APIError(
            reason: .invalid,
            code: 422,
            message: "\(qualifiedKind) \"\(name)\" is invalid\(summary)",
            details: MetaV1.StatusDetails(
                name: name,
                group: group.isEmpty ? nil : group,
                kind: kind,
                // A cause's message is the problem without its field (upstream's `ErrorBody()`); the summary
                // above keeps the field.
                causes: causes.map {
                    let prefix = $0.field + ": "
                    let body = !$0.field.isEmpty && $0.message.hasPrefix(prefix)
                        ? String($0.message.dropFirst(prefix.count)) : $0.message
                    return MetaV1.StatusCause(reason: $0.reason, message: body, field: $0.field)
                }
            )
        )
    }

    /// 400 with `message`.
    public static func badRequest(_ message: String) -> APIError {
        APIError(reason: .badRequest, code: 400, message: message)
    }

    /// 410 Gone: `too old resource version: N (M)`.
    public static func gone(_ message: String) -> APIError {
        APIError(reason: .gone, code: 410, message: message)
    }

    /// 410 Expired: a stale continue token or resource version.
    public static func expired(_ message: String) -> APIError {
        APIError(reason: .expired, code: 410, message: message)
    }

    /// 405 `<action> is not supported on resources of kind "<resource>"`, as upstream's `NewMethodNotSupported`.
    public static func methodNotSupported(group: String, resource: String, action: String) -> APIError {
        APIError(
            reason: .methodNotAllowed,
            code: 405,
            message:
                "\(action) is not supported on resources of kind \"\(self.qualifiedResource(group: group, resource: resource))\"",
            details: MetaV1.StatusDetails(group: group.isEmpty ? nil : group, kind: resource)
        )
    }

    /// 405 `the server does not allow this method on the requested resource`.
    public static func methodNotAllowed() -> APIError {
        APIError(
            reason: .methodNotAllowed,
            code: 405,
            message: "the server does not allow this method on the requested resource",
            details: MetaV1.StatusDetails()
        )
    }

    /// 415 `the body of the request was in an unknown format - accepted media types include: …`.
    public static func unsupportedMediaType(_ contentType: String, accepted: [String]) -> APIError {
        APIError(
            reason: .unsupportedMediaType,
            code: 415,
            message: "the body of the request was in an unknown format - accepted media types include: "
                + accepted.joined(separator: ", ")
        )
    }

    /// 406 with `message`.
    public static func notAcceptable(_ message: String) -> APIError {
        APIError(reason: .notAcceptable, code: 406, message: message)
    }

    /// 401 `Unauthorized`.
    public static func unauthorized(_ message: String = "Unauthorized") -> APIError {
        APIError(reason: .unauthorized, code: 401, message: message)
    }

    /// 403 `<resource> "<name>" is forbidden: <reason>`.
    public static func forbidden(group: String, resource: String, name: String, reason: String) -> APIError {
        let qualified = self.qualifiedResource(group: group, resource: resource)
        let subject = name.isEmpty ? qualified : "\(qualified) \"\(name)\""
        return APIError(
            reason: .forbidden,
            code: 403,
            message: "\(subject) is forbidden: \(reason)",
            details: MetaV1.StatusDetails(name: name.isEmpty ? nil : name, group: group.isEmpty ? nil : group, kind: resource)
        )
    }

    /// 429 with `message`; `retryAfterSeconds` becomes both the detail and the `Retry-After` header.
    public static func tooManyRequests(_ message: String, retryAfterSeconds: Int32? = nil) -> APIError {
        APIError(
            reason: .tooManyRequests,
            code: 429,
            message: message,
            details: retryAfterSeconds.map { MetaV1.StatusDetails(retryAfterSeconds: $0) }
        )
    }

    /// 413 with `message`.
    public static func requestEntityTooLarge(_ message: String) -> APIError {
        APIError(reason: .requestEntityTooLarge, code: 413, message: message)
    }

    /// 500 `Internal error occurred: <message>`.
    public static func internalError(_ message: String) -> APIError {
        APIError(
            reason: .internalError,
            code: 500,
            message: "Internal error occurred: \(message)",
            details: MetaV1.StatusDetails(causes: [MetaV1.StatusCause(message: message)])
        )
    }

    /// 504 Timeout with `message`.
    public static func timeout(_ message: String, retryAfterSeconds: Int32? = nil) -> APIError {
        APIError(
            reason: .timeout,
            code: 504,
            message: message,
            details: retryAfterSeconds.map { MetaV1.StatusDetails(retryAfterSeconds: $0) }
        )
    }

    /// 503 with `message`.
    public static func serviceUnavailable(_ message: String) -> APIError {
        APIError(reason: .serviceUnavailable, code: 503, message: message)
    }
}
