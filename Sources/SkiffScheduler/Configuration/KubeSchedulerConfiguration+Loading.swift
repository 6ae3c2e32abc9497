import SkiffAPI
import SkiffAPIMachinery
import Yams

extension KubeSchedulerConfiguration {
    /// Reads a `KubeSchedulerConfiguration` from YAML (or JSON), strictly: an unknown field, another kind or an
    /// apiVersion other than `kubescheduler.config.k8s.io/v1` is an error, as `kube-scheduler --config` reports.
    /// The result is not defaulted; call ``defaulted()``.
    public static func load(yaml: String) throws -> KubeSchedulerConfiguration {
        let document: Any?
        do {
            document = try Yams.load(yaml: yaml)
        } catch {
            throw SchedulerError("couldn't decode as KubeSchedulerConfiguration: \(error)")
        }
        let value = try Self.jsonValue(document)
        guard case .object(let object) = value else {
            throw SchedulerError("couldn't decode as KubeSchedulerConfiguration: not an object")
        }
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        guard kind == "KubeSchedulerConfiguration" else {
            throw SchedulerError("no kind \"\(kind)\" is registered for version \"\(apiVersion)\"")
        }
        guard apiVersion == Self.apiVersionV1 else {
            throw SchedulerError("no kind \"KubeSchedulerConfiguration\" is registered for version \"\(apiVersion)\"")
        }
        let (configuration, unknown) = try JSONValueDecoder().decodeReportingUnknownFields(
            KubeSchedulerConfiguration.self,
            from: value
        )
        // Plugin args are checked by their plugins; unknown fields elsewhere are errors.
        let problems = unknown.filter { !$0.contains(".args.") }
        if !problems.isEmpty {
            throw SchedulerError(
                "strict decoding error: " + problems.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
            )
        }
        return configuration
    }

    /// Converts what Yams loaded into a JSON tree.
    static func jsonValue(_ any: Any?) throws -> JSONValue {
        switch any {
        case nil: return .null
        case let value as Bool: return .bool(value)
        case let value as Int: return .int(Int64(value))
        case let value as Int64: return .int(value)
        case let value as Double: return .double(value)
        case let value as String: return .string(value)
        case let value as [Any?]: return .array(try value.map(Self.jsonValue))
        case let value as [String: Any?]:
            return .object(JSONObject(try value.sorted { $0.key < $1.key }.map { ($0.key, try Self.jsonValue($0.value)) }))
        case let value as [AnyHashable: Any?]:
            return .object(
                JSONObject(try value.map { ("\($0.key)", try Self.jsonValue($0.value)) }.sorted { $0.0 < $1.0 })
            )
        default:
            return .string("\(any!)")
        }
    }
}
