import SkiffAPI
import SkiffAPIMachinery
import Yams

/// Request bodies: JSON, YAML and Kubernetes protobuf into a JSON tree (↔ the apiserver's negotiated decoders).
enum RequestBody {
    /// The media types object bodies may use.
    static let acceptedObjectTypes = [
        "application/json", "application/yaml", "application/vnd.kubernetes.protobuf",
    ]

    /// The media type without parameters, lower-cased; empty and missing mean JSON, as upstream.
    static func mediaType(_ contentType: String?) -> String {
        guard let contentType else { return "application/json" }
        let base = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let trimmed = String(base.filter { $0 != " " && $0 != "\t" }).lowercased()
        return trimmed.isEmpty ? "application/json" : trimmed
    }

    /// The object in the body of a create or update.
    static func decode(_ request: APIRequest, resource: ServedResource) throws(APIError) -> JSONValue {
        let type = Self.mediaType(request.header("Content-Type"))
        switch type {
        case "application/json", "*/*":
            return try Self.parseJSON(request.body, resource: resource)
        case "application/yaml", "application/x-yaml", "text/yaml":
            return try Self.parseYAML(request.body, resource: resource)
        case "application/vnd.kubernetes.protobuf":
            do {
                let decoded = try KubernetesProtobuf.decode(
                    request.body,
                    defaultAPIVersion: resource.apiVersion,
                    defaultKind: resource.kind
                )
                var object = decoded.object
                if case .object(var members) = object {
                    if members["kind"] == nil { members["kind"] = .string(decoded.kind) }
                    if members["apiVersion"] == nil { members["apiVersion"] = .string(decoded.apiVersion) }
                    object = .object(members)
                }
                return object
            } catch {
                throw ObjectCodec.cannotHandle(resource, "\(error)")
            }
        default:
            throw APIError.unsupportedMediaType(type, accepted: Self.acceptedObjectTypes)
        }
    }

    static func parseJSON(_ body: [UInt8], resource: ServedResource?) throws(APIError) -> JSONValue {
        guard !body.isEmpty else {
            throw APIError.badRequest("the body of the request is empty: an object is required")
        }
        do {
            return try JSONValue.parse(body)
        } catch {
            let detail = "json: \(error.message) at offset \(error.offset)"
            if let resource { throw ObjectCodec.cannotHandle(resource, detail) }
            throw APIError.badRequest(detail)
        }
    }

    static func parseYAML(_ body: [UInt8], resource: ServedResource?) throws(APIError) -> JSONValue {
        guard body.count <= 3 * 1024 * 1024 else { throw APIError.requestEntityTooLarge("the YAML body is too large") }
        do {
            guard let node = try Yams.compose(yaml: String(decoding: body, as: UTF8.self)) else {
                throw APIError.badRequest("the body of the request is empty: an object is required")
            }
            return try Self.json(from: node, depth: 0)
        } catch let error as APIError {
            throw error
        } catch {
            let detail = "error converting YAML to JSON: \(error)"
            if let resource { throw ObjectCodec.cannotHandle(resource, detail) }
            throw APIError.badRequest(detail)
        }
    }

    /// A YAML node as JSON, as sigs.k8s.io/yaml converts it (mapping keys must be strings).
    private static func json(from node: Node, depth: Int) throws -> JSONValue {
        guard depth < 1000 else { throw APIError.badRequest("the YAML body is nested too deeply") }
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if node.null != nil { return .null }
                if let bool = node.bool { return .bool(bool) }
                if let int = node.int { return .int(Int64(int)) }
                if let double = node.float, scalar.string.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
                    return .double(double)
                }
            }
            return .string(scalar.string)
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw APIError.badRequest("error converting YAML to JSON: mapping keys must be strings")
                }
                object[keyScalar.string] = try Self.json(from: value, depth: depth + 1)
            }
            return .object(object)
        case .sequence(let sequence):
            return .array(try sequence.map { try Self.json(from: $0, depth: depth + 1) })
        case .alias:
            throw APIError.badRequest("error converting YAML to JSON: aliases are not supported")
        }
    }

    /// A patch body: JSON for every patch type, and YAML (or JSON, which is YAML) for apply.
    static func parsePatch(_ body: [UInt8], type: PatchType) throws(APIError) -> JSONValue {
        switch type {
        case .apply:
            if let first = body.first(where: { !$0.isWhitespace }), first == UInt8(ascii: "{") {
                return try Self.parseJSON(body, resource: nil)
            }
            return try Self.parseYAML(body, resource: nil)
        default:
            return try Self.parseJSON(body, resource: nil)
        }
    }
}

