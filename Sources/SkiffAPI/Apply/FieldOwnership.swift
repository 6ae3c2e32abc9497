public import SkiffAPIMachinery

/// Field ownership of one kind: records updates in ``ManagedFields`` and performs server-side apply
/// (↔ structured-merge-diff `merge.Updater` with apimachinery's managed-fields managers: strip-meta,
/// managed-fields updater, cap-managers, last-applied).
///
/// - An **update** (create, update, non-apply patch) gives its manager the fields it added or changed; other
///   managers lose those fields, and everybody loses the fields it removed. The manager's time changes only when
///   it changed something.
/// - An **apply** merges the applied configuration into the live object by the schema (associative lists by
///   their keys, set lists by value, atomic values replaced), removes the fields the manager applied last time and
///   no longer applies unless another manager owns them, and makes the manager own exactly what it applied.
///   Changing a value another manager owns is a conflict unless `force`; setting a value equal to the live one is
///   not (the managers share it).
///
/// `metadata.name`, `namespace`, `uid`, `resourceVersion`, `generation`, `creationTimestamp`, `managedFields`,
/// `apiVersion` and `kind` are never owned, nor the ``ignoredFields`` (upstream's reset fields: a main resource's
/// `status`, a status subresource's `spec`).
///
/// ## Topics
/// ### Creating
/// - ``init(definitionName:apiVersion:ignoredFields:)``
/// ### Recording
/// - ``update(live:new:managed:manager:subresource:now:)``
/// - ``apply(live:config:managed:manager:subresource:force:now:)``
/// - ``ApplyError``
/// - ``Conflict``
public struct FieldOwnership: Sendable {
    /// The OpenAPI definition of the kind.
    public let definitionName: String
    /// `apps/v1`: the version field sets are expressed in.
    public let apiVersion: String
    /// Fields nobody owns through this endpoint, with everything below them.
    public let ignoredFields: FieldSet
    let type: ApplyType

    /// The most update managers kept; older ones merge into an `ancient-changes` entry (upstream's default).
    public static let maximumUpdateManagers = 10

    /// The annotation client-side apply keeps its last configuration in.
    public static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

    /// Ownership for objects of the definition `definitionName`; `nil` if the schema has no such definition.
    public init?(definitionName: String, apiVersion: String, ignoredFields: FieldSet = FieldSet()) {
        guard PatchSchema(definitionName: definitionName) != nil else { return nil }
        self.definitionName = definitionName
        self.apiVersion = apiVersion
        self.ignoredFields = ignoredFields
        self.type = .definition(definitionName)
    }

    /// Fields no manager owns (↔ `NewStripMetaManager`).
    static let strippedFields = FieldSet([
        FieldSetPath(fields: "apiVersion"), FieldSetPath(fields: "kind"), FieldSetPath(fields: "metadata"),
        FieldSetPath(fields: "metadata", "name"), FieldSetPath(fields: "metadata", "namespace"),
        FieldSetPath(fields: "metadata", "creationTimestamp"), FieldSetPath(fields: "metadata", "selfLink"),
        FieldSetPath(fields: "metadata", "uid"), FieldSetPath(fields: "metadata", "clusterName"),
        FieldSetPath(fields: "metadata", "generation"), FieldSetPath(fields: "metadata", "managedFields"),
        FieldSetPath(fields: "metadata", "resourceVersion"),
    ])

    // MARK: Update

    /// Records that `manager` changed the object from `live` (`nil` for a create) to `new`.
    public func update(
        live: JSONValue?,
        new: JSONValue,
        managed: inout ManagedFields,
        manager: String,
        subresource: String = "",
        now: Time
    ) {
        let comparison = TypedValue.compare(live ?? .object(JSONObject()), new, type: self.type)
            .excluding(self.ignoredFields)
        let changed = comparison.added.union(comparison.modified)
        if !changed.isEmpty || !comparison.removed.isEmpty {
            for (key, var entry) in managed.managers {
                // Entries the write does not touch keep their fields (and their encoding).
                if entry.fields.isDisjoint(with: changed) && entry.fields.isDisjoint(with: comparison.removed)
                    && entry.fields.isDisjoint(with: Self.strippedFields)
                {
                    continue
                }
                entry.fields = entry.fields.subtracting(changed).subtracting(comparison.removed)
                    .subtracting(Self.strippedFields)
                managed.managers[key] = entry.fields.isEmpty ? nil : entry
            }
        }
        let owned = changed.subtracting(Self.strippedFields)
        guard !owned.isEmpty else { return }
        let key = ManagedFields.Manager(
            manager: manager,
            operation: .update,
            apiVersion: self.apiVersion,
            subresource: subresource
        )
        let previous = managed.managers[key]?.fields ?? FieldSet()
        managed.managers[key] = ManagedFields.Entry(fields: previous.union(owned), apiVersion: self.apiVersion, time: now)
        Self.capUpdateManagers(&managed)
    }

