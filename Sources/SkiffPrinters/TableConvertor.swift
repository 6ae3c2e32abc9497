#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif
public import SkiffAPIMachinery
import SkiffAPI

/// The columns and cells of `kubectl get`'s tables, computed by the API server (upstream's
/// `pkg/printers/internalversion` behind `pkg/printers/storage.TableConvertor`, and apiserver's
/// `rest.NewDefaultTableConvertor` for the rest).
///
/// The API server answers `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` with a `meta.k8s.io/v1` Table. It
/// assembles the envelope, the list metadata and each row's `object`; this type supplies the column definitions
/// and, for each stored object, the row's cells and conditions.
///
/// Built-in resources with an upstream printer get upstream's columns (names, types, formats, descriptions and
/// priorities) and cells; as upstream's server does, every row carries the cells of all columns, including the
/// priority-1 ones that only `kubectl get -o wide` shows. Every other resource (roles, limit ranges, custom
/// resources without printer columns, …) gets the default convertor's `Name` and `Created At`.
///
/// ```swift
/// let convertor = TableConvertor()
/// let columns = convertor.columnDefinitions(group: "", resource: "pods")
/// let row = convertor.row(group: "", resource: "pods", object: storedPod, now: Date())
/// // row.cells == ["web-0", "1/1", "Running", "0", "5m", "10.42.0.7", "node-a", "<none>", "<none>"]
/// ```
///
/// ## Topics
/// ### Columns
/// - ``columnDefinitions(group:resource:)``
/// - ``hasPrinter(group:resource:)``
/// ### Rows
/// - ``row(group:resource:object:now:)``
/// - ``defaultColumnDefinitions``
public struct TableConvertor: Sendable {
    /// A convertor for the built-in resources.
    public init() {}

    /// Whether upstream has a dedicated printer for the resource (`group` is empty for the core group, `resource`
    /// is the plural name); the others get the default convertor's two columns.
    public func hasPrinter(group: String, resource: String) -> Bool {
        ResourcePrinter.printer(group: group, resource: resource) != nil
    }

    /// The columns of the resource's table, as upstream defines them.
    ///
    /// `group` is empty for the core group and `resource` is the plural name (`deployments`); the version does not
    /// matter (`autoscaling/v1` and `v2` HorizontalPodAutoscalers share one table, as do core and `events.k8s.io`
    /// events). Columns with priority 1 are shown by `kubectl get -o wide` only. Resources without a printer get
    /// ``defaultColumnDefinitions``.
    public func columnDefinitions(group: String, resource: String) -> [MetaV1.TableColumnDefinition] {
        ResourcePrinter.printer(group: group, resource: resource)?.columns ?? Self.defaultColumnDefinitions
    }

    /// One row's cells and conditions for a stored object given as JSON, with ages measured up to `now`.
    ///
    /// The cells match ``columnDefinitions(group:resource:)`` one for one: strings are JSON strings, counts JSON
    /// integers and flags JSON booleans, as upstream's cells. Pods that succeeded or failed carry upstream's
    /// `Completed` row condition (kubectl hides them unless `--show-all`); other rows have no conditions (`nil`).
    ///
    /// Never traps on odd input. If the object cannot be decoded as the resource's type (a field of the wrong
    /// JSON type, say), the row still has one cell per column: the object's `metadata.name` in the name column,
    /// its age (or, for the default columns, its creation time) in the `Age` column and `<unknown>` elsewhere.
    public func row(
        group: String,
        resource: String,
        object: JSONValue,
        now: Date
    ) -> (cells: [JSONValue], conditions: [MetaV1.TableRowCondition]?) {
        guard let printer = ResourcePrinter.printer(group: group, resource: resource) else {
            return (Self.defaultCells(object), nil)
        }
        do {
            let row = try printer.printRow(object, now)
            guard row.cells.count == printer.columns.count else {
                return (Self.fallbackCells(object, columns: printer.columns, now: now), nil)
            }
            return (row.cells, row.conditions)
        } catch {
            return (Self.fallbackCells(object, columns: printer.columns, now: now), nil)
        }
    }

    /// The default convertor's columns (apiserver's `rest.NewDefaultTableConvertor`): `Name` (format `name`) and
    /// `Created At` (type `date`), described by `ObjectMeta`'s field docs.
    public static var defaultColumnDefinitions: [MetaV1.TableColumnDefinition] { Columns.defaultColumns }

    /// The default convertor's cells: the name and the creation time in RFC 3339, UTC (Go's zero time when unset).
    static func defaultCells(_ object: JSONValue) -> [JSONValue] {
        [.string(Self.name(of: object)), .string(Self.creationTimestamp(of: object).string)]
    }

    /// One cell per column for an object no printer could read: name, age and `<unknown>`.
    static func fallbackCells(
        _ object: JSONValue,
        columns: [MetaV1.TableColumnDefinition],
        now: Date
    ) -> [JSONValue] {
        let created = Self.creationTimestamp(of: object)
        return columns.map { column in
            if column.format == "name" { return .string(Self.name(of: object)) }
            switch column.name {
            case "Age": return .string(Format.age(created, now: now))
            case "Created At": return .string(created.string)
            default: return .string("<unknown>")
            }
        }
    }

