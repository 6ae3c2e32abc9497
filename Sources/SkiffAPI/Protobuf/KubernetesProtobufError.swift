/// Why a Kubernetes protobuf body could not be decoded (or a JSON value could not be encoded).
///
/// ``code`` is stable and switchable; ``message`` says what is wrong, for the `Status` message of a 400 or 415
/// answer (see ``httpStatusCode``).
public struct KubernetesProtobufError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable error code. New codes may be added: `switch` with a `default`.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { self.rawValue }

        /// The body does not start with the `k8s\0` magic of `application/vnd.kubernetes.protobuf`.
        public static let notProtobuf = Code(rawValue: "NotProtobuf")
        /// The bytes are not valid protobuf wire format (truncated varint, length past the end, bad wire type, …).
        public static let malformed = Code(rawValue: "Malformed")
        /// The envelope names an apiVersion and kind that no built-in message describes.
        public static let unknownKind = Code(rawValue: "UnknownKind")
        /// The envelope's `contentEncoding` is not empty (upstream defines none).
        public static let unsupportedContentEncoding = Code(rawValue: "UnsupportedContentEncoding")
        /// A value is well-formed protobuf but cannot be represented (e.g. an embedded `RawExtension` that is not JSON),
        /// or, when encoding, a JSON value does not fit the field's type.
        public static let invalidValue = Code(rawValue: "InvalidValue")
    }

    public var code: Code
    /// A human-readable explanation, naming the field path where known.
    public var message: String
    /// The byte offset in the decoded buffer where the problem was found, when decoding.
    public var offset: Int?
    /// The JSON path of the field where the problem was found (`spec.template.spec.containers.ports`), if any.
    public var fieldPath: String?

    public init(code: Code, message: String, offset: Int? = nil, fieldPath: String? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
        self.fieldPath = fieldPath
    }

    /// The status an API server should answer with: 415 for an unsupported content encoding, else 400.
    public var httpStatusCode: Int { self.code == .unsupportedContentEncoding ? 415 : 400 }

    public var description: String {
        var text = "\(self.code): "
        if let fieldPath = self.fieldPath { text += "\(fieldPath): " }
        text += self.message
        if let offset = self.offset { text += " (at byte \(offset))" }
        return text
    }

    static func malformed(_ message: String, at offset: Int) -> KubernetesProtobufError {
        KubernetesProtobufError(code: .malformed, message: message, offset: offset)
    }
}
