package import Prometheus
import Synchronization

/// The API server's Prometheus metrics, with upstream's names and labels (↔ apiserver `pkg/endpoints/metrics`).
///
/// - `apiserver_request_total{verb,group,version,resource,subresource,scope,component,code}`
/// - `apiserver_request_duration_seconds{verb,group,version,resource,subresource,scope,component}` (histogram)
/// - `apiserver_longrunning_requests{verb,group,version,resource,subresource,scope,component}` (open watches)
/// - `apiserver_registered_watchers{group,version,kind}`
/// - `etcd_request_duration_seconds{operation,type}`: latency of the store's operations
package final class APIServerMetrics: Sendable {
    package let registry = PrometheusCollectorRegistry()

    private static let requestBuckets: [Duration] = [
        0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
    ].map { Duration.milliseconds(Int64($0 * 1000)) }
    private static let storeBuckets: [Duration] = [
        0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
    ].map { Duration.milliseconds(Int64($0 * 1000)) }

    /// The collectors already made, by their labels: the registry validates names, labels and help text and
    /// takes its one lock on every `make…` call, which costs more than the observation itself.
    private struct Handles {
        var requests: [RequestKey: (total: Counter, duration: DurationHistogram)] = [:]
        var store: [StoreKey: DurationHistogram] = [:]
    }

    private struct RequestKey: Hashable {
        var labels: RequestLabels
        var code: Int
    }

    private struct StoreKey: Hashable {
        var operation: String
        var type: String
    }

    private let handles = Mutex(Handles())

    package init() {}

    /// The labels of one request.
    package struct RequestLabels: Sendable, Hashable {
        var verb: String
        var group: String
        var version: String
        var resource: String
        var subresource: String
        var scope: String

        var pairs: [(String, String)] {
            [
                ("verb", self.verb), ("group", self.group), ("version", self.version), ("resource", self.resource),
                ("subresource", self.subresource), ("scope", self.scope), ("component", "apiserver"),
            ]
        }
    }

    /// Counts a finished request and records its duration.
    package func observe(_ labels: RequestLabels, code: Int, duration: Duration) {
        let key = RequestKey(labels: labels, code: code)
        let (total, histogram) =
            self.handles.withLock { $0.requests[key] }
            ?? {
                let made = self.makeRequestCollectors(labels, code: code)
                self.handles.withLock { $0.requests[key] = made }
                return made
            }()
        total.increment()
        histogram.record(duration)
    }

    private func makeRequestCollectors(
        _ labels: RequestLabels,
        code: Int
    ) -> (total: Counter, duration: DurationHistogram) {
        let total = self.registry.makeCounter(
            descriptor: MetricNameDescriptor(
                metricName: "apiserver_request_total",
                unitName: "",
                helpText: "Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code."
            ),
            labels: labels.pairs + [("code", String(code))]
        )
        let duration = self.registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                metricName: "apiserver_request_duration_seconds",
                unitName: "",
                helpText: "Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component."
            ),
            labels: labels.pairs,
            buckets: Self.requestBuckets
        )
        return (total, duration)
    }

    /// Adds `delta` to the open long-running requests (watches) of `labels`.
    package func longRunning(_ labels: RequestLabels, delta: Double) {
        self.registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "apiserver_longrunning_requests",
                unitName: "",
                helpText: "Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component."
            ),
            labels: labels.pairs
        ).increment(by: delta)
        self.registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "apiserver_registered_watchers",
                unitName: "",
                helpText: "Number of currently registered watchers for a given resources"
            ),
            labels: [("group", labels.group), ("version", labels.version), ("resource", labels.resource)]
        ).increment(by: delta)
    }

    /// Records one store operation's latency.
    package func observeStore(operation: String, type: String, duration: Duration) {
        let key = StoreKey(operation: operation, type: type)
        let histogram =
            self.handles.withLock { $0.store[key] }
            ?? {
                let made = self.registry.makeDurationHistogram(
                    descriptor: MetricNameDescriptor(
                        metricName: "etcd_request_duration_seconds",
                        unitName: "",
                        helpText: "Etcd request latency in seconds for each operation and object type."
                    ),
                    labels: [("operation", operation), ("type", type)],
                    buckets: Self.storeBuckets
                )
                self.handles.withLock { $0.store[key] = made }
                return made
            }()
        histogram.record(duration)
    }

    /// The exposition text.
    package func render() -> [UInt8] {
        var buffer: [UInt8] = []
        self.registry.emit(into: &buffer)
        return buffer
    }
}
