#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
public import SkiffAPIMachinery

/// Who manages which fields of an object: `metadata.managedFields`, decoded (↔ apimachinery
/// `managedfields/internal.Managed`).
///
/// Entries are keyed by ``Manager``: the manager name, the operation, the API version (for updates) and the
/// subresource, as upstream identifies them. ``entries`` encode back in upstream's order: applies before updates,
/// then by time, manager, API version and subresource.
///
/// ## Topics
/// ### Decoding and encoding
/// - ``init(entries:)``
/// - ``entries``
/// - ``isReset(_:)``
/// ### Managers
/// - ``Manager``
/// - ``Entry``
public struct ManagedFields: Sendable, Hashable {
    /// The identity of a field manager.
    public struct Manager: Hashable, Sendable, CustomStringConvertible {
        /// `Apply` or `Update`.
        public enum Operation: String, Sendable, Hashable {
            case apply = "Apply"
            case update = "Update"
        }

        public var manager: String
        public var operation: Operation
        /// The API version, part of the identity of updates only (an applier keeps its entry across versions).
        public var apiVersion: String?
        /// `status`, `scale`, or empty for the main resource.
        public var subresource: String

        public init(manager: String, operation: Operation, apiVersion: String? = nil, subresource: String = "") {
            self.manager = manager
            self.operation = operation
            self.apiVersion = operation == .update ? apiVersion : nil
            self.subresource = subresource
        }

        /// How upstream names the manager in conflict messages: `"kubectl"`, `"kube-controller-manager" using
        /// apps/v1`, `"x" with subresource "status"`.
        public var description: String {
            var text = Self.quoted(self.manager)
            if !self.subresource.isEmpty { text += " with subresource " + Self.quoted(self.subresource) }
            if self.operation == .update { text += " using " + (self.apiVersion ?? "") }
            return text
        }

        static func quoted(_ string: String) -> String {
            String(decoding: JSONValue.string(string).serialized(), as: UTF8.self)
        }
    }

    /// The fields one manager owns.
    public struct Entry: Sendable, Hashable {
        public var fields: FieldSet {
            didSet { self.encodedFields = nil }
        }
        /// The API version the field set is expressed in.
        public var apiVersion: String
        /// When the manager last changed something, if known.
        public var time: Time?
        /// ``fields`` as the stored FieldsV1 they were decoded from, until they change: an entry a write leaves
        /// alone is not encoded again.
        var encodedFields: JSONValue?

        public init(fields: FieldSet, apiVersion: String, time: Time?) {
            self.fields = fields
            self.apiVersion = apiVersion
            self.time = time
        }

        public static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.apiVersion == rhs.apiVersion && lhs.time == rhs.time && lhs.fields == rhs.fields
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(self.fields)
            hasher.combine(self.apiVersion)
            hasher.combine(self.time)
        }
    }

    /// The managers and their fields.
    public var managers: [Manager: Entry]

    /// No managers.
    public init() { self.managers = [:] }

    /// Decodes `metadata.managedFields`; throws ``FieldSetError`` for an entry upstream would reject (no manager
    /// operation, an unknown operation or fields type, undecodable fields).
    public init(entries: [MetaV1.ManagedFieldsEntry]) throws(FieldSetError) {
        try self.init(entries: entries, keepingEncodedFields: false)
    }

    /// Decodes `metadata.managedFields`; with `keepingEncodedFields`, each entry remembers its `fieldsV1` so that
    /// ``entries`` writes it back as it was until its fields change. Only for entries this server encoded (a
    /// stored object's), which are canonical; a client's are always written again.
    package init(entries: [MetaV1.ManagedFieldsEntry], keepingEncodedFields: Bool) throws(FieldSetError) {
        self.managers = [:]
        for entry in entries {
            guard let operationName = entry.operation, let operation = Manager.Operation(rawValue: operationName) else {
                throw FieldSetError("operation must be `Apply` or `Update`")
            }
            guard entry.fieldsType == "FieldsV1" else {
                throw FieldSetError("invalid fieldsType \"\(entry.fieldsType ?? "")\"")
            }
            let fields = try FieldSet(fieldsV1: entry.fieldsV1 ?? .object(JSONObject()))
            let manager = Manager(
                manager: entry.manager ?? "",
                operation: operation,
                apiVersion: entry.apiVersion,
                subresource: entry.subresource ?? ""
            )
            guard self.managers[manager] == nil else {
                throw FieldSetError("duplicate entries for manager \(manager)")
            }
            var decoded = Entry(fields: fields, apiVersion: entry.apiVersion ?? "", time: entry.time)
            if keepingEncodedFields { decoded.encodedFields = entry.fieldsV1 }
            self.managers[manager] = decoded
        }
    }

    /// Whether a request's `managedFields` asks to clear them: an empty list or one empty entry (↔
    /// `isResetManagedFields`). A missing list keeps the live ones.
    public static func isReset(_ entries: [MetaV1.ManagedFieldsEntry]?) -> Bool {
        guard let entries else { return false }
        if entries.isEmpty { return true }
        return entries.count == 1 && entries[0] == MetaV1.ManagedFieldsEntry()
    }

    /// The entries to store, sorted as upstream sorts them; managers owning nothing are left out.
    public var entries: [MetaV1.ManagedFieldsEntry] {
        var result: [(Manager, Entry)] = self.managers.filter { !$0.value.fields.isEmpty }.map { ($0.key, $0.value) }
        result.sort { a, b in
            if a.0.operation != b.0.operation { return a.0.operation == .apply }
            let (ta, tb) = (Self.seconds(a.1.time), Self.seconds(b.1.time))
            if ta != tb { return ta < tb }
            if a.0.manager != b.0.manager { return a.0.manager < b.0.manager }
            if a.1.apiVersion != b.1.apiVersion { return a.1.apiVersion < b.1.apiVersion }
            return a.0.subresource < b.0.subresource
        }
        return result.map { manager, entry in
            MetaV1.ManagedFieldsEntry(
                manager: manager.manager,
                operation: manager.operation.rawValue,
                apiVersion: entry.apiVersion,
                time: entry.time,
                fieldsType: "FieldsV1",
                fieldsV1: entry.encodedFields ?? entry.fields.fieldsV1,
                subresource: manager.subresource.isEmpty ? nil : manager.subresource
            )
        }
    }

    static func seconds(_ time: Time?) -> Int64 {
        guard let time else { return 0 }
        return Int64(time.date.timeIntervalSince1970.rounded(.down))
    }
}
