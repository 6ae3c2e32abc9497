import Metrics
import Prometheus

/// The process-wide swift-metrics backend: the components' metrics (scheduler, controllers) land in a Prometheus
/// registry that an HTTPS endpoint serves, as every Kubernetes component's legacy registry.
enum ComponentMetrics {
    /// Upstream's buckets for the scheduler's latency histograms (`ExponentialBuckets(0.001, 2, 15)`).
    static let schedulerLatencyBuckets: [Duration] = (0..<15).map { .microseconds(1000 << $0) }

    /// Points swift-metrics at `registry`. Once per process (swift-metrics traps on a second bootstrap): each
    /// command that serves metrics calls it once, first thing.
    static func bootstrap(registry: PrometheusCollectorRegistry) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            "scheduler_scheduling_attempt_duration_seconds": Self.schedulerLatencyBuckets,
            "scheduler_pod_scheduling_sli_duration_seconds": Self.schedulerLatencyBuckets,
        ]
        MetricsSystem.bootstrap(factory)
    }
}
