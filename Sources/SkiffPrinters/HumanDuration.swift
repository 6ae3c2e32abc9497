#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Ages and durations written the way Kubernetes writes them for humans (apimachinery's `util/duration`).
///
/// ``format(_:)`` is upstream's `HumanDuration`: two or three significant figures, so `190s` is `3m10s`, `49h` is
/// `2d1h` and two years and a day is `2y1d`. ``formatShort(_:)`` is `ShortHumanDuration`: one unit only (`3m`,
/// `2d`). Both tolerate up to two seconds of clock skew: a duration above -2s prints `0s`, anything more negative
/// prints `<invalid>`.
///
/// Durations are counted in whole nanoseconds, as Go's `time.Duration`; values beyond its range (about 292 years)
/// are clamped to it.
///
/// ## Topics
/// ### Formatting
/// - ``format(_:)``
/// - ``formatShort(_:)``
/// - ``format(from:to:)``
public enum HumanDuration {
    /// A duration with about two or three significant figures, as upstream's `duration.HumanDuration`.
    ///
    /// `1s`, `119s`, `2m1s`, `9m59s`, `10m`, `179m`, `3h1m`, `7h59m`, `8h`, `47h`, `2d1h`, `7d23h`, `8d`, `729d`,
    /// `2y1d`, `7y364d`, `8y`; `0s` for -2s < d < 1s and `<invalid>` for d ≤ -2s.
    public static func format(_ duration: Duration) -> String {
        self.format(nanoseconds: self.nanoseconds(duration))
    }

    /// A duration in its largest whole unit, as upstream's `duration.ShortHumanDuration`: `59s`, `1m`, `23h`, `1d`,
    /// `364d`, `1y`.
    public static func formatShort(_ duration: Duration) -> String {
        self.formatShort(nanoseconds: self.nanoseconds(duration))
    }

    /// The time from `start` to `end` formatted by ``format(_:)``: an age is `format(from: created, to: now)`.
    public static func format(from start: Date, to end: Date) -> String {
        self.format(nanoseconds: self.nanoseconds(end.timeIntervalSince(start)))
    }

    // MARK: - Upstream's arithmetic, on Go's int64 nanoseconds

    static let second: Int64 = 1_000_000_000
    static let minute: Int64 = 60 * second
    static let hour: Int64 = 60 * minute

    static func format(nanoseconds d: Int64) -> String {
        // Integer division truncates toward zero, as Go's int(d.Seconds()) does.
        let seconds = d / self.second
        if seconds < -1 { return "<invalid>" }
        if d < 0 { return "0s" }
        if seconds < 60 * 2 { return "\(seconds)s" }
        let minutes = d / self.minute
        if minutes < 10 {
            let s = seconds % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = d / self.hour
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = (hours / 24) % 365
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }

    static func formatShort(nanoseconds d: Int64) -> String {
        let seconds = d / self.second
        if seconds < -1 { return "<invalid>" }
        if d < 0 { return "0s" }
        if seconds < 60 { return "\(seconds)s" }
        let minutes = d / self.minute
        if minutes < 60 { return "\(minutes)m" }
        let hours = d / self.hour
        if hours < 24 { return "\(hours)h" }
        if hours < 24 * 365 { return "\(hours / 24)d" }
        return "\(hours / 24 / 365)y"
    }

    /// A Swift `Duration` as Go's `time.Duration`: whole nanoseconds, clamped to the `Int64` range.
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: self.second)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return total
    }

    /// A `TimeInterval` as whole nanoseconds, truncated and clamped to the `Int64` range.
    static func nanoseconds(_ interval: TimeInterval) -> Int64 {
        guard interval.isFinite else { return interval.isNaN ? 0 : (interval < 0 ? .min : .max) }
        let nanoseconds = (interval * 1e9).rounded(.towardZero)
        if nanoseconds >= 9.2e18 { return .max }
        if nanoseconds <= -9.2e18 { return .min }
        return Int64(nanoseconds)
    }
}