extension UInt8 {
    fileprivate var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}

/// Applies a patch document to the current object (↔ the apiserver's patcher).
enum PatchApplier {
    static func apply(_ type: PatchType, patch: JSONValue, to current: JSONValue, resource: ServedResource) throws(APIError) -> JSONValue {
        do {
            switch type {
            case .json:
                return try JSONPatch.apply(patch, to: current)
            case .merge:
                return try JSONMergePatch.apply(patch, to: current)
            case .apply:
                throw APIError.internalError("server-side apply goes through the field manager")
            case .strategic:
                guard let strategic = StrategicMergePatch(groupVersionKind: resource.info.groupVersionKind) else {
                    throw APIError.unsupportedMediaType(type.rawValue, accepted: [PatchType.json.rawValue, PatchType.merge.rawValue])
                }
                return try strategic.apply(patch, to: current)
            }
        } catch let error as PatchError {
            throw Self.apiError(error)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.badRequest("\(error)")
        }
    }
}

extension PatchApplier {
    /// A patch that cannot apply to this object is 422 (as upstream's patcher answers); a malformed patch is 400.
    static func apiError(_ error: PatchError) -> APIError {
        switch error.code {
        case .testFailed, .pathNotFound, .invalidIndex, .invalidDocument:
            return APIError(reason: .invalid, code: 422, message: error.message)
        default:
            return APIError.badRequest(error.message)
        }
    }
}

/// Delete options from the body (JSON or protobuf `DeleteOptions`) and from query parameters, as clients send
/// either.
enum DeleteOptionsParser {
    static func parse(_ request: APIRequest, query: QueryParameters) throws(APIError) -> MetaV1.DeleteOptions {
        var options = MetaV1.DeleteOptions()
        if !request.body.isEmpty {
            let type = RequestBody.mediaType(request.header("Content-Type"))
            let value: JSONValue
            if type == "application/vnd.kubernetes.protobuf" {
                do {
                    value = try KubernetesProtobuf.decode(request.body, defaultAPIVersion: "v1", defaultKind: "DeleteOptions").object
                } catch {
                    throw APIError.badRequest("unable to decode DeleteOptions: \(error)")
                }
            } else if type == "application/yaml" {
                value = try RequestBody.parseYAML(request.body, resource: nil)
            } else {
                value = try RequestBody.parseJSON(request.body, resource: nil)
            }
            do {
                options = try JSONValueDecoder().decode(MetaV1.DeleteOptions.self, from: value)
            } catch {
                throw APIError.badRequest("unable to decode DeleteOptions: \(ObjectCodec.describe(error))")
            }
        }
        if let grace = try query.int64("gracePeriodSeconds") { options.gracePeriodSeconds = grace }
        if let policy = query["propagationPolicy"], !policy.isEmpty { options.propagationPolicy = policy }
        if let orphan = try query.bool("orphanDependents") { options.orphanDependents = orphan }
        let dryRun = query.all("dryRun")
        if !dryRun.isEmpty { options.dryRun = dryRun }
        if let policy = options.propagationPolicy, !["Orphan", "Background", "Foreground"].contains(policy) {
            throw APIError.badRequest(
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"\(policy)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
            )
        }
        if let grace = options.gracePeriodSeconds, grace < 0 { options.gracePeriodSeconds = 1 }
        return options
    }
}
