import SkiffAPI
package import SkiffAPIMachinery

/// Turns a request body's JSON into the typed object of a resource and back into canonical JSON
/// (↔ the apiserver's codec: strict decoding into the Go type, then encoding in Go's field order).
///
/// Decoding through the generated type gives Go's strictness (an integer field rejects `"3"`), reports unknown
/// fields for `fieldValidation`, and re-encoding drops them and writes fields in Go's order, so the stored form of
/// an object does not depend on how the client wrote it.
package enum ObjectCodec {
    /// A decoded object and the unknown fields found in the body, by path (`spec.foo`).
    package struct Decoded: Sendable {
        package var object: any APIObject
        package var unknownFields: [String]
    }

    /// Decodes `value` as an object of `resource`'s kind.
    ///
    /// Throws 400 BadRequest with upstream's wording (`Pod in version "v1" cannot be handled as a Pod: …`) for a
    /// value of the wrong shape or a `kind`/`apiVersion` that names another type.
    package static func decode(_ value: JSONValue, as resource: ServedResource) throws(APIError) -> Decoded {
        guard case .object = value else {
            throw Self.cannotHandle(resource, "the request body must be a JSON object")
        }
        if let kind = value["kind"]?.stringValue, !kind.isEmpty, kind != resource.kind {
            throw APIError.badRequest(
                "the kind in the data (\(kind)) does not match the expected kind (\(resource.kind))"
            )
        }
        if let apiVersion = value["apiVersion"]?.stringValue, !apiVersion.isEmpty, apiVersion != resource.apiVersion {
            throw APIError.badRequest(
                "the API version in the data (\(apiVersion)) does not match the expected API version (\(resource.apiVersion))"
            )
        }
        do {
            return try Self.decode(value, type: resource.type)
        } catch let error as APIError {
            throw error
        } catch {
            throw Self.cannotHandle(resource, Self.describe(error))
        }
    }

    private static func decode<T: APIObject>(_ value: JSONValue, type: T.Type) throws -> Decoded {
        let (object, unknown) = try JSONValueDecoder().decodeReportingUnknownFields(T.self, from: value)
        return Decoded(object: object, unknownFields: unknown)
    }

    /// The canonical JSON of `object`, with `kind` and `apiVersion` set.
    package static func encode(_ object: any APIObject, as resource: ServedResource) throws(APIError) -> JSONValue {
        do {
            var value = try JSONValueEncoder().encode(object)
            if case .object(var members) = value {
                members["kind"] = .string(resource.kind)
                members["apiVersion"] = .string(resource.apiVersion)
                value = .object(Self.kindFirst(members))
            }
            return value
        } catch {
            throw APIError.internalError("encoding \(resource.kind): \(error)")
        }
    }

    /// `kind` and `apiVersion` first, as Go's TypeMeta (inlined first) writes them.
    private static func kindFirst(_ members: JSONObject) -> JSONObject {
        guard members.keys.first != "kind" || members.keys.dropFirst().first != "apiVersion" else { return members }
        var ordered = JSONObject()
        ordered["kind"] = members["kind"]
        ordered["apiVersion"] = members["apiVersion"]
        for (key, value) in members where key != "kind" && key != "apiVersion" { ordered[key] = value }
        return ordered
    }

    /// 400 `<Kind> in version "<v>" cannot be handled as a <Kind>: <detail>`.
    package static func cannotHandle(_ resource: ServedResource, _ detail: String) -> APIError {
        APIError.badRequest(
            "\(resource.kind) in version \"\(resource.version)\" cannot be handled as a \(resource.kind): \(detail)"
        )
    }

    /// A decoding error as one line: the path and what was wrong.
    package static func describe(_ error: any Error) -> String {
        if let error = error as? DecodingError {
            switch error {
            case .typeMismatch(let type, let context):
                return "json: cannot unmarshal \(Self.path(context.codingPath)) into a value of type \(type): \(context.debugDescription)"
            case .valueNotFound(let type, let context):
                return "json: missing value of type \(type) at \(Self.path(context.codingPath))"
            case .keyNotFound(let key, let context):
                return "json: missing field \(Self.path(context.codingPath + [key]))"
            case .dataCorrupted(let context):
                return "\(Self.path(context.codingPath)): \(context.debugDescription)"
            @unknown default:
                return "\(error)"
            }
        }
        return "\(error)"
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                if !path.isEmpty { path += "." }
                path += key.stringValue
            }
        }
        return path.isEmpty ? "object" : path
    }
}