    /// Merges the oldest update managers into `ancient-changes` entries (one per API version) until at most
    /// ``maximumUpdateManagers`` remain (↔ `capManagersManager`).
    static func capUpdateManagers(_ managed: inout ManagedFields) {
        var updaters = managed.managers.filter { $0.key.operation == .update }.map(\.key)
        guard updaters.count > Self.maximumUpdateManagers else { return }
        updaters.sort { a, b in
            let (ta, tb) = (ManagedFields.seconds(managed.managers[a]?.time), ManagedFields.seconds(managed.managers[b]?.time))
            if ta != tb { return ta < tb }
            return a.manager < b.manager
        }
        var count = updaters.count
        var firstByVersion: [String: ManagedFields.Manager] = [:]
        for updater in updaters where count > Self.maximumUpdateManagers {
            guard let entry = managed.managers[updater] else { continue }
            let bucket = ManagedFields.Manager(manager: "ancient-changes", operation: .update, apiVersion: entry.apiVersion)
            guard let first = firstByVersion[entry.apiVersion] else {
                firstByVersion[entry.apiVersion] = updater
                continue
            }
            if managed.managers[bucket] == nil, let firstEntry = managed.managers[first] {
                managed.managers[first] = nil
                managed.managers[bucket] = firstEntry
            }
            let merged = entry.fields.union(managed.managers[bucket]?.fields ?? FieldSet())
            managed.managers[updater] = nil
            managed.managers[bucket] = ManagedFields.Entry(fields: merged, apiVersion: entry.apiVersion, time: entry.time)
            count -= 1
        }
    }

    // MARK: Apply

    /// A failed apply.
    public enum ApplyError: Error, Sendable, Hashable {
        /// Other managers own fields the configuration changes.
        case conflicts([Conflict])
        /// The configuration cannot be typed against the schema.
        case invalid(String)
    }

    /// A field another manager owns with another value.
    public struct Conflict: Sendable, Hashable {
        public var manager: ManagedFields.Manager
        public var path: FieldSetPath

        public init(manager: ManagedFields.Manager, path: FieldSetPath) {
            self.manager = manager
            self.path = path
        }

        /// Upstream's message for a list of conflicts: `Apply failed with 1 conflict: conflict with "x" using
        /// apps/v1: .spec.replicas`, or one line per manager and path for several.
        public static func message(_ conflicts: [Conflict]) -> String {
            if conflicts.count == 1 {
                return "Apply failed with 1 conflict: conflict with \(conflicts[0].manager): \(conflicts[0].path)"
            }
            var byManager: [String: [FieldSetPath]] = [:]
            for conflict in conflicts { byManager[conflict.manager.description, default: []].append(conflict.path) }
            var lines: [String] = []
            for manager in byManager.keys.sorted() {
                lines.append("conflicts with \(manager):")
                for path in byManager[manager]! { lines.append("- \(path)") }
            }
            return "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
        }
    }