    static func name(of object: JSONValue) -> String {
        object["metadata"]?["name"]?.stringValue ?? ""
    }

    static func creationTimestamp(of object: JSONValue) -> Time {
        guard let string = object["metadata"]?["creationTimestamp"]?.stringValue,
            let time = try? Time(parsing: string)
        else { return .zero }
        return time
    }
}

/// One resource's columns and the function computing a row from a stored object.
struct ResourcePrinter: Sendable {
    struct Row {
        var cells: [JSONValue]
        var conditions: [MetaV1.TableRowCondition]? = nil
    }

    var columns: [MetaV1.TableColumnDefinition]
    var printRow: @Sendable (JSONValue, Date) throws -> Row

    /// A printer that decodes the object as `type` first.
    static func typed<Object: Decodable & Sendable>(
        _ type: Object.Type,
        _ columns: [MetaV1.TableColumnDefinition],
        _ print: @escaping @Sendable (Object, Date) -> Row
    ) -> ResourcePrinter {
        ResourcePrinter(columns: columns) { json, now in
            print(try JSONValueDecoder().decode(Object.self, from: json), now)
        }
    }

    struct Key: Hashable {
        var group: String
        var resource: String
    }

    static func printer(group: String, resource: String) -> ResourcePrinter? {
        self.registry[Key(group: group, resource: resource)]
    }

    /// Every printer, built once on first use (the column descriptions come from the compiled-in schema).
    static let registry: [Key: ResourcePrinter] = {
        var printers: [Key: ResourcePrinter] = [:]
        func add(_ group: String, _ resource: String, _ printer: ResourcePrinter) {
            printers[Key(group: group, resource: resource)] = printer
        }
        // core
        add("", "pods", .pods)
        add("", "podtemplates", .podTemplates)
        add("", "replicationcontrollers", .replicationControllers)
        add("", "services", .services)
        add("", "endpoints", .endpoints)
        add("", "nodes", .nodes)
        add("", "namespaces", .namespaces)
        add("", "configmaps", .configMaps)
        add("", "secrets", .secrets)
        add("", "serviceaccounts", .serviceAccounts)
        add("", "events", .coreEvents)
        add("", "persistentvolumes", .persistentVolumes)
        add("", "persistentvolumeclaims", .persistentVolumeClaims)
        add("", "resourcequotas", .resourceQuotas)
        add("", "componentstatuses", .componentStatuses)
        // apps, batch, autoscaling, policy
        add("apps", "deployments", .deployments)
        add("apps", "replicasets", .replicaSets)
        add("apps", "daemonsets", .daemonSets)
        add("apps", "statefulsets", .statefulSets)
        add("apps", "controllerrevisions", .controllerRevisions)
        add("batch", "jobs", .jobs)
        add("batch", "cronjobs", .cronJobs)
        add("autoscaling", "horizontalpodautoscalers", .horizontalPodAutoscalers)
        add("policy", "poddisruptionbudgets", .podDisruptionBudgets)
        // networking, discovery, events
        add("discovery.k8s.io", "endpointslices", .endpointSlices)
        add("events.k8s.io", "events", .eventsV1Events)
        add("networking.k8s.io", "ingresses", .ingresses)
        add("networking.k8s.io", "ingressclasses", .ingressClasses)
        add("networking.k8s.io", "networkpolicies", .networkPolicies)
        add("networking.k8s.io", "servicecidrs", .serviceCIDRs)
        add("networking.k8s.io", "ipaddresses", .ipAddresses)
        // cluster-level
        add("coordination.k8s.io", "leases", .leases)
        add("rbac.authorization.k8s.io", "rolebindings", .roleBindings)
        add("rbac.authorization.k8s.io", "clusterrolebindings", .clusterRoleBindings)
        add("scheduling.k8s.io", "priorityclasses", .priorityClasses)
        add("node.k8s.io", "runtimeclasses", .runtimeClasses)
        add("certificates.k8s.io", "certificatesigningrequests", .certificateSigningRequests)
        add("storage.k8s.io", "storageclasses", .storageClasses)
        add("storage.k8s.io", "volumeattachments", .volumeAttachments)
        add("storage.k8s.io", "csidrivers", .csiDrivers)
        add("storage.k8s.io", "csinodes", .csiNodes)
        add("storage.k8s.io", "csistoragecapacities", .csiStorageCapacities)
        add("storage.k8s.io", "volumeattributesclasses", .volumeAttributesClasses)
        add("admissionregistration.k8s.io", "validatingwebhookconfigurations", .validatingWebhookConfigurations)
        add("admissionregistration.k8s.io", "mutatingwebhookconfigurations", .mutatingWebhookConfigurations)
        return printers
    }()
}
