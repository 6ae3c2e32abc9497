import CoreMetrics
import Metrics
import Synchronization

/// The scheduler's metrics (↔ `pkg/scheduler/metrics`), through swift-metrics: whatever backend the process
/// bootstrapped (Prometheus in `skiff`) exports them.
final class SchedulerMetrics: Sendable {
    /// `result` label values of `scheduler_schedule_attempts_total`.
    enum Result: String, Sendable, CaseIterable {
        case scheduled
        case unschedulable
        case error
    }

    private struct Key: Hashable {
        var result: Result
        var profile: String
    }

    private let attempts: [Key: Counter]
    private let durations: [Key: Timer]
    private let e2eDurations: [Key: Timer]
    private let pendingPods: Gauge?

    init(profiles: [String]) {
        var attempts: [Key: Counter] = [:]
        var durations: [Key: Timer] = [:]
        var e2e: [Key: Timer] = [:]
        for profile in profiles {
            for result in Result.allCases {
                let key = Key(result: result, profile: profile)
                let dimensions = [("result", result.rawValue), ("profile", profile)]
                attempts[key] = Counter(label: "scheduler_schedule_attempts_total", dimensions: dimensions)
                durations[key] = Timer(
                    label: "scheduler_scheduling_attempt_duration_seconds",
                    dimensions: dimensions,
                    preferredDisplayUnit: .seconds
                )
                e2e[key] = Timer(
                    label: "scheduler_pod_scheduling_sli_duration_seconds",
                    dimensions: dimensions,
                    preferredDisplayUnit: .seconds
                )
            }
        }
        self.attempts = attempts
        self.durations = durations
        self.e2eDurations = e2e
        self.pendingPods = nil
    }

    /// Counts one attempt and records its duration.
    func attempt(_ result: Result, profile: String, duration: Duration) {
        let key = Key(result: result, profile: profile)
        self.attempts[key]?.increment()
        self.durations[key]?.record(duration: duration)
    }

    /// Records the time from the pod's first entry in the queue to its scheduling.
    func podScheduled(profile: String, sinceFirstAttempt duration: Duration) {
        self.e2eDurations[Key(result: .scheduled, profile: profile)]?.record(duration: duration)
    }
}
