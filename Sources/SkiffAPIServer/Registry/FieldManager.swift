#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import SkiffAPI
import SkiffAPIMachinery

/// Keeps `metadata.managedFields` on every write and performs server-side apply (↔ apiserver's
/// `fieldmanager.FieldManager` as the create, update and patch handlers call it).
///
/// Creates, updates and non-apply patches record an `Update` entry for their manager (the `fieldManager` query
/// parameter, else the User-Agent up to its first `/`) with the fields they set or changed, after defaulting, as
/// upstream decodes with defaults before the field manager runs. Applies go through ``FieldOwnership``.
/// A request's own `managedFields` replace the live ones when non-empty (clients may migrate ownership, as
/// `kubectl apply --server-side` does), clear them when `[]` or `[{}]`, and are ignored on subresources.
struct FieldManager: Sendable {
    let ownership: FieldOwnership
    let resource: ServedResource
    /// `status`, `scale`, or empty for the main resource.
    let subresource: String

    /// The field manager of `resource` (through `subresource`); `nil` for kinds without a compiled-in schema.
    init?(resource: ServedResource, subresource: String?) {
        guard let name = APISchema.definitionName(for: resource.info.groupVersionKind) else { return nil }
        var ignored = FieldSet()
        if subresource == "status" {
            // The status subresource changes only the status (upstream's status strategies' reset fields).
            if case .object(let properties)? = APISchema.definition(named: name)?["properties"] {
                for (field, _) in properties where field != "status" { ignored.insert(FieldSetPath(fields: field)) }
            }
        } else if resource.hasStatus {
            ignored.insert(FieldSetPath(fields: "status"))
        }
        guard let ownership = FieldOwnership(definitionName: name, apiVersion: resource.apiVersion, ignoredFields: ignored)
        else { return nil }
        self.ownership = ownership
        self.resource = resource
        self.subresource = subresource ?? ""
    }

    /// The longest manager name upstream accepts.
    static let maximumManagerLength = 128

