#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import SkiffAPI
import SkiffAPIMachinery

extension ResourcePrinter {
    /// Core `v1` events: `printEvent`.
    static var coreEvents: ResourcePrinter {
        .typed(CoreV1.Event.self, Self.eventColumns) { event, now in
            EventFields(
                name: event.metadata.name ?? "",
                type: event.type,
                reason: event.reason,
                involvedObject: event.involvedObject,
                message: event.message,
                source: event.source,
                reportingController: event.reportingComponent,
                reportingInstance: event.reportingInstance,
                firstTimestamp: event.firstTimestamp,
                lastTimestamp: event.lastTimestamp,
                eventTime: event.eventTime,
                count: event.count,
                series: event.series.map { (count: $0.count ?? 0, lastObservedTime: $0.lastObservedTime) }
            ).row(now: now)
        }
    }

    /// `events.k8s.io/v1` events, printed as upstream prints them after conversion to the internal (core) event:
    /// `regarding` is the involved object, `note` the message, the `deprecated*` fields the old ones.
    static var eventsV1Events: ResourcePrinter {
        .typed(EventsV1.Event.self, Self.eventColumns) { event, now in
            EventFields(
                name: event.metadata.name ?? "",
                type: event.type,
                reason: event.reason,
                involvedObject: event.regarding,
                message: event.note,
                source: event.deprecatedSource,
                reportingController: event.reportingController,
                reportingInstance: event.reportingInstance,
                firstTimestamp: event.deprecatedFirstTimestamp,
                lastTimestamp: event.deprecatedLastTimestamp,
                eventTime: event.eventTime,
                count: event.deprecatedCount,
                series: event.series.map { (count: $0.count, lastObservedTime: $0.lastObservedTime) }
            ).row(now: now)
        }
    }

    static var eventColumns: [MetaV1.TableColumnDefinition] {
        [
            Columns.column("Last Seen", Columns.core("Event", "lastTimestamp")),
            Columns.column("Type", Columns.core("Event", "type")),
            Columns.column("Reason", Columns.core("Event", "reason")),
            Columns.column("Object", Columns.core("Event", "involvedObject")),
            Columns.column("Subobject", priority: 1, Columns.core("ObjectReference", "fieldPath")),
            Columns.column("Source", priority: 1, Columns.core("Event", "source")),
            Columns.column("Message", Columns.core("Event", "message")),
            Columns.column("First Seen", priority: 1, Columns.core("Event", "firstTimestamp")),
            Columns.column("Count", priority: 1, Columns.core("Event", "count")),
            Columns.column("Name", format: "name", priority: 1, Columns.meta("name")),
        ]
    }
}

/// The fields of upstream's internal event that `printEvent` reads.
struct EventFields {
    var name: String
    var type: String?
    var reason: String?
    var involvedObject: CoreV1.ObjectReference?
    var message: String?
    var source: CoreV1.EventSource?
    var reportingController: String?
    var reportingInstance: String?
    var firstTimestamp: Time?
    var lastTimestamp: Time?
    var eventTime: MicroTime?
    var count: Int32?
    var series: (count: Int32, lastObservedTime: MicroTime?)?

    func row(now: Date) -> ResourcePrinter.Row {
        var firstSeen = Format.age(self.firstTimestamp, now: now)
        if self.firstTimestamp?.isZero ?? true { firstSeen = Format.age(self.eventTime, now: now) }
        var lastSeen = Format.age(self.lastTimestamp, now: now)
        if self.lastTimestamp?.isZero ?? true { lastSeen = firstSeen }
        var count = self.count ?? 0
        if let series = self.series {
            lastSeen = Format.age(series.lastObservedTime, now: now)
            count = series.count
        } else if count == 0 {
            // Singleton events of the new API carry no count.
            count = 1
        }
        let kind = (self.involvedObject?.kind ?? "").lowercased()
        let objectName = self.involvedObject?.name ?? ""
        let target = objectName.isEmpty ? kind : kind + "/" + objectName
        let component = Format.firstNonEmpty(self.source?.component, self.reportingController)
        let instance = Format.firstNonEmpty(self.source?.host, self.reportingInstance)
        return ResourcePrinter.Row(cells: [
            .string(lastSeen),
            .string(self.type ?? ""),
            .string(self.reason ?? ""),
            .string(target),
            .string(self.involvedObject?.fieldPath ?? ""),
            .string(instance.isEmpty ? component : component + ", " + instance),
            .string(Format.trimSpace(self.message ?? "")),
            .string(firstSeen),
            .int(Int64(count)),
            .string(self.name),
        ])
    }
}