    /// Applies `config` for `manager` to `live` (`nil` when the object does not exist yet) and returns the new
    /// object; it equals `live` when nothing changed. `managed` is updated; the manager's time changes only when
    /// the object changed (or the manager is new).
    ///
    /// Throws ``ApplyError/conflicts(_:)`` when another manager owns a field the configuration changes and
    /// `force` is false. For the `kubectl` manager, conflicts with fields that the object's last client-side apply
    /// configuration set to their current value are forced, and that annotation follows the applied
    /// configuration, as upstream upgrades client-side apply.
    public func apply(
        live: JSONValue?,
        config: JSONValue,
        managed: inout ManagedFields,
        manager: String,
        subresource: String = "",
        force: Bool,
        now: Time
    ) throws(ApplyError) -> JSONValue {
        let liveObject = live ?? .object(JSONObject())
        let configSet: FieldSet
        do {
            configSet = try TypedValue.fieldSet(config, type: self.type, strict: true)
                .recursivelySubtracting(self.ignoredFields).subtracting(Self.strippedFields)
        } catch {
            throw .invalid(error.message)
        }
        let key = ManagedFields.Manager(manager: manager, operation: .apply, subresource: subresource)
        var candidate = managed
        let last = candidate.managers[key]
        candidate.managers[key] = ManagedFields.Entry(fields: configSet, apiVersion: self.apiVersion, time: last?.time)
        var merged = TypedValue.merge(liveObject, config, type: self.type)
        if let lastFields = last?.fields, !lastFields.isEmpty {
            merged = self.prune(merged, last: lastFields, managed: candidate)
        }
        let comparison = TypedValue.compare(liveObject, merged, type: self.type).excluding(self.ignoredFields)
        let changed = comparison.added.union(comparison.modified)
        var conflicts: [Conflict] = []
        var conflicting: [ManagedFields.Manager: FieldSet] = [:]
        for (other, entry) in candidate.managers where other != key && !changed.isEmpty {
            let overlap = changed.intersection(entry.fields)
            guard !overlap.isEmpty else { continue }
            conflicting[other] = overlap
            for path in overlap.paths { conflicts.append(Conflict(manager: other, path: path)) }
        }
        if !conflicts.isEmpty && !force {
            let allowed = manager == "kubectl" ? self.allowedConflictsFromLastApplied(liveObject) : nil
            let remaining = conflicts.filter { !(allowed?.contains($0.path) ?? false) }
            if !remaining.isEmpty {
                throw .conflicts(
                    remaining.sorted { a, b in
                        a.manager.description != b.manager.description
                            ? a.manager.description < b.manager.description : a.path < b.path
                    }
                )
            }
        }
        for (other, overlap) in conflicting {
            if var entry = candidate.managers[other] {
                entry.fields = entry.fields.subtracting(overlap)
                candidate.managers[other] = entry
            }
        }
        if !comparison.removed.isEmpty {
            for (other, entry) in candidate.managers where other != key {
                guard !entry.fields.isDisjoint(with: comparison.removed) else { continue }
                candidate.managers[other]?.fields = entry.fields.subtracting(comparison.removed)
            }
        }
        for (other, entry) in candidate.managers where entry.fields.isEmpty { candidate.managers[other] = nil }
        if manager == "kubectl" { merged = Self.syncLastApplied(merged, config: config) }
        if last?.time == nil || !(TypedValue.isIdentical(merged, liveObject) || merged == liveObject) {
            candidate.managers[key]?.time = now
        }
        managed = candidate
        return merged
    }

    /// Removes what the manager applied last time and no longer applies, unless another manager (or this
    /// configuration) owns it (↔ `Updater.prune` with `addBackOwnedItems` and `addBackDanglingItems`).
    private func prune(_ merged: JSONValue, last: FieldSet, managed: ManagedFields) -> JSONValue {
        var owners: [FieldSet] = []
        owners.reserveCapacity(managed.managers.count)
        for entry in managed.managers.values where !entry.fields.isEmpty { owners.append(entry.fields) }
        let toRemove = TypedValue.prunable(last: last, value: merged, owners: owners, type: self.type)
        guard !toRemove.isEmpty else { return merged }
        return TypedValue.removing(toRemove, from: merged, type: self.type)
    }

    /// The fields the last client-side apply configuration set to their current values (↔
    /// `allowedConflictsFromLastApplied`); `nil` without a usable annotation.
    private func allowedConflictsFromLastApplied(_ live: JSONValue) -> FieldSet? {
        guard case .string(let text)? = live["metadata"]?["annotations"]?[Self.lastAppliedAnnotation],
            !text.isEmpty, let lastApplied = try? JSONValue.parse(text.utf8),
            lastApplied["apiVersion"]?.stringValue == self.apiVersion,
            let fields = try? TypedValue.fieldSet(lastApplied, type: self.type)
        else { return nil }
        let comparison = TypedValue.compare(lastApplied, live, type: self.type)
        return fields.subtracting(comparison.modified).subtracting(comparison.added).subtracting(comparison.removed)
    }

    /// The object with its last-applied annotation set to the applied configuration, when it has one
    /// (↔ `lastAppliedUpdater`).
    private static func syncLastApplied(_ object: JSONValue, config: JSONValue) -> JSONValue {
        guard case .object(var root) = object, case .object(var metadata)? = root["metadata"],
            case .object(var annotations)? = metadata["annotations"], annotations[Self.lastAppliedAnnotation] != nil
        else { return object }
        var applied = config
        if case .object(var configRoot) = config, case .object(var configMetadata)? = configRoot["metadata"],
            case .object(var configAnnotations)? = configMetadata["annotations"]
        {
            configAnnotations[Self.lastAppliedAnnotation] = nil
            configMetadata["annotations"] = configAnnotations.isEmpty ? nil : .object(configAnnotations)
            configRoot["metadata"] = .object(configMetadata)
            applied = .object(configRoot)
        }
        // As Go's json.Encoder writes it (kubectl's own annotation too): sorted keys and a trailing newline.
        annotations[Self.lastAppliedAnnotation] = .string(
            String(decoding: applied.serialized(sortingKeys: true), as: UTF8.self) + "\n"
        )
        metadata["annotations"] = .object(annotations)
        root["metadata"] = .object(metadata)
        return .object(root)
    }
}