    /// The manager of a write: `fieldManager`, else the User-Agent's product (`kubectl`, `Python-urllib`)
    /// without unprintable characters, cut at 128 bytes (↔ `managerOrUserAgent`).
    ///
    /// `options` names the options kind in the 422 a bad `fieldManager` gets (`CreateOptions`, `PatchOptions`).
    static func managerName(_ request: APIRequest, query: QueryParameters, options: String) throws(APIError) -> String {
        if let manager = query["fieldManager"], !manager.isEmpty {
            var causes: [APIError.Cause] = []
            if manager.utf8.count > Self.maximumManagerLength {
                causes.append(
                    APIError.Cause(
                        field: "fieldManager",
                        reason: "FieldValueTooLong",
                        message: "fieldManager: Too long: may not be more than \(Self.maximumManagerLength) bytes"
                    )
                )
            }
            if let found = manager.unicodeScalars.enumerated().first(where: { !Self.isPrintable($0.element) }) {
                let (offset, scalar) = (found.offset, found.element)
                let code = String(scalar.value, radix: 16, uppercase: true)
                let padded = String(repeating: "0", count: max(0, 4 - code.count)) + code
                causes.append(
                    APIError.Cause(
                        field: "fieldManager",
                        reason: "FieldValueInvalid",
                        message:
                            "fieldManager: Invalid value: \(Self.quoted(manager)): invalid character U+\(padded) (at position \(offset))"
                    )
                )
            }
            if !causes.isEmpty { throw APIError.invalid(group: "meta.k8s.io", kind: options, name: "", causes: causes) }
            return manager
        }
        let agent = request.header("User-Agent") ?? ""
        let product = agent.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var name = ""
        for scalar in product.unicodeScalars where Self.isPrintable(scalar) {
            if name.utf8.count + String(scalar).utf8.count > Self.maximumManagerLength { break }
            name.unicodeScalars.append(scalar)
        }
        return name
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
            .spaceSeparator:
            return false
        default:
            return true
        }
    }

    private static func quoted(_ string: String) -> String {
        String(decoding: JSONValue.string(string).serialized(), as: UTF8.self)
    }

    /// `now` at upstream's one-second precision.
    static func time(_ now: Date) -> Time {
        Time(Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)))
    }

    // MARK: Updates

    /// Records a create or an update of `object` by `manager`: defaults the object (as upstream's decoder does),
    /// then moves the fields it sets or changes to the manager. `live` is the stored object, `nil` for a create.
    func recordUpdate(live: JSONValue?, object: inout any APIObject, manager: String, now: Date) throws(APIError) {
        Defaults.apply(&object)
        let json = try ObjectCodec.encode(object, as: self.resource)
        var managed = self.startingManagedFields(live: live, requested: object.metadata.managedFields)
        self.ownership.update(
            live: live,
            new: json,
            managed: &managed,
            manager: manager,
            subresource: self.subresource,
            now: Self.time(now)
        )
        let entries = managed.entries
        object.metadata.managedFields = entries.isEmpty ? nil : entries
    }

    /// The managed fields an update starts from (↔ `decodeLiveOrNew`): the live ones on subresources, none when
    /// the request resets them, the request's when it has decodable ones, else the live ones.
    private func startingManagedFields(live: JSONValue?, requested: [MetaV1.ManagedFieldsEntry]?) -> ManagedFields {
        if self.subresource.isEmpty {
            if ManagedFields.isReset(requested) { return ManagedFields() }
            if let requested, !requested.isEmpty, let managed = try? ManagedFields(entries: requested),
                !managed.managers.isEmpty
            {
                return managed
            }
        }
        return Self.managedFields(of: live)
    }

    /// The decoded `metadata.managedFields` of a stored object; none when missing or undecodable.
    static func managedFields(of object: JSONValue?) -> ManagedFields {
        guard case .array(let list)? = object?["metadata"]?["managedFields"], !list.isEmpty,
            let decoded = Self.decodeEntries(list),
            let managed = try? ManagedFields(entries: decoded, keepingEncodedFields: true)
        else { return ManagedFields() }
        return managed
    }

    /// Stored `managedFields` entries read straight from their JSON, as `Codable` would decode them (unknown
    /// members ignored, `null` as absent); `nil` for a value of the wrong type.
    private static func decodeEntries(_ list: [JSONValue]) -> [MetaV1.ManagedFieldsEntry]? {
        var entries: [MetaV1.ManagedFieldsEntry] = []
        entries.reserveCapacity(list.count)
        for item in list {
            guard case .object(let members) = item else { return nil }
            var entry = MetaV1.ManagedFieldsEntry()
            for (key, value) in members {
                if case .null = value { continue }
                switch key {
                case "fieldsV1":
                    entry.fieldsV1 = value
                    continue
                case "manager", "operation", "apiVersion", "time", "fieldsType", "subresource":
                    break
                default:
                    continue
                }
                guard case .string(let text) = value else { return nil }
                switch key {
                case "manager": entry.manager = text
                case "operation": entry.operation = text
                case "apiVersion": entry.apiVersion = text
                case "fieldsType": entry.fieldsType = text
                case "subresource": entry.subresource = text
                default:
                    guard let time = try? Time(parsing: text) else { return nil }
                    entry.time = time
                }
            }
            entries.append(entry)
        }
        return entries
    }

    // MARK: Scale

    /// Records a write of `spec.replicas` through the `scale` subresource by `manager` into `object` (the parent
    /// object as JSON, `live` with its new replicas) (↔ apimachinery's `ScaleHandler` around the Scale's field
    /// manager): when the value changed, an `Update` entry of the manager with subresource `scale` owns
    /// `.spec.replicas` and every other manager loses it; an unchanged value changes no ownership.
    func recordScale(live: JSONValue, object: JSONValue, manager: String, now: Date) throws(APIError) -> JSONValue {
        guard live["spec"]?["replicas"] != object["spec"]?["replicas"] else { return object }
        let path = FieldSetPath(fields: "spec", "replicas")
        let replicas = FieldSet([path])
        var managed = Self.managedFields(of: live)
        let key = ManagedFields.Manager(
            manager: manager,
            operation: .update,
            apiVersion: self.resource.apiVersion,
            subresource: "scale"
        )
        for (other, entry) in managed.managers where other != key && entry.fields.contains(path) {
            let rest = entry.fields.subtracting(replicas)
            managed.managers[other]?.fields = rest
            if rest.isEmpty { managed.managers[other] = nil }
        }
        managed.managers[key] = ManagedFields.Entry(
            fields: replicas,
            apiVersion: self.resource.apiVersion,
            time: Self.time(now)
        )
        return try Self.setting(managed, in: object)
    }

    /// `object` with its `metadata.managedFields` set to `managed`'s entries (removed when there are none).
    static func setting(_ managed: ManagedFields, in object: JSONValue) throws(APIError) -> JSONValue {
        guard case .object(var root) = object else { return object }
        var metadata = root["metadata"]?.objectValue ?? JSONObject()
        let entries = managed.entries
        if entries.isEmpty {
            metadata["managedFields"] = nil
        } else {
            do {
                metadata["managedFields"] = try JSONValueEncoder().encode(entries)
            } catch {
                throw APIError.internalError("failed to encode managed fields: \(error)")
            }
        }
        root["metadata"] = .object(metadata)
        return .object(root)
    }

    // MARK: Apply

    /// Server-side apply of `config` by `manager` to `live` (`nil` when the object is missing): the new object as
    /// JSON, its `managedFields` set.
    ///
    /// Throws 400 for a configuration of another kind or with `managedFields`, 409 with one
    /// `FieldManagerConflict` cause per conflicting field unless `force`, and 500 for a configuration the schema
    /// cannot type, as upstream.
    func apply(live: JSONValue?, config: JSONValue, manager: String, force: Bool, now: Date) throws(APIError) -> JSONValue {
        guard case .object = config else {
            throw APIError.badRequest("error decoding YAML: the applied configuration must be an object")
        }
        let apiVersion = config["apiVersion"]?.stringValue ?? ""
        let kind = config["kind"]?.stringValue ?? ""
        if apiVersion != self.resource.apiVersion || kind != self.resource.kind {
            let slash = apiVersion.firstIndex(of: "/")
            let group = slash.map { String(apiVersion[..<$0]) } ?? ""
            let version = slash.map { String(apiVersion[apiVersion.index(after: $0)...]) } ?? apiVersion
            throw APIError.badRequest("invalid object type: \(group)/\(version), Kind=\(kind)")
        }
        if let fields = config["metadata"]?["managedFields"], fields != .null {
            throw APIError.badRequest("metadata.managedFields must be nil")
        }
        var managed = Self.managedFields(of: live)
        let result: JSONValue
        do {
            result = try self.ownership.apply(
                live: live,
                config: config,
                managed: &managed,
                manager: manager,
                subresource: self.subresource,
                force: force,
                now: Self.time(now)
            )
        } catch {
            switch error {
            case .conflicts(let conflicts):
                throw Self.conflictError(conflicts)
            case .invalid(let message):
                let group = self.resource.group.isEmpty ? "" : self.resource.group
                throw APIError.internalError(
                    "failed to create typed patch object (\(group)/\(self.resource.version), Kind=\(kind)): \(message)"
                )
            }
        }
        return try Self.setting(managed, in: result)
    }

    /// Upstream's 409 for apply conflicts: the summary message and one `FieldManagerConflict` cause per field.
    static func conflictError(_ conflicts: [FieldOwnership.Conflict]) -> APIError {
        APIError(
            reason: .conflict,
            code: 409,
            message: FieldOwnership.Conflict.message(conflicts),
            details: MetaV1.StatusDetails(
                causes: conflicts.map {
                    MetaV1.StatusCause(
                        reason: "FieldManagerConflict",
                        message: "conflict with \($0.manager)",
                        field: $0.path.description
                    )
                }
            )
        )
    }
}
