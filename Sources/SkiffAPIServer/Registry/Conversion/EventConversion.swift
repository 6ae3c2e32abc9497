import SkiffAPI
package import SkiffAPIMachinery

/// `events.k8s.io/v1` Events served from `v1` Events, as upstream stores both (↔ `pkg/apis/events/v1`
/// conversion): `note` is `message`, `regarding` is `involvedObject`, `reportingController` is
/// `reportingComponent`, and the `deprecated*` fields are the core fields of the same names.
package struct EventConversion: VersionConverter {
    package init() {}

    package func toServed(_ stored: JSONValue) throws -> JSONValue {
        let core = try JSONValueDecoder().decode(CoreV1.Event.self, from: stored)
        var event = EventsV1.Event(
            metadata: core.metadata.withPlaceholderResourceVersion(),
            reportingController: core.reportingComponent,
            reportingInstance: core.reportingInstance,
            action: core.action,
            reason: core.reason,
            regarding: core.involvedObject,
            related: core.related,
            note: core.message,
            type: core.type,
            deprecatedSource: core.source,
            deprecatedFirstTimestamp: core.firstTimestamp,
            deprecatedLastTimestamp: core.lastTimestamp,
            deprecatedCount: core.count
        )
        // Required in events.k8s.io/v1; events written through v1 without it keep the zero time, as upstream.
        if let eventTime = core.eventTime { event.eventTime = eventTime }
        if let series = core.series {
            var converted = EventsV1.EventSeries(count: series.count ?? 0)
            if let lastObservedTime = series.lastObservedTime { converted.lastObservedTime = lastObservedTime }
            event.series = converted
        }
        return try JSONValueEncoder().encode(event)
    }

    package func toStorage(_ served: JSONValue) throws -> JSONValue {
        let event = try JSONValueDecoder().decode(EventsV1.Event.self, from: served)
        let core = CoreV1.Event(
            metadata: event.metadata.withPlaceholderResourceVersion(),
            involvedObject: event.regarding ?? CoreV1.ObjectReference(),
            reason: event.reason,
            message: event.note,
            source: event.deprecatedSource,
            firstTimestamp: event.deprecatedFirstTimestamp,
            lastTimestamp: event.deprecatedLastTimestamp,
            count: event.deprecatedCount,
            type: event.type,
            eventTime: event.eventTime,
            series: event.series.map { CoreV1.EventSeries(count: $0.count, lastObservedTime: $0.lastObservedTime) },
            action: event.action,
            related: event.related,
            reportingComponent: event.reportingController,
            reportingInstance: event.reportingInstance
        )
        return try JSONValueEncoder().encode(core)
    }
}
