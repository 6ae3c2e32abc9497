public import SkiffAPIMachinery

#if canImport(FoundationEssentials)
    internal import FoundationEssentials
#else
    internal import Foundation
#endif

/// Decodes and encodes `application/vnd.kubernetes.protobuf` bodies of every built-in kind, through the JSON tree
/// upstream's JSON encoding gives the same object.
///
/// A body is the magic `k8s\0` and a `runtime.Unknown` envelope `{1: typeMeta {1: apiVersion, 2: kind}, 2: raw,
/// 3: contentEncoding, 4: contentType}`, where `raw` is the kind's message from its `generated.proto`. Decoding
/// yields the object as upstream's JSON would write it (`kind` and `apiVersion` first, then the fields in Go struct
/// order, zero values of `omitempty` scalars dropped), so an API server handles it like a JSON body:
///
/// ```swift
/// let decoded = try KubernetesProtobuf.decode(body)        // (apiVersion, kind, object: JSONValue)
/// let deployment = try KubernetesProtobuf.decodeObject(AppsV1.Deployment.self, from: body)
/// let reply = try KubernetesProtobuf.encode(decoded.object) // the same bytes gogo-protobuf writes
/// ```
///
/// Errors are ``KubernetesProtobufError`` values, with ``KubernetesProtobufError/httpStatusCode`` for the answer.
/// The message table behind it is generated from the reference `.proto` files (see `ProtobufSchema`).
public enum KubernetesProtobuf {
    /// The media type of Kubernetes protobuf bodies.
    public static let mediaType = "application/vnd.kubernetes.protobuf"
    /// The four bytes every body starts with: `k8s\0`.
    public static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]

    /// A decoded body: the envelope's type and the object as JSON (with `kind` and `apiVersion` members).
    public struct DecodedObject: Sendable, Hashable {
        public var apiVersion: String
        public var kind: String
        public var object: JSONValue

        public init(apiVersion: String, kind: String, object: JSONValue) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.object = object
        }

        var jsonObject: JSONValue { self.object }
    }

    /// Whether a built-in message describes `kind` in `apiVersion` (`apps/v1`, `Deployment`).
    public static func canDecode(apiVersion: String, kind: String) -> Bool {
        ProtobufSchema.shared.message(apiVersion: apiVersion, kind: kind) != nil
    }

    /// Every kind with a built-in message, as `(apiVersion, kind)`, sorted.
    public static var kinds: [(apiVersion: String, kind: String)] {
        ProtobufSchema.shared.messages.flatMap(\.kinds).sorted { ($0.apiVersion, $0.kind) < ($1.apiVersion, $1.kind) }
    }

    /// Decodes a whole body: magic, envelope and the typed message it names.
    ///
    /// As upstream, an envelope that leaves `apiVersion` or `kind` empty takes them from `defaultAPIVersion` and
    /// `defaultKind` (an API server passes the endpoint's).
    public static func decode(
        _ body: some Collection<UInt8>,
        defaultAPIVersion: String? = nil,
        defaultKind: String? = nil
    ) throws(KubernetesProtobufError) -> DecodedObject {
        try self.withBuffer(body) { (buffer) throws(KubernetesProtobufError) in
            try self.decodeEnvelope(
                ProtobufSchema.shared,
                buffer,
                depth: 0,
                defaultAPIVersion: defaultAPIVersion ?? "",
                defaultKind: defaultKind ?? ""
            )
        }
    }

    /// Decodes a body into a `Decodable` value (a generated type such as `CoreV1.Pod`), through its JSON tree and
    /// ``JSONValueDecoder`` (Go's strictness).
    public static func decodeObject<T: Decodable>(_ type: T.Type, from body: some Collection<UInt8>) throws -> T {
        try JSONValueDecoder().decode(T.self, from: try self.decode(body).object)
    }

    /// Decodes a bare message (no magic, no envelope) of `kind` in `apiVersion`. The result has `kind` and
    /// `apiVersion` members.
    public static func decodeMessage(
        _ bytes: some Collection<UInt8>,
        apiVersion: String,
        kind: String
    ) throws(KubernetesProtobufError) -> JSONValue {
        let schema = ProtobufSchema.shared
        guard let index = schema.message(apiVersion: apiVersion, kind: kind) else {
            throw self.unknownKind(apiVersion: apiVersion, kind: kind)
        }
        return try self.withBuffer(bytes) { (buffer) throws(KubernetesProtobufError) in
            let object = try ProtobufDecoder(schema: schema, bytes: buffer)
                .decodeMessage(index, range: 0..<buffer.count, depth: 0)
            return self.withTypeMeta(object, apiVersion: apiVersion, kind: kind)
        }
    }

    /// Decodes a bare message by its fully qualified protobuf name (`k8s.io.api.core.v1.PodSpec`), without type
    /// members: for tests and for callers that know the type from elsewhere.
    public static func decodeMessage(
        _ bytes: some Collection<UInt8>,
        messageName: String
    ) throws(KubernetesProtobufError) -> JSONValue {
        let schema = ProtobufSchema.shared
        guard let index = schema.message(named: messageName) else {
            throw KubernetesProtobufError(code: .unknownKind, message: "no protobuf message \(messageName)")
        }
        return try self.withBuffer(bytes) { (buffer) throws(KubernetesProtobufError) in
            try ProtobufDecoder(schema: schema, bytes: buffer).decodeMessage(index, range: 0..<buffer.count, depth: 0)
        }
    }

    /// Encodes an object (with `apiVersion` and `kind` members) as a whole body: magic, envelope and message,
    /// byte for byte as upstream writes it for the same object.
    public static func encode(_ object: JSONValue) throws(KubernetesProtobufError) -> [UInt8] {
        guard case .object(let members) = object, case .string(let apiVersion)? = members["apiVersion"],
            case .string(let kind)? = members["kind"]
        else {
            throw KubernetesProtobufError(code: .invalidValue, message: "the object has no apiVersion and kind")
        }
        let raw = try self.encodeMessage(object, apiVersion: apiVersion, kind: kind)
        var writer = ProtobufWriter()
        writer.bytes = self.magic
        writer.writeNested(1) { (typeMeta: inout ProtobufWriter) in
            typeMeta.writeBytes(1, apiVersion.utf8)
            typeMeta.writeBytes(2, kind.utf8)
        }
        writer.writeBytes(2, raw)
        writer.writeBytes(3, [])
        writer.writeBytes(4, [])
        return writer.bytes
    }

    /// Encodes an object as the bare message of `kind` in `apiVersion` (no magic, no envelope). Members that are not
    /// fields (such as `apiVersion` and `kind`) are ignored.
    public static func encodeMessage(
        _ object: JSONValue,
        apiVersion: String,
        kind: String
    ) throws(KubernetesProtobufError) -> [UInt8] {
        let schema = ProtobufSchema.shared
        guard let index = schema.message(apiVersion: apiVersion, kind: kind) else {
            throw self.unknownKind(apiVersion: apiVersion, kind: kind)
        }
        return try self.encodeMessage(object, index: index, schema: schema)
    }

    /// Encodes a JSON object as the bare message named `messageName` (`k8s.io.api.core.v1.PodSpec`).
    public static func encodeMessage(
        _ object: JSONValue,
        messageName: String
    ) throws(KubernetesProtobufError) -> [UInt8] {
        let schema = ProtobufSchema.shared
        guard let index = schema.message(named: messageName) else {
            throw KubernetesProtobufError(code: .unknownKind, message: "no protobuf message \(messageName)")
        }
        return try self.encodeMessage(object, index: index, schema: schema)
    }

    // MARK: Internals

    static func encodeMessage(
        _ object: JSONValue,
        index: Int,
        schema: ProtobufSchema
    ) throws(KubernetesProtobufError) -> [UInt8] {
        guard case .object(let members) = object else {
            throw KubernetesProtobufError(code: .invalidValue, message: "expected a JSON object")
        }
        var writer = ProtobufWriter()
        try ProtobufEncoder(schema: schema).encodeMessage(index, members, into: &writer)
        return writer.bytes
    }

    static func decodeEnvelope(
        _ schema: ProtobufSchema,
        _ buffer: UnsafeRawBufferPointer,
        depth: Int,
        defaultAPIVersion: String = "",
        defaultKind: String = ""
    ) throws(KubernetesProtobufError) -> DecodedObject {
        guard buffer.starts(with: self.magic) else {
            throw KubernetesProtobufError(
                code: .notProtobuf,
                message: "the body does not start with the protobuf magic \"k8s\\0\"",
                offset: 0
            )
        }
        var reader = ProtobufReader(bytes: buffer, range: self.magic.count..<buffer.count)
        var apiVersion = ""
        var kind = ""
        var raw: Range<Int>?
        var contentEncoding = ""
        func string(_ range: Range<Int>) -> String {
            String(decoding: UnsafeRawBufferPointer(rebasing: buffer[range]), as: UTF8.self)
        }
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readTag()
            guard wireType == 2 else {
                try reader.skip(wireType: wireType)
                continue
            }
            let range = try reader.readLengthDelimited()
            switch number {
            case 1:
                var typeMeta = ProtobufReader(bytes: buffer, range: range)
                while !typeMeta.isAtEnd {
                    let (inner, innerWireType) = try typeMeta.readTag()
                    guard innerWireType == 2, inner == 1 || inner == 2 else {
                        try typeMeta.skip(wireType: innerWireType)
                        continue
                    }
                    let value = string(try typeMeta.readLengthDelimited())
                    if inner == 1 { apiVersion = value } else { kind = value }
                }
            case 2: raw = range
            case 3: contentEncoding = string(range)
            default: break
            }
        }
        guard contentEncoding.isEmpty else {
            throw KubernetesProtobufError(
                code: .unsupportedContentEncoding,
                message: "unsupported protobuf content encoding \"\(contentEncoding)\""
            )
        }
        if apiVersion.isEmpty { apiVersion = defaultAPIVersion }
        if kind.isEmpty { kind = defaultKind }
        guard let index = schema.message(apiVersion: apiVersion, kind: kind) else {
            throw self.unknownKind(apiVersion: apiVersion, kind: kind)
        }
        let object = try ProtobufDecoder(schema: schema, bytes: buffer)
            .decodeMessage(index, range: raw ?? 0..<0, depth: depth)
        return DecodedObject(
            apiVersion: apiVersion,
            kind: kind,
            object: self.withTypeMeta(object, apiVersion: apiVersion, kind: kind)
        )
    }

    /// `kind` and `apiVersion` first, as Go's JSON writes the inline `TypeMeta`.
    static func withTypeMeta(_ object: JSONValue, apiVersion: String, kind: String) -> JSONValue {
        guard case .object(let fields) = object else { return object }
        var members: [(key: String, value: JSONValue)] = [("kind", .string(kind)), ("apiVersion", .string(apiVersion))]
        members.reserveCapacity(fields.count + 2)
        members.append(contentsOf: fields.members)
        return .object(JSONObject(members))
    }

    static func unknownKind(apiVersion: String, kind: String) -> KubernetesProtobufError {
        if apiVersion.isEmpty || kind.isEmpty {
            return KubernetesProtobufError(
                code: .unknownKind,
                message: "the protobuf envelope does not name an apiVersion and kind"
            )
        }
        return KubernetesProtobufError(
            code: .unknownKind,
            message: "no kind \"\(kind)\" is registered for version \"\(apiVersion)\""
        )
    }

    static func withBuffer<R>(
        _ bytes: some Collection<UInt8>,
        _ body: (UnsafeRawBufferPointer) throws(KubernetesProtobufError) -> R
    ) throws(KubernetesProtobufError) -> R {
        let result: Result<R, KubernetesProtobufError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(KubernetesProtobufError) in try body(UnsafeRawBufferPointer(buffer)) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        let copied: Result<R, KubernetesProtobufError> = copy.withUnsafeBytes { buffer in
            Result { () throws(KubernetesProtobufError) in try body(buffer) }
        }
        return try copied.get()
    }
}
